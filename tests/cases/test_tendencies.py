"""稲城市's five tendencies on crafted households: each rule fires at its boundary and not
just past it, says why, and yields to a coordinator's override."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tomoni.cases import actions
from tomoni.cases.models import Case
from tomoni.cases.tendencies import Tendency, evaluate
from tomoni.directory.models import Role, Staff
from tomoni.meetings import actions as meeting_actions
from tomoni.meetings.models import Kind, Meeting
from tomoni.people.models import Household, Person

from ..consent import set_consent
from .conftest import OPENED_ON, agency, birth_for, concern, household_of, members_of

ADULT = birth_for(45)


def tendency(case: Case, number: int) -> Tendency:
    fresh = Case.objects.get(pk=case.pk)
    return evaluate(fresh)[number - 1]


def opened(coordinator: Staff, *births: str, person: int | None = 0) -> Case:
    """A case opened on OPENED_ON for a household whose members have these birth dates;
    ``person`` is the index of the main person (None: no main person)."""
    household = household_of(
        coordinator,
        *(
            (f"見本{i}", "太郎", birth, "head" if i == 0 else "child")
            for i, birth in enumerate(births)
        ),
    )
    people = [m.person for m in household.memberships.select_related("person").order_by("pk")]
    return actions.open_case(
        coordinator,
        household=household,
        title="世帯の支援",
        person=people[person] if person is not None else None,
        opened_on=OPENED_ON,
    )


def concerns(coordinator: Staff, case: Case, *items: tuple[int, str]) -> None:
    people = members_of(case)
    for index, code in items:
        actions.set_concern(coordinator, case, person=people[index], concern=concern(code))


# --- ① 家族内に多くの課題 -------------------------------------------------------------------


def test_one_fires_for_two_members_with_concerns(coordinator: Staff) -> None:
    case = opened(coordinator, ADULT, ADULT)
    concerns(coordinator, case, (0, "income"))
    result = tendency(case, 1)
    assert not result.by_rule
    assert "課題 1件・1分野・1人" in result.reasons[0]
    concerns(coordinator, case, (1, "income"))
    result = tendency(case, 1)
    assert result.by_rule and result.value
    assert "課題を抱える世帯員が2人" in result.reasons[0]
    assert result.mark == "①"


def test_one_fires_for_three_concerns_in_two_domains(coordinator: Staff) -> None:
    case = opened(coordinator, ADULT)
    concerns(coordinator, case, (0, "income"), (0, "rent-loan"), (0, "tax-bills"))  # 生活困窮 ×3
    result = tendency(case, 1)
    assert not result.by_rule
    assert "課題 3件・1分野・1人" in result.reasons[0]
    other = opened(coordinator, ADULT)
    concerns(coordinator, other, (0, "income"), (0, "rent-loan"), (0, "job-search"))
    result = tendency(other, 1)
    assert result.by_rule
    assert "課題が3件・2分野" in " ".join(result.reasons)


def test_one_two_concerns_in_two_domains_is_not_enough(coordinator: Staff) -> None:
    case = opened(coordinator, ADULT)
    concerns(coordinator, case, (0, "income"), (0, "job-search"))
    assert not tendency(case, 1).by_rule


# --- ② 18〜64歳で諸手続きに課題 -------------------------------------------------------------


@pytest.mark.parametrize(
    ("birth", "age", "fires"),
    [
        (birth_for(18), 18, True),  # 18th birthday on the opening day
        (birth_for(18, days=1), 17, False),  # one day short of 18
        (birth_for(65, days=1), 64, True),  # turns 65 the day after opening
        (birth_for(65), 65, False),  # 65th birthday on the opening day
    ],
)
def test_two_working_age_boundaries(coordinator: Staff, birth: str, age: int, fires: bool) -> None:
    case = opened(coordinator, birth)
    concerns(coordinator, case, (0, "procedures"))
    result = tendency(case, 2)
    assert result.by_rule is fires
    assert f"{age}歳" in result.reasons[0]
    if fires:
        assert "手続き困難" in result.reasons[0]
    else:
        assert "範囲外" in result.reasons[0]


@pytest.mark.parametrize("code", ["tax-bills", "debt", "housing"])
def test_two_other_procedure_concerns_count(coordinator: Staff, code: str) -> None:
    case = opened(coordinator, ADULT)
    concerns(coordinator, case, (0, code))
    assert tendency(case, 2).by_rule


def test_two_needs_a_procedure_concern(coordinator: Staff) -> None:
    case = opened(coordinator, ADULT)
    concerns(coordinator, case, (0, "income"))
    result = tendency(case, 2)
    assert not result.by_rule
    assert "課題がない" in result.reasons[0]


def test_two_not_when_an_existing_system_holds_the_person(coordinator: Staff) -> None:
    case = opened(coordinator, ADULT)
    concerns(coordinator, case, (0, "procedures"), (0, "care"))
    result = tendency(case, 2)
    assert not result.by_rule
    assert "介護" in result.reasons[0]


def test_two_only_the_main_persons_concerns_count(coordinator: Staff) -> None:
    """A parent's 介護 does not take the main person out of ②; a parent's 手続き does not
    put them in."""
    case = opened(coordinator, birth_for(80), ADULT, person=1)
    concerns(coordinator, case, (0, "care"), (0, "procedures"))
    assert not tendency(case, 2).by_rule
    concerns(coordinator, case, (1, "procedures"))
    assert tendency(case, 2).by_rule


def test_two_needs_a_main_person_with_a_birth_date(coordinator: Staff) -> None:
    """A case whose main person is unknown (carried over from before cases had one)."""
    case = opened(coordinator, ADULT, person=None)
    Case.objects.filter(pk=case.pk).update(person=None)
    case.refresh_from_db()
    result = tendency(case, 2)
    assert not result.by_rule
    assert "未登録" in result.reasons[0]


# --- ③ 8050 from an elderly-care agency ----------------------------------------------------


def requested(worker: Staff, child: str, parent: str) -> Case:
    """An agency's request (支援機関向けの相談) about a parent and the child living with them."""
    household = household_of(
        worker, ("見本", "花子", parent, "head"), ("見本", "太郎", child, "child")
    )
    child_person = members_of_household(household)[1]
    return actions.open_case(
        worker,
        household=household,
        title="8050世帯",
        person=child_person,
        opened_on=OPENED_ON,
    )


