"""リカバリーコード: shown once, stored hashed, each good for one login."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse

from tests.conftest import BrowserClient
from tomoni.accounts.models import RecoveryCode
from tomoni.audit.models import AuditEvent
from tomoni.directory.models import Staff

from .conftest import enrol_app, sign_in

pytestmark = pytest.mark.usefixtures("require_2fa")
CODE = re.compile(r"<code>([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})</code>")


def issue(client: BrowserClient) -> list[str]:
    page = client.post(reverse("accounts:recovery_codes"))
    assert page.status_code == 200
    return CODE.findall(page.content.decode())


def test_codes_are_shown_once_and_stored_hashed(worker: Staff) -> None:
    client = BrowserClient()
    sign_in(client, worker.username)
    enrol_app(client)
    codes = issue(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    with connection.cursor() as cursor:
        cursor.execute("SELECT digest FROM accounts_recoverycode")
        stored = " ".join(row[0] for row in cursor.fetchall())
    for code in codes:
        assert code not in stored and code.replace("-", "") not in stored
    manage = client.get(reverse("accounts:two_factor")).content.decode()
    assert not CODE.search(manage)
    assert "使えるコード" in manage
    event = AuditEvent.objects.filter(action="create", detail__second_factor="recovery").get()
    assert event.detail["count"] == 10 and codes[0] not in str(event.detail)


def test_a_code_signs_in_once(worker: Staff) -> None:
    client = BrowserClient()
    sign_in(client, worker.username)
    enrol_app(client)
    codes = issue(client)
    client.post(reverse("logout"))
    sign_in(client, worker.username)
    typed = codes[3].lower().replace("-", " ")  # as read out over the phone
    response = client.post(reverse("accounts:verify"), {"kind": "recovery", "r-code": typed})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert RecoveryCode.objects.filter(used_at__isnull=False).count() == 1
    client.post(reverse("logout"))
    sign_in(client, worker.username)
    again = client.post(reverse("accounts:verify"), {"kind": "recovery", "r-code": codes[3]})
    assert "すでに使われています" in again.content.decode()
    assert client.get("/").status_code == 302


def test_new_codes_replace_the_old(worker: Staff) -> None:
    client = BrowserClient()
    sign_in(client, worker.username)
    enrol_app(client)
    old = issue(client)
    issue(client)
    client.post(reverse("logout"))
    sign_in(client, worker.username)
    response = client.post(reverse("accounts:verify"), {"kind": "recovery", "r-code": old[0]})
    assert response.status_code == 200
    assert client.get("/").status_code == 302


def test_no_codes_without_an_app_or_passkey(worker: Staff, settings: Any) -> None:
    """Codes back up a method; alone they would be a password written on paper. (Where
    2段階認証 is required, the gate sends such an account to the setup page first.)"""
    settings.TOMONI_REQUIRE_2FA = False
    client = BrowserClient()
    sign_in(client, worker.username)
    response = client.post(reverse("accounts:recovery_codes"), follow=True)
    assert "先に認証アプリか生体認証・セキュリティキーを登録してください" in (
        response.content.decode()
    )
    assert not RecoveryCode.objects.exists()
