"""Inside ``few_candidates()`` notes follow their case or consultation as a correlated
EXISTS (tomoni.access.relations): the same notes as the default IN, and no subquery that
lists every visible case or consultation — as an IN inside the policy's OR PostgreSQL hashed
all of them first, for each case page."""

from __future__ import annotations

from collections.abc import Callable

from tomoni import access
from tomoni.cases import actions
from tomoni.cases.models import Stage
from tomoni.directory.models import Role, Staff
from tomoni.notes.actions import add_note
from tomoni.notes.models import Note, Visibility

from .conftest import agency, case_at


def test_case_notes_of_a_team_agency_through_exists(
    personas: dict[str, Staff], coordinator: Staff, make_staff: Callable[..., Staff]
) -> None:
    agency_a, agency_b = personas["agency_a"], personas["agency_b"]
    case = case_at(coordinator, Stage.ASSESSMENT)
    for code in ("houkatsu1", "shogai-soudan"):
        actions.add_team_member(coordinator, case, agency(code))
    stranger = case_at(coordinator, Stage.ASSESSMENT)  # agency_b is not on its team
    shared = add_note(agency_a, case, text="訪問した", method="home_visit")
    kept = add_note(
        agency_a, case, text="機微な話", method="visit", visibility=Visibility.OWN_AGENCY
    )
    mine = add_note(agency_b, case, text="電話した", method="phone")
    elsewhere = add_note(coordinator, stranger, text="別の世帯", method="phone")

    for user in (agency_b, make_staff(Role.AGENCY, "houkatsu1"), coordinator):
        listed = set(access.visible(user, Note).values_list("pk", flat=True))
        on_case = set(access.visible(user, Note).filter(case=case).values_list("pk", flat=True))
        with access.few_candidates():
            probed = access.visible(user, Note)
        assert set(probed.values_list("pk", flat=True)) == listed
        assert set(probed.filter(case=case).values_list("pk", flat=True)) == on_case
    with access.few_candidates():
        visible = access.visible(agency_b, Note)
    assert set(visible.filter(case=case).values_list("pk", flat=True)) == {shared.pk, mine.pk}
    assert not visible.filter(pk__in=[kept.pk, elsewhere.pk]).exists()
    sql = str(visible.filter(case=case).query)
    assert "EXISTS" in sql
    assert '"case_id" IN (SELECT' not in sql and '"consultation_id" IN (SELECT' not in sql
    # Outside the block the default is back.
    assert '"case_id" IN (SELECT' in str(access.visible(agency_b, Note).query)