def members_of_household(household: Household) -> list[Person]:
    return [m.person for m in household.memberships.select_related("person").order_by("pk")]


@pytest.mark.parametrize(
    ("child_age", "parent_age", "fires"),
    [(40, 75, True), (64, 80, True), (50, 74, False), (39, 80, False), (65, 90, False)],
)
def test_three_from_the_houkatsu(
    personas: dict[str, Staff], child_age: int, parent_age: int, fires: bool
) -> None:
    case = requested(personas["agency_a"], birth_for(child_age), birth_for(parent_age))
    assert case.requested_by == agency("houkatsu1")
    result = tendency(case, 3)
    assert result.by_rule is fires
    assert "地域包括支援センター（第1圏域）から" in result.reasons[0]
    if fires:
        assert f"本人{child_age}歳" in result.reasons[0]
        assert f"（{parent_age}歳）" in result.reasons[0]


def test_three_not_from_a_disability_agency(personas: dict[str, Staff]) -> None:
    case = requested(personas["agency_b"], birth_for(50), birth_for(80))
    result = tendency(case, 3)
    assert not result.by_rule
    assert "高齢者の支援機関" in result.reasons[0]


def test_three_also_from_the_koreifukushi(make_staff: Callable[..., Staff]) -> None:
    worker = make_staff(Role.AGENCY, "koreifukushi")
    case = requested(worker, birth_for(50), birth_for(80))
    assert tendency(case, 3).by_rule


# --- ④ 福祉分野以外との連携 -----------------------------------------------------------------


def past_meeting(coordinator: Staff, kind: str = Kind.SUPPORT, title: str = "支援会議") -> Meeting:
    return meeting_actions.schedule_meeting(
        coordinator, kind=kind, title=title, starts_at=timezone.now() - timedelta(days=1)
    )


def test_four_a_medical_agency_on_the_team(coordinator: Staff) -> None:
    case = opened(coordinator, ADULT)
    actions.add_team_member(coordinator, case, agency("houkatsu1"))
    result = tendency(case, 4)
    assert not result.by_rule
    assert "福祉分野の機関のみ" in result.reasons[0]
    assert agency("iryo").is_welfare is False
    actions.add_team_member(coordinator, case, agency("iryo"))
    result = tendency(case, 4)
    assert result.by_rule
    assert "市内医療機関 地域医療連携室" in result.reasons[0]


def test_four_a_medical_agency_at_a_meeting_on_the_case(coordinator: Staff) -> None:
    case = opened(coordinator, ADULT)
    elsewhere = past_meeting(coordinator)
    meeting_actions.add_attendee(coordinator, elsewhere, agency=agency("iryo"), name="医師")
    assert not tendency(case, 4).by_rule  # at a meeting, but not one about this case
    meeting = past_meeting(coordinator)
    meeting_actions.add_agenda_item(coordinator, meeting, case)
    meeting_actions.add_attendee(coordinator, meeting, agency=agency("houkatsu1"), name="包括")
    assert not tendency(case, 4).by_rule
    meeting_actions.add_attendee(coordinator, meeting, agency=agency("iryo"), name="退院支援看護師")
    result = tendency(case, 4)
    assert result.by_rule
    assert "市内医療機関 地域医療連携室" in result.reasons[0]


