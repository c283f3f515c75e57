"""認証アプリ: set up with a server-drawn QR code, then the six digits at each login."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import BrowserClient
from tomoni.audit.models import AuditEvent
from tomoni.directory.models import Staff

from .conftest import code, enrol_app, sign_in

pytestmark = pytest.mark.usefixtures("require_2fa")


def test_setup_page_draws_the_qr_code_itself(worker: Staff) -> None:
    """The QR code is an SVG made on the server (no outside service); the key is shown for
    typing in, and nothing is stored before the app proves it holds the key."""
    client = BrowserClient()
    sign_in(client, worker.username)
    page = client.get(reverse("accounts:totp_setup"))
    text = page.content.decode()
    assert page.status_code == 200
    assert 'src="data:image/svg+xml' in text
    assert "http" not in text.split('src="data:image/svg+xml', 1)[1].split('"', 1)[0][:20]
    key = client.session["tomoni_totp_pending_key"]
    secret = base64.b32encode(bytes.fromhex(key)).decode()
    assert " ".join(secret[i : i + 4] for i in range(0, 32, 4)) in text
    assert not TOTPDevice.objects.filter(user=worker).exists()
    # A reload shows the same key, so a scan made a moment ago stays valid.
    client.get(reverse("accounts:totp_setup"))
    assert client.session["tomoni_totp_pending_key"] == key


def test_wrong_code_registers_nothing(worker: Staff) -> None:
    client = BrowserClient()
    sign_in(client, worker.username)
    client.get(reverse("accounts:totp_setup"))
    key = client.session["tomoni_totp_pending_key"]
    wrong = f"{(int(code(key)) + 1) % 1_000_000:06d}"
    response = client.post(reverse("accounts:totp_setup"), {"code": wrong, "name": ""})
    assert response.status_code == 200
    assert "確認コードが一致しません" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=worker).exists()


def test_enrolment_is_audited_and_verifies_the_session(worker: Staff) -> None:
    client = BrowserClient()
    sign_in(client, worker.username)
    enrol_app(client)
    device = TOTPDevice.objects.get(user=worker)
    assert device.name == "業務用スマートフォン" and device.confirmed
    event = AuditEvent.objects.filter(action="create", actor_id=worker.pk).latest("seq")
    assert event.object_type == "otp_totp.totpdevice"
    assert event.detail == {"second_factor": "totp"}
    assert client.get("/").status_code == 200


def test_full_width_digits_and_spaces_are_accepted(worker: Staff) -> None:
    """People type codes as their IME gives them: １２３ ４５６."""
    client = BrowserClient()
    sign_in(client, worker.username)
    key = enrol_app(client)
    client.post(reverse("logout"))
    sign_in(client, worker.username)
    typed = code(key, 1)
    typed = (
        typed[:3].translate(str.maketrans("0123456789", "０１２３４５６７８９")) + " " + typed[3:]
    )
    response = client.post(reverse("accounts:verify"), {"kind": "totp", "code": typed})
    assert response.status_code == 302 and response["Location"] == "/"


def test_login_with_the_app(worker: Staff) -> None:
    """Password, then the code: audited as a second-step login; the same code twice fails."""
    client = BrowserClient()
    sign_in(client, worker.username)
    key = enrol_app(client)
    client.post(reverse("logout"))
    response = sign_in(client, worker.username)
    response = client.get(response["Location"])
    assert response["Location"].startswith(reverse("accounts:verify"))
    page = client.get(response["Location"])
    assert "認証アプリに表示されている6桁の数字" in page.content.decode()
    used = code(key, 1)
    done = client.post(reverse("accounts:verify"), {"kind": "totp", "code": used, "next": "/"})
    assert done["Location"] == "/"
    assert AuditEvent.objects.filter(
        action="login", actor_id=worker.pk, detail__second_factor="totp"
    ).exists()
    # The same code cannot be replayed in another session.
    other = BrowserClient()
    sign_in(other, worker.username)
    again = other.post(reverse("accounts:verify"), {"kind": "totp", "code": used})
    assert again.status_code == 200
    assert "確認コードが正しくありません" in again.content.decode()


def test_wrong_codes_are_audited_and_slow_down(
    worker: Staff, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each wrong code is audited, and the device then refuses codes for a growing wait, so
    the million codes cannot be walked."""
    client = BrowserClient()
    sign_in(client, worker.username)
    key = enrol_app(client)
    client.post(reverse("logout"))
    sign_in(client, worker.username)
    # The server's clock stands still from here: the first wait (1 s) must not run out between
    # two requests on a slow machine.
    frozen = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: frozen)
    wrong = f"{(int(code(key, 1)) + 500_000) % 1_000_000:06d}"
    client.post(reverse("accounts:verify"), {"kind": "totp", "code": wrong})
    first_wait = client.post(reverse("accounts:verify"), {"kind": "totp", "code": wrong})
    assert "秒ほど待ってから" in first_wait.content.decode()  # refused unchecked: no count
    response = client.post(reverse("accounts:verify"), {"kind": "totp", "code": code(key, 1)})
    assert "秒ほど待ってから" in response.content.decode()
    assert client.get("/").status_code == 302
    failed = AuditEvent.objects.filter(action="login_failed", detail__second_factor="totp")
    assert failed.count() == 1


