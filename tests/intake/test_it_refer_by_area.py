"""つなぎ先 narrowed by where the person lives (issue 20, finding 10): the picker listed the
four 地域包括支援センター side by side, whatever the household's 地区. Now an agency that serves one
日常生活圏域 is offered in its 分野 only for a household of that 圏域; the others wait in a last
group 「他の圏域の機関」, still there for a family about to move."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.urls import reverse

from tomoni.directory.models import Agency, District, Staff

from ..conftest import BrowserClient, first_member, register_household
from .conftest import take


def _groups(html: str) -> dict[str, list[str]]:
    select = re.search(r'<select name="to_agency".*?</select>', html, re.S)
    assert select, "つなぎ先 select not found"
    return {
        label: re.findall(r"<option[^>]*>([^<]*)</option>", body)
        for label, body in re.findall(
            r'<optgroup label="([^"]*)">(.*?)</optgroup>', select[0], re.S
        )
    }


def test_the_picker_offers_the_centre_of_the_households_area_first(
    personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    window = personas["window"]
    household = register_household(window, members=1, district=District.objects.get(code="omaru"))
    consultation = take(window, person=first_member(household), household=household)
    html = as_user(window).get(consultation.get_absolute_url()).content.decode()
    groups = _groups(html)
    own, others = Agency.objects.get(code="houkatsu2"), Agency.objects.get(code="houkatsu1")
    offered = [
        name for label, names in groups.items() if label != "他の圏域の機関" for name in names
    ]
    assert any(name.startswith(own.name) for name in offered), groups
    assert not any(name.startswith(others.name) for name in offered), groups
    assert any(name.startswith(others.name) for name in groups["他の圏域の機関"])
    assert f"{own.name}（大丸の担当圏域）" in offered


def test_any_centre_may_still_be_chosen(
    personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    window = personas["window"]
    household = register_household(window, members=1, district=District.objects.get(code="omaru"))
    consultation = take(window, person=first_member(household), household=household)
    elsewhere = Agency.objects.get(code="houkatsu1")
    response = as_user(window).post(
        reverse("intake:refer", args=[consultation.pk]),
        {
            "to_agency": elsewhere.pk,
            "shared_summary": "転居予定のため、転居先の圏域でお願いします。",
        },
    )
    assert response.status_code == 302
    assert consultation.referrals.get().to_agency == elsewhere


def test_without_a_district_every_agency_is_in_its_field(
    personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    window = personas["window"]
    consultation = take(window)  # anonymous: no household, no 地区
    groups = _groups(as_user(window).get(consultation.get_absolute_url()).content.decode())
    assert "他の圏域の機関" not in groups
    names = [n for rows in groups.values() for n in rows]
    for code in ("houkatsu1", "houkatsu2", "houkatsu3", "houkatsu4"):
        assert Agency.objects.get(code=code).name in names
