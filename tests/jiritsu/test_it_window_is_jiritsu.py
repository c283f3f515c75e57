"""Issue 18, finding 4: the window is the 自立相談支援機関. It must not refer its own
生活困窮 work to a separate 自立相談支援機関 as if that were someone else, and the figures
the window reports every month must exist (on the code before this, the referral form offered
「自立相談支援機関」 to the window, refer() accepted it, and /stats/seikatsu/ was 404)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tomoni.directory.models import Agency, Staff
from tomoni.intake import actions as intake_actions
from tomoni.intake.models import Referral

from ..conftest import BrowserClient
from .conftest import day, take


def _options(client: BrowserClient, pk: int) -> str:
    response = client.get(reverse("intake:consultation", args=[pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_window_is_not_offered_itself_as_a_separate_jiritsu(
    personas: dict[str, Staff], as_user: Any
) -> None:
    """The つなぎ先 of a window consultation: no 「自立相談支援機関」 row."""
    consultation = take(personas["window"], day(5))
    page = _options(as_user(personas["window"]), consultation.pk)
    jiritsu = Agency.objects.get(code="jiritsu")
    assert f'value="{jiritsu.pk}"' not in page
    assert "自立相談支援（生活困窮）" in page  # the card where the window records it instead


def test_other_agencies_find_the_window_as_the_jiritsu(
    personas: dict[str, Staff], as_user: Any
) -> None:
    """An agency with a 生活困窮 worry refers to the window, labelled as the 自立相談支援機関."""
    consultation = take(personas["agency_a"], day(5))
    page = _options(as_user(personas["agency_a"]), consultation.pk)
    jiritsu = Agency.objects.get(code="jiritsu")
    window = Agency.objects.get(code="window")
    assert f'value="{jiritsu.pk}"' not in page
    assert f'value="{window.pk}">{window.name}［自立相談支援機関］' in page


def test_referring_to_the_separate_jiritsu_is_refused_with_a_reason(
    personas: dict[str, Staff], as_user: Any
) -> None:
    consultation = take(personas["window"], day(5))
    jiritsu = Agency.objects.get(code="jiritsu")
    client = as_user(personas["window"])
    response = client.post(
        reverse("intake:refer", args=[consultation.pk]),
        {"to_agency": jiritsu.pk, "shared_summary": "家計の相談をお願いします。"},
    )
    assert response.status_code in (200, 400)
    assert not Referral.objects.filter(consultation=consultation).exists()
    with pytest.raises(Exception, match="福祉くらしの総合窓口が自立相談支援機関です"):
        intake_actions.refer(personas["window"], consultation, jiritsu, "家計の相談")
    assert not Referral.objects.filter(consultation=consultation).exists()


def test_a_city_with_a_separate_jiritsu_refers_to_it(
    personas: dict[str, Staff], as_user: Any, settings: Any, make_staff: Any
) -> None:
    """TOMONI_WINDOW_IS_JIRITSU off: the separate office is a つなぎ先 and records the items."""
    settings.TOMONI_WINDOW_IS_JIRITSU = False
    consultation = take(personas["window"], day(5))
    jiritsu = Agency.objects.get(code="jiritsu")
    page = _options(as_user(personas["window"]), consultation.pk)
    assert f'value="{jiritsu.pk}"' in page
    assert "自立相談支援（生活困窮）" not in page
    referral = intake_actions.refer(personas["window"], consultation, jiritsu, "家計の相談")
    assert referral.to_agency == jiritsu
    # The monthly sheet is now the separate office's, not the window's.
    assert as_user(personas["window"]).get(reverse("jiritsu:monthly")).status_code == 404
    worker = make_staff("agency", "jiritsu", "jiritsu-worker")
    assert as_user(worker).get(reverse("jiritsu:monthly")).status_code == 200


def test_the_window_has_its_monthly_sheet(personas: dict[str, Staff], as_user: Any) -> None:
    client = as_user(personas["window"])
    response = client.get(reverse("jiritsu:monthly"))
    assert response.status_code == 200
    page = response.content.decode()
    for label in ("新規相談受付件数", "プラン作成件数", "就労支援対象者数", "就労・増収者数"):
        assert label in page
    # Reached from the window's 相談支援 pages.
    assert reverse("jiritsu:monthly") in client.get(reverse("intake:index")).content.decode()
