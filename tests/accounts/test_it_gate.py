"""The second step stands between the password and every page (TOMONI_REQUIRE_2FA)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse

from tests.conftest import register_household
from tomoni.audit.models import AuditEvent
from tomoni.directory.models import Staff
from tomoni.people.models import Household

from .conftest import code, enrol_app, sign_in

# Open between the password and the second step, and why.
OPEN = {
    "/accounts/login/": "the login page (sends a signed-in user on; the gate then applies)",
    "/admin/login/": "the admin's login page, open like ours",
    "/healthz": "no data, for load balancers",
    "/accounts/logout/": "leaving is always allowed",
}
# Open only while the account has no second factor: setting one up.
ENROLMENT = {
    "/accounts/2fa/",
    "/accounts/2fa/app/",
    "/accounts/2fa/passkey/options/",
    "/accounts/2fa/passkey/",
}
VERIFY = {
    "/accounts/2fa/verify/",
    "/accounts/2fa/verify/passkey/options/",
    "/accounts/2fa/verify/passkey/",
}


def every_path() -> Iterator[str]:
    """Every URL the project routes, with sample values for its parameters."""

    def walk(patterns: list[Any], prefix: str) -> Iterator[str]:
        for pattern in patterns:
            route = str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + route)
            else:
                yield prefix + route

    for route in walk(get_resolver().url_patterns, ""):
        if route.startswith("^") or "(?P" in route or route.startswith("static"):
            continue  # the admin's regex routes are covered by /admin/ and its model pages
        path = re.sub(r"<int:\w+>", "1", route)
        path = re.sub(r"<(?:str|slug|path):\w+>", "x", path)
        yield "/" + path.lstrip("/")


def test_every_route_is_listed() -> None:
    """The walk above sees the project's pages (so the tests below cannot pass empty)."""
    paths = set(every_path())
    assert len(paths) > 100
    assert {"/", "/people/", "/admin/", *ENROLMENT, *VERIFY} <= paths


@pytest.mark.usefixtures("require_2fa")
def test_password_only_session_reaches_no_page(
    personas: dict[str, Staff], as_user: Callable[..., Client]
) -> None:
    """Signed in with the password alone, every page (GET or POST) leads to setting up the
    second step: nothing is shown and nothing is written."""
    register_household(personas["coordinator"])
    client = as_user(personas["coordinator"])
    households, events = Household.objects.count(), AuditEvent.objects.count()
    setup = reverse("accounts:two_factor")
    # The verify routes answer for themselves (no second factor to check: back to setup).
    for path in sorted(set(every_path()) - set(OPEN) - ENROLMENT - VERIFY):
        for method in (client.get, client.post):
            response = method(path)
            assert response.status_code == 302, (path, method, response.status_code)
            assert response["Location"].startswith(setup), (path, response["Location"])
    assert Household.objects.count() == households
    assert AuditEvent.objects.count() == events  # nothing viewed, listed or changed


@pytest.mark.usefixtures("require_2fa")
def test_enrolled_account_must_verify_before_any_page(
    worker: Staff, as_user: Callable[..., Client]
) -> None:
    """With a second factor set up, a password-only session is sent to the verify step from
    everywhere — including the pages that would add another device."""
    client = as_user(None)
    sign_in(client, worker.username)
    enrol_app(client)
    client.post(reverse("logout"))
    sign_in(client, worker.username)
    verify = reverse("accounts:verify")
    for path in sorted(set(every_path()) - set(OPEN) - VERIFY):
        response = client.get(path)
        assert response.status_code == 302, (path, response.status_code)
        assert response["Location"].startswith(verify), (path, response["Location"])


@pytest.mark.usefixtures("require_2fa")
def test_htmx_requests_are_sent_to_the_step_too(
    personas: dict[str, Staff], as_user: Callable[..., Client]
) -> None:
    """An htmx request gets HX-Redirect rather than the verify page swapped into a part."""
    client = as_user(personas["window"])
    response = client.get(reverse("people:search"), HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("accounts:two_factor"))


@pytest.mark.usefixtures("require_2fa")
def test_after_the_second_step_pages_open_and_stay_open(worker: Staff) -> None:
    """Verified once per session: the next pages need no new code."""
    from tests.conftest import BrowserClient

    client = BrowserClient()
    response = sign_in(client, worker.username)
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response["Location"].startswith(reverse("accounts:two_factor"))
    enrol_app(client, next_url="/people/")
    for path in ("/", "/people/", "/consultations/", "/"):
        assert client.get(path).status_code == 200, path


def test_off_outside_production_for_accounts_without_a_second_factor(
    worker: Staff, settings: Any
) -> None:
    """Development and the demo: an account with nothing set up goes straight in, and is
    invited to set it up."""
    from tests.conftest import BrowserClient

    settings.TOMONI_REQUIRE_2FA = False
    client = BrowserClient()
    sign_in(client, worker.username)
    page = client.get("/", follow=True)
    assert page.status_code == 200
    text = page.content.decode()
    assert "2段階認証が未設定です" in text
    assert reverse("accounts:two_factor") in text


def test_off_outside_production_but_an_enrolled_account_still_verifies(
    worker: Staff, settings: Any
) -> None:
    """Someone who set up 2段階認証 is asked for it, whatever the setting."""
    from tests.conftest import BrowserClient

    settings.TOMONI_REQUIRE_2FA = False
    client = BrowserClient()
    sign_in(client, worker.username)
    key = enrol_app(client)
    client.post(reverse("logout"))
    sign_in(client, worker.username)
    response = client.get("/people/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:verify"))
    verify = client.post(
        reverse("accounts:verify"), {"kind": "totp", "code": code(key, 1), "next": "/people/"}
    )
    assert verify["Location"] == "/people/"
    assert client.get("/people/").status_code == 200


def test_production_requires_it_by_default() -> None:
    """TOMONI_ENV=production turns the requirement on unless told otherwise."""
    import os
    import subprocess
    import sys

    code_ = "from django.conf import settings; print(settings.TOMONI_REQUIRE_2FA)"
    env = {**os.environ, "TOMONI_ENV": "production", "SECRET_KEY": "x" * 60}
    env.pop("TOMONI_REQUIRE_2FA", None)
    result = subprocess.run(  # noqa: S603 — our own settings, fixed arguments
        [sys.executable, "-c", f"import django; django.setup(); {code_}"],
        env={**env, "DJANGO_SETTINGS_MODULE": "tomoni.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "True"
