"""From consultation to 重層的支援会議 in a real browser (issue 20): the window worker takes a
consultation 【本人同意あり】 for a registered person and refers it to the 地域包括支援センター,
which accepts; the coordinator opens the case 「多機関協働へ」 (the screen says what the case
takes over: the consent and the centre as 関係機関), moves it to アセスメント, fills the sheet,
moves it to プラン作成, writes a plan (何を at a usable width, finding 6), records the consent to
the 重層的支援会議, adds the case to the meeting's agenda and gets the meeting's PDF."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from tomoni.cases.models import Assessment, Case, ConsentState, Plan, Stage, TeamMember
from tomoni.directory.models import Role, Staff
from tomoni.intake import actions as intake_actions
from tomoni.intake.models import Consultation, Referral
from tomoni.lib.wareki import format_date
from tomoni.meetings import actions as meeting_actions
from tomoni.meetings.models import AgendaItem, Kind, Meeting
from tomoni.people import actions as people_actions
from tomoni.people.models import Consent

from ..conftest import agency_of
from .conftest import Axe


def _registered(window: Staff) -> None:
    """見本 花子 (head) and her son, registered before the call."""
    household = people_actions.register_household(window, address="稲城市東長沼1丁目2番3号")
    for given, kana, birth, relationship in (
        ("花子", "はなこ", "1948-05-01", "head"),
        ("太郎", "たろう", "1976-09-10", "child"),
    ):
        people_actions.register_person(
            window,
            {
                "family_name": "見本",
                "given_name": given,
                "family_kana": "みほん",
                "given_kana": kana,
                "birth_date": birth,
            },
            household=household,
            relationship=relationship,
        )


def _take_and_refer(page: Page, axe: Axe, centre: str) -> Consultation:
    """The window takes the consultation 【本人同意あり】 and refers it to the centre."""
    page.goto("/consultations/new/")
    axe.check(page)
    page.get_by_label("受付日", exact=False).fill(format_date(timezone.localdate()))
    page.get_by_role("radio", name="来所").check()
    page.get_by_role("radio", name="通常").check()
    page.get_by_role("radio", name="同意あり").first.check()
    page.get_by_label("姓", exact=True).fill("見本")
    page.get_by_label("せい(ふりがな)").fill("みほん")
    page.get_by_role("button", name="この方で受け付ける（見本 花子さん）").click()
    expect(page.get_by_text("選択中:")).to_be_visible()
    page.get_by_label("相談の要旨（1行）").fill("母の介護と長男のひきこもり")
    page.get_by_role("button", name="受け付ける", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("相談")
    axe.check(page)
    page.get_by_label("つなぎ先").select_option(label=centre)
    page.get_by_label("依頼先に伝える内容").fill("母の介護保険の申請をお願いします")
    page.get_by_role("button", name="つなぐ", exact=True).click()
    expect(page.locator(".notice--success").first).to_be_visible()
    axe.check(page)
    consultation = Consultation.objects.get()
    assert consultation.consent == "given"
    assert consultation.person is not None and consultation.person.given_name == "花子"
    assert Consent.objects.get(person=consultation.person).status == "given"
    return consultation


def _open_case(page: Page, axe: Axe, consultation: Consultation, centre: str) -> Case:
    """「多機関協働へ」: the page says what the case takes over; the message what it took."""
    page.goto(consultation.get_absolute_url())
    axe.check(page)
    page.get_by_role("link", name="多機関協働へ（ケースを開く）").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("多機関協働のケースを開く")
    takes_over = page.get_by_role("region", name="ケースに引き継ぐこと")
    expect(takes_over).to_contain_text("あり")
    expect(takes_over).to_contain_text(f"相談 {consultation.code}")
    expect(takes_over).to_contain_text(centre)
    axe.check(page)
    page.get_by_label("ケースの概要").fill("8050世帯、母の介護と長男のひきこもり")
    page.get_by_role("button", name="ケースを開く").click()
    case = Case.objects.get(consultation=consultation)
    expect(page.locator(".notice--success").first).to_contain_text(
        f"ケース {case.code} を開きました。本人同意「あり」を引き継ぎ、"
        f"つなぎを受けた {centre} を関係機関に加えました。"
    )
    expect(page.locator(".page-header")).to_contain_text("同意あり")
    expect(page.locator("#team")).to_contain_text(centre)
    axe.check(page)
    assert case.consent == ConsentState.GIVEN and case.stage == Stage.RECEIVED
    assert TeamMember.objects.filter(case=case, agency__name=centre, role="related").exists()
    return case


def _assess(page: Page, axe: Axe, case: Case) -> None:
    page.get_by_role("button", name="アセスメントを開始").click()
    expect(page.locator(".page-header")).to_contain_text("アセスメント")
    axe.check(page)
    page.get_by_role("link", name="アセスメント（未記入）").click()
    axe.check(page)
    page.get_by_role("link", name="記入する").click()
    axe.check(page)
    page.get_by_label("本人の意向").fill("母の介護を続けながら、少しずつ働きたい")
    page.get_by_label("本人・世帯の強み").fill("母子の仲がよい。近所に頼れる知人がいる")
    page.get_by_role("button", name="保存する").click()
    expect(page.locator(".notice--success").first).to_contain_text("アセスメントを保存しました")
    axe.check(page)
    sheet = Assessment.objects.get(case=case)
    assert sheet.wishes == "母の介護を続けながら、少しずつ働きたい"
    case.refresh_from_db()
    assert case.stage == Stage.ASSESSMENT


def _plan(page: Page, axe: Axe, case: Case, centre: str) -> None:
    page.goto(case.get_absolute_url())
    page.get_by_role("button", name="プラン案の作成へ").click()
    expect(page.locator(".page-header")).to_contain_text("プラン案")
    axe.check(page)
    page.get_by_role("link", name="プラン案を作成").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("支援プランの編集")
    axe.check(page)
    what = page.get_by_label("支援1 何を")
    box = what.bounding_box()
    assert box is not None and box["width"] >= 300, box  # finding 6: it was 97 px
    form = page.locator("main form").bounding_box()
    column = page.locator("main").bounding_box()
    assert form is not None and column is not None
    assert form["width"] >= 0.9 * column["width"] - 64, (form, column)  # most of the column
    page.get_by_role("textbox", name="支援の方向性").fill("母の介護と本人の就労準備を分けて支える")
    page.get_by_label("目標1", exact=True).fill("親子が安心して暮らし続けられる")
    page.get_by_label("支援1 誰が（機関）").select_option(label=centre)
    page.get_by_label("支援1 誰が（担当者）").fill("社会福祉士")
    what.fill("介護保険の申請を支援し、母のデイサービス利用につなぐ")
    due = format_date(timezone.localdate() + timedelta(days=60))
    page.get_by_label("支援1 いつまでに").fill(due)
    page.get_by_role("button", name="新しい版として保存").click()
    expect(page.locator(".notice--success").first).to_contain_text("第1版として保存しました")
    axe.check(page)
    plan = Plan.objects.get(case=case)
    line = plan.actions.get()
    assert (line.agency.name if line.agency else "", line.who) == (centre, "社会福祉士")
    assert line.what == "介護保険の申請を支援し、母のデイサービス利用につなぐ"
    assert line.due_on == timezone.localdate() + timedelta(days=60)


def _plan_on_a_phone(phone: Page, axe: Axe, case: Case) -> None:
    """At 390 px each plan line stacks: nothing scrolls sideways."""
    phone.goto(reverse("cases:plan_new", args=[case.pk]))
    expect(phone.get_by_label("支援1 何を")).to_have_value(
        "介護保険の申請を支援し、母のデイサービス利用につなぐ"
    )
    axe.check(phone)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    what = phone.get_by_label("支援1 何を").bounding_box()
    assert what is not None and what["x"] + what["width"] <= 390, what


def _to_the_meeting(page: Page, axe: Axe, case: Case, meeting: Meeting) -> None:
    """The main person's consent to the 重層的支援会議, then 「会議の議題に追加」."""
    page.goto(case.get_absolute_url())
    page.locator("#consent summary", has_text="同意を記録").click()
    consent = page.locator("#consent form").first
    consent.get_by_label("同意の目的").select_option(label="重層的支援会議での検討")
    consent.get_by_role("radio", name="同意あり").check()
    consent.get_by_role("button", name="記録する").click()
    expect(page.locator(".notice--success").first).to_be_visible()
    axe.check(page)
    assert Consent.objects.filter(person=case.person, scope="jusou", status="given").exists()
    agenda = page.locator("#agenda")
    agenda.get_by_label("会議").select_option(value=str(meeting.pk))
    agenda.get_by_label("検討事項").fill("プラン案の承認と役割分担")
    agenda.get_by_role("button", name="議題に追加").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(meeting.title)
    expect(page.locator(".notice--success").first).to_contain_text(f"{case.code} を")
    axe.check(page)
    item = AgendaItem.objects.get(meeting=meeting)
    assert (item.case_id, item.purpose) == (case.pk, "プラン案の承認と役割分担")


