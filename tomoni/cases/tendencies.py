"""稲城市's five tendencies (DOMAIN.md §2) of a case: the facts the rules read, loaded for one
case or for many, and the rules' answers with a coordinator's overrides.

The rules themselves are pure functions in ``tendency_rules`` (``Facts`` and ``Limits`` in,
``Tendency`` out). Two loaders read the facts: ``facts_for(case)`` from a case instance (a
fixed handful of queries whatever the household's size) and ``facts_for_many(cases)`` for a
queryset in 8 queries (one per kind of fact, each filtered by the cases' subquery, so no long
``IN`` lists). Both give equal ``Facts`` (tests/cases/test_tendency_properties.py). The
results are stored per case by ``stored_tendencies.recompute_tendencies``, called by every
action that changes a fact; statistics read the stored rows.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from tomoni.intake.models import Consultation, RouteStep
from tomoni.meetings.models import AgendaItem, Attendance
from tomoni.people.models import Membership

from .models import Case, CaseConcern, Cooperation, TeamMember
from .tendency_rules import (
    LABELS,
    NOT_ABOUT_THE_CASE,
    NUMBERS,
    AgencyFact,
    ConcernFact,
    ConsultationFact,
    CooperationFact,
    Facts,
    Limits,
    MeetingFact,
    PersonFact,
    Tendency,
    judge,
    with_overrides,
)

__all__ = [
    "LABELS",
    "NOT_ABOUT_THE_CASE",
    "NUMBERS",
    "Facts",
    "Limits",
    "Tendency",
    "evaluate",
    "facts_for",
    "facts_for_many",
    "load_many",
]

_AGENCY = ("id", "code", "name", "is_welfare")


def _agency(row: tuple[Any, ...]) -> AgencyFact | None:
    """An agency from four columns (id, code, name, is_welfare); None for a NULL key."""
    pk, code, name, welfare = row
    return AgencyFact(pk, code, name, welfare) if pk is not None else None


def _cols(prefix: str) -> list[str]:
    return [f"{prefix}{part}" for part in _AGENCY]


def evaluate(case: Case) -> list[Tendency]:
    """All five, in order, live, with the case's overrides. Costs a fixed handful of queries
    whatever the household's size."""
    return with_overrides(judge(facts_for(case), Limits.from_settings()), case.tendency_overrides)


# --- one case --------------------------------------------------------------------------------


def facts_for(case: Case) -> Facts:
    """The facts of one case, read through the case instance."""
    concerns = tuple(
        ConcernFact(*row)
        for row in case.concerns.order_by("person_id", "pk").values_list(
            "person_id", "concern__code", "concern__name", "concern__domain"
        )
    )
    members = tuple(
        PersonFact(*row)
        for row in case.household.memberships.filter(end_date__isnull=True)
        .order_by("pk")
        .values_list("person_id", "person__birth_date")
    )
    team = tuple(
        AgencyFact(*row) for row in case.team.order_by("pk").values_list(*_cols("agency__"))
    )
    cooperations = tuple(
        CooperationFact(AgencyFact(*row[2:]), row[0], row[1])
        for row in case.cooperations.order_by("on", "pk").values_list(
            "kind", "on", *_cols("agency__")
        )
    )
    attendees: dict[int, list[AgencyFact]] = defaultdict(list)
    for meeting_id, *agency in (
        Attendance.objects.filter(meeting__agenda__case=case)
        .order_by("pk")
        .values_list("meeting_id", *_cols("agency__"))
    ):
        attendees[meeting_id].append(AgencyFact(*agency))
    meetings = tuple(
        MeetingFact(pk, kind, title, timezone.localtime(starts_at), tuple(attendees[pk]))
        for pk, kind, title, starts_at in case.agenda_items.order_by(
            "meeting__starts_at", "pk"
        ).values_list("meeting_id", "meeting__kind", "meeting__title", "meeting__starts_at")
    )
    person = case.person
    requested = case.requested_by
    consultation = None
    if case.consultation_id is not None:
        route = tuple(
            AgencyFact(*row)
            for row in RouteStep.objects.filter(
                consultation_id=case.consultation_id, agency__isnull=False
            )
            .order_by("order")
            .values_list(*_cols("agency__"))
        )
        received = Consultation.objects.filter(pk=case.consultation_id).values_list(
            *_cols("agency__")
        )
        consultation = ConsultationFact(AgencyFact(*received.get()), route)
    return Facts(
        opened_on=case.opened_on,
        person=PersonFact(person.pk, person.birth_date) if person is not None else None,
        members=members,
        concerns=concerns,
        team=team,
        requested_by=(
            AgencyFact(requested.pk, requested.code, requested.name, requested.is_welfare)
            if requested is not None
            else None
        ),
        consultation=consultation,
        cooperations=cooperations,
        meetings=meetings,
    )


