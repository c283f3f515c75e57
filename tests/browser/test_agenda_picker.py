"""The 議題 picker in a real browser (issue 20, finding 2): four cases read 「中学生の長女が母の
世話…」. The coordinator narrows the list by a name typed in 「ケースを探す」, chooses a case and
sees its household under the list before adding it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import Page, expect

from tomoni.cases import actions as case_actions
from tomoni.directory.models import Role, Staff
from tomoni.meetings import actions as meeting_actions
from tomoni.meetings.models import AgendaItem, Kind

from ..cases.conftest import household_of
from .conftest import Axe

TITLE = "中学生の長女が母の世話をしている"


def test_find_the_family_see_the_household_then_add(
    staff_with_password: Callable[..., Staff], open_as: Callable[..., Page], axe: Axe
) -> None:
    coordinator = staff_with_password(Role.COORDINATOR, "shakyo", "coordinator")
    cases = {}
    for family, given in (("見本", "葵"), ("仮名", "結衣"), ("例山", "智子")):
        household = household_of(
            coordinator,
            (family, given, "1980-04-01", "head"),
            (family, "澪", "2012-06-01", "child"),
        )
        cases[family] = case_actions.open_case(coordinator, household=household, title=TITLE)
    meeting = meeting_actions.schedule_meeting(
        coordinator,
        kind=Kind.SUPPORT,
        title="支援会議（12月）",
        starts_at=timezone.now() + timedelta(days=5),
    )

    page = open_as(coordinator)
    page.goto(meeting.get_absolute_url())
    axe.check(page)
    page.get_by_label("ケースを探す").fill("仮名")
    picker = page.get_by_label("議題にするケース")
    expect(picker.locator("option:enabled")).to_have_count(2)  # （選んでください） and one
    picker.select_option(value=str(cases["仮名"].pk))
    preview = page.locator("#agenda-preview")
    expect(preview).to_contain_text("仮名 結衣")
    expect(preview).to_contain_text("仮名 澪")
    expect(preview).to_contain_text(cases["仮名"].code)
    axe.check(page)
    page.get_by_role("button", name="議題に追加").click()
    expect(page.get_by_text(f"{cases['仮名'].code} を議題に追加しました。")).to_be_visible()
    assert [i.case for i in AgendaItem.objects.filter(meeting=meeting)] == [cases["仮名"]]
