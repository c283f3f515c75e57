"""A figure of the 統計 opens the list of what it counts (issue 18), in a real browser: the
dashboard with its linked figures and the list they open, axe-checked, at 1366 px and 390 px."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

from tomoni.directory.models import Role, Staff

from ..stats.conftest import FY, build_city
from .conftest import Axe

OVERFLOWING_TABLES = """() => [...document.querySelectorAll('.table-wrap')]
    .filter(e => e.scrollWidth > e.clientWidth + 1).length"""


def test_a_figure_opens_its_list(
    staff_with_password: Callable[..., Staff], open_as: Callable[..., Page], axe: Axe
) -> None:
    coordinator = staff_with_password(Role.COORDINATOR, "jusou", "kyodo")
    build_city(coordinator)
    for phone in (False, True):
        page = open_as(coordinator, phone=phone)
        page.goto(f"/stats/?fy={FY}")
        axe.check(page)
        if not phone:
            assert page.evaluate(OVERFLOWING_TABLES) == 0
        # The link's accessible name says what it lists; its text is the figure.
        link = page.get_by_role("link", name="令和7年度 相談件数（新規・継続） 新規 3件の一覧")
        expect(link).to_have_text("3")
        link.click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("新規")
        expect(page.get_by_role("status")).to_contain_text("この数値に数えた 3件をすべて表示")
        expect(page.locator("table tbody tr")).to_have_count(3)
        axe.check(page)
        page.get_by_role("link", name="統計に戻る").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("統計")
