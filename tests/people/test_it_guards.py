"""Every people view: anonymous → login, wrong method → 405, outsider → the same 404 as for
a record that does not exist. (Read-only 403s are in tests/test_access_policy.py.)"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils.html import strip_tags

from tomoni.directory.models import Staff
from tomoni.people import actions
from tomoni.people.models import Consent

from ..conftest import BrowserClient, first_member, register_household
from .conftest import household_data, person_data, rows

MISSING = 10**6  # added to every key: a record that does not exist


def _urls(household: int, membership: int, person: int, consent: int) -> dict[str, str]:
    return {
        "search": reverse("people:search"),
        "household_new": reverse("people:household_new"),
        "household": reverse("people:household", args=[household]),
        "household_edit": reverse("people:household_edit", args=[household]),
        "member_new": reverse("people:member_new", args=[household]),
        "membership_end": reverse("people:membership_end", args=[household, membership]),
        "person": reverse("people:person", args=[person]),
        "person_edit": reverse("people:person_edit", args=[person]),
        "consent_new": reverse("people:consent_new", args=[person]),
        "consent_withdraw": reverse("people:consent_withdraw", args=[person, consent]),
    }


# The method each view answers, and one it refuses.
METHODS: dict[str, tuple[str, str]] = {
    "search": ("GET", "POST"),
    "household_new": ("GET", "PUT"),
    "household": ("GET", "POST"),
    "household_edit": ("GET", "PUT"),
    "member_new": ("GET", "PUT"),
    "membership_end": ("GET", "PUT"),
    "person": ("GET", "POST"),
    "person_edit": ("GET", "PUT"),
    "consent_new": ("GET", "PUT"),
    "consent_withdraw": ("POST", "GET"),
}
RECORD_VIEWS = [name for name in METHODS if name not in ("search", "household_new")]


def _send(client: BrowserClient, method: str, path: str) -> Any:
    if method == "GET":
        return client.get(path)
    if method == "POST":
        return client.post(path, {"on": "令和8年3月1日", "method": "oral"})
    # Other unsafe methods carry the token in the header, as htmx sends it.
    client.get("/accounts/login/", follow=True)
    token = client.cookies["csrftoken"].value
    return client.generic(method, path, "", HTTP_X_CSRFTOKEN=token)


@pytest.fixture
def world(personas: dict[str, Staff]) -> dict[str, int]:
    """A household the window registered, with a member and one consent."""
    household = register_household(personas["window"])
    person = first_member(household)
    consent = actions.record_consent(
        personas["window"],
        person,
        scope=Consent.Scope.SHARE_WITH_AGENCIES,
        status=Consent.Status.GIVEN,
        on=date(2026, 2, 1),
        method=Consent.Method.WRITTEN,
    )
    membership = household.memberships.get(person=person)
    return {
        "household": household.pk,
        "membership": membership.pk,
        "person": person.pk,
        "consent": consent.pk,
    }


@pytest.mark.parametrize("view", list(METHODS))
def test_anonymous_is_sent_to_login(
    view: str, world: dict[str, int], as_user: Callable[..., BrowserClient]
) -> None:
    """An anonymous visitor is redirected to the login page, which brings them back."""
    path = _urls(**world)[view]
    response = _send(as_user(None), METHODS[view][0], path)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={quote(path)}"


@pytest.mark.parametrize("view", list(METHODS))
def test_wrong_method_is_refused(
    view: str,
    world: dict[str, int],
    personas: dict[str, Staff],
    as_user: Callable[..., BrowserClient],
) -> None:
    """A method the view does not serve gets 405, even for the record's owner."""
    allowed, wrong = METHODS[view]
    response = _send(as_user(personas["window"]), wrong, _urls(**world)[view])
    assert response.status_code == 405
    assert allowed in response["Allow"]


def _normalised(body: str, path: str, pk: int) -> str:
    """The page without what must differ: the CSRF token, the address and the key asked for."""
    body = re.sub(r"[A-Za-z0-9]{64}", "TOKEN", body)
    body = body.replace(path, "PATH")
    return body.replace(f'name="object_id" value="{pk}"', 'name="object_id" value="PK"')


@pytest.mark.parametrize("view", RECORD_VIEWS)
def test_outsider_gets_the_same_404_as_for_a_missing_record(
    view: str,
    world: dict[str, int],
    personas: dict[str, Staff],
    as_user: Callable[..., BrowserClient],
) -> None:
    """Agency B cannot tell the window's record from one that does not exist."""
    client = as_user(personas["agency_b"])
    method = METHODS[view][0]
    real_path = _urls(**world)[view]
    missing_path = _urls(**{k: v + MISSING for k, v in world.items()})[view]
    real = _send(client, method, real_path)
    missing = _send(client, method, missing_path)
    assert real.status_code == missing.status_code == 404
    real_body, missing_body = real.content.decode(), missing.content.decode()
    assert strip_tags(real_body) == strip_tags(missing_body)
    pk = world["person"] if real_path.startswith("/persons/") else world["household"]
    assert _normalised(real_body, real_path, pk) == _normalised(
        missing_body, missing_path, pk + MISSING
    )
    assert "お探しの記録は存在しないか、閲覧する権限がありません。" in real_body


def test_outsider_changes_nothing(
    world: dict[str, int],
    personas: dict[str, Staff],
    as_user: Callable[..., BrowserClient],
) -> None:
    """Agency B's posts to the window's records are refused and write nothing."""
    client = as_user(personas["agency_b"])
    urls = _urls(**world)
    before = rows()
    posts = {
        "household_edit": household_data(address="書き換え"),
        "member_new": person_data(),
        "membership_end": {"end_date": "令和8年3月1日", "end_reason": "facility"},
        "person_edit": person_data(family_kana="かきかえ"),
        "consent_new": {"scope": "share", "status": "given", "on": "令和8年3月1日"},
        "consent_withdraw": {"on": "令和8年3月1日", "method": "oral"},
    }
    for view, data in posts.items():
        assert client.post(urls[view], data).status_code == 404, view
    assert rows() == before


@pytest.mark.parametrize("persona", ["agency_b", "coordinator"])
def test_keys_from_two_records_do_not_combine(
    persona: str,
    world: dict[str, int],
    personas: dict[str, Staff],
    as_user: Callable[..., BrowserClient],
) -> None:
    """A household with another household's membership, or a person with another person's
    consent, is a 404 — whether or not the user may see both records."""
    own = register_household(personas[persona], members=1)
    own_person = first_member(own)
    client = as_user(personas[persona])
    end = reverse("people:membership_end", args=[own.pk, world["membership"]])
    withdraw = reverse("people:consent_withdraw", args=[own_person.pk, world["consent"]])
    before = rows()
    assert client.get(end).status_code == 404
    assert client.post(end, {"end_date": "令和8年3月1日", "end_reason": "other"}).status_code == 404
    assert client.post(withdraw, {"on": "令和8年3月1日", "method": "oral"}).status_code == 404
    assert rows() == before
