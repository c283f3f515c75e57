"""Query budgets: the case list, the case page and the task lists run a fixed number of
queries however many cases, members, concerns, notes, plans, meetings and tasks they show."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from tomoni.cases import actions
from tomoni.cases.models import Case, GoalTerm
from tomoni.directory.models import Concern, Staff
from tomoni.intake.actions import refer, take_consultation
from tomoni.intake.models import ConsentVersion, Method
from tomoni.meetings import actions as meeting_actions
from tomoni.meetings.models import Decision, Kind
from tomoni.notes.actions import add_note
from tomoni.people import actions as people_actions

from ..conftest import BrowserClient, Queries, as_seen_now
from .conftest import agency, held_meeting, household_of, open_for, with_consent

# Measured on SQLite. Every page pays the shell (session, user with agency, the header's
# agency, saving the session in a savepoint: 5) and the audit event (4). The list adds its
# count and page; the case page its record (twice: the policy check, then with its names),
# members, concerns, team, consents, closures, plans, assessment, reviews, the tendency facts
# (concerns, members, team, agenda, attendees), seven timeline sources and the agency and
# concern lists of its forms; the tasks page the count, the page and which of the tasks'
# cases the user may open.
LIST_BUDGET = 13
CASE_BUDGET = 36  # + the case's attachments (issue 19)
TEAM_CASE_BUDGET = 36  # + the case's attachments (issue 19)
TASKS_BUDGET = 14


def _cases(coordinator: Staff, count: int) -> list[Case]:
    return [with_consent(coordinator, open_for(coordinator)) for _ in range(count)]


def test_case_list_budget(
    personas: dict[str, Staff], as_user: Callable[..., BrowserClient], queries: Queries
) -> None:
    coordinator = personas["coordinator"]
    client = as_user(coordinator)
    url = reverse("cases:index")
    _cases(coordinator, 2)
    few = queries(client, url, tab="all")
    _cases(coordinator, 10)
    many = queries(client, url, tab="all")
    assert len(many) == len(few), queries.differ(few, many)
    assert len(many) <= LIST_BUDGET, queries.differ(few, many)
    assert len(queries(client, url, tab="unassigned", stage="open")) <= LIST_BUDGET


def _grow(coordinator: Staff, case: Case, size: int) -> None:
    """Add ``size`` of everything the case page lists."""
    concerns = list(Concern.objects.filter(active=True).order_by("pk"))
    agencies = ["shogai-soudan", "kodomokatei", "kenri", "seiho", "hokenjo"]
    for i in range(size):
        person = people_actions.register_person(
            coordinator,
            {
                "family_name": "見本",
                "given_name": f"家族{i}",
                "family_kana": "みほん",
                "given_kana": "かぞく",
                "birth_date": "1990-01-01",
            },
            household=case.household,
            relationship="child",
        )
        actions.set_concern(coordinator, case, person=person, concern=concerns[i % len(concerns)])
        add_note(coordinator, case, text=f"記録{i}", method="phone")
        actions.add_task(
            coordinator,
            title=f"作業{i}",
            owner_agency=agency("houkatsu1"),
            due_on=timezone.localdate() + timedelta(days=i),
            case=case,
        )
        actions.save_plan(
            coordinator,
            case,
            base=case.plans.count(),
            summary=f"第{i}",
            goals=[(GoalTerm.LONG, "目標")],
            actions=[actions.PlannedAction("支援", agency("houkatsu1"))],
        )
        consultation = take_consultation(
            coordinator,
            method=Method.PHONE,
            summary=f"相談{i}",
            consent=ConsentVersion.GIVEN,
            household=case.household,
        )
        refer(coordinator, consultation, agency("houkatsu1"), "お願いします")
        meeting = held_meeting(coordinator, Kind.SUPPORT)
        meeting_actions.add_agenda_item(coordinator, meeting, case)
        meeting_actions.add_attendee(coordinator, meeting, agency=agency("houkatsu1"), name="包括")
        meeting_actions.decide(coordinator, meeting, case, kind=Decision.Kind.OTHER, text="決定")
    for code in agencies[: min(size, len(agencies))]:
        actions.add_team_member(coordinator, case, agency(code))


def _case_world(personas: dict[str, Staff]) -> tuple[Case, Case]:
    coordinator = personas["coordinator"]
    cases = []
    for _ in range(2):
        household = household_of(coordinator, ("見本", "花子", "1948-05-01", "head"))
        case = with_consent(coordinator, open_for(coordinator, household=household))
        actions.add_team_member(coordinator, case, agency("houkatsu1"))
        as_seen_now(actions.move_case, coordinator, case, "assess")
        case.refresh_from_db()
        cases.append(case)
    small, large = cases
    _grow(coordinator, small, 1)
    _grow(coordinator, large, 6)
    return small, large


def test_case_page_budget(
    personas: dict[str, Staff], as_user: Callable[..., BrowserClient], queries: Queries
) -> None:
    """The coordinator's page (with every form) and the team agency's page cost the same
    for a case with one of everything as for a case with six."""
    small, large = _case_world(personas)
    for persona, budget in (("coordinator", CASE_BUDGET), ("agency_a", TEAM_CASE_BUDGET)):
        client = as_user(personas[persona])
        few = queries(client, small.get_absolute_url())
        many = queries(client, large.get_absolute_url())
        assert len(many) == len(few), (persona, queries.differ(few, many))
        assert len(many) <= budget, (persona, queries.differ(few, many))


def test_tasks_budget(
    personas: dict[str, Staff], as_user: Callable[..., BrowserClient], queries: Queries
) -> None:
    coordinator, worker = personas["coordinator"], personas["agency_a"]
    client = as_user(worker)
    url = reverse("cases:tasks")

    def add(count: int) -> None:
        for case in _cases(coordinator, count):
            actions.add_team_member(coordinator, case, agency("houkatsu1"))
            for days in (-1, 2):
                actions.add_task(
                    coordinator,
                    title="訪問",
                    owner_agency=agency("houkatsu1"),
                    owner=worker,
                    due_on=timezone.localdate() + timedelta(days=days),
                    case=case,
                )

    add(1)
    few = {tab: queries(client, url, tab=tab) for tab in ("mine", "agency", "overdue")}
    add(6)
    for tab in ("mine", "agency", "overdue"):
        many = queries(client, url, tab=tab)
        assert len(many) == len(few[tab]), (tab, queries.differ(few[tab], many))
        assert len(many) <= TASKS_BUDGET, (tab, queries.differ(few[tab], many))
