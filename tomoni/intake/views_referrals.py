"""つなぎ (referrals): the lists (受け取った・送った・期限切れ), a referral and its moves
(受諾・辞退・完了・取り下げ).

Reads go through ``tomoni.access``; writes through ``tomoni.intake.actions``. Outsiders get
404 for a referral whether or not it exists.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import BooleanField, Case, QuerySet, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from tomoni import access
from tomoni.web.viewutils import audit_page, post_action, staff_of

from . import actions
from .forms import ReferralFilterForm
from .models import Referral, overdue_q

PAGE_SIZE = 50
State = Referral.State
# What a referral's page and its history name: one query with the referral itself.
RELATED = (
    "from_agency",
    "to_agency",
    "sent_by",
    "responded_by",
    "completed_by",
    "withdrawn_by",
    "consultation__person",
    "consultation__household__district",
)


@require_GET
def referrals_in(request: HttpRequest) -> HttpResponse:
    user = staff_of(request)
    qs = access.visible(user, Referral).filter(to_agency_id=user.agency_id)
    return _referral_list(request, qs, "in", "受け取ったつなぎ")


@require_GET
def referrals_out(request: HttpRequest) -> HttpResponse:
    user = staff_of(request)
    qs = access.visible(user, Referral).filter(from_agency_id=user.agency_id)
    return _referral_list(request, qs, "out", "送ったつなぎ")


@require_GET
def referrals_overdue(request: HttpRequest) -> HttpResponse:
    # The policy already limits others to their agency's referrals, in or out.
    qs = access.visible(request.user, Referral).filter(overdue_q())
    return _referral_list(request, qs, "overdue", "回答期限を過ぎたつなぎ")


def with_overdue(qs: QuerySet[Referral]) -> QuerySet[Referral]:
    """Annotates ``overdue``: still unanswered (依頼中) after its due date."""
    flag = Case(
        When(overdue_q(), then=Value(True)), default=Value(False), output_field=BooleanField()
    )
    return qs.annotate(overdue=flag)


def _referral_list(
    request: HttpRequest, qs: QuerySet[Referral], kind: str, title: str
) -> HttpResponse:
    params = request.GET.copy()
    params.setdefault("state", ReferralFilterForm.OPEN)
    form = ReferralFilterForm(params)
    state = form.cleaned_data["state"] if form.is_valid() else ReferralFilterForm.OPEN
    if kind != "overdue":
        if state == ReferralFilterForm.OPEN:
            qs = qs.filter(state__in=[State.SENT, State.ACCEPTED])
        elif state != "all":
            qs = qs.filter(state=state)
    # Overdue first; open work by its due date, closed work newest first.
    then = ("due_on", "-sent_at") if state == ReferralFilterForm.OPEN else ("-sent_at",)
    qs = (
        with_overdue(qs)
        .select_related("from_agency", "to_agency", "sent_by", "consultation__person")
        .defer("consultation__text")  # only the person's name is shown from it
        .order_by("-overdue", *then, "-pk")
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    audit_page(request, "intake.referral", page)
    context = {"form": form, "page_obj": page, "kind": kind, "title": title}
    return render(request, "intake/referral_list.html", context)


@require_GET
def referral(request: HttpRequest, pk: int) -> HttpResponse:
    """Only what the referral shares: the receiver cannot open the consultation or the
    person, so the person's basic data is read through the referral itself."""
    # One query for everything the page and its history name, however far it has moved.
    obj = access.read(request, Referral, pk, queryset=Referral.objects.select_related(*RELATED))
    user = staff_of(request)
    behind = obj.consultation
    context = {
        "referral": obj,
        "person": behind.person,
        "household": behind.household,
        "history": _history(obj),
        "consultation_url": behind.get_absolute_url()
        if access.can(user, access.VIEW, behind)
        else "",
        "can_respond": access.can(user, access.RESPOND, obj),
        "can_withdraw": access.can(user, access.WITHDRAW, obj),
        "overdue": obj.is_overdue(),
    }
    return render(request, "intake/referral.html", context)


def _history(obj: Referral) -> list[dict[str, Any]]:
    events = [{"at": obj.sent_at, "label": "依頼", "who": obj.sent_by, "text": ""}]
    if obj.responded_at:
        declined = bool(obj.decline_reason)
        events.append(
            {
                "at": obj.responded_at,
                "label": "辞退" if declined else "受諾",
                "who": obj.responded_by,
                "text": obj.decline_reason,
            }
        )
    if obj.completed_at:
        events.append(
            {
                "at": obj.completed_at,
                "label": "完了",
                "who": obj.completed_by,
                "text": obj.outcome_note,
            }
        )
    if obj.withdrawn_at:
        events.append(
            {
                "at": obj.withdrawn_at,
                "label": "取り下げ",
                "who": obj.withdrawn_by,
                "text": obj.withdraw_reason,
            }
        )
    return events


@require_POST
def referral_move(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """受諾・辞退・完了・取り下げ, from the version the worker saw."""
    if action not in actions.TRANSITIONS:
        raise Http404
    permission = actions.TRANSITIONS[action][2]
    obj = access.get_for_user(request.user, Referral, pk, permission)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        messages.error(request, "画面を更新してから、もう一度操作してください。")
        return redirect(obj)
    return post_action(
        request,
        lambda: actions.move_referral(
            staff_of(request),
            obj,
            action,
            note=request.POST.get("note", ""),
            version=version,
            request=request,
        ),
        done=f"つなぎを{actions.ACTION_LABELS[action]}しました。",
        to=obj,
    )
