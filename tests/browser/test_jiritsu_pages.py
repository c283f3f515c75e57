"""生活困窮 at the window in a browser: the monthly sheet, a figure's list and the 自立相談支援
record, axe-checked on a desk (1366 px) and on a phone (390 px), where only the tables scroll
sideways, inside their own region; the record is saved from its form as typed
(和暦) and the sheet counts it."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from playwright.sync_api import Page

from tomoni.directory.models import Role, Staff
from tomoni.jiritsu import actions as jiritsu_actions
from tomoni.jiritsu.models import Support

from ..jiritsu.conftest import FY, day, support, take
from .conftest import Axe


def _no_page_overflow(page: Page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_the_window_records_and_finds_it_on_the_sheet(
    staff_with_password: Callable[..., Staff], open_as: Callable[..., Page], axe: Axe
) -> None:
    window = staff_with_password(Role.WINDOW, "window", "madoguchi")
    manager = staff_with_password(Role.MANAGER, "jusou", "kacho")
    jiritsu_actions.set_benchmark(
        manager,
        fy=FY,
        population=94_000,
        rates=jiritsu_actions.Rates(new_rate=Decimal("16")),
        version=None,
    )
    earlier = take(window, day(5, 8))
    support(window, earlier, plan_on=day(5, 20))
    fresh = take(window, day(6, 3), summary="家賃を滞納していて立ち退きが心配")
    for phone in (False, True):
        page = open_as(window, phone=phone)
        width = 390 if phone else 1366
        page.goto(f"/consultations/{fresh.pk}/")
        if not phone:
            page.get_by_role("link", name="自立相談支援を始める").click()
            axe.check(page)
            page.get_by_label("支援プランの作成日").fill(f"令和{day(6).year - 2018}年6月10日")
            page.get_by_role("button", name="保存する").click()
            page.get_by_text("自立相談支援の記録を保存しました。").wait_for()
        page.goto(f"/stats/seikatsu/?fy={FY}&month=6")
        axe.check(page)
        _no_page_overflow(page, width)
        link = page.get_by_role("link", name="プラン作成件数 年度計 2件の一覧")
        link.click()
        page.get_by_text("2件（支援プランの作成日の順）").wait_for()
        axe.check(page)
        _no_page_overflow(page, width)
        page.goto(f"/consultations/{fresh.pk}/jiritsu/")
        axe.check(page)
        _no_page_overflow(page, width)
    assert Support.objects.get(consultation=fresh).plan_on == day(6, 10)
