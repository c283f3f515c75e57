"""The MHLW 帳票 in full (issue 19): the インテーク・アセスメントシート with its check items, the
プラン兼事業等利用申込書 and the 評価シート, over HTTP as a coordinator, a team agency and an
outsider; bad input refused in Japanese with nothing written; the PDFs' Japanese text."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import date
from typing import cast

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from pypdf import PageObject, PdfReader
from pypdf.generic import DictionaryObject

from tests.cases.conftest import agency, approved_at_jusou, case_at
from tomoni.audit.models import AuditEvent
from tomoni.cases import actions
from tomoni.cases.models import (
    Assessment,
    Attainment,
    Case,
    GoalTerm,
    Plan,
    Review,
    ReviewDecision,
    Stage,
)
from tomoni.directory.models import Staff

from ..conftest import as_seen_now

CHECKED = "tick tick--on"


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


def _fonts_of(page: PageObject) -> DictionaryObject:
    """The page's /Resources /Font dictionary (pypdf types its entries as any PDF object)."""
    return cast(DictionaryObject, cast(DictionaryObject, page["/Resources"])["/Font"])


def _fonts(pdf: bytes) -> dict[str, tuple[set[str], int]]:
    """Embedded fonts by base name: the characters their ToUnicode map covers, and the size of
    the embedded font program (a subset is a few dozen kB, the vendored TTF 5.4 MB)."""
    fonts: dict[str, tuple[set[str], int]] = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for ref in _fonts_of(page).values():
            font = ref.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            program = descriptor["/FontFile2"].get_object().get_data()
            cmap = font["/ToUnicode"].get_object().get_data().decode("ascii")
            chars = {
                chr(int(code, 16)) for code in re.findall(r"<[0-9a-f]{4}> <([0-9a-f]{4})>", cmap)
            }
            name = str(font["/BaseFont"])
            known, size = fonts.get(name, (set(), 0))
            fonts[name] = (known | chars, max(size, len(program)))
    return fonts


def _pdf(response: object) -> bytes:
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert response["Content-Type"] == "application/pdf"  # type: ignore[index]
    content: bytes = response.content  # type: ignore[attr-defined]
    assert content.startswith(b"%PDF")
    return content


@pytest.fixture
def assessed(personas: dict[str, Staff]) -> Case:
    """A case at アセスメント, agency A (地域包括) on its team."""
    coordinator = personas["coordinator"]
    case = case_at(coordinator, Stage.ASSESSMENT)
    actions.add_team_member(coordinator, case, agency("houkatsu1"))
    return case


# --- インテーク・アセスメントシート ----------------------------------------------------------


def test_assessment_check_items_are_saved_shown_and_printed_as_ticks(
    assessed: Case, personas: dict[str, Staff], as_user: Callable[..., Client]
) -> None:
    client = as_user(personas["coordinator"])
    edit = reverse("cases:assessment_edit", args=[assessed.pk])
    form = client.get(edit).content.decode()
    for label in ("正規雇用", "求職中", "被用者保険", "医療扶助（生活保護）", "障害年金", "未記入"):
        assert label in form, label
    response = client.post(
        edit,
        {
            "version": "1",
            "work_status": "seeking",
            "work": "ハローワークに週1回",
            "housing": "rented",
            "insurance": "national",
            "health_insurance": "保険料を2か月滞納",
            "pension_kind": "disability",
            "wishes": "母の介護を続けたい",
        },
    )
    assert response.status_code == 302
    sheet = Assessment.objects.get(case=assessed)
    assert (sheet.work_status, sheet.insurance, sheet.pension_kind) == (
        "seeking",
        "national",
        "disability",
    )
    assert sheet.health_insurance == "保険料を2か月滞納" and sheet.version == 2
    page = client.get(reverse("cases:assessment", args=[assessed.pk])).content.decode()
    for shown in ("求職中", "借家・賃貸", "国民健康保険", "障害年金", "保険料を2か月滞納"):
        assert shown in page, shown
    printed = client.get(reverse("print:assessment", args=[assessed.pk])).content.decode()
    # Every option of the four check items is on paper, the chosen one ticked.
    ticks = re.findall(r'<span class="tick( tick--on)?"', printed)
    assert len(ticks) == 7 + 7 + 6 + 6
    assert sum(1 for on in ticks if on) == 4
    for chosen in ("求職中", "借家・賃貸", "国民健康保険", "障害年金"):
        assert re.search(rf'{CHECKED}"[^>]*>✓</span><span[^>]*>（該当）</span>{chosen}', printed)
    for other in ("正規雇用", "学生", "被用者保険", "厚生年金", "不明"):
        assert f'<span class="tick" aria-hidden="true"></span>{other}' in printed


