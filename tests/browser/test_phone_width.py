"""Nothing wider than a phone (390 px) but the tables, which scroll inside their own region:
the 事業費 grid's hidden cell labels (.visually-hidden, absolutely placed) escaped the table's
scrolling box and widened the whole page to 996 px, so the page itself slid sideways."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page

from tomoni.directory.models import Role, Staff
from tomoni.stats import actions as stats_actions

from .conftest import Axe


def test_the_cost_sheet_scrolls_inside_its_table_not_the_page(
    staff_with_password: Callable[..., Staff], open_as: Callable[..., Page], axe: Axe
) -> None:
    manager = staff_with_password(Role.MANAGER, "jusou", "kacho")
    stats_actions.set_cost(manager, 2026, "consultation", "elderly", 1_200_000)
    page = open_as(manager, phone=True)
    page.goto("/stats/costs/?fy=2026")
    axe.check(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    wraps = page.evaluate(
        "[...document.querySelectorAll('.table-wrap')].map(e => e.scrollWidth > e.clientWidth)"
    )
    assert True in wraps  # the grid itself is wider than the phone and scrolls in its region
