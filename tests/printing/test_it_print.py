"""Print pages and PDFs (A4, Noto Sans JP embedded) of the assessment, a plan and minutes.

A PDF takes WeasyPrint a few seconds (font subsetting), so each PDF is rendered once, in the
one test that checks everything about it; access, method and login checks never reach it.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PageObject, PdfReader
from pypdf.generic import DictionaryObject

from tests.cases.conftest import agency, held_meeting, open_for, to_meeting, with_consent
from tomoni.audit.models import AuditEvent
from tomoni.cases import actions as case_actions
from tomoni.cases.models import Case, GoalTerm
from tomoni.directory.models import Staff
from tomoni.meetings import actions as meeting_actions
from tomoni.meetings.models import Decision, Kind, Meeting
from tomoni.printing.pdf import PdfError, RefusedURL, StaticOnlyFetcher, render_pdf, static_path

MINUTES = "本人の就労準備について地域包括と障害者相談支援で役割を分ける。"


@dataclass
class World:
    case: Case
    jusou: Meeting  # approved the plan; agency_a attended
    support: Meeting  # 支援会議 on the case; agency_a attended with a pledge, window without


@pytest.fixture
def world(personas: dict[str, Staff]) -> World:
    coordinator = personas["coordinator"]
    case = to_meeting(coordinator, with_consent(coordinator, open_for(coordinator)))
    case_actions.add_team_member(coordinator, case, agency("houkatsu1"), contact="地域 包子")
    jusou = held_meeting(coordinator, Kind.JUSOU)
    meeting_actions.add_agenda_item(coordinator, jusou, case, purpose="プランの承認")
    meeting_actions.add_attendee(
        coordinator, jusou, agency=agency("houkatsu1"), staff=personas["agency_a"]
    )
    meeting_actions.decide(
        coordinator,
        jusou,
        case,
        kind=Decision.Kind.PLAN_APPROVAL,
        text="プランを承認する",
        tasks=[
            meeting_actions.TaskSpec(
                "介護保険の申請に同行する",
                agency("houkatsu1"),
                timezone.localdate() + timedelta(days=14),
            )
        ],
    )
    support = held_meeting(coordinator, Kind.SUPPORT)
    meeting_actions.add_agenda_item(coordinator, support, case, purpose="役割分担の検討")
    pledged = meeting_actions.add_attendee(
        coordinator, support, agency=agency("houkatsu1"), staff=personas["agency_a"]
    )
    meeting_actions.record_pledge(coordinator, pledged)
    meeting_actions.add_attendee(
        coordinator, support, agency=agency("window"), staff=personas["window"]
    )
    # Long enough for two A4 pages: the banner must be on each.
    long_minutes = "\n".join(f"{n}. {MINUTES}" for n in range(1, 61))
    meeting_actions.save_minutes(coordinator, support, long_minutes, version=support.version)
    meeting_actions.decide(
        coordinator,
        support,
        case,
        kind=Decision.Kind.ROLE_SPLIT,
        text="役割分担を確認した",
        tasks=[
            meeting_actions.TaskSpec(
                "本人と面談する", agency("houkatsu1"), timezone.localdate(), personas["agency_a"]
            )
        ],
    )
    case.refresh_from_db()
    return World(case, jusou, support)


def _urls(world: World) -> dict[str, str]:
    case = world.case.pk
    return {
        "assessment": reverse("print:assessment", args=[case]),
        "assessment_pdf": reverse("print:assessment_pdf", args=[case]),
        "plan": reverse("print:plan", args=[case, 1]),
        "plan_pdf": reverse("print:plan_pdf", args=[case, 1]),
        "minutes": reverse("print:minutes", args=[world.support.pk]),
        "minutes_pdf": reverse("print:minutes_pdf", args=[world.support.pk]),
    }


def _text(pdf: bytes) -> str:
    """All the text of the PDF, whitespace removed (pypdf breaks lines where the PDF does)."""
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


def _fonts_of(page: PageObject) -> DictionaryObject:
    """The page's /Resources /Font dictionary (pypdf types its entries as any PDF object)."""
    return cast(DictionaryObject, cast(DictionaryObject, page["/Resources"])["/Font"])


def _embedded_fonts(pdf: bytes) -> set[str]:
    """Base names of the fonts whose program is embedded (FontFile2/FontFile3)."""
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for ref in _fonts_of(page).values():
            font = ref.get_object()
            descendants = font.get("/DescendantFonts")
            holder = descendants[0].get_object() if descendants else font
            descriptor = holder["/FontDescriptor"].get_object()
            if "/FontFile2" in descriptor or "/FontFile3" in descriptor:
                names.add(str(font["/BaseFont"]))
    return names


