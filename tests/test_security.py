"""Security basics: headers, sessions, password hashing, throttling, deploy checks, and the
code rules that keep personal data behind tomoni/access."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.test import Client
from django.urls import reverse

from tomoni.access import policy
from tomoni.directory.models import Role, Staff

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = sorted(ROOT.glob("tomoni/**/templates/**/*.html"))
PERSONAL_MODELS = sorted(label.split(".")[1] for label in policy.PERSONAL_MODELS)


def test_templates_have_no_inline_script_or_style() -> None:
    """The CSP forbids inline code, so no template may rely on it."""
    assert TEMPLATES
    for path in TEMPLATES:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), path
        assert "style=" not in text, path
        assert "<style" not in text, path
        assert not re.search(r"\bon[a-z]+=\"", text), path  # onclick= and friends


def test_nothing_is_loaded_from_outside() -> None:
    """Closed networks: templates and static files name no outside host."""
    files = [
        *TEMPLATES,
        *ROOT.glob("tomoni/static/tomoni/css/*.css"),
        *ROOT.glob("tomoni/static/tomoni/js/*.js"),
    ]
    for path in files:
        text = path.read_text(encoding="utf-8")
        for url in re.findall(r"https?://[^\s\"')]+", text):
            assert re.match(r"https?://(127\.0\.0\.1|localhost|www\.w3\.org)", url), (path, url)


def test_csp_and_headers(personas: dict[str, Staff], as_user: Callable[..., Client]) -> None:
    """Pages carry a CSP without inline allowances, and signed-in pages are not cached."""
    response = as_user(personas["coordinator"]).get(reverse("home"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert "no-store" in response["Cache-Control"]


def test_passwords_are_hashed_with_argon2(make_staff: Callable[..., Staff]) -> None:
    user = make_staff(Role.WINDOW, "window")
    user.set_password("correct horse battery staple")
    assert user.password.startswith("argon2")


def test_idle_sessions_expire_after_30_minutes(
    make_staff: Callable[..., Staff], client: Client
) -> None:
    """Each request pushes the session's end 30 minutes ahead; once past it, login again."""
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    user = make_staff(Role.WINDOW, "window", username="idle")
    user.set_password("correct horse battery staple")
    user.save()
    client.post(reverse("login"), {"username": "idle", "password": "correct horse battery staple"})
    Session.objects.update(expire_date=timezone.now() + timedelta(minutes=5))
    assert client.get(reverse("home")).status_code == 200
    renewed = Session.objects.get().expire_date - timezone.now()
    assert timedelta(minutes=29) < renewed <= timedelta(minutes=30)
    # 30 minutes without a request:
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_idle_sessions_expire_after_the_second_step_too(
    make_staff: Callable[..., Staff], settings: Any
) -> None:
    """Passing 2段階認証 does not lengthen a session: 30 idle minutes still end it, and the
    next login asks for the password and the second step again."""
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from tests.accounts.conftest import code, enrol_app
    from tests.conftest import BrowserClient

    settings.TOMONI_REQUIRE_2FA = True
    user = make_staff(Role.WINDOW, "window", username="idle2fa")
    user.set_password("mihon-shokuin-kagi-2026")
    user.save()
    client = BrowserClient()
    login = {"username": "idle2fa", "password": "mihon-shokuin-kagi-2026"}
    client.post(reverse("login"), login)
    key = enrol_app(client)
    assert client.get(reverse("home")).status_code == 200
    renewed = Session.objects.get().expire_date - timezone.now()
    assert timedelta(minutes=29) < renewed <= timedelta(minutes=30)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.post(reverse("login"), login)
    response = client.get(reverse("home"))
    assert response["Location"].startswith(reverse("accounts:verify"))
    client.post(reverse("accounts:verify"), {"kind": "totp", "code": code(key, 1)})
    assert client.get(reverse("home")).status_code == 200


def test_repeated_failed_logins_are_throttled(
    make_staff: Callable[..., Staff], client: Client
) -> None:
    """After five failures even the right password is refused for a while."""
    user = make_staff(Role.WINDOW, "window", username="target")
    user.set_password("correct horse battery staple")
    user.save()
    for _ in range(5):
        client.post(reverse("login"), {"username": "target", "password": "guess"})
    response = client.post(
        reverse("login"), {"username": "target", "password": "correct horse battery staple"}
    )
    assert response.status_code in (403, 429)
    assert "一時停止" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_page_is_japanese(client: Client) -> None:
    response = client.get(reverse("login"))
    text = response.content.decode()
    assert response.status_code == 200
    assert "ログイン" in text and "職員ID" in text and 'lang="ja"' in text


def test_wrong_password_message_is_japanese(
    make_staff: Callable[..., Staff], client: Client
) -> None:
    make_staff(Role.WINDOW, "window", username="someone")
    response = client.post(reverse("login"), {"username": "someone", "password": "x"})
    assert "職員IDまたはパスワードが正しくありません" in response.content.decode()


def test_production_settings_pass_the_deploy_check(tmp_path: Path) -> None:
    """`manage.py check --deploy` is clean with production settings from the environment."""
    env = {
        **os.environ,
        "TOMONI_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "TOMONI_AUDIT_KEY": secrets.token_urlsafe(48),  # outside the database (issue 16)
        "ALLOWED_HOSTS": "tomoni.example.jp",
        "TOMONI_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    result = subprocess.run(  # noqa: S603 — our own manage.py, fixed arguments
        [sys.executable, str(ROOT / "manage.py"), "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    env = {**os.environ, "TOMONI_ENV": "production", "TOMONI_VAR_DIR": str(tmp_path)}
    env.pop("SECRET_KEY", None)
    result = subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "manage.py"), "check"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
