"""Recording a member's consent on the case, and its withdrawal (撤回)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods

from tomoni import access
from tomoni.web.viewutils import staff_of

from .. import actions
from ..forms import ConsentForm, WithdrawConsentForm
from .base import GET_POST, case_form, changeable
from .page import consents


@require_http_methods(GET_POST)
def consent(request: HttpRequest, pk: int) -> HttpResponse:
    case = changeable(request, pk)
    members = access.members(staff_of(request), case, check=False)
    form = ConsentForm(request.POST or None, members=members)

    def run() -> str:
        data = form.cleaned_data
        item = actions.record_consent(
            staff_of(request),
            case,
            data["person"],
            scope=data["scope"],
            status=data["status"],
            on=data["on"],
            method=data["method"],
            note=data["note"],
            request=request,
        )
        return f"{item.get_scope_display()}: {item.get_status_display()} を記録しました。"

    return case_form(
        request, case, form, run, heading="同意を記録", submit="記録する", anchor="consent"
    )


@require_http_methods(GET_POST)
def consent_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """撤回: the coordinator sees, in the message, which agencies can no longer open the case."""
    case = changeable(request, pk)
    user = staff_of(request)
    members = access.members(user, case, check=False)
    given = consents(user, case, members, [], True)["given_consents"]
    form = WithdrawConsentForm(request.POST or None, given=given)

    def run() -> str:
        data = form.cleaned_data
        lost = actions.withdraw_consent(
            user,
            case,
            data["consent"],
            on=data["on"],
            method=data["method"],
            note=data["note"],
            request=request,
        )
        message = "同意の撤回を記録しました。"
        if lost:
            names = "、".join(agency.name for agency in lost)
            message += (
                f"主な本人の情報共有の同意がなくなったため、{names} はこのケースを開けなく"
                "なりました（コーディネーターは引き続き担当します。共有が必要なときは"
                "支援会議（第106条の6）で）。"
            )
        return message

    return case_form(
        request,
        case,
        form,
        run,
        heading="同意の撤回を記録",
        submit="撤回を記録する",
        anchor="consent",
    )