# --- many cases ------------------------------------------------------------------------------


def facts_for_many(cases: QuerySet[Case]) -> dict[int, Facts]:
    """{case pk: its facts} for every case of the queryset, in 8 queries."""
    return {pk: facts for pk, (facts, _) in load_many(cases).items()}


def load_many(cases: QuerySet[Case]) -> dict[int, tuple[Facts, object]]:
    """{case pk: (its facts, its overrides)} in 8 queries.

    Rows are read as plain tuples (``values_list``): building model instances cost several
    times more than the rules themselves at a city's scale.
    """
    ids = cases.order_by().values("pk")
    concerns: dict[int, list[ConcernFact]] = defaultdict(list)
    for case_id, person_id, code, name, domain in (
        CaseConcern.objects.filter(case__in=ids)
        .order_by("person_id", "pk")
        .values_list("case_id", "person_id", "concern__code", "concern__name", "concern__domain")
    ):
        concerns[case_id].append(ConcernFact(person_id, code, name, domain))
    members: dict[int, list[PersonFact]] = defaultdict(list)
    for household_id, person_id, birth, _pk in (
        Membership.objects.filter(end_date__isnull=True, household__cases__in=ids)
        .order_by("household_id", "pk")
        .values_list("household_id", "person_id", "person__birth_date", "pk")
        .distinct()
    ):
        members[household_id].append(PersonFact(person_id, birth))
    team: dict[int, list[AgencyFact]] = defaultdict(list)
    for case_id, *agency in (
        TeamMember.objects.filter(case__in=ids)
        .order_by("pk")
        .values_list("case_id", *_cols("agency__"))
    ):
        team[case_id].append(AgencyFact(*agency))
    cooperations: dict[int, list[CooperationFact]] = defaultdict(list)
    for case_id, kind, on, *agency in (
        Cooperation.objects.filter(case__in=ids)
        .order_by("on", "pk")
        .values_list("case_id", "kind", "on", *_cols("agency__"))
    ):
        cooperations[case_id].append(CooperationFact(AgencyFact(*agency), kind, on))
    attendees: dict[int, list[AgencyFact]] = defaultdict(list)
    for _pk, meeting_id, *agency in (
        Attendance.objects.filter(meeting__agenda__case__in=ids)
        .order_by("pk")
        .values_list("pk", "meeting_id", *_cols("agency__"))
        .distinct()
    ):
        attendees[meeting_id].append(AgencyFact(*agency))
    route: dict[int, list[AgencyFact]] = defaultdict(list)
    for _pk, consultation_id, *agency in (
        RouteStep.objects.filter(consultation__cases__in=ids, agency__isnull=False)
        .order_by("consultation_id", "order")
        .values_list("pk", "consultation_id", *_cols("agency__"))
        .distinct()
    ):
        route[consultation_id].append(AgencyFact(*agency))
    # The agenda last: its meetings' attendees are all read by now.
    meetings: dict[int, list[MeetingFact]] = defaultdict(list)
    for case_id, meeting_id, kind, title, starts_at in (
        AgendaItem.objects.filter(case__in=ids)
        .order_by("meeting__starts_at", "pk")
        .values_list(
            "case_id", "meeting_id", "meeting__kind", "meeting__title", "meeting__starts_at"
        )
    ):
        meetings[case_id].append(
            MeetingFact(
                meeting_id,
                kind,
                title,
                timezone.localtime(starts_at),
                tuple(attendees.get(meeting_id, ())),
            )
        )

    results: dict[int, tuple[Facts, object]] = {}
    for row in Case.objects.filter(pk__in=ids).values_list(
        "pk",
        "opened_on",
        "tendency_overrides",
        "household_id",
        "person_id",
        "person__birth_date",
        *_cols("requested_by__"),
        "consultation_id",
        *_cols("consultation__agency__"),
    ):
        pk, opened_on, overrides, household_id, person_id, birth = row[:6]
        requested = _agency(row[6:10])
        consultation_id = row[10]
        received = _agency(row[11:15])
        facts = Facts(
            opened_on=opened_on,
            person=PersonFact(person_id, birth) if person_id is not None else None,
            members=tuple(members.get(household_id, ())),
            concerns=tuple(concerns.get(pk, ())),
            team=tuple(team.get(pk, ())),
            requested_by=requested,
            consultation=(
                ConsultationFact(received, tuple(route.get(consultation_id, ())))
                if consultation_id is not None and received is not None
                else None
            ),
            cooperations=tuple(cooperations.get(pk, ())),
            meetings=tuple(meetings.get(pk, ())),
        )
        results[pk] = (facts, overrides)
    return results
