"""Daily work in a real browser: an outreach contact on a phone, the 統計 pages as a manager,
and a 地区 page from the map. Every page is axe-checked."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

from tomoni.directory.models import Role, Staff
from tomoni.outreach import actions as outreach_actions
from tomoni.outreach.models import Contact, Reason

from ..conftest import first_member, register_household
from .conftest import Axe

OVERFLOWING_TABLES = """() => [...document.querySelectorAll('.table-wrap')]
    .filter(e => e.scrollWidth > e.clientWidth + 1).length"""
SMALLEST_CHART_TEXT = """() => Math.min(999,
    ...[...document.querySelectorAll('svg.stat__chart text')]
    .map(t => parseFloat(getComputedStyle(t).fontSize)
        * t.ownerSVGElement.getBoundingClientRect().width
        / t.ownerSVGElement.viewBox.baseVal.width))"""


def test_an_outreach_contact_on_a_phone(
    staff_with_password: Callable[..., Staff], open_as: Callable[..., Page], axe: Axe
) -> None:
    coordinator = staff_with_password(Role.COORDINATOR, "shakyo", "kyodo")
    worker = staff_with_password(Role.OUTREACH, "shakyo", "outreach")
    household = register_household(coordinator, members=1)
    engagement = outreach_actions.open_engagement(
        coordinator,
        household=household,
        person=first_member(household),
        reason=Reason.HIKIKOMORI,
        workers=[worker],
    )

    page = open_as(worker, phone=True)
    page.goto("/outreach/")
    axe.check(page)
    page.get_by_role("link", name=engagement.code).first.click()
    axe.check(page)
    page.get_by_role("link", name="接触を記録").first.click()
    axe.check(page)
    page.get_by_role("radio", name="訪問").check()
    page.get_by_role("radio", name="会えた").check()
    page.get_by_label("メモ").fill("玄関先で5分ほど話せた")
    page.get_by_role("button", name="記録").click()
    expect(page.get_by_text("接触を記録しました。")).to_be_visible()
    axe.check(page)
    # Finding 5: after saving, not 「0日間接触なし」.
    expect(page.get_by_text("今日 接触あり").first).to_be_visible()
    assert "0日間接触なし" not in page.content()
    assert Contact.objects.filter(engagement=engagement).count() == 1


def test_statistics_and_the_annual_report(
    staff_with_password: Callable[..., Staff], open_as: Callable[..., Page], axe: Axe
) -> None:
    manager = staff_with_password(Role.MANAGER, "jusou", "kacho")
    page = open_as(manager)
    page.goto("/stats/")
    axe.check(page)
    # Finding 7: every table shows its last column at 1366 px, chart text is at least 12 px.
    assert page.evaluate(OVERFLOWING_TABLES) == 0
    assert page.evaluate(SMALLEST_CHART_TEXT) >= 11.9  # 12 px, give or take rounding
    page.get_by_role("link", name="年度実績報告").first.click()
    axe.check(page)


def test_a_district_page_from_the_map(
    staff_with_password: Callable[..., Staff], open_as: Callable[..., Page], axe: Axe
) -> None:
    keeper = staff_with_password(Role.COMMUNITY, "chiikifukushi-co", "chiiki")
    page = open_as(keeper)
    page.goto("/community/")
    axe.check(page)
    page.locator('a[data-district="hirao"]').click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("平尾")
    axe.check(page)
