"""生体認証・セキュリティキー (WebAuthn): registered and used through the same two requests
the browser script makes, answered by a software authenticator."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from tests.conftest import BrowserClient, Response
from tomoni.accounts.models import WebAuthnDevice
from tomoni.audit.models import AuditEvent
from tomoni.directory.models import Staff

from .authenticator import SoftAuthenticator
from .conftest import sign_in

pytestmark = pytest.mark.usefixtures("require_2fa")


def register(client: BrowserClient, key: SoftAuthenticator, name: str = "窓口PC 3番") -> Response:
    options = client.post(reverse("accounts:passkey_options"))
    assert options.status_code == 200 and options["Content-Type"] == "application/json"
    answer = key.create(json.loads(options.content))
    return client.post(reverse("accounts:passkey_register"), {"credential": answer, "name": name})


def verify(client: BrowserClient, key: SoftAuthenticator, **kwargs: int) -> Response:
    options = client.post(reverse("accounts:passkey_challenge"))
    answer = key.get(json.loads(options.content), **kwargs)
    return client.post(reverse("accounts:passkey_verify"), {"credential": answer, "next": "/"})


def test_register_then_sign_in_with_a_passkey(worker: Staff) -> None:
    client = BrowserClient()
    sign_in(client, worker.username)
    key = SoftAuthenticator()
    response = register(client, key)
    assert response.status_code == 200, response.content
    assert json.loads(response.content)["redirect"] == reverse("accounts:two_factor")
    device = WebAuthnDevice.objects.get(user=worker)
    assert device.name == "窓口PC 3番" and device.transports == ["internal"]
    assert AuditEvent.objects.filter(
        action="create", object_type="accounts.webauthndevice"
    ).exists()

    client.post(reverse("logout"))
    sign_in(client, worker.username)
    assert client.get("/").status_code == 302
    response = verify(client, key)
    assert response.status_code == 200, response.content
    assert json.loads(response.content) == {"redirect": "/"}
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(action="login", detail__second_factor="passkey").exists()


def test_a_forged_or_replayed_answer_is_refused(worker: Staff) -> None:
    """Another key's signature, a reused challenge or a counter that went back all fail,
    audited, and the session stays unverified."""
    client = BrowserClient()
    sign_in(client, worker.username)
    key = SoftAuthenticator()
    register(client, key)
    client.post(reverse("logout"))
    sign_in(client, worker.username)

    forger = SoftAuthenticator()
    forger.credential_id = key.credential_id  # same id, different private key
    response = verify(client, forger)
    assert response.status_code == 400
    assert "確認できませんでした" in json.loads(response.content)["message"]

    options = json.loads(client.post(reverse("accounts:passkey_challenge")).content)
    answer = key.get(options)
    assert (
        client.post(reverse("accounts:passkey_verify"), {"credential": answer}).status_code == 200
    )
    client.post(reverse("logout"))
    sign_in(client, worker.username)
    # The same signed answer again (its challenge is spent).
    replay = client.post(reverse("accounts:passkey_verify"), {"credential": answer})
    assert replay.status_code == 400
    # A cloned key whose counter lags behind the real one.
    assert verify(client, key, sign_count=1).status_code == 400
    assert client.get("/").status_code == 302
    assert (
        AuditEvent.objects.filter(action="login_failed", detail__second_factor="passkey").count()
        == 3
    )


def test_garbage_is_refused_with_a_message(worker: Staff) -> None:
    client = BrowserClient()
    sign_in(client, worker.username)
    for credential in ("", "not json", "[]", '{"id": 1}', "{" * 5000):
        client.post(reverse("accounts:passkey_options"))
        response = client.post(reverse("accounts:passkey_register"), {"credential": credential})
        assert response.status_code == 400, credential
        assert "確認できませんでした" in json.loads(response.content)["message"]
    assert not WebAuthnDevice.objects.exists()


def test_the_same_key_twice_is_refused(worker: Staff) -> None:
    client = BrowserClient()
    sign_in(client, worker.username)
    key = SoftAuthenticator()
    register(client, key)
    options = json.loads(client.post(reverse("accounts:passkey_options")).content)
    excluded = [c["id"] for c in options["excludeCredentials"]]
    assert len(excluded) == 1  # the browser is told not to register it again
    response = client.post(
        reverse("accounts:passkey_register"), {"credential": key.create(options)}
    )
    assert response.status_code == 400
    assert WebAuthnDevice.objects.count() == 1


def test_the_page_offers_passkeys_through_a_static_script(worker: Staff) -> None:
    """The ceremony runs in tomoni/static/tomoni/js/two_factor.js (CSP: no inline code)."""
    client = BrowserClient()
    sign_in(client, worker.username)
    text = client.get(reverse("accounts:two_factor")).content.decode()
    assert "/static/tomoni/js/two_factor.js" in text
    assert 'data-passkey="register"' in text