@pytest.mark.pdf
def test_assessment_pdf_prints_the_check_items(
    assessed: Case, personas: dict[str, Staff], as_user: Callable[..., Client]
) -> None:
    coordinator = personas["coordinator"]
    actions.save_assessment(
        coordinator,
        assessed,
        {"work_status": "regular", "insurance": "employee", "pension_kind": "none"},
        version=1,
    )
    response = as_user(personas["agency_a"]).get(
        reverse("print:assessment_pdf", args=[assessed.pk])
    )
    text = _text(_pdf(response))
    for expected in (
        "インテーク・アセスメントシート",
        "仕事（就労の状況）",
        "✓正規雇用",
        "非正規雇用",
        "✓被用者保険",
        "後期高齢者医療",
        "✓受給なし",
        "遺族年金",
        "持家",  # 住居 unticked, still printed
        "本人の意向",
    ):
        assert expected in text, expected
    assert "✓持家" not in text


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("work_status", "就労の状況は一覧から選んでください。"),
        ("insurance", "健康保険は一覧から選んでください。"),
        ("pension_kind", "年金は一覧から選んでください。"),
        ("housing", "住居は一覧から選んでください。"),
    ],
)
def test_assessment_refuses_an_unknown_choice_in_japanese(
    assessed: Case,
    personas: dict[str, Staff],
    as_user: Callable[..., Client],
    field: str,
    message: str,
) -> None:
    coordinator = personas["coordinator"]
    client = as_user(coordinator)
    response = client.post(
        reverse("cases:assessment_edit", args=[assessed.pk]),
        {"version": "1", field: "part_time", "wishes": "書き換え"},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    # The action refuses it too, whoever calls it.
    with pytest.raises(ValidationError) as refused:
        actions.save_assessment(coordinator, assessed, {field: "part_time"}, version=1)
    assert message in str(refused.value)
    sheet = Assessment.objects.get(case=assessed)
    assert sheet.version == 1 and sheet.wishes == "母の介護を続けたい"
    assert getattr(sheet, field) == ""
    assert not AuditEvent.objects.filter(
        action=AuditEvent.Action.CHANGE, object_type="cases.assessment"
    ).exists()


def test_assessment_print_access(
    assessed: Case, personas: dict[str, Staff], as_user: Callable[..., Client]
) -> None:
    url = reverse("print:assessment", args=[assessed.pk])
    assert as_user(personas["coordinator"]).get(url).status_code == 200
    assert as_user(personas["agency_a"]).get(url).status_code == 200
    assert as_user(personas["agency_b"]).get(url).status_code == 404
    assert as_user(personas["agency_b"]).get(f"{url[:-1]}.pdf").status_code == 404
    printed = AuditEvent.objects.filter(action=AuditEvent.Action.PRINT)
    assert printed.count() == 2


# --- プラン兼事業等利用申込書 ---------------------------------------------------------------

WISHES = "母の介護を続けながら、少しずつ働きたい"


def _plan_post(**overrides: str) -> dict[str, str]:
    data = {
        "base": "1",
        "summary": "役割を分けて支える",
        "wishes": WISHES,
        "period_start": "令和8年4月1日",
        "period_end": "令和9年3月31日",
        "consented": "on",
        "consented_on": "2026-03-20",
        "goal_term_0": "long",
        "goal_text_0": "親子が安心して暮らせる",
        "goal_term_1": "short",
        "goal_text_1": "介護サービスにつながる",
        "action_agency_0": str(agency("houkatsu1").pk),
        "action_who_0": "地域包括",
        "action_what_0": "介護保険の申請支援",
        "action_due_0": "令和8年5月31日",
        "refer_participation": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v != ""}


@pytest.fixture
def drafting(personas: dict[str, Staff]) -> Case:
    """A case at プラン案 with 第1版, agency A on its team."""
    coordinator = personas["coordinator"]
    case = case_at(coordinator, Stage.DRAFT_PLAN)
    actions.add_team_member(coordinator, case, agency("houkatsu1"))
    return case


def test_plan_keeps_wishes_period_and_consent_and_carries_them_forward(
    drafting: Case, personas: dict[str, Staff], as_user: Callable[..., Client]
) -> None:
    client = as_user(personas["coordinator"])
    url = reverse("cases:plan_new", args=[drafting.pk])
    assert client.post(url, _plan_post()).status_code == 302
    second = Plan.objects.get(case=drafting, number=2)
    assert second.wishes == WISHES
    assert (second.period_start, second.period_end) == (date(2026, 4, 1), date(2027, 3, 31))
    assert second.consented_on == date(2026, 3, 20)
    page = client.get(second.get_absolute_url()).content.decode()
    assert WISHES in page and "同意あり（令和8年3月20日）" in page
    # The editor of the next version starts from these (the conflict check stays: base=2).
    editor = client.get(url).content.decode()
    assert 'name="base" value="2"' in editor and WISHES in editor
    assert "令和8年4月1日" in editor and "令和9年3月31日" in editor
    assert re.search(r'name="consented"[^>]*checked', editor)
    stale = client.post(url, _plan_post(base="1", wishes="古い画面から"))
    assert stale.status_code == 200 and "第2版として保存しました" in stale.content.decode()
    assert Plan.objects.filter(case=drafting).count() == 2
    # Unticking the consent on a changed version clears it on that version only.
    assert client.post(url, _plan_post(base="2", consented="", consented_on="")).status_code == 302
    third = Plan.objects.get(case=drafting, number=3)
    assert third.consented_on is None and third.wishes == WISHES
    assert Plan.objects.get(pk=second.pk).consented_on == date(2026, 3, 20)


def test_replan_carries_wishes_and_period_but_not_the_consent(personas: dict[str, Staff]) -> None:
    coordinator = personas["coordinator"]
    case = case_at(coordinator, Stage.DRAFT_PLAN)
    actions.save_plan(
        coordinator,
        case,
        base=1,
        summary="方向性",
        goals=[(GoalTerm.LONG, "親子が安心して暮らせる")],
        actions=[],
        terms=actions.PlanTerms(WISHES, date(2026, 4, 1), date(2027, 3, 31), date(2026, 3, 1)),
    )
    as_seen_now(actions.move_case, coordinator, case, "to_meeting")
    approved_at_jusou(coordinator, case)
    for move in ("decide", "start", "evaluate", "replan"):
        case = as_seen_now(actions.move_case, coordinator, case, move, note="目標を見直す")
    copied = case.plans.first()
    assert copied is not None and copied.number == 3
    assert copied.wishes == WISHES and copied.period_end == date(2027, 3, 31)
    assert copied.consented_on is None


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"period_end": "令和8年3月31日"}, "計画期間の終了日は開始日より後の日付にしてください。"),
        ({"period_end": "令和8年4月1日"}, "計画期間の終了日は開始日より後の日付にしてください。"),
        ({"consented_on": ""}, "本人が同意した日を入力してください。"),
        ({"consented": ""}, "「本人同意の確認」にチェックを入れてください"),
        # A date that has not come yet is outside the range of things that happened.
        ({"consented_on": "2099-01-01"}, "本人が同意した日は"),
        ({"wishes": "あ" * 2001}, "本人の希望は2000文字以内で入力してください。"),
        ({"period_start": "令和8年13月1日"}, "月"),
    ],
    ids=["end-before-start", "end-equals-start", "no-date", "no-tick", "future", "long", "bad"],
)
def test_plan_bad_terms_are_refused_in_japanese_and_nothing_is_written(
    drafting: Case,
    personas: dict[str, Staff],
    as_user: Callable[..., Client],
    overrides: dict[str, str],
    message: str,
) -> None:
    response = as_user(personas["coordinator"]).post(
        reverse("cases:plan_new", args=[drafting.pk]), _plan_post(**overrides)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert list(Plan.objects.filter(case=drafting).values_list("number", flat=True)) == [1]


@pytest.mark.parametrize(
    ("terms", "message"),
    [
        (actions.PlanTerms(period_start=date(2026, 4, 1), period_end=date(2026, 3, 1)), "終了日"),
        (actions.PlanTerms(consented_on=date(2099, 1, 1)), "未来の日付"),
        (actions.PlanTerms(wishes="あ" * 2001), "2000文字以内"),
    ],
)
def test_save_plan_itself_refuses_bad_terms(
    personas: dict[str, Staff], terms: actions.PlanTerms, message: str
) -> None:
    coordinator = personas["coordinator"]
    case = case_at(coordinator, Stage.DRAFT_PLAN)
    with pytest.raises(ValidationError, match=message):
        actions.save_plan(
            coordinator,
            case,
            base=1,
            summary="",
            goals=[(GoalTerm.LONG, "目標")],
            actions=[],
            terms=terms,
        )
    assert Plan.objects.filter(case=case).count() == 1


@pytest.mark.pdf
def test_plan_print_is_the_application_form(
    drafting: Case, personas: dict[str, Staff], as_user: Callable[..., Client]
) -> None:
    assert (
        as_user(personas["coordinator"])
        .post(reverse("cases:plan_new", args=[drafting.pk]), _plan_post())
        .status_code
        == 302
    )
    html = reverse("print:plan", args=[drafting.pk, 2])
    pdf_url = reverse("print:plan_pdf", args=[drafting.pk, 2])
    assert as_user(personas["agency_b"]).get(html).status_code == 404
    assert as_user(personas["agency_b"]).get(pdf_url).status_code == 404
    page = as_user(personas["coordinator"]).get(html).content.decode()
    assert WISHES in page and page.count(CHECKED) == 2  # 参加支援 and the consent
    pdf = _pdf(as_user(personas["agency_a"]).get(pdf_url))
    # Headings in the vendored Bold (700), subset; the text in the Regular, subset.
    fonts = _fonts(pdf)
    bold = [name for name in fonts if re.fullmatch(r"/[A-Z]{6}\+Noto-Sans-JP-Bold", name)]
    regular = [name for name in fonts if re.fullmatch(r"/[A-Z]{6}\+Noto-Sans-JP", name)]
    assert len(bold) == 1 and len(regular) == 1, sorted(fonts)
    bold_chars, bold_size = fonts[bold[0]]
    assert set("本人の希望目標同意申込✓") <= bold_chars  # headings and the tick
    assert not set("介護") & bold_chars  # 「介護サービスにつながる」 is body text
    assert set("介護") <= fonts[regular[0]][0]
    assert bold_size < 500_000 and fonts[regular[0]][1] < 1_000_000
    text = _text(pdf)
    for expected in (
        "プラン兼事業等利用申込書",
        "本人の希望",
        f"「{WISHES}」",
        "計画期間令和8年4月1日〜令和9年3月31日",
        "親子が安心して暮らせる",
        "介護サービスにつながる",
        "地域包括支援センター（第1圏域）地域包括介護保険の申請支援令和8年5月31日",
        "アウトリーチ等を通じた継続的支援事業✓参加支援事業",
        "✓本人同意の確認（令和8年3月20日本人が同意）",
        "申込日令和年月日",
        "本人署名",
        "署名日令和年月日",
    ):
        assert expected in text, expected
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.PRINT, object_type="cases.plan", detail__format="pdf"
    ).exists()