def test_consultation_to_case_plan_agenda_and_pdf(
    staff_with_password: Callable[..., Staff], open_as: Callable[..., Page], axe: Axe
) -> None:
    window = staff_with_password(Role.WINDOW, "window", "madoguchi")
    houkatsu = staff_with_password(Role.AGENCY, "houkatsu1", "houkatsu")
    coordinator = staff_with_password(Role.COORDINATOR, "shakyo", "coordinator")
    centre = agency_of(houkatsu).name
    _registered(window)
    meeting = meeting_actions.schedule_meeting(
        coordinator,
        kind=Kind.JUSOU,
        title="重層的支援会議（定例）",
        starts_at=timezone.now() + timedelta(days=7),
    )

    consultation = _take_and_refer(open_as(window), axe, centre)
    referral = Referral.objects.get(consultation=consultation)
    intake_actions.move_referral(houkatsu, referral, "accept", version=referral.version)

    page = open_as(coordinator)
    case = _open_case(page, axe, consultation, centre)
    _assess(page, axe, case)
    _plan(page, axe, case, centre)
    _plan_on_a_phone(open_as(coordinator, phone=True), axe, case)
    _to_the_meeting(page, axe, case, meeting)

    pdf_link = page.get_by_role("link", name="PDF", exact=True)
    response = page.request.get(pdf_link.get_attribute("href") or "")
    assert response.ok, response.status
    assert response.headers["content-type"].startswith("application/pdf")
    assert response.body().startswith(b"%PDF")
