"""Login throttling per account and address, and per address across accounts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.test import Client

from tomoni.directory.models import Role, Staff

from .conftest import PASSWORD, sign_in


def locked(response: Any) -> bool:
    return response.status_code in (403, 429) and "一時停止" in response.content.decode()


def test_one_guess_each_on_twenty_accounts_is_throttled(worker: Staff, client: Client) -> None:
    """Password spraying from one address stops: after 20 failures on 20 different names,
    even a right password from that address waits out the cool-off."""
    for number in range(20):
        response = sign_in(client, f"someone-{number:02d}", "Winter2026!")
        assert not locked(response) or number == 19, number
    response = sign_in(client, worker.username)
    assert locked(response)
    assert "_auth_user_id" not in client.session
    assert "この職員ID、またはこの端末のネットワーク" in response.content.decode()
    assert "15分ほど" in response.content.decode()


def test_another_address_is_not_affected(worker: Staff, client: Client) -> None:
    for number in range(20):
        sign_in(client, f"someone-{number:02d}", "Winter2026!")
    other = Client(REMOTE_ADDR="192.0.2.77")
    response = sign_in(other, worker.username)
    assert response.status_code == 302
    assert "_auth_user_id" in other.session


def test_colleagues_typos_followed_by_success_do_not_lock_the_office(
    make_staff: Callable[..., Staff],
) -> None:
    """Eleven people behind one NAT address, each mistyping twice and then getting it right:
    22 failures from one address, above its limit of 20, yet nobody is locked out
    (a success clears that person's failures)."""
    for number in range(11):
        user = make_staff(Role.WINDOW, "window", f"office-{number:02d}")
        user.set_password(PASSWORD)
        user.save()
        client = Client()
        for _ in range(2):
            assert sign_in(client, user.username, "typo-" + PASSWORD).status_code == 200
        response = sign_in(client, user.username)
        assert response.status_code == 302, number


def test_the_address_limit_is_a_setting(worker: Staff, client: Client, settings: Any) -> None:
    settings.TOMONI_LOGIN_IP_FAILURE_LIMIT = 3
    for number in range(3):
        sign_in(client, f"someone-{number:02d}", "Winter2026!")
    assert locked(sign_in(client, worker.username))


def test_five_failures_on_one_account_still_lock_it(worker: Staff, client: Client) -> None:
    for _ in range(5):
        sign_in(client, worker.username, "guess")
    assert locked(sign_in(client, worker.username))