# --- 評価シート ---------------------------------------------------------------------------

CHANGES = "本人が週2回、地域の作業所に通い始めた"


@pytest.fixture
def reviewed(personas: dict[str, Staff]) -> Review:
    """A case at 評価 with agency A on its team, its plan's goal reviewed as 一部達成."""
    coordinator = personas["coordinator"]
    case = case_at(coordinator, Stage.EVALUATION)
    actions.add_team_member(coordinator, case, agency("houkatsu1"))
    goal = case.plans.get(number=1).goals.get()
    return actions.review_case(
        coordinator,
        case,
        on=date(2026, 3, 31),
        decision=ReviewDecision.REPLAN,
        attainments={goal.pk: (Attainment.PARTLY, "母は安定、本人の通院は中断のまま")},
        changes=CHANGES,
    )


@pytest.mark.pdf
def test_review_sheet_is_linked_from_the_case_and_printed(
    reviewed: Review, personas: dict[str, Staff], as_user: Callable[..., Client]
) -> None:
    case = reviewed.case
    client = as_user(personas["coordinator"])
    html = reverse("print:review", args=[case.pk, reviewed.pk])
    pdf_url = reverse("print:review_pdf", args=[case.pk, reviewed.pk])
    case_page = client.get(case.get_absolute_url()).content.decode()
    assert f'href="{html}"' in case_page and f'href="{pdf_url}"' in case_page
    page = client.get(html).content.decode()
    assert page.count(CHECKED) == 2  # 一部達成 and 再プラン
    assert re.search(rf'{CHECKED}"[^>]*>✓</span><span[^>]*>（該当）</span>一部達成', page)
    assert re.search(rf'{CHECKED}"[^>]*>✓</span><span[^>]*>（該当）</span>再プラン', page)
    text = _text(_pdf(as_user(personas["agency_a"]).get(pdf_url)))
    for expected in (
        "評価シート",
        "支援プラン第1版の評価",
        "評価日令和8年3月31日",
        "目標の達成状況",
        "親子が安心して暮らせる",
        "達成✓一部達成未達成",
        "母は安定、本人の通院は中断のまま",
        "見られた変化",
        CHANGES,
        "判定終結継続✓再プラン中断",
    ):
        assert expected in text, expected
    events = AuditEvent.objects.filter(action=AuditEvent.Action.PRINT, object_type="cases.review")
    assert sorted(events.values_list("detail__format", flat=True)) == ["html", "pdf"]


def test_review_sheet_is_404_for_outsiders_and_other_cases(
    reviewed: Review, personas: dict[str, Staff], as_user: Callable[..., Client]
) -> None:
    case = reviewed.case
    outsider = as_user(personas["agency_b"])
    for name in ("print:review", "print:review_pdf"):
        assert outsider.get(reverse(name, args=[case.pk, reviewed.pk])).status_code == 404
    coordinator = as_user(personas["coordinator"])
    assert coordinator.get(reverse("print:review", args=[case.pk, 10**6])).status_code == 404
    # A review is only reachable under its own case.
    other = case_at(personas["coordinator"], Stage.ASSESSMENT)
    assert coordinator.get(reverse("print:review", args=[other.pk, reviewed.pk])).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.PRINT).exists()
