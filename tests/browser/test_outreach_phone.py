"""アウトリーチ on a phone (390×844, review finding 5 of issue 20): the list as cards with
nothing off the right edge, the rhythm of contacts newest month first, and a page header
that leaves the screen to the work. Every page is axe-checked."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tomoni.directory.models import Role, Staff
from tomoni.lib.wareki import format_month
from tomoni.outreach import actions as outreach_actions
from tomoni.outreach.models import Engagement, Reason

from ..conftest import first_member, register_household
from .conftest import PHONE, Axe

# The right edge of the furthest-reaching visible thing in the list, in CSS px.
LIST_RIGHT_EDGE = """() => Math.max(0,
    ...[...document.querySelectorAll('[aria-labelledby="h-results"] *')]
    .filter(e => e.getClientRects().length)
    .map(e => e.getBoundingClientRect().right))"""
# Where the page's own content starts: everything above it is header and menu.
MAIN_TOP = "() => document.querySelector('main').getBoundingClientRect().top"
SCROLL_WIDTH = "() => document.documentElement.scrollWidth"


def _months_ago(today: date, months: int) -> date:
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    return date(year, month + 1, 1)


@pytest.fixture
def engagement(staff_with_password: Callable[..., Staff]) -> Engagement:
    """An engagement of the worker ``outreach``, opened a year ago, with a contact in the
    first month and two this month."""
    coordinator = staff_with_password(Role.COORDINATOR, "shakyo", "kyodo")
    worker = staff_with_password(Role.OUTREACH, "shakyo", "outreach")
    household = register_household(coordinator, members=1)
    today = timezone.localdate()
    year_ago = _months_ago(today, 11)
    engagement = outreach_actions.open_engagement(
        coordinator,
        household=household,
        person=first_member(household),
        reason=Reason.HIKIKOMORI,
        workers=[worker],
        opened_on=year_ago,
    )
    for on, outcome in ((year_ago, "absent"), (today, "absent"), (today, "met")):
        outreach_actions.record_contact(worker, engagement, on=on, method="visit", outcome=outcome)
    engagement.refresh_from_db()
    return engagement


def test_the_list_is_cards_within_the_screen(
    engagement: Engagement, open_as: Callable[..., Page], axe: Axe
) -> None:
    page = open_as(engagement.workers.get(), phone=True)
    page.goto("/outreach/")
    axe.check(page)
    assert page.evaluate(SCROLL_WIDTH) <= PHONE["width"]
    assert page.evaluate(LIST_RIGHT_EDGE) <= PHONE["width"]
    assert engagement.person is not None
    card = page.get_by_role("listitem").filter(has_text=engagement.code)
    expect(card.get_by_role("link", name=engagement.person.full_name)).to_be_visible()
    for label in ("段階", "担当", "最後の接触"):
        expect(card.get_by_text(label, exact=True)).to_be_visible()
    for shown in (engagement.get_stage_display(), str(engagement.workers.get()), "今日 接触あり"):
        box = card.get_by_text(shown).first.bounding_box()
        assert box is not None, shown
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], shown


def test_the_rhythm_shows_the_newest_month_first(
    engagement: Engagement, open_as: Callable[..., Page], axe: Axe
) -> None:
    today = timezone.localdate()
    page = open_as(engagement.workers.get(), phone=True)
    page.goto(engagement.get_absolute_url())
    axe.check(page)
    rhythm = page.locator("#rhythm")
    newest = rhythm.get_by_text(format_month(today), exact=True)
    oldest = rhythm.get_by_text(format_month(_months_ago(today, 11)), exact=True)
    expect(newest).to_be_visible()
    expect(oldest).to_be_visible()
    newest_box, oldest_box = newest.bounding_box(), oldest.bounding_box()
    assert newest_box is not None and oldest_box is not None
    assert newest_box["y"] < oldest_box["y"]  # listed first, above the older months
    assert newest_box["x"] + newest_box["width"] <= PHONE["width"]
    assert page.evaluate(SCROLL_WIDTH) <= PHONE["width"]
    row = rhythm.get_by_role("row").filter(has_text=format_month(today))
    expect(row.get_by_role("cell")).to_have_text(["2", "1"])  # tried twice, reached once


@pytest.mark.parametrize("username", ["outreach", "kyodo"])  # kyodo's header has the search
def test_the_header_is_compact_and_its_menu_reachable(
    username: str, engagement: Engagement, open_as: Callable[..., Page], axe: Axe
) -> None:
    page = open_as(Staff.objects.get(username=username), phone=True)
    page.goto("/")
    axe.check(page)
    assert page.evaluate(MAIN_TOP) <= 0.2 * PHONE["height"]
    menu = page.get_by_text("メニュー", exact=True)
    menu.focus()
    page.keyboard.press("Enter")  # opened from the keyboard
    axe.check(page)
    nav = page.get_by_role("navigation", name="メニュー", exact=True)
    expect(page.get_by_role("button", name="ログアウト")).to_be_visible()
    page.keyboard.press("Tab")
    first = nav.get_by_role("link").first
    expect(first).to_be_focused()
    link = nav.get_by_role("link", name="アウトリーチ")
    expect(link).to_be_visible()
    link.click()
    page.wait_for_url("**/outreach/")
    expect(page.get_by_role("heading", name="アウトリーチ", level=1)).to_be_visible()


def test_the_contact_form_names_the_person_and_sets_tiles_two_to_a_row(
    engagement: Engagement, open_as: Callable[..., Page], axe: Axe
) -> None:
    """The method and outcome tiles, two to a row as outreach.css means them, not one long
    column the worker scrolls past."""
    assert engagement.person is not None
    page = open_as(engagement.workers.get(), phone=True)
    page.goto(engagement.get_absolute_url())
    page.get_by_role("link", name="接触を記録").click()
    axe.check(page)
    expect(page.get_by_text(f"{engagement.person.full_name}さん")).to_be_visible()
    for first, second in (("訪問", "手紙"), ("不在", "拒否")):
        left = page.get_by_role("radio", name=first).bounding_box()
        right = page.get_by_role("radio", name=second).bounding_box()
        assert left is not None and right is not None
        assert left["y"] == right["y"] and left["x"] < right["x"], (first, second)
    assert page.evaluate(SCROLL_WIDTH) <= PHONE["width"]
