"""Accounts with real passwords, and the steps a person takes through the login."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP

from tomoni.directory.models import Role, Staff

# Passes the validators (tests/accounts/test_passwords.py checks it does).
PASSWORD = "mihon-shokuin-kagi-2026"


@pytest.fixture(autouse=True)
def fast_hashing(settings: Any) -> None:
    """These tests sign in (and fail to) many times; Argon2's cost would make that minutes.
    tests/test_security.py checks the real hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def require_2fa(settings: Any) -> None:
    settings.TOMONI_REQUIRE_2FA = True


@pytest.fixture
def worker(make_staff: Callable[..., Staff]) -> Staff:
    """A 窓口 worker who signs in with a password, as people do."""
    user = make_staff(Role.WINDOW, "window", "mihon-worker")
    user.set_password(PASSWORD)
    user.save()
    return user


def sign_in(client: Client, username: str, password: str = PASSWORD) -> Any:
    return client.post(reverse("login"), {"username": username, "password": password})


def code(key_hex: str, steps_ahead: int = 0) -> str:
    """What the authenticator app shows now (or ``steps_ahead`` 30-second steps later; the
    server accepts one step of drift, and never the same step twice)."""
    totp = TOTP(bytes.fromhex(key_hex))
    totp.drift = steps_ahead
    return f"{totp.token():06d}"


def enrol_app(client: Client, next_url: str = "") -> str:
    """Set up an authenticator app through the pages; the key it holds."""
    url = reverse("accounts:totp_setup") + (f"?next={next_url}" if next_url else "")
    page = client.get(url)
    assert page.status_code == 200, page
    key = client.session["tomoni_totp_pending_key"]
    response = client.post(url, {"code": code(key), "name": "業務用スマートフォン"})
    assert response.status_code == 302, response.content.decode()
    return str(key)
