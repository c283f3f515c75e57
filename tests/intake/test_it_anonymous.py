"""An anonymous consultation (issue 20, finding 1): the page says 名乗らない方 may be taken with
the name left empty, so 姓 is not marked 必須, and nothing about the name is reported when
another field of the form fails. 姓 is asked for only when something else of a new person was
typed."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client
from django.urls import reverse

from tomoni.directory.models import Staff
from tomoni.intake.models import Consultation

FORM = {
    "received_on": "令和8年11月2日",
    "received_time": "10:00",
    "method": "phone",
    "is_new": "1",
    "urgency": "normal",
    "consent": "given",
    "summary": "名乗らずに家族のことを相談したい",
}


def _labels(html: str, field_id: str) -> str:
    start = html.index(f'for="{field_id}"')
    return html[start : html.index("</label>", start)]


def test_the_name_is_not_marked_required(
    personas: dict[str, Staff], as_user: Callable[..., Client]
) -> None:
    html = as_user(personas["window"]).get(reverse("intake:new")).content.decode()
    assert "必須" not in _labels(html, "id_p-family_name")
    assert "必須" not in _labels(html, "id_p-sex")


def test_another_fields_error_says_nothing_about_the_name(
    personas: dict[str, Staff], as_user: Callable[..., Client]
) -> None:
    response = as_user(personas["window"]).post(reverse("intake:new"), {**FORM, "summary": ""})
    html = response.content.decode()
    assert response.status_code == 200
    assert "相談の要旨を入力してください。" in html
    assert "このフィールドは必須です" not in html
    assert 'id="id_p-family_name_error"' not in html
    assert not Consultation.objects.exists()


def test_an_anonymous_consultation_is_taken(
    personas: dict[str, Staff], as_user: Callable[..., Client]
) -> None:
    response = as_user(personas["window"]).post(reverse("intake:new"), FORM)
    assert response.status_code == 302
    assert Consultation.objects.get().person is None


def test_a_new_person_without_a_family_name_is_refused_in_japanese(
    personas: dict[str, Staff], as_user: Callable[..., Client]
) -> None:
    response = as_user(personas["window"]).post(
        reverse("intake:new"), {**FORM, "p-given_name": "花子", "p-family_kana": "みほん"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "新しい方を登録するときは、姓を入力してください。" in html
    assert not Consultation.objects.exists()
