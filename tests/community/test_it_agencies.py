"""The agency network (業務紹介): every agency with what it does, whom it serves, how to
refer and a contact; which attend the 全体会; and the same guide beside the referral picker,
whose choices are grouped by 分野."""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse

from tomoni.directory.inagi import AGENCIES, NETWORK
from tomoni.directory.models import Agency, Staff

from ..conftest import BrowserClient
from ..intake.conftest import take


def test_every_agency_has_its_network_entry() -> None:
    assert {row[0] for row in AGENCIES} == set(NETWORK)


def test_the_network_page_lists_every_agency(
    personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    Agency.objects.filter(code="hokenjo").update(phone="042-000-9999")
    page = as_user(personas["agency_b"]).get(reverse("community:agencies")).content.decode()
    for agency in Agency.objects.filter(active=True):
        assert agency.name in page
        assert agency.serves in page and agency.how_to_refer in page
    assert "042-000-9999" in page
    # The window is the 自立相談支援機関 (directory.merged): one office, listed once.
    plenary = Agency.objects.filter(attends_plenary=True).exclude(code="jiritsu").count()
    assert plenary == Agency.objects.filter(attends_plenary=True).count() - 1
    assert f"支援会議(全体会)の参加機関（{plenary}）" in page
    assert page.count('<span class="tag tag--info">参加</span>') == plenary


def test_the_referral_picker_is_grouped_with_the_guide(
    personas: dict[str, Staff],
    as_user: Callable[..., BrowserClient],
) -> None:
    window = personas["window"]
    consultation = take(window)
    client = as_user(window)
    for url in (consultation.get_absolute_url(), reverse("intake:refer", args=[consultation.pk])):
        page = client.get(url).content.decode()
        assert '<optgroup label="高齢">' in page
        assert "つなぎ先の選び方" in page
        assert "第1圏域に住む65歳以上の方と家族" in page
    houkatsu = Agency.objects.get(code="houkatsu1")
    response = client.post(
        reverse("intake:refer", args=[consultation.pk]),
        {"to_agency": str(houkatsu.pk), "shared_summary": "見守りをお願いします。"},
    )
    assert response.status_code == 302
    assert consultation.referrals.get().to_agency == houkatsu
