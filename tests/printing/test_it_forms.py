"""The MHLW 帳票 in full (issue 19): the インテーク・アセスメントシート with its check items, the
プラン兼事業等利用申込書 and the 評価シート, over HTTP as a coordinator, a team agency and an
outsider; bad input refused in Japanese with nothing written; the PDFs' Japanese text."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from tests.cases.conftest import agency, case_at
from tomoni.audit.models import AuditEvent
from tomoni.cases import actions
from tomoni.cases.models import Assessment, Case, Stage
from tomoni.directory.models import Staff

CHECKED = "tick tick--on"


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


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
