"""関係機関との連携 over HTTP: recorded from the case page by those who keep its notes,
audited, listed on the page and in the timeline (「連携」), counted for tendency ④; a bad date
is refused in Japanese and saves nothing; an outsider gets 404, a role that sees the case but
keeps no notes (アウトリーチ) 403; an ended case refuses."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from tomoni.audit.models import AuditEvent
from tomoni.cases import actions
from tomoni.cases.models import Case, Cooperation
from tomoni.directory.models import Staff
from tomoni.lib.wareki import format_date

from ..conftest import BrowserClient
from .conftest import agency, open_for, with_consent

NOT_FOUND = "お探しの記録は存在しないか、閲覧する権限がありません。"


@pytest.fixture
def case(personas: dict[str, Staff]) -> Case:
    """A consented case; agency A (地域包括) and the 社協 (the outreach worker's agency) are on
    its team."""
    coordinator = personas["coordinator"]
    case = with_consent(coordinator, open_for(coordinator))
    actions.add_team_member(coordinator, case, agency("houkatsu1"))
    actions.add_team_member(coordinator, case, agency("shakyo"))
    case.refresh_from_db()
    return case


def _url(case: Case) -> str:
    return reverse("cases:cooperation_add", args=[case.pk])


def _post(client: BrowserClient, case: Case, **data: str) -> Any:
    hospital = agency("iryo")
    values = {
        "agency": str(hospital.pk),
        "kind": "discharge",
        "on": (timezone.localdate() - timedelta(days=3)).isoformat(),
        "note": "退院前カンファレンスに同席",
        **data,
    }
    return client.post(_url(case), values)


def _text(client: BrowserClient, case: Case) -> str:
    return " ".join(strip_tags(client.get(case.get_absolute_url()).content.decode()).split())


def test_coordinator_records_a_cooperation_shown_on_the_page_and_timeline(
    case: Case, personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    client = as_user(personas["coordinator"])
    page = client.get(case.get_absolute_url()).content.decode()
    assert "関係機関との連携の記録はまだありません。" in page
    assert 'id="cooperation-agency"' in page and 'id="cooperation-on"' in page
    version = case.version

    response = _post(client, case)

    assert response.status_code == 302
    assert response["Location"] == f"{case.get_absolute_url()}#cooperation"
    done = Cooperation.objects.get(case=case)
    day = timezone.localdate() - timedelta(days=3)
    assert (done.agency.code, done.kind, done.on, done.by) == (
        "iryo",
        "discharge",
        day,
        personas["coordinator"],
    )
    assert AuditEvent.objects.filter(
        action="create", object_type="cases.cooperation", object_id=str(done.pk)
    ).exists()
    assert Case.objects.get(pk=case.pk).version == version + 1
    text = _text(client, case)
    section = text.split("関係機関との連携", 1)[1].split("本人同意", 1)[0]
    assert format_date(day) in section
    hospital = "市内医療機関 地域医療連携室"
    row = f"{format_date(day)}{hospital} 福祉分野以外退院支援退院前カンファレンスに同席"
    assert row in section
    timeline = text.split("経過（", 1)[1]
    assert "連携" in timeline
    assert "市内医療機関 地域医療連携室（退院支援）" in timeline
    assert f"連携の記録: 市内医療機関 地域医療連携室（退院支援、{format_date(day)}）" in text


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("あした", "日付"),
        ("", "日付を入力してください。"),
        ("2099-01-01", "までの日付を入力してください。"),
    ],
)
def test_a_bad_date_is_refused_in_japanese_and_saves_nothing(
    typed: str,
    message: str,
    case: Case,
    personas: dict[str, Staff],
    as_user: Callable[..., BrowserClient],
) -> None:
    client = as_user(personas["coordinator"])
    before = AuditEvent.objects.filter(action="create").count()

    response = _post(client, case, on=typed)

    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert "退院前カンファレンスに同席" in body  # what was typed is kept
    assert not Cooperation.objects.exists()
    assert AuditEvent.objects.filter(action="create").count() == before


def test_agency_and_kind_are_required(
    case: Case, personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    response = _post(as_user(personas["coordinator"]), case, agency="", kind="")
    body = response.content.decode()
    assert "機関を選んでください。" in body and "連携の種類を選んでください。" in body
    assert not Cooperation.objects.exists()


def test_a_team_agency_with_consent_records_its_own_cooperation(
    case: Case, personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    """Kept like notes: agency A, on the team with consent, writes notes and so records the
    受診同行 it did."""
    client = as_user(personas["agency_a"])
    assert "連携を記録" in client.get(case.get_absolute_url()).content.decode()
    response = _post(client, case, kind="medical", note="内科受診に同行")
    assert response.status_code == 302
    assert Cooperation.objects.get(case=case).by == personas["agency_a"]


def test_outsider_gets_404_and_changes_nothing(
    case: Case, personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    client = as_user(personas["agency_b"])
    for method in ("get", "post"):
        response = getattr(client, method)(_url(case))
        missing = getattr(client, method)(reverse("cases:cooperation_add", args=[10**6]))
        assert response.status_code == missing.status_code == 404
        assert NOT_FOUND in response.content.decode()
    assert _post(client, case).status_code == 404
    assert not Cooperation.objects.exists()


def test_outreach_sees_the_case_but_neither_records_nor_reads_cooperations(
    case: Case, personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    """DESIGN.md §5: an outreach worker on the team reads the case but not its notes; the
    cooperations (their メモ may be as personal as a note) are kept like notes."""
    actions.record_cooperation(
        personas["coordinator"],
        case,
        agency=agency("iryo"),
        kind="medical",
        on=timezone.localdate(),
        note="内科受診に同行",
    )
    client = as_user(personas["outreach"])
    page = client.get(case.get_absolute_url()).content.decode()
    assert case.title in page
    assert "内科受診に同行" not in page and 'id="h-cooperation"' not in page
    assert _post(client, case).status_code == 403
    assert Cooperation.objects.count() == 1


def test_an_ended_case_refuses_with_the_reason(
    case: Case, personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    coordinator = personas["coordinator"]
    actions.close_case(coordinator, case, kind="suspended", reason="本人と連絡が取れない")
    response = _post(as_user(coordinator), case)
    assert response.status_code == 200
    assert "このケースは中断しています。" in response.content.decode()
    assert not Cooperation.objects.exists()


def test_a_stale_version_is_refused(case: Case, personas: dict[str, Staff]) -> None:
    with pytest.raises(ValidationError, match="他の職員"):
        actions.record_cooperation(
            personas["coordinator"],
            case,
            agency=agency("iryo"),
            kind="information",
            on=timezone.localdate(),
            version=case.version - 1,
        )
    assert not Cooperation.objects.exists()
