"""Inagi's five tendencies for many cases at once, with the rules of ``tomoni.cases.tendencies``.

``cases.tendencies.evaluate(case)`` costs a handful of queries per case — right for one case
page, far too many for a 年度 of cases. Here the same facts are read for every case in a fixed
number of queries (one per kind of fact, each filtered by the cases' subquery, so no long
``IN`` lists) and handed to the very same rule functions, so a rule changed there changes the
statistics too. ``tests/stats`` checks that both give the same answers.
"""

from __future__ import annotations

from collections import defaultdict
from types import SimpleNamespace as NS
from typing import Any, cast

from django.db.models import QuerySet

from tomoni.cases import tendencies as rules
from tomoni.cases.models import Case, CaseConcern, Cooperation, TeamMember
from tomoni.intake.models import RouteStep
from tomoni.meetings.models import AgendaItem, Attendance
from tomoni.people.models import Membership

Tendency = rules.Tendency
LABELS = rules.LABELS
NUMBERS = (1, 2, 3, 4, 5)
RULES = (rules._one, rules._two, rules._three, rules._four, rules._five)


class _Route:
    """Stands in for ``consultation.route`` with the steps already read."""

    def __init__(self, steps: list[Any]) -> None:
        self._steps = steps

    def select_related(self, *fields: str) -> list[Any]:
        return self._steps


class _Facts(rules._Facts):
    """The rules' fact-holder, filled from the bulk queries instead of its own."""

    def __init__(self) -> None:  # no queries: evaluate_many sets every attribute
        pass

    def age(self, person: object) -> int | None:
        # A member born after the case opened (a baby) had no age then: unknown, not an error.
        try:
            return super().age(person)
        except ValueError:
            return None


def _agency(code: str | None, name: str | None, is_welfare: bool = True) -> Any:
    return NS(code=code, name=name, is_welfare=is_welfare) if name is not None else None


def evaluate_many(cases: QuerySet[Case]) -> dict[int, list[rules.Tendency]]:
    """{case pk: the five tendencies} for every case of the queryset, in 8 queries.

    Rows are read as plain tuples (``values_list``) and handed to the rules as light objects
    carrying just the attributes the rules read: building model instances cost several times
    more than the rules themselves at a city's scale. ``tests/stats`` checks the answers
    against ``cases.tendencies.evaluate`` case by case.
    """
    ids = cases.order_by().values("pk")
    concerns: dict[int, list[Any]] = defaultdict(list)
    for case_id, person_id, code, name, domain in (
        CaseConcern.objects.filter(case__in=ids)
        .order_by("person_id", "pk")
        .values_list("case_id", "person_id", "concern__code", "concern__name", "concern__domain")
    ):
        concerns[case_id].append(
            NS(person_id=person_id, concern=NS(code=code, name=name, domain=domain))
        )
    members: dict[int, list[Any]] = defaultdict(list)
    for household_id, person_id, birth in (
        Membership.objects.filter(end_date__isnull=True, household__cases__in=ids)
        .order_by("household_id", "pk")  # the order the case page reads them in
        .values_list("household_id", "person_id", "person__birth_date")
        .distinct()
    ):
        members[household_id].append(
            NS(person_id=person_id, person=NS(pk=person_id, birth_date=birth))
        )
    team: dict[int, list[Any]] = defaultdict(list)
    for case_id, name, welfare in TeamMember.objects.filter(case__in=ids).values_list(
        "case_id", "agency__name", "agency__is_welfare"
    ):
        team[case_id].append(NS(agency=NS(name=name, is_welfare=welfare)))
    cooperations: dict[int, list[Any]] = defaultdict(list)
    for case_id, kind, on, name, welfare in (
        Cooperation.objects.filter(case__in=ids)
        .order_by("on", "pk")  # the order the case page reads them in
        .values_list("case_id", "kind", "on", "agency__name", "agency__is_welfare")
    ):
        cooperations[case_id].append(NS(kind=kind, on=on, agency=NS(name=name, is_welfare=welfare)))
    agenda: dict[int, list[Any]] = defaultdict(list)
    for case_id, meeting_id, title, starts_at in (
        AgendaItem.objects.filter(case__in=ids)
        .exclude(meeting__kind__in=rules.NOT_ABOUT_THE_CASE)
        .order_by("meeting__starts_at", "pk")
        .values_list("case_id", "meeting_id", "meeting__title", "meeting__starts_at")
    ):
        agenda[case_id].append(
            NS(meeting_id=meeting_id, meeting=NS(title=title, starts_at=starts_at))
        )
    attending: dict[int, list[Any]] = defaultdict(list)
    for pk, meeting_id, agency_id, name, welfare in (
        Attendance.objects.filter(meeting__agenda__case__in=ids)
        .exclude(meeting__kind__in=rules.NOT_ABOUT_THE_CASE)
        .values_list("pk", "meeting_id", "agency_id", "agency__name", "agency__is_welfare")
        .distinct()
    ):
        attending[meeting_id].append(
            NS(
                pk=pk,
                meeting_id=meeting_id,
                agency_id=agency_id,
                agency=NS(name=name, is_welfare=welfare),
            )
        )
    route: dict[int, list[Any]] = defaultdict(list)
    for consultation_id, agency_id, code, name in (
        RouteStep.objects.filter(consultation__cases__in=ids)
        .order_by("consultation_id", "order")
        .values_list("consultation_id", "agency_id", "agency__code", "agency__name")
        .distinct()
    ):
        route[consultation_id].append(NS(agency_id=agency_id, agency=_agency(code, name)))

    results: dict[int, list[rules.Tendency]] = {}
    for row in Case.objects.filter(pk__in=ids).values_list(
        "pk",
        "opened_on",
        "tendency_overrides",
        "household_id",
        "person_id",
        "person__birth_date",
        "requested_by__code",
        "requested_by__name",
        "consultation_id",
        "consultation__agency__code",
        "consultation__agency__name",
    ):
        (
            pk,
            opened_on,
            overrides,
            household_id,
            person_id,
            birth,
            req_code,
            req_name,
            consultation_id,
            c_code,
            c_name,
        ) = row
        facts = _Facts()
        consultation = (
            NS(agency=_agency(c_code, c_name), route=_Route(route.get(consultation_id, [])))
            if consultation_id
            else None
        )
        facts.case = cast(
            Case,
            NS(
                pk=pk,
                person=NS(pk=person_id, birth_date=birth) if person_id else None,
                requested_by=_agency(req_code, req_name),
                consultation_id=consultation_id,
                consultation=consultation,
            ),
        )
        facts.on = opened_on
        facts.concerns = concerns.get(pk, [])
        facts.members = members.get(household_id, [])
        facts.team = team.get(pk, [])
        facts.cooperations = cooperations.get(pk, [])
        facts.meetings = agenda.get(pk, [])
        seen: set[int] = set()
        facts.attending = []
        for item in facts.meetings:
            if item.meeting_id not in seen:
                seen.add(item.meeting_id)
                facts.attending.extend(attending.get(item.meeting_id, []))
        found = [rule(facts) for rule in RULES]
        for result in found:
            raw = (overrides or {}).get(str(result.number))
            result.override = raw if isinstance(raw, bool) else None
        results[pk] = found
    return results