def _check_pdf(response: Any, filename: str) -> bytes:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="{filename}"'
    assert "no-store" in response["Cache-Control"]
    pdf: bytes = response.content
    assert pdf.startswith(b"%PDF")
    fonts = _embedded_fonts(pdf)
    # The subset's name is "ABCDEF+Noto-Sans-JP": the vendored font, not a fallback.
    assert fonts and all("Noto-Sans-JP" in name for name in fonts), fonts
    return pdf


def _printed(fmt: str, object_type: str) -> bool:
    return AuditEvent.objects.filter(
        action=AuditEvent.Action.PRINT, object_type=object_type, detail__format=fmt
    ).exists()


@pytest.mark.pdf
def test_plan_pdf_embeds_the_font_and_holds_the_plan(
    world: World, personas: dict[str, Staff], as_user: Callable[..., Client]
) -> None:
    """A team agency's worker gets the approved plan as an A4 PDF with its Japanese text."""
    response = as_user(personas["agency_a"]).get(_urls(world)["plan_pdf"])
    text = _text(_check_pdf(response, f"{world.case.code}-plan-1.pdf"))
    for expected in (
        "支援プラン",
        "プラン兼事業等利用申込書",
        world.case.code,
        "見本花子",  # the household
        "親子が安心して暮らせる",  # 長期目標
        "介護サービスにつながる",  # 短期目標
        "介護保険の申請支援",  # 何を
        "アウトリーチ等を通じた継続的支援事業",
        "重層的支援会議",  # approved by
        "本人署名",
    ):
        assert expected in text, expected
    assert _printed("pdf", "cases.plan")


@pytest.mark.pdf
def test_assessment_pdf_holds_the_wishes_and_the_household(
    world: World, personas: dict[str, Staff], as_user: Callable[..., Client]
) -> None:
    response = as_user(personas["coordinator"]).get(_urls(world)["assessment_pdf"])
    text = _text(_check_pdf(response, f"{world.case.code}-assessment.pdf"))
    for expected in (
        "インテーク・アセスメントシート",
        "本人の意向",
        "母の介護を続けたい",
        "見本太郎",
    ):
        assert expected in text, expected
    assert "地域包括" in text  # the team
    assert _printed("pdf", "cases.assessment")


@pytest.mark.pdf
def test_support_meeting_minutes_pdf_carries_the_confidentiality_banner(
    world: World, personas: dict[str, Staff], as_user: Callable[..., Client]
) -> None:
    """A pledged attendee prints a 支援会議's minutes; 守秘義務 stands on the page."""
    response = as_user(personas["agency_a"]).get(_urls(world)["minutes_pdf"])
    pdf = _check_pdf(response, f"meeting-{world.support.pk}-minutes.pdf")
    text = _text(pdf)
    for expected in (
        "第106条の6守秘義務",
        "支援会議",
        MINUTES,
        "役割分担を確認した",
        world.case.code,
    ):
        assert expected in text, expected
    pages = PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) >= 2
    assert all("第106条の6 守秘義務" in page.extract_text() for page in pages)
    assert _printed("pdf", "meetings.meeting")


def test_print_pages_are_the_same_documents_in_html(
    world: World, personas: dict[str, Staff], as_user: Callable[..., Client]
) -> None:
    client = as_user(personas["coordinator"])
    urls = _urls(world)
    page = client.get(urls["plan"])
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    assert "親子が安心して暮らせる" in page.content.decode()
    assert "tomoni/css/print.css" in page.content.decode()
    assert "母の介護を続けたい" in client.get(urls["assessment"]).content.decode()
    minutes = client.get(urls["minutes"]).content.decode()
    assert "守秘義務" in minutes and MINUTES in minutes
    jusou = client.get(reverse("print:minutes", args=[world.jusou.pk])).content.decode()
    assert "プランを承認する" in jusou and "介護保険の申請に同行する" in jusou
    assert "第106条の6 守秘義務" not in jusou  # a 重層的支援会議 is no 106条の6 meeting
    assert _printed("html", "cases.plan") and _printed("html", "meetings.meeting")


def test_outsider_agency_gets_404_for_every_print(
    world: World, personas: dict[str, Staff], as_user: Callable[..., Client]
) -> None:
    """障害者相談支援 is neither on the team nor at the meetings: the case does not exist."""
    client = as_user(personas["agency_b"])
    for name, url in _urls(world).items():
        assert client.get(url).status_code == 404, name
    assert client.get(reverse("print:minutes_pdf", args=[world.jusou.pk])).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.PRINT).exists()


