"""Intake with the keyboard only (issue 20, finding 11): the review needed 84 Tab presses to take
a consultation about a new person with three 課題 and refer it, and the first field was not
focused. Done here as a worker on the phone would: start typing in the focused first field,
Tab to what must be filled, tick with Space, choose with the arrow keys, send with Enter; every
Tab is counted, on both pages."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

from tomoni.directory.models import Agency, Role, Staff
from tomoni.intake.models import Consultation, Referral

from .conftest import Axe

ACTIVE = """() => { const e = document.activeElement;
    const label = e.labels && e.labels.length ? e.labels[0].innerText : (e.innerText || '');
    return {name: e.name || '', type: e.type || e.tagName.toLowerCase(),
            value: e.value || '', label: label.replace(/\\s+/g, ' ').trim(),
            chosen: e.selectedOptions && e.selectedOptions.length ? e.selectedOptions[0].text : ''};
    }"""
BUDGET = 40


class Keyboard:
    """Presses keys on a page and counts the Tabs."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.tabs = 0

    def active(self) -> dict[str, str]:
        result: dict[str, str] = self.page.evaluate(ACTIVE)
        return result

    def tab_to(self, name: str, *, label: str | None = None) -> None:
        """Tab until the focused control is ``name`` (and, for one box of a group, ``label``)."""
        for _ in range(BUDGET + 1):
            now = self.active()
            if now["name"] == name and (label is None or now["label"] == label):
                return
            self.page.keyboard.press("Tab")
            self.tabs += 1
        raise AssertionError(f"{name} {label or ''} not reached in {BUDGET} Tabs: {self.active()}")

    def arrow_to(self, label: str, key: str = "ArrowDown") -> None:
        """Within a group (or a select), arrow keys until ``label`` is focused or chosen."""
        for _ in range(60):
            now = self.active()
            if now["label"] == label:
                return
            self.page.keyboard.press(key)
        raise AssertionError(f"{label} not reached with {key}: {self.active()}")

    def choose(self, *, value: str | None = None, text: str | None = None) -> None:
        """In a focused <select>, the arrow keys until the option (by value or text) is chosen."""
        for _ in range(80):
            now = self.active()
            if now["value"] == value or now["chosen"] == text:
                return
            self.page.keyboard.press("ArrowDown")
        raise AssertionError(f"option {value or text} not reached: {self.active()}")


def test_a_new_person_three_concerns_and_a_referral_in_at_most_40_tabs(
    staff_with_password: Callable[..., Staff], open_as: Callable[..., Page], axe: Axe
) -> None:
    window = staff_with_password(Role.WINDOW, "window", "madoguchi")
    centre = Agency.objects.get(code="houkatsu2")
    page = open_as(window)
    page.goto("/consultations/new/")
    keys = Keyboard(page)
    # The first field has the focus: 受付日, already today's date, like the time.
    assert keys.active()["name"] == "received_on"

    keys.tab_to("method")
    page.keyboard.press("Space")  # 電話, the first choice
    keys.tab_to("consent")
    keys.arrow_to("同意あり", "ArrowRight")
    page.keyboard.press("Space")
    for name, text in (
        ("p-family_name", "鍵盤"),
        ("p-given_name", "操子"),
        ("p-family_kana", "けんばん"),
        ("p-given_kana", "みさこ"),
    ):
        keys.tab_to(name)
        page.keyboard.type(text)
    keys.tab_to("household_postal_code")
    page.keyboard.type("2060801")  # 〒 → 住所 and 地区 (static/tomoni/js/postal.js)
    expect(page.get_by_label("住所")).to_have_value("東京都稲城市大丸")
    keys.tab_to("household_address")
    page.keyboard.type("1番地")
    keys.tab_to("concerns")
    for concern in ("住まい", "収入・生活費", "介護"):
        keys.arrow_to(concern)
        page.keyboard.press("Space")
    keys.tab_to("primary")
    keys.choose(text="介護")
    keys.tab_to("summary")
    page.keyboard.type("母の介護と家計のことで相談したい")
    keys.tab_to("next", label="受け付けて、つなぎ先を選ぶ")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("他機関へつなぐ")
    expect(page.get_by_text("を受け付けました。")).to_be_visible()
    axe.check(page)
    consultation = Consultation.objects.get()
    assert consultation.person is not None and consultation.person.family_name == "鍵盤"
    assert sorted(c.name for c in consultation.concerns.all()) == ["介護", "住まい", "収入・生活費"]
    household = consultation.household
    assert household is not None and household.address == "東京都稲城市大丸1番地"
    assert household.postal_code == "206-0801" and str(household.district) == "大丸"

    # The referral page starts at the choice of agency.
    assert keys.active()["name"] == "to_agency"
    keys.choose(value=str(centre.pk))
    keys.tab_to("", label="つなぐ")
    page.keyboard.press("Enter")
    expect(page.locator(".notice--success").first).to_be_visible()
    referral = Referral.objects.get()
    assert referral.consultation == consultation and referral.to_agency == centre

    assert keys.tabs <= BUDGET, f"{keys.tabs} Tab presses"
