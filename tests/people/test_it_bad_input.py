"""Forms refuse bad input with a Japanese message and save nothing (no row, no audit
event); full-width digits are accepted and normalised."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tomoni.directory.models import Staff
from tomoni.people.models import Household, Person

from ..conftest import BrowserClient, first_member, register_household
from .conftest import household_data, person_data, rows

NOT_SAVED = "保存はされていません。"


@pytest.fixture
def household(personas: dict[str, Staff]) -> Household:
    return register_household(personas["window"], members=1)


@pytest.fixture
def window(personas: dict[str, Staff], as_user: Callable[..., BrowserClient]) -> BrowserClient:
    return as_user(personas["window"])


def _tomorrow() -> str:
    return (timezone.localdate() + timedelta(days=1)).isoformat()


PERSON_ERRORS = [
    ("birth_date", "令和0年1月1日", "令和0年という年はありません"),
    ("birth_date", "平成32年1月1日", "平成32年は存在しません（平成は31年4月30日まで）"),
    ("birth_date", "2026-02-30", "日付として正しくありません: 2026年2月30日"),
    ("birth_date", "昭和64年1月8日", "昭和64年1月8日は存在しません（昭和は64年1月7日まで）"),
    ("birth_date", "そのうち", "日付の形式が分かりません"),
    ("birth_date", _tomorrow, "生年月日が未来の日付になっています。"),
    ("birth_date", "1" * 31, "30 文字以下"),
    (
        "family_name",
        "見" * 41,
        "この値は 40 文字以下でなければなりません( 41 文字になっています)。",
    ),
    # NFKC makes 「…」 three dots: 14 typed, 42 stored. The stored length is what counts.
    ("family_name", "…" * 14, "この値は 40 文字以下でなければなりません( 42 文字になっています)。"),
    ("given_kana", "…" * 21, "この値は 60 文字以下でなければなりません( 63 文字になっています)。"),
    ("family_name", "", "姓を入力してください。"),
    ("family_name", "\u3000", "姓を入力してください。"),
    ("phone", "090-12", "電話番号は6〜15桁の数字で入力してください（ハイフン可）。"),
    ("phone", "0" * 16, "電話番号は6〜15桁の数字で入力してください（ハイフン可）。"),
]


def _ids(cases: Sequence[tuple[object, ...]]) -> list[str]:
    return [f"{c[0]}={c[1] if isinstance(c[1], str) else 'tomorrow'}" for c in cases]


@pytest.mark.parametrize(("field", "value", "message"), PERSON_ERRORS, ids=_ids(PERSON_ERRORS))
def test_new_member_with_bad_input_is_refused(
    field: str,
    value: str | Callable[[], str],
    message: str,
    household: Household,
    window: BrowserClient,
) -> None:
    """The member form comes back with the message, and nothing is saved."""
    before = rows()
    data = person_data(**{field: value() if callable(value) else value})
    response = window.post(reverse("people:member_new", args=[household.pk]), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert NOT_SAVED in body
    assert rows() == before


@pytest.mark.parametrize(("field", "value", "message"), PERSON_ERRORS, ids=_ids(PERSON_ERRORS))
def test_person_edit_with_bad_input_changes_nothing(
    field: str,
    value: str | Callable[[], str],
    message: str,
    household: Household,
    window: BrowserClient,
) -> None:
    """The edit form comes back with the message; the stored person is as it was."""
    person = first_member(household)
    stored = Person.objects.filter(pk=person.pk).values().get()
    before = rows()
    data = person_data(**{field: value() if callable(value) else value})
    response = window.post(reverse("people:person_edit", args=[person.pk]), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert rows() == before
    assert Person.objects.filter(pk=person.pk).values().get() == stored


HOUSEHOLD_ERRORS = [
    ("postal_code", "206-080", "郵便番号は7桁で入力してください。"),
    ("postal_code", "20608041", "郵便番号は7桁で入力してください。"),
    ("phone", "12345", "電話番号は6〜15桁の数字で入力してください（ハイフン可）。"),
    ("district", "999999", "正しく選択してください。"),
    ("address", "…" * 67, "この値は 200 文字以下でなければなりません( 201 文字になっています)。"),
]


@pytest.mark.parametrize(
    ("field", "value", "message"), HOUSEHOLD_ERRORS, ids=_ids(HOUSEHOLD_ERRORS)
)
def test_new_household_with_bad_input_is_refused(
    field: str, value: str, message: str, window: BrowserClient
) -> None:
    """The household form comes back with the message, and nothing is saved."""
    before = rows()
    response = window.post(reverse("people:household_new"), household_data(**{field: value}))
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert NOT_SAVED in body
    assert rows() == before


def test_bad_end_date_ends_nothing(household: Household, window: BrowserClient) -> None:
    """An impossible end date is refused on the form; the member stays current."""
    membership = household.memberships.get()
    before = rows()
    response = window.post(
        reverse("people:membership_end", args=[household.pk, membership.pk]),
        {"end_date": "平成31年5月1日", "end_reason": "facility"},
    )
    assert response.status_code == 200
    assert "平成31年5月1日は存在しません（平成は31年4月30日まで）" in response.content.decode()
    assert rows() == before
    membership.refresh_from_db()
    assert membership.end_date is None


def test_full_width_member_input_is_normalised(household: Household, window: BrowserClient) -> None:
    """Full-width digits and punctuation, as an IME in 全角 mode types them, are accepted."""
    data = person_data(
        given_name="全角",
        family_kana="ｲﾅｷﾞ",
        phone="０９０－１２３４－５６７８",
        birth_date="Ｒ８．２．１９",
        start_date="令和８年２月１９日",
    )
    response = window.post(reverse("people:member_new", args=[household.pk]), data)
    assert response.status_code == 302
    person = Person.objects.get(given_name="全角")
    assert person.phone == "090-1234-5678"
    assert person.phone_key == "09012345678"
    assert person.birth_date == date(2026, 2, 19)
    assert person.family_kana == "イナギ"
    assert person.memberships.get().start_date == date(2026, 2, 19)


@pytest.mark.parametrize(
    "phone", ["０９０－１２３４－５６７８", "０９０ー１２３４ー５６７８", "090ｰ1234ｰ5678"]
)
def test_phone_typed_in_full_width_mode_is_normalised(
    phone: str, household: Household, window: BrowserClient
) -> None:
    """Whatever dash the IME puts between the digits, the number is stored with "-"."""
    response = window.post(
        reverse("people:member_new", args=[household.pk]),
        person_data(given_name="電話", phone=phone),
    )
    assert response.status_code == 302
    person = Person.objects.get(given_name="電話")
    assert (person.phone, person.phone_key) == ("090-1234-5678", "09012345678")


def test_full_width_household_input_is_normalised(window: BrowserClient) -> None:
    """A full-width postal code and phone are stored in half-width form."""
    response = window.post(
        reverse("people:household_new"),
        household_data(postal_code="２０６－０８０４", phone="０４２－３７８－２１１１"),
    )
    assert response.status_code == 302
    household = Household.objects.get()
    assert household.postal_code == "206-0804"
    assert household.phone == "042-378-2111"
    assert household.phone_key == "0423782111"


def test_seven_digits_without_hyphen_are_a_postal_code(window: BrowserClient) -> None:
    """2060804 is stored as 206-0804."""
    window.post(reverse("people:household_new"), household_data(postal_code="2060804"))
    assert Household.objects.get().postal_code == "206-0804"


def test_postal_code_with_the_postal_mark_is_accepted(personas, as_user):
    """〒 and full-width digits are what people type; 〒２０６－０８０４ is stored as 206-0804."""
    from django.urls import reverse

    from tomoni.people.models import Household

    response = as_user(personas["window"]).post(
        reverse("people:household_new"),
        {"postal_code": "〒２０６－０８０４", "address": "稲城市東長沼"},
    )
    assert response.status_code == 302
    assert Household.objects.get().postal_code == "206-0804"
