"""Passwords: 12 characters or more, not on the common list, and not guessable (zxcvbn)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from bench.build_dataset import BENCH_PASSWORD
from tests.conftest import BrowserClient
from tomoni.demo.city import DEMO_PASSWORD, DEMO_STAFF
from tomoni.directory.models import Role, Staff

from .conftest import PASSWORD, enrol_app, sign_in


@pytest.mark.parametrize(
    "password",
    [
        "aaaaaaaaaaaa",  # twelve characters, one repeated
        "Passw0rd!Passw0rd",  # a common word, substituted and repeated
        "password1234",
        "qwertyuiopasdf",  # a keyboard row
        "short-2026",  # under 12
        "123456789012",
        "19800101tomoni",  # a date and the product's name
    ],
)
def test_weak_passwords_are_refused(password: str) -> None:
    with pytest.raises(ValidationError):
        validate_password(password)


def test_the_strength_message_is_japanese() -> None:
    with pytest.raises(ValidationError) as caught:
        validate_password("Passw0rd!Passw0rd")
    assert any("推測されやすいパスワードです" in m for m in caught.value.messages)


def test_a_password_like_the_username_is_refused(make_staff: Callable[..., Staff]) -> None:
    user = make_staff(Role.WINDOW, "window", "mihon-hanako")
    with pytest.raises(ValidationError):
        validate_password("mihon-hanako-1", user)


@pytest.mark.parametrize(
    "password", [DEMO_PASSWORD, BENCH_PASSWORD, PASSWORD, "kanri-mihon-kagi-2026"]
)
def test_the_projects_own_passwords_pass(password: str, make_staff: Callable[..., Staff]) -> None:
    """The demo's published password, the load runner's and the ones tests sign in with all
    pass the validators as the demo accounts would (they are set with make_password /
    set_password, which do not validate, so this checks it)."""
    for username, name, _agency, role, _staff in DEMO_STAFF:
        validate_password(password, Staff(username=username, display_name=name, role=role))


def test_admin_refuses_a_weak_password_when_setting_one(
    personas: dict[str, Staff], require_2fa: None
) -> None:
    """Where staff passwords are set (the admin's password form), the rules apply."""
    admin = personas["admin"]
    admin.set_password("kanri-mihon-kagi-2026")
    admin.save()
    client = BrowserClient()
    sign_in(client, admin.username, "kanri-mihon-kagi-2026")
    enrol_app(client)
    member = personas["window"]
    url = reverse("admin:auth_user_password_change", args=[member.pk])
    response = client.post(
        url, {"password1": "Passw0rd!Passw0rd", "password2": "Passw0rd!Passw0rd"}
    )
    assert response.status_code == 200
    assert "推測されやすいパスワードです" in response.content.decode()
    member.refresh_from_db()
    assert not member.has_usable_password()
    client.post(url, {"password1": PASSWORD, "password2": PASSWORD})
    member.refresh_from_db()
    assert member.check_password(PASSWORD)  # the form itself works: the refusal was the rule
