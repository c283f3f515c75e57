"""Intake in a real browser: the window worker types a name with a common kanji, finds the
person registered with its 異体字, takes the consultation with three 課題, refers it to the
地域包括支援センター, and the centre's worker accepts it."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

from tomoni.directory.models import Role, Staff
from tomoni.intake.models import Consultation, Referral
from tomoni.people import actions as people_actions

from ..conftest import agency_of
from .conftest import Axe


def _registered_with_itaiji(window: Staff) -> None:
    household = people_actions.register_household(window, address="稲城市東長沼1丁目2番3号")
    people_actions.register_person(
        window,
        {
            "family_name": "髙橋",
            "given_name": "見本子",
            "family_kana": "たかはし",
            "given_kana": "みほんこ",
            "sex": "female",
        },
        household=household,
        relationship="head",
    )


def _take_consultation(page: Page, axe: Axe) -> None:
    page.goto("/consultations/new/")
    axe.check(page)
    page.get_by_label("受付日", exact=False).fill("令和8年11月30日")
    page.get_by_role("radio", name="電話").check()
    page.get_by_role("radio", name="通常").check()
    page.get_by_role("radio", name="同意あり").first.check()
    page.get_by_label("姓", exact=True).fill("高橋")
    page.get_by_label("せい(ふりがな)").fill("たかはし")
    take = page.get_by_role("button", name="この方で受け付ける（髙橋 見本子さん）")
    expect(take).to_be_visible()
    axe.check(page)
    take.click()
    expect(page.get_by_text("選択中:")).to_be_visible()
    primary = page.get_by_label("◎ 最も困っていること")
    # Review finding 10 (issue 20): the ◎ list offered all 33 課題. Only the ticked ones now.
    expect(primary.locator("option:enabled")).to_have_count(1)  # （選ばない）
    for concern in ("収入・生活費", "介護", "住まい"):
        page.get_by_role("checkbox", name=concern, exact=True).check()
    expect(primary.locator("option:enabled")).to_have_text(
        ["（選ばない）", "住まい", "収入・生活費", "介護"]  # in the checklist's order
    )
    primary.select_option(label="介護")
    page.get_by_role("checkbox", name="介護", exact=True).uncheck()  # its ◎ goes with it
    expect(primary).to_have_value("")
    page.get_by_role("checkbox", name="介護", exact=True).check()
    primary.select_option(label="介護")
    page.get_by_label("相談の要旨（1行）").fill("母の介護と生活費のことで相談したい")
    page.get_by_role("button", name="受け付ける", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("相談")
    axe.check(page)


def test_intake_with_itaiji_search_referral_and_acceptance(
    staff_with_password: Callable[..., Staff], open_as: Callable[..., Page], axe: Axe
) -> None:
    window = staff_with_password(Role.WINDOW, "window", "madoguchi")
    centre = staff_with_password(Role.AGENCY, "houkatsu1", "houkatsu")
    _registered_with_itaiji(window)

    page = open_as(window)
    _take_consultation(page, axe)
    consultation = Consultation.objects.get()
    assert consultation.person is not None and consultation.person.family_name == "髙橋"
    assert consultation.concerns.count() == 3
    assert [c.concern.name for c in consultation.concern_links.filter(is_primary=True)] == ["介護"]

    page.get_by_label("つなぎ先").select_option(label=agency_of(centre).name)
    page.get_by_label("依頼先に伝える内容").fill("母の介護について相談にのってください")
    page.get_by_role("button", name="つなぐ", exact=True).click()
    expect(page.get_by_role("status").or_(page.locator(".notice--success")).first).to_be_visible()
    axe.check(page)
    referral = Referral.objects.get()
    assert referral.to_agency == centre.agency

    other = open_as(centre)
    other.goto("/referrals/in/")
    axe.check(other)
    other.get_by_role("link", name="母の介護について").click()
    axe.check(other)
    other.get_by_role("button", name="受諾する").click()
    expect(other.locator(".notice--success").first).to_be_visible()
    axe.check(other)
    referral.refresh_from_db()
    assert referral.state == Referral.State.ACCEPTED
