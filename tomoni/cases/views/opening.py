"""ケースを開く: from a consultation (多機関協働へ) or a household (支援機関向けの相談)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

from tomoni import access
from tomoni.intake.models import Consultation
from tomoni.people.models import Household
from tomoni.web.viewutils import form_page, staff_of

from .. import actions
from ..forms import CaseOpenForm
from ..models import Case
from .base import GET_POST


@require_http_methods(GET_POST)
def new(request: HttpRequest) -> HttpResponse:
    """ケースを開く: from a consultation (多機関協働へ) or a household (支援機関向けの相談)."""
    user = staff_of(request)
    access.require_create(user, Case)
    consultation: Consultation | None = None
    if "consultation" in request.GET:
        consultation = access.read(
            request, Consultation, request.GET["consultation"], access.CHANGE
        )
        household = consultation.household
        if household is None:
            messages.error(request, "相談に世帯が登録されていません。先に世帯を登録してください。")
            return redirect(consultation)
    elif "household" in request.GET:
        household = access.read(request, Household, request.GET["household"])
    else:
        raise Http404("相談か世帯を選んでからケースを開いてください。")
    return _open(request, household, consultation)


def _open(
    request: HttpRequest, household: Household, consultation: Consultation | None
) -> HttpResponse:
    user = staff_of(request)
    members = access.members(user, household, check=False)
    form = CaseOpenForm(request.POST or None, members=members, initial=_initial(consultation))

    def run() -> tuple[Case, bool]:
        case = actions.open_case(
            user,
            household=household,
            consultation=consultation,
            **form.cleaned_data,
            request=request,
        )
        return case, access.can(user, access.VIEW, case)

    return form_page(
        request,
        form,
        run,
        template="cases/case_form.html",
        context={"household": household, "consultation": consultation},
        done=lambda opened: _opened(opened[0], seen=opened[1]),
        # To the new case, or back where the request was made.
        to=lambda opened: opened[0] if opened[1] else consultation or household,
    )


def _initial(consultation: Consultation | None) -> dict[str, Any]:
    if consultation is None:
        return {}
    return {
        "title": consultation.summary,
        "person": consultation.person_id,
        "request_text": consultation.text,
        "tags": list(consultation.tags.all()),
    }


def _opened(case: Case, *, seen: bool) -> str:
    """What was done; for a requester who may not see the case until the person consents,
    saying so."""
    if seen:
        return f"ケース {case.code} を開きました。"
    return (
        f"多機関協働へ依頼しました（ケース {case.code}）。コーディネーターが担当を決めます。"
        "本人同意が記録されるまで、ケースの内容は多機関協働の担当者だけが見られます。"
    )
