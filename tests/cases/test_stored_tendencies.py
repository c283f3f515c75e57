"""The tendencies stored per case (cases.CaseTendencies) always equal a fresh evaluation: after
every step of random sequences of the real actions that change a rule's input — concerns, team,
cooperations, members and birth dates, meetings' agendas, attendees and kinds (to and from the
全体会) —, and the one-case and many-case loaders read equal facts. Also: the statistics and
the case page read the stored rows, stale rows are evaluated live, and ``tomoni tendencies
--recompute`` stores them again."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tomoni.access import NotVisible
from tomoni.audit.log import Action
from tomoni.audit.models import AuditEvent
from tomoni.cases import actions
from tomoni.cases.models import Case, CaseConcern, CaseTendencies, CooperationKind, TeamMember
from tomoni.cases.stored_tendencies import recompute_tendencies, stored_many, tendencies_of
from tomoni.cases.tendencies import evaluate, facts_for, facts_for_many
from tomoni.cases.tendency_rules import Limits, Tendency
from tomoni.directory.models import Agency, Concern, Staff
from tomoni.meetings import actions as meeting_actions
from tomoni.meetings.models import Kind, Meeting
from tomoni.people import actions as people_actions
from tomoni.people.models import Membership, Person
from tomoni.stats.tendencies import evaluate_many

from ..people.matching_helpers import queue
from .conftest import agency, household_of, with_consent

AGENCIES = ("houkatsu1", "koreifukushi", "shogai-soudan", "shakyo", "kenri", "iryo", "hokenjo")
RULES = ("rule1", "rule2", "rule3", "rule4", "rule5")
CONCERNS = ("procedures", "tax-bills", "income", "job-search", "care", "childcare", "health")


def _shape(results: list[Tendency]) -> list[tuple[int, bool, bool | None, list[str]]]:
    return [(t.number, t.by_rule, t.override, t.reasons) for t in results]


def assert_stored_is_fresh() -> None:
    """Every case has a stored row of the current basis (so nothing was read live), and its
    results — reasons and overrides too — equal a fresh evaluation, one by one and in bulk."""
    cases = Case.objects.all()
    basis = Limits.from_settings().basis
    rows = dict(CaseTendencies.objects.values_list("case_id", "basis"))
    assert rows == {pk: basis for pk in cases.values_list("pk", flat=True)}
    stored = stored_many(cases)
    bulk = evaluate_many(cases)
    many = facts_for_many(cases)
    for case in cases:
        fresh = evaluate(case)
        assert _shape(stored[case.pk]) == _shape(fresh), case.code
        assert _shape(bulk[case.pk]) == _shape(fresh), case.code
        assert facts_for(case) == many[case.pk], case.code


class World:
    """Random steps through the real actions, each of which may be refused (then it changes
    nothing, as every action runs in its own transaction)."""

    def __init__(self, rng: random.Random, personas: dict[str, Staff]) -> None:
        self.rng = rng
        self.coordinator = personas["coordinator"]
        self.worker = personas["agency_a"]  # 地域包括支援センター: ③'s source
        self.agencies = [agency(code) for code in AGENCIES]
        self.concerns = list(Concern.objects.filter(code__in=CONCERNS))
        self.refused = 0

    def birth(self) -> date:
        return timezone.localdate() - timedelta(days=self.rng.randint(0, 95 * 365))

    def cases(self) -> list[Case]:
        return list(Case.objects.order_by("pk"))

    def meetings(self) -> list[Meeting]:
        return list(Meeting.objects.order_by("pk"))

    def members(self, case: Case) -> list[Person]:
        return [
            m.person
            for m in Membership.objects.filter(household=case.household, end_date__isnull=True)
            .select_related("person")
            .order_by("pk")
        ]

    # --- the steps ---------------------------------------------------------------------------

    def age(self, low: int, high: int) -> date:
        return timezone.localdate() - timedelta(days=self.rng.randint(low * 365 + 1, high * 365))

    def open_case(self) -> None:
        """Half of the households are 8050 ones (a parent of 75+ and a child of 40–64, the
        main person), asked about by the 地域包括 or opened by the coordinator."""
        actor = self.rng.choice([self.coordinator, self.worker])
        if self.rng.random() < 0.5:
            births = [self.age(76, 95), self.age(41, 63)]
        else:
            births = [self.birth() for _ in range(self.rng.randint(1, 3))]
        household = household_of(
            actor,
            *(
                ("見本", f"{i}郎", birth.isoformat(), "head" if i == 0 else "child")
                for i, birth in enumerate(births)
            ),
        )
        people = [m.person for m in household.memberships.select_related("person").order_by("pk")]
        case = actions.open_case(actor, household=household, title="世帯の支援", person=people[-1])
        if self.rng.random() < 0.5:
            with_consent(self.coordinator, case)

    def set_concern(self) -> None:
        case = self.rng.choice(self.cases())
        people = self.members(case)
        if people:
            actions.set_concern(
                self.coordinator,
                case,
                person=self.rng.choice(people),
                concern=self.rng.choice(self.concerns),
            )

    def remove_concern(self) -> None:
        items = list(CaseConcern.objects.order_by("pk"))
        if items:
            actions.remove_concern(self.coordinator, self.rng.choice(items))

    def add_team_member(self) -> None:
        case = self.rng.choice(self.cases())
        actions.add_team_member(self.coordinator, case, self.rng.choice(self.agencies))

    def end_team_member(self) -> None:
        current = list(TeamMember.objects.filter(end_on__isnull=True).order_by("pk"))
        if current:
            actions.end_team_member(self.coordinator, self.rng.choice(current))

    def record_cooperation(self) -> None:
        case = self.rng.choice(self.cases())
        actions.record_cooperation(
            self.coordinator,
            case,
            agency=self.rng.choice(self.agencies),
            kind=self.rng.choice(list(CooperationKind.values)),
            on=timezone.localdate() - timedelta(days=self.rng.randint(0, 30)),
        )

    def schedule(self) -> None:
        meeting_actions.schedule_meeting(
            self.coordinator,
            kind=self.rng.choice([Kind.SUPPORT, Kind.PLENARY, Kind.CASE_CONFERENCE]),
            title=f"会議{self.rng.randint(1, 99)}",
            starts_at=timezone.now() - timedelta(days=self.rng.randint(1, 60)),
        )

    def add_agenda_item(self) -> None:
        meetings = self.meetings()
        if meetings:
            case = self.rng.choice(self.cases())
            meeting_actions.add_agenda_item(self.coordinator, self.rng.choice(meetings), case)

    def add_attendee(self) -> None:
        meetings = self.meetings()
        if meetings:
            meeting_actions.add_attendee(
                self.coordinator,
                self.rng.choice(meetings),
                agency=self.rng.choice(self.agencies),
                name="担当",
            )

    def change_kind(self) -> None:
        meetings = self.meetings()
        if meetings:
            kind = self.rng.choice([Kind.SUPPORT, Kind.PLENARY, Kind.CASE_CONFERENCE])
            meeting_actions.change_kind(self.coordinator, self.rng.choice(meetings), kind)

    def add_member(self) -> None:
        case = self.rng.choice(self.cases())
        people_actions.register_person(
            self.coordinator,
            {
                "family_name": "見本",
                "given_name": "加入",
                "family_kana": "みほん",
                "given_kana": "かにゅう",
                "birth_date": self.birth(),
            },
            household=case.household,
            relationship="other",
        )

    def end_membership(self) -> None:
        current = list(Membership.objects.filter(end_date__isnull=True).order_by("pk"))
        if current:
            people_actions.end_membership(
                self.coordinator, self.rng.choice(current), timezone.localdate(), "転出"
            )

    def change_birth_date(self) -> None:
        people = list(Person.objects.order_by("pk"))
        if people:
            person = self.rng.choice(people)
            people_actions.update_person(self.coordinator, person, {"birth_date": self.birth()})

    STEPS: tuple[str, ...] = (
        "open_case",
        "set_concern",
        "set_concern",
        "set_concern",
        "set_concern",
        "remove_concern",
        "add_team_member",
        "end_team_member",
        "record_cooperation",
        "schedule",
        "add_agenda_item",
        "add_agenda_item",
        "add_attendee",
        "add_attendee",
        "add_attendee",
        "change_kind",
        "add_member",
        "end_membership",
        "change_birth_date",
    )

    def step(self) -> str:
        name = self.rng.choice(self.STEPS)
        step: Callable[[], None] = getattr(self, name)
        try:
            step()
        except (ValidationError, PermissionDenied):
            self.refused += 1
        return name


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_stored_results_equal_a_fresh_evaluation_after_every_action(
    personas: dict[str, Staff], seed: int
) -> None:
    world = World(random.Random(seed), personas)
    for _ in range(3):
        world.open_case()
    world.schedule()
    assert_stored_is_fresh()
    fired: set[int] = set()
    for _ in range(50):
        world.step()
        assert_stored_is_fresh()
        for row in CaseTendencies.objects.values_list(*RULES):
            fired |= {n for n, flag in enumerate(row, start=1) if flag}
    assert world.refused < 10  # most steps did something
    assert len(fired) >= 3  # the sequence reached most rules (which, depends on the seed)


def test_a_kind_change_to_and_from_the_plenary(
    personas: dict[str, Staff], coordinator: Staff
) -> None:
    """A 支援会議 about the case with a hospital and three agencies fires ④ and ⑤; corrected to a
    全体会 it fires neither; back to a 支援会議 both again — stored each time."""
    world = World(random.Random(0), personas)
    world.open_case()
    case = Case.objects.get()
    meeting = meeting_actions.schedule_meeting(
        coordinator, kind=Kind.SUPPORT, title="支援会議", starts_at=timezone.now() - timedelta(1)
    )
    meeting_actions.add_agenda_item(coordinator, meeting, case)
    for code in ("iryo", "houkatsu1", "kenri"):
        meeting_actions.add_attendee(coordinator, meeting, agency=agency(code), name="担当")

    def stored() -> tuple[bool, bool]:
        row = CaseTendencies.objects.get(case=case)
        return row.rule4, row.rule5

    assert stored() == (True, True)
    meeting_actions.change_kind(coordinator, meeting, Kind.PLENARY)
    assert stored() == (False, False)
    assert "全体会を除く" in tendencies_of(case)[4].reasons[0]
    meeting_actions.change_kind(coordinator, meeting, Kind.SUPPORT)
    assert stored() == (True, True)
    assert_stored_is_fresh()


def test_a_kind_change_keeps_the_meetings_rules(
    coordinator: Staff, personas: dict[str, Staff]
) -> None:
    """A case without consent cannot be moved into a ケース会議 by changing the kind of the
    支援会議 it is on; a meeting with decisions keeps its kind; nothing changes on refusal."""
    world = World(random.Random(0), personas)
    world.open_case()
    case = Case.objects.get()
    meeting = meeting_actions.schedule_meeting(
        coordinator, kind=Kind.SUPPORT, title="支援会議", starts_at=timezone.now() - timedelta(1)
    )
    meeting_actions.add_agenda_item(coordinator, meeting, case)
    if case.consent != "given":
        with pytest.raises(ValidationError, match="本人同意"):
            meeting_actions.change_kind(coordinator, meeting, Kind.CASE_CONFERENCE)
        meeting.refresh_from_db()
        assert meeting.kind == Kind.SUPPORT
    meeting_actions.decide(coordinator, meeting, case, kind="watch", text="見守り")
    with pytest.raises(ValidationError, match="決定事項"):
        meeting_actions.change_kind(coordinator, meeting, Kind.PLENARY)
    with pytest.raises(NotVisible):  # a manager sees no meeting
        meeting_actions.change_kind(personas["manager"], meeting, Kind.PLENARY)


def test_a_merge_and_its_undo_recompute_the_cases(coordinator: Staff) -> None:
    """名寄せ: the merged record's memberships and birth date become the survivor's."""
    old = (timezone.localdate() - timedelta(days=80 * 365)).isoformat()
    child = (timezone.localdate() - timedelta(days=50 * 365)).isoformat()
    household = household_of(coordinator, ("見本", "太郎", child, "head"))
    case = actions.open_case(coordinator, household=household, title="世帯の支援")
    elsewhere = household_of(coordinator, ("見本", "花子", old, "head"))
    twin = household_of(coordinator, ("見本", "花子", old, "head"))
    survivor = elsewhere.memberships.get().person
    merged = twin.memberships.get().person
    people_actions.add_membership(coordinator, merged, household, "parent")
    assert_stored_is_fresh()
    review = queue(survivor, merged)
    merge = people_actions.confirm_match(coordinator, review, survivor)
    assert_stored_is_fresh()
    people_actions.unmerge(coordinator, merge)
    assert_stored_is_fresh()
    assert case.pk in facts_for_many(Case.objects.all())


# --- reading the stored rows ---------------------------------------------------------------


def test_the_statistics_read_one_query_and_stale_rows_live(
    personas: dict[str, Staff], settings: Any
) -> None:
    world = World(random.Random(5), personas)
    for _ in range(4):
        world.open_case()
    for _ in range(20):
        world.step()
    cases = Case.objects.all()
    with CaptureQueriesContext(connection) as one:
        stored = stored_many(cases, reasons=False)
    assert len(one) == 1
    assert {pk: [t.value for t in found] for pk, found in stored.items()} == {
        pk: [t.value for t in found] for pk, found in evaluate_many(cases).items()
    }
    # A threshold changed: every row is stale, read live (right, not fast), until recomputed.
    settings.TOMONI_TENDENCY_MEETING_AGENCIES = 1
    with CaptureQueriesContext(connection) as live:
        after = stored_many(cases)
    assert len(live) > 1
    assert {pk: _shape(found) for pk, found in after.items()} == {
        pk: _shape(found) for pk, found in evaluate_many(cases).items()
    }
    out = StringIO()
    call_command("tendencies", stdout=out)
    assert "現在の基準で判定が保存されているもの 0 件" in out.getvalue()
    call_command("tendencies", "--recompute", stdout=out)
    assert f"{cases.count()} 件のケースの支援傾向を判定し直しました" in out.getvalue()
    assert_stored_is_fresh()
    logged = AuditEvent.objects.filter(object_type="cases.casetendencies").get()
    assert (logged.action, logged.detail) == (Action.BULK_LOAD, {"recomputed": cases.count()})


def test_a_case_without_a_stored_row_is_evaluated_live(coordinator: Staff) -> None:
    """A database from before the stored results (until ``tomoni tendencies --recompute``)."""
    household = household_of(coordinator, ("見本", "太郎", "1980-01-01", "head"))
    case = actions.open_case(coordinator, household=household, title="世帯の支援")
    CaseTendencies.objects.all().delete()
    assert _shape(tendencies_of(case)) == _shape(evaluate(case))
    assert recompute_tendencies([]) == 0
    assert recompute_tendencies([case.pk]) == 1
    assert_stored_is_fresh()


def test_the_case_page_shows_the_stored_reasons(
    client: Any, coordinator: Staff, personas: dict[str, Staff]
) -> None:
    household = household_of(coordinator, ("見本", "太郎", "1980-01-01", "head"))
    case = actions.open_case(coordinator, household=household, title="世帯の支援")
    actions.add_team_member(coordinator, case, agency("iryo"))
    # The stored reason, written differently, is what the page shows: it reads the row.
    row = CaseTendencies.objects.get(case=case)
    row.reasons[3] = ["福祉分野以外の機関が関与: 保存された理由"]
    row.save()
    client.force_login(coordinator)
    page = client.get(case.get_absolute_url())
    assert page.status_code == 200
    assert "保存された理由" in page.content.decode()


def test_recompute_costs_the_same_for_one_case_or_many(
    personas: dict[str, Staff],
) -> None:
    world = World(random.Random(7), personas)
    for _ in range(6):
        world.open_case()
    for _ in range(25):
        world.step()
    counts = []
    for cases in (Case.objects.filter(pk=Case.objects.first().pk), Case.objects.all()):  # type: ignore[union-attr]
        with CaptureQueriesContext(connection) as queries:
            recompute_tendencies(cases)
        counts.append(len(queries))
    assert counts[0] == counts[1] == 10  # the lock, 8 reads of facts and one upsert
    assert isinstance(Agency.objects.first(), Agency)


@pytest.mark.parametrize("model", ["agency", "concern"])
def test_master_data_edits_in_the_admin_recompute_the_cases_they_touch(
    personas: dict[str, Staff], coordinator: Staff, rf: Any, model: str
) -> None:
    """An agency's 福祉分野 flag (④) or a concern's domain (①) changed by the admin: the cases
    that hold it are stored again in the same save; others keep their rows."""
    from django.contrib import admin as django_admin

    household = household_of(coordinator, ("見本", "太郎", "1980-01-01", "head"))
    case = actions.open_case(coordinator, household=household, title="世帯の支援")
    other = actions.open_case(
        coordinator,
        household=household_of(coordinator, ("見本", "次郎", "1980-01-01", "head")),
        title="別の世帯",
    )
    person = household.memberships.get().person
    for code in ("income", "rent-loan", "tax-bills"):  # 3件・1分野: ① not yet
        actions.set_concern(
            coordinator, case, person=person, concern=Concern.objects.get(code=code)
        )
    actions.add_team_member(coordinator, case, agency("kenri"))
    untouched = CaseTendencies.objects.get(case=other).computed_at
    request = rf.post("/admin/")
    request.user = personas["admin"]
    if model == "agency":
        obj: Any = agency("kenri")
        obj.is_welfare = False
        field, rule = "is_welfare", "rule4"
    else:
        obj = Concern.objects.get(code="tax-bills")
        obj.domain = "housing"
        field, rule = "domain", "rule1"
    assert getattr(CaseTendencies.objects.get(case=case), rule) is False
    model_admin = django_admin.site._registry[type(obj)]
    model_admin.save_model(request, obj, type("Form", (), {"changed_data": [field]})(), True)
    assert getattr(CaseTendencies.objects.get(case=case), rule) is True
    assert CaseTendencies.objects.get(case=other).computed_at == untouched
    assert_stored_is_fresh()


def test_fives_reason_names_the_meetings_day_in_japan(coordinator: Staff) -> None:
    """A 支援会議 at 8:30 on 7月25日 (Asia/Tokyo) is 23:30 UTC the day before: the reason
    says 2025-07-25, as the meeting's page does."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    household = household_of(coordinator, ("見本", "太郎", "1980-01-01", "head"))
    case = actions.open_case(
        coordinator, household=household, title="世帯の支援", opened_on=date(2025, 7, 1)
    )
    meeting = meeting_actions.schedule_meeting(
        coordinator,
        kind=Kind.SUPPORT,
        title="朝の支援会議",
        starts_at=datetime(2025, 7, 25, 8, 30, tzinfo=ZoneInfo("Asia/Tokyo")),
    )
    meeting_actions.add_agenda_item(coordinator, meeting, case)
    for code in ("houkatsu1", "kenri", "shakyo"):
        meeting_actions.add_attendee(coordinator, meeting, agency=agency(code), name="担当")
    assert tendencies_of(case)[4].reasons == ["朝の支援会議（2025-07-25）で3機関が検討"]
    assert_stored_is_fresh()


def test_many_stale_rows_are_read_through_the_cases_subquery(
    personas: dict[str, Staff], settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """More stale rows than a batch (every case after a setting changed, at a city's size):
    the same answers, without a list of every key."""
    from tomoni.cases import stored_tendencies

    world = World(random.Random(9), personas)
    for _ in range(4):
        world.open_case()
    for _ in range(15):
        world.step()
    settings.TOMONI_TENDENCY_MEMBERS = 1
    monkeypatch.setattr(stored_tendencies, "BATCH", 2)
    some = Case.objects.order_by("pk")[:3]
    cases = Case.objects.filter(pk__in=[c.pk for c in some])
    assert {pk: _shape(found) for pk, found in stored_many(cases).items()} == {
        pk: _shape(found) for pk, found in evaluate_many(cases).items()
    }
    assert len(stored_many(cases)) == 3
