"""Consents over HTTP: recorded, then withdrawn as a second record; the first never changes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.urls import reverse

from tomoni.audit.log import verify
from tomoni.audit.models import AuditEvent
from tomoni.directory.models import Staff
from tomoni.people.models import Consent, Person

from ..conftest import BrowserClient, Response, first_member, register_household
from .conftest import rows


@pytest.fixture
def person(personas: dict[str, Staff]) -> Person:
    return first_member(register_household(personas["window"], members=1))


@pytest.fixture
def window(personas: dict[str, Staff], as_user: Callable[..., BrowserClient]) -> BrowserClient:
    return as_user(personas["window"])


def _given(window: BrowserClient, person: Person) -> Consent:
    response = window.post(
        reverse("people:consent_new", args=[person.pk]),
        {"scope": "share", "status": "given", "on": "令和8年2月1日", "method": "written"},
    )
    assert response.status_code == 302
    return Consent.objects.get(person=person, status=Consent.Status.GIVEN)


def _withdraw(window: BrowserClient, person: Person, consent: Consent, on: str) -> Response:
    return window.post(
        reverse("people:consent_withdraw", args=[person.pk, consent.pk]),
        {"on": on, "method": "oral", "note": "電話で撤回の申し出"},
    )


def _stored(consent: Consent) -> dict[str, Any]:
    return dict(Consent.objects.filter(pk=consent.pk).values().get())


def test_consent_is_recorded_and_audited(person: Person, window: BrowserClient) -> None:
    """A given consent is stored as typed and audited as a create."""
    consent = _given(window, person)
    assert (consent.scope, consent.on, consent.method) == ("share", date(2026, 2, 1), "written")
    last = AuditEvent.objects.order_by("-seq").first()
    assert last is not None
    assert (last.action, last.object_type, last.object_id) == (
        "create",
        "people.consent",
        str(consent.pk),
    )


def test_withdrawal_is_a_second_record(person: Person, window: BrowserClient) -> None:
    """Withdrawing adds a withdrawn record that points at the consent; the consent is as it was."""
    consent = _given(window, person)
    original = _stored(consent)
    response = _withdraw(window, person, consent, "令和8年3月1日")
    assert response.status_code == 302
    assert response["Location"] == person.get_absolute_url()
    assert Consent.objects.filter(person=person).count() == 2
    withdrawal = Consent.objects.get(withdraws=consent)
    assert withdrawal.status == Consent.Status.WITHDRAWN
    assert (withdrawal.scope, withdrawal.on, withdrawal.method) == (
        "share",
        date(2026, 3, 1),
        "oral",
    )
    assert _stored(consent) == original
    last = AuditEvent.objects.order_by("-seq").first()
    assert last is not None
    assert (last.action, last.object_type, last.object_id) == (
        "create",
        "people.consent",
        str(withdrawal.pk),
    )

    body = window.get(person.get_absolute_url()).content.decode()
    assert "同意の撤回を記録しました。" in body
    assert "同意撤回" in body
    assert "（撤回済み）" in body
    # Neither record offers a withdrawal any more.
    assert "/withdraw/" not in body
    assert list(verify()) == []


@pytest.mark.parametrize(
    ("on", "message"),
    [
        ("令和8年1月31日", "撤回日は同意日より後にしてください。"),
        ("平成32年1月1日", "撤回日と方法を正しく入力してください。"),
        ("", "撤回日と方法を正しく入力してください。"),
    ],
)
def test_bad_withdrawal_date_is_refused(
    on: str, message: str, person: Person, window: BrowserClient
) -> None:
    """A withdrawal dated before the consent, or not a date, is refused with a message."""
    consent = _given(window, person)
    before = rows()
    response = _withdraw(window, person, consent, on)
    assert rows() == before
    assert response.status_code == 302
    body = window.get(person.get_absolute_url()).content.decode()
    assert message in body


def test_withdrawing_twice_is_refused(person: Person, window: BrowserClient) -> None:
    """A consent already withdrawn cannot be withdrawn again: nothing is written."""
    consent = _given(window, person)
    _withdraw(window, person, consent, "令和8年3月1日")
    window.get(person.get_absolute_url())  # shows (and so clears) the success message
    before = rows()
    response = _withdraw(window, person, consent, "令和8年3月2日")
    assert response.status_code == 302
    assert rows() == before
    body = window.get(person.get_absolute_url()).content.decode()
    assert "この同意はすでに撤回されています。" in body
    assert "同意の撤回を記録しました。" not in body


def test_a_withdrawal_cannot_itself_be_withdrawn(person: Person, window: BrowserClient) -> None:
    """Posting the withdrawn record's own key is refused the same way."""
    consent = _given(window, person)
    _withdraw(window, person, consent, "令和8年3月1日")
    withdrawal = Consent.objects.get(withdraws=consent)
    before = rows()
    _withdraw(window, person, withdrawal, "令和8年3月2日")
    assert rows() == before
    body = window.get(person.get_absolute_url()).content.decode()
    assert "撤回できるのは「同意あり」の記録だけです。" in body


def test_withdrawn_status_cannot_be_posted_as_a_new_consent(
    person: Person, window: BrowserClient
) -> None:
    """The consent form offers only 同意あり / 同意なし; a forged 同意撤回 is refused."""
    before = rows()
    response = window.post(
        reverse("people:consent_new", args=[person.pk]),
        {"scope": "share", "status": "withdrawn", "on": "令和8年2月1日", "method": "oral"},
    )
    assert response.status_code == 200
    assert "正しく選択してください。" in response.content.decode()
    assert rows() == before