# --- ⑤ 複数の機関で検討 --------------------------------------------------------------------


def test_five_three_agencies_at_a_meeting_on_the_case(coordinator: Staff) -> None:
    case = opened(coordinator, ADULT)
    meeting = past_meeting(coordinator, title="第1回支援会議")
    meeting_actions.add_agenda_item(coordinator, meeting, case)
    meeting_actions.add_attendee(coordinator, meeting, agency=agency("shakyo"), staff=coordinator)
    meeting_actions.add_attendee(coordinator, meeting, agency=agency("houkatsu1"), name="包括A")
    meeting_actions.add_attendee(coordinator, meeting, agency=agency("houkatsu1"), name="包括B")
    result = tendency(case, 5)
    assert not result.by_rule  # three people, two agencies
    assert "最大2機関" in result.reasons[0]
    meeting_actions.add_attendee(coordinator, meeting, agency=agency("kenri"), name="権利擁護")
    result = tendency(case, 5)
    assert result.by_rule
    assert "第1回支援会議" in result.reasons[0]
    assert "3機関が検討" in result.reasons[0]


def test_five_agencies_of_different_meetings_do_not_add_up(coordinator: Staff) -> None:
    case = opened(coordinator, ADULT)
    for code in ("houkatsu1", "kenri", "shakyo"):
        meeting = past_meeting(coordinator, title=f"{code}との会議")
        meeting_actions.add_agenda_item(coordinator, meeting, case)
        meeting_actions.add_attendee(coordinator, meeting, agency=agency(code), name="担当")
    assert not tendency(case, 5).by_rule


# --- overrides and cost ----------------------------------------------------------------------


def test_override_changes_the_value_but_keeps_the_rule(coordinator: Staff) -> None:
    case = opened(coordinator, ADULT, ADULT)
    concerns(coordinator, case, (0, "income"), (1, "care"))
    assert tendency(case, 1).value
    actions.set_tendency_override(coordinator, case, 1, False)
    actions.set_tendency_override(coordinator, case, 4, True)
    one, four = tendency(case, 1), tendency(case, 4)
    assert (one.by_rule, one.override, one.value) == (True, False, False)
    assert (four.by_rule, four.override, four.value) == (False, True, True)
    actions.set_tendency_override(coordinator, case, 1, None)  # back to the rule
    one = tendency(case, 1)
    assert (one.by_rule, one.override, one.value) == (True, None, True)


def test_override_is_a_coordinators_judgement(
    personas: dict[str, Staff], coordinator: Staff
) -> None:
    case = opened(coordinator, ADULT)
    with pytest.raises(ValidationError, match="①〜⑤"):
        actions.set_tendency_override(coordinator, case, 6, True)
    actions.add_team_member(coordinator, case, agency("houkatsu1"))
    set_consent(coordinator, case, "given", on=OPENED_ON)
    with pytest.raises(PermissionDenied):
        actions.set_tendency_override(personas["agency_a"], case, 1, True)
    case.refresh_from_db()
    assert case.tendency_overrides == {}


def _household_case(coordinator: Staff, size: int) -> Case:
    births = [birth_for(80)] + [birth_for(45 - i) for i in range(size - 1)]
    case = opened(coordinator, *births, person=1)
    codes = ["income", "care", "procedures", "job-search", "health", "debt"]
    concerns(coordinator, case, *((i, codes[i]) for i in range(size)))
    actions.add_team_member(coordinator, case, agency("iryo"))
    meeting = past_meeting(coordinator)
    meeting_actions.add_agenda_item(coordinator, meeting, case)
    for code in ("houkatsu1", "kenri", "shakyo")[: max(1, size // 2)]:
        meeting_actions.add_attendee(coordinator, meeting, agency=agency(code), name="担当")
    return case


def test_evaluate_costs_the_same_for_any_household_size(coordinator: Staff) -> None:
    counts = []
    for size in (2, 6):
        case = Case.objects.get(pk=_household_case(coordinator, size).pk)
        assert len(members_of(case)) == size
        with CaptureQueriesContext(connection) as queries:
            results = evaluate(case)
        assert [r.number for r in results] == [1, 2, 3, 4, 5]
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_member_born_after_the_case_opened_has_no_age_there(
    personas: dict[str, Staff],
) -> None:
    # The household grows while the case runs; the 8050 rule looks at every member's age on
    # the opening day and must see the newborn as "age unknown", not fail the case page.
    newborn = (OPENED_ON + timedelta(days=30)).isoformat()
    case = requested(personas["agency_a"], birth_for(50), newborn)
    result = tendency(case, 3)
    assert result.by_rule is False
    assert "75歳以上の世帯員がいない" in result.reasons[0]
