"""The case page: the case, its household members, team, 課題, plans, 評価, consents and
timeline, with the small forms for those who may change it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tomoni import access
from tomoni.attachments.context import attachments_of
from tomoni.directory.models import Agency, Role, Staff
from tomoni.meetings.forms import AgendaFromCaseForm
from tomoni.people.models import Consent
from tomoni.web.viewutils import staff_of

from .. import actions
from .. import consent as case_consent
from ..forms import (
    CaseNoteForm,
    CloseForm,
    ConcernForm,
    ConsentForm,
    CooperationForm,
    MoveForm,
    ReopenForm,
    TeamForm,
    TendencyForm,
    WithdrawConsentForm,
    active_agencies,
)
from ..models import Assessment, Case, Cooperation, Review, TeamMember
from ..stored_tendencies import tendencies_of
from ..timeline import timeline

# What the case page names of the case itself: one query instead of one per name.
CASE_RELATED = ("household__district", "person", "lead", "requested_by", "consultation__agency")


@require_GET
def case(request: HttpRequest, pk: int) -> HttpResponse:
    obj = access.read(request, Case, pk, queryset=Case.objects.select_related(*CASE_RELATED))
    # The case's own records: each row's case checked by its key, not an IN over every case
    # the user sees (an agency worker's team, plans, reviews … each hashed those first).
    with access.few_candidates():
        context = _case_context(request, obj)
    return render(request, "cases/case.html", context)


def _case_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    user = staff_of(request)
    can_change = access.can(user, access.CHANGE, case)
    members = access.members(user, case, check=False)
    context: dict[str, Any] = {
        "case": case,
        "members": members,
        "household_url": case.household.get_absolute_url()
        if access.can(user, access.VIEW, case.household)
        else "",
        **_records(user, case),
        "can_change": can_change,
        # Who reads the case's notes reads its 関係機関との連携 too (access/policy.py).
        "reads_notes": access.can(user, access.NOTE, case),
        "is_coordinator": user.role == Role.COORDINATOR,
    }
    context["can_note"] = context["reads_notes"] and not case.is_ended
    context.update(consents(user, case, members, context["team"], can_change))
    agencies = active_agencies() if can_change or context["can_note"] else []
    if context["can_note"]:
        context["note_form"] = CaseNoteForm(auto_id="note-%s")
        context["cooperation_form"] = CooperationForm(agencies=agencies, auto_id="cooperation-%s")
    context.update(attachments_of(user, case, can_attach=context["can_note"]))  # issue 19
    if can_change:
        context.update(_forms(case, members, agencies))
        if not case.is_ended:
            context["agenda_form"] = AgendaFromCaseForm(user=user, case=case)
    return context


def _records(user: Staff, case: Case) -> dict[str, Any]:
    """The case's own records the user may see, and its timeline. ``case`` came through
    ``access.read``: the records that follow their case (``policy.DERIVED``) are read from
    it — the same rows as ``access.visible(...).filter(case=case)``, without the policy's
    subquery of every case the user sees in each query; the others (関係機関との連携 needs
    more than the case, ``DERIVED_ACTIONS``) still ask the policy, inside ``few_candidates()``."""
    return {
        "concerns": list(case.concerns.select_related("person", "concern", "agency")),
        "team": list(
            case.team.select_related("agency").order_by("end_on", "role", "start_on", "pk")
        ),
        # 関係機関との連携, newest first; kept like notes, so only those who read notes see them.
        "cooperations": list(
            access.visible(user, Cooperation).filter(case=case).select_related("agency", "by")
        ),
        "closures": list(case.closures.select_related("handoff_agency", "by")),
        "tendencies": tendencies_of(case),  # as stored by the actions: one query
        "plans": list(case.plans.select_related("approved_meeting").order_by("-number")),
        "has_assessment": access.visible(user, Assessment).filter(case=case).exists(),
        # Review also hangs off its plan under the same name: read through the policy.
        "reviews": list(
            access.visible(user, Review).filter(case=case).select_related("plan", "by")
        ),
        "timeline": timeline(user, case),
    }


def _forms(case: Case, members: list[access.Member], agencies: list[Agency]) -> dict[str, Any]:
    """The small forms of the page, for those who may change the case. Each has its own ids
    (``auto_id``): several share field names (日付, 方法, 備考 …), and a label whose ``for``
    named another form's field left the field unlabelled."""
    return {
        "moves": [
            (name, move, MoveForm(initial={"version": case.version}, auto_id=f"move-{name}-%s"))
            for name, move in actions.available_moves(case)
        ],
        "close_form": CloseForm(agencies=agencies, auto_id="close-%s"),
        "reopen_form": ReopenForm(auto_id="reopen-%s"),
        "consent_form": ConsentForm(members=members, auto_id="consent-%s"),
        "team_form": TeamForm(agencies=agencies, auto_id="team-%s"),
        "concern_form": ConcernForm(members=members, agencies=agencies, auto_id="concern-%s"),
        "tendency_choices": TendencyForm.CHOICES,
    }


@dataclass(frozen=True)
class ConsentRow:
    """One member's consents on the case page: the current statement per purpose."""

    member: access.Member
    is_main: bool
    by_scope: list[Consent | None]


def consents(
    user: Staff, case: Case, members: list[access.Member], team: list[TeamMember], can_change: bool
) -> dict[str, Any]:
    """Every current member's consent per purpose, as far as the user may read consents
    (those who may change the case: the coordinators). The team sees only the case's own
    同意あり／同意なし tag. Without the sharing consent, which team agencies cannot open it."""
    shut_out = [m.agency for m in team if m.end_on is None] if case.consent != "given" else []
    if not can_change:
        return {"consent_rows": [], "shut_out": shut_out}
    ids = [m.person_id for m in members if m.current]
    latest = case_consent.latest(access.visible(user, Consent).filter(person_id__in=ids))
    rows = [
        ConsentRow(
            member=m,
            is_main=m.person_id == case.person_id,
            by_scope=[latest.get((m.person_id, scope)) for scope in case_consent.SCOPES],
        )
        for m in members
        if m.current
    ]
    given = [c for c in latest.values() if c.status == Consent.Status.GIVEN]
    for consent in given:
        consent.person = next(
            access.record_of(m) for m in members if m.person_id == consent.person_id
        )
    return {
        "consent_rows": rows,
        "consent_scopes": Consent.Scope.choices,
        "shut_out": shut_out,
        "withdraw_form": WithdrawConsentForm(given=given, auto_id="withdraw-%s") if given else None,
        "given_consents": given,
    }
