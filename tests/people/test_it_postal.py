"""The 郵便番号 endpoint (static/tomoni/js/postal.js asks it) and the 地区 the household and
相談受付 forms take from the address when none is chosen, over HTTP."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone

from tomoni.audit.models import AuditEvent
from tomoni.directory.models import District, Staff
from tomoni.lib.wareki import format_date
from tomoni.people.models import Household

from ..conftest import BrowserClient, register_household
from .conftest import household_data

URL = "/people/postal/"


@pytest.fixture
def window(personas: dict[str, Staff], as_user: Callable[..., BrowserClient]) -> BrowserClient:
    return as_user(personas["window"])


def _district(name: str) -> District:
    return District.objects.get(name=name)


# --- The endpoint ---------------------------------------------------------------------------


def test_the_endpoint_is_at_its_address() -> None:
    assert reverse("people:postal_lookup") == URL


def test_anonymous_is_sent_to_login(master: None, as_user: Callable[..., BrowserClient]) -> None:
    path = f"{URL}?code=2060801"
    response = as_user(None).get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={quote(path, safe='/')}"


def test_post_is_refused(window: BrowserClient) -> None:
    response = window.post(URL, {"code": "2060801"})
    assert response.status_code == 405


def test_a_code_gives_the_address_and_the_district(window: BrowserClient) -> None:
    """206-0801 → 東京都稲城市大丸 and the 地区 大丸 (its key, for the form's select); nothing
    is audited, for nobody's data is read."""
    events = AuditEvent.objects.count()
    response = window.get(URL, {"code": "2060801"})
    assert response.status_code == 200
    assert response.json() == {
        "code": "206-0801",
        "prefecture": "東京都",
        "city": "稲城市",
        "town": "大丸",
        "towns": [],
        "address": "東京都稲城市大丸",
        "district": {"id": _district("大丸").pk, "name": "大丸"},
    }
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("typed", ["２０６－０８１２", "〒206-0812", "206 0812"])
def test_full_width_and_marked_codes_are_understood(window: BrowserClient, typed: str) -> None:
    data = window.get(URL, {"code": typed}).json()
    assert (data["address"], data["district"]["name"]) == ("東京都稲城市矢野口", "矢野口")


def test_another_citys_code_has_no_district(window: BrowserClient) -> None:
    data = window.get(URL, {"code": "206-0011"}).json()
    assert (data["address"], data["district"]) == ("東京都多摩市関戸", None)


def test_an_unknown_code_is_said_in_japanese(window: BrowserClient) -> None:
    response = window.get(URL, {"code": "206-0800"})
    assert response.status_code == 404
    assert response.json() == {
        "error": "郵便番号 206-0800 は見つかりませんでした。住所を入力してください。"
    }


@pytest.mark.parametrize("typed", ["", "206", "abcdefg", "2" * 100])
def test_what_is_no_code_is_said_in_japanese(window: BrowserClient, typed: str) -> None:
    response = window.get(URL, {"code": typed})
    assert response.status_code == 400
    assert response.json() == {"error": "郵便番号は7桁の数字で入力してください。"}


# --- The household form ---------------------------------------------------------------------


def test_the_form_carries_the_script_and_its_hooks(window: BrowserClient) -> None:
    body = window.get(reverse("people:household_new")).content.decode()
    assert 'src="/static/tomoni/js/postal.js"' in body
    assert f'data-postal="address district" data-postal-url="{URL}"' in body


def test_an_empty_district_is_taken_from_the_address(window: BrowserClient) -> None:
    """No 地区 chosen: the 町名 in the address gives it, and the next page says so."""
    response = window.post(
        reverse("people:household_new"),
        household_data(postal_code="", address="東京都稲城市大丸1-2-3", district=""),
        follow=True,
    )
    household = Household.objects.get()
    assert household.district == _district("大丸")
    assert "地区は住所から「大丸」としました" in response.content.decode()


def test_an_empty_district_is_taken_from_the_code_when_the_address_names_none(
    window: BrowserClient,
) -> None:
    window.post(
        reverse("people:household_new"),
        household_data(postal_code="２０６－０８１２", address="", district=""),
    )
    household = Household.objects.get()
    assert (household.postal_code, household.district) == ("206-0812", _district("矢野口"))


def test_a_chosen_district_is_kept(window: BrowserClient) -> None:
    """The worker's choice stands, even where the address names another 地区."""
    response = window.post(
        reverse("people:household_new"),
        household_data(address="稲城市大丸1-2-3", district=_district("押立").pk),
        follow=True,
    )
    assert Household.objects.get().district == _district("押立")
    assert "地区は住所から" not in response.content.decode()


def test_an_address_elsewhere_leaves_the_district_unconfirmed(window: BrowserClient) -> None:
    window.post(
        reverse("people:household_new"),
        household_data(postal_code="206-0011", address="東京都多摩市関戸1-1", district=""),
    )
    assert Household.objects.get().district is None


def test_editing_fills_an_empty_district_through_the_action(
    personas: dict[str, Staff], window: BrowserClient
) -> None:
    """A household saved without a 地区: the edit takes it from the address, and the audit
    event names the field as changed."""
    household = register_household(personas["window"], address="稲城市坂浜100")
    assert household.district is None
    data: dict[str, Any] = household_data(address="稲城市坂浜100", district="")
    response = window.post(reverse("people:household_edit", args=[household.pk]), data)
    assert response.status_code == 302
    household.refresh_from_db()
    assert household.district == _district("坂浜")
    event = AuditEvent.objects.filter(action="change", object_id=str(household.pk)).get()
    assert "district" in event.detail["fields"]


# --- The 相談受付 form (a new person's new household) ----------------------------------------


def _intake_post(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "received_on": format_date(timezone.localdate()),
        "received_time": "00:00",
        "method": "visit",
        "is_new": "1",
        "urgency": "normal",
        "consent": "given",
        "p-family_name": "稲城",
        "p-given_name": "花子",
        "p-family_kana": "いなぎ",
        "p-given_kana": "はなこ",
        "p-sex": "female",
        "route_kind_1": "self",
        "summary": "住まいの相談",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("address", "district"), [("稲城市平尾1-2", "平尾"), ("東京都多摩市関戸1-1", None)]
)
def test_intake_takes_the_new_households_district_from_its_address(
    window: BrowserClient, address: str, district: str | None
) -> None:
    response = window.post(
        reverse("intake:new"), _intake_post(household_address=address, household_district="")
    )
    assert response.status_code == 302, response.content.decode()
    household = Household.objects.get()
    assert household.address == address
    assert (household.district.name if household.district else None) == district


def test_intake_keeps_a_chosen_district(window: BrowserClient) -> None:
    chosen = _district("長峰")
    window.post(
        reverse("intake:new"),
        _intake_post(household_address="稲城市平尾1-2", household_district=str(chosen.pk)),
    )
    assert Household.objects.get().district == chosen


def test_intake_keeps_the_new_households_postal_code(window: BrowserClient) -> None:
    """The intake form takes the 郵便番号 too, as typed (full-width, 〒), with the same
    filling script as the household form; with no address the code alone names the 地区."""
    page = window.get(reverse("intake:new")).content.decode()
    assert 'data-postal="household_address household_district"' in page
    assert "tomoni/js/postal" in page
    response = window.post(
        reverse("intake:new"),
        _intake_post(household_postal_code="〒２０６－０８０１", household_district=""),
    )
    assert response.status_code == 302, response.content.decode()
    household = Household.objects.get()
    assert household.postal_code == "206-0801"
    assert household.district == _district("大丸")


def test_intake_refuses_a_short_postal_code_and_takes_nothing(window: BrowserClient) -> None:
    response = window.post(reverse("intake:new"), _intake_post(household_postal_code="206-08"))
    assert response.status_code == 200
    assert "郵便番号は7桁で入力してください。" in response.content.decode()
    assert not Household.objects.exists()