def test_missing_plan_version_and_case_are_404(
    world: World, personas: dict[str, Staff], as_user: Callable[..., Client]
) -> None:
    client = as_user(personas["coordinator"])
    assert client.get(reverse("print:plan", args=[world.case.pk, 9])).status_code == 404
    assert client.get(reverse("print:assessment", args=[world.case.pk + 100])).status_code == 404


def test_unpledged_attendee_of_a_support_meeting_gets_403_for_the_minutes(
    world: World, personas: dict[str, Staff], as_user: Callable[..., Client]
) -> None:
    client = as_user(personas["window"])
    urls = _urls(world)
    assert client.get(urls["minutes"]).status_code == 403
    assert client.get(urls["minutes_pdf"]).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.PRINT).exists()


def test_anonymous_is_sent_to_login(world: World, client: Client) -> None:
    for url in _urls(world).values():
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_only_get_is_allowed(
    world: World, personas: dict[str, Staff], as_user: Callable[..., Client]
) -> None:
    client = as_user(personas["coordinator"])
    for url in _urls(world).values():
        assert client.post(url).status_code == 405


def test_fetcher_serves_static_files_and_refuses_everything_else() -> None:
    assert static_path("file:///static/tomoni/css/print.css").name == "print.css"
    font = static_path("file:///static/tomoni/vendor/fonts/NotoSansJP-Regular.ttf")
    assert font.stat().st_size > 1_000_000
    fetcher = StaticOnlyFetcher()
    for url in (
        "http://127.0.0.1/static/tomoni/css/print.css",
        "https://example.invalid/font.ttf",
        "data:text/css,body{}",
        "ftp://127.0.0.1/x",
        "file:///etc/passwd",
        "file:///static/../../etc/passwd",
        "file:///static/tomoni/../../../pyproject.toml",
        "file://otherhost/static/tomoni/css/print.css",
        "file:///static/tomoni/css/missing.css",
    ):
        with pytest.raises(RefusedURL):
            fetcher.fetch(url)


def test_fetcher_finds_collected_files_in_static_root(settings: Any, tmp_path: Path) -> None:
    """In production the templates name hashed files that only collectstatic wrote."""
    settings.STATIC_ROOT = tmp_path
    hashed = tmp_path / "tomoni" / "css" / "print.0123abcd.css"
    hashed.parent.mkdir(parents=True)
    hashed.write_text("body{}", encoding="utf-8")
    assert static_path("file:///static/tomoni/css/print.0123abcd.css") == hashed
    with pytest.raises(RefusedURL):
        static_path("file:///static/tomoni/css/print.ffffffff.css")


def test_print_pages_query_counts_do_not_grow_with_the_record(
    world: World, personas: dict[str, Staff], as_user: Callable[..., Client]
) -> None:
    coordinator = personas["coordinator"]
    client = as_user(coordinator)
    urls = _urls(world)

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    before = {name: count(urls[name]) for name in ("assessment", "plan", "minutes")}
    more = [case_actions.PlannedAction(f"支援 {n}", agency("houkatsu1"), "担当") for n in range(5)]
    case_actions.save_plan(
        coordinator,
        world.case,
        base=1,
        summary="方向性",
        goals=[(GoalTerm.SHORT, f"目標 {n}") for n in range(5)],
        actions=more,
    )
    case_actions.add_team_member(coordinator, world.case, agency("shogai-soudan"))
    for n in range(4):
        meeting_actions.add_attendee(
            coordinator, world.support, agency=agency("shakyo"), name=f"出席者 {n}"
        )
    meeting_actions.decide(
        coordinator,
        world.support,
        world.case,
        kind=Decision.Kind.OTHER,
        text="次回までに状況を確認する",
        tasks=[
            meeting_actions.TaskSpec(f"確認 {n}", agency("shakyo"), timezone.localdate())
            for n in range(3)
        ],
    )
    assert count(urls["assessment"]) == before["assessment"]
    assert count(reverse("print:plan", args=[world.case.pk, 2])) == before["plan"]
    assert count(urls["minutes"]) == before["minutes"]


def test_a_document_asking_for_the_network_is_not_rendered() -> None:
    """Templates only link our static files; anything else stops the PDF (no silent
    network call, no half-rendered Japanese)."""
    with pytest.raises(PdfError):
        render_pdf('<link rel="stylesheet" href="http://127.0.0.1:9/x.css"><p>テスト</p>')