def test_garbage_codes_get_a_message_not_an_error(worker: Staff) -> None:
    client = BrowserClient()
    sign_in(client, worker.username)
    enrol_app(client)
    client.post(reverse("logout"))
    sign_in(client, worker.username)
    for typed in ("", "abc", "9" * 5000, "\x00", "１２３"):
        response = client.post(reverse("accounts:verify"), {"kind": "totp", "code": typed})
        assert response.status_code == 200, typed
    response = client.post(reverse("accounts:verify"), {"kind": "nonsense", "code": "1"})
    assert response.status_code == 200


def test_an_account_with_an_app_cannot_add_one_before_verifying(worker: Staff) -> None:
    """With the password alone nobody can add their own app or passkey to the account."""
    client = BrowserClient()
    sign_in(client, worker.username)
    enrol_app(client)
    client.post(reverse("logout"))
    sign_in(client, worker.username)
    for path in (reverse("accounts:totp_setup"), reverse("accounts:two_factor")):
        response = client.get(path)
        assert response["Location"].startswith(reverse("accounts:verify")), path
    response = client.post(reverse("accounts:passkey_options"))
    assert response.status_code == 302
    assert TOTPDevice.objects.filter(user=worker).count() == 1


def test_removing_a_device(worker: Staff, settings: Any) -> None:
    """Removing is audited; where 2段階認証 is required the last method cannot go."""
    client = BrowserClient()
    sign_in(client, worker.username)
    enrol_app(client)
    device = TOTPDevice.objects.get(user=worker)
    url = reverse("accounts:remove", args=["app", device.pk])
    response = client.post(url, follow=True)
    assert "最後の認証方法は削除できません" in response.content.decode()
    assert TOTPDevice.objects.filter(user=worker).exists()
    settings.TOMONI_REQUIRE_2FA = False
    client.post(url)
    assert not TOTPDevice.objects.filter(user=worker).exists()
    assert AuditEvent.objects.filter(
        action="delete", object_type="otp_totp.totpdevice", object_id=str(device.pk)
    ).exists()


def test_another_persons_device_is_not_found(worker: Staff, make_staff: Any, settings: Any) -> None:
    client = BrowserClient()
    sign_in(client, worker.username)
    enrol_app(client)
    device = TOTPDevice.objects.get(user=worker)
    other = make_staff("window", "window", "mihon-other")
    other.set_password("mihon-shokuin-kagi-2026")
    other.save()
    intruder = BrowserClient()
    sign_in(intruder, other.username)
    enrol_app(intruder)
    response = intruder.post(reverse("accounts:remove", args=["app", device.pk]))
    assert response.status_code == 404
    assert TOTPDevice.objects.filter(pk=device.pk).exists()


def test_next_leads_only_to_our_own_pages(worker: Staff) -> None:
    """A crafted ?next= cannot turn the 2段階認証 pages into a way off the site."""
    client = BrowserClient()
    sign_in(client, worker.username)
    for bad in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        page = client.get(reverse("accounts:two_factor"), {"next": bad}).content.decode()
        assert "evil.example" not in page and "javascript:" not in page
    enrol_app(client, next_url="https://evil.example/")
    page = client.get(reverse("accounts:two_factor"), {"next": "/people/"}).content.decode()
    assert 'href="/people/"' in page


def test_a_next_that_is_not_a_path_is_ignored_not_a_500(worker: Staff) -> None:
    """Found by the fuzz: redirect() took ?next=2026-02-30 for a view name (NoReverseMatch)."""
    client = BrowserClient()
    sign_in(client, worker.username)
    for bad in ("2026-02-30", "people:search", "home"):
        response = client.get(reverse("accounts:verify"), {"next": bad})
        assert response.status_code < 500, bad
        response = client.post(reverse("accounts:verify"), {"next": bad, "code": "000000"})
        assert response.status_code < 500, bad
