"""An admin resets a member's 2段階認証 (lost phone, broken key), audited."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import BrowserClient
from tomoni.accounts.models import RecoveryCodeDevice
from tomoni.audit.models import AuditEvent
from tomoni.directory.models import Staff

from .conftest import code, enrol_app, sign_in

pytestmark = pytest.mark.usefixtures("require_2fa")


def verified_admin(admin: Staff) -> BrowserClient:
    admin.set_password("kanri-mihon-kagi-2026")
    admin.save()
    client = BrowserClient()
    sign_in(client, admin.username, "kanri-mihon-kagi-2026")
    enrol_app(client)
    return client


def test_admin_resets_a_members_devices(worker: Staff, personas: dict[str, Staff]) -> None:
    member = BrowserClient()
    sign_in(member, worker.username)
    key = enrol_app(member)
    member.post(reverse("accounts:recovery_codes"))
    assert RecoveryCodeDevice.objects.filter(user=worker).exists()

    admin = verified_admin(personas["admin"])
    changelist = reverse("admin:directory_staff_changelist")
    assert "選択した職員の2段階認証をリセット" in admin.get(changelist).content.decode()
    response = admin.post(
        changelist, {"action": "reset_two_factor", "_selected_action": [worker.pk]}, follow=True
    )
    assert "1人の2段階認証をリセットしました" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=worker).exists()
    assert not RecoveryCodeDevice.objects.filter(user=worker).exists()
    event = AuditEvent.objects.filter(action="change", object_id=str(worker.pk)).latest("seq")
    assert event.actor_id == personas["admin"].pk
    assert event.object_type == "directory.staff"
    assert event.detail == {"second_factor": "reset", "devices": 2}

    # The member's verified session ends with the device; the old code is no use; a new
    # device can be set up after the password.
    assert member.get("/")["Location"].startswith(reverse("accounts:two_factor"))
    assert code(key)  # the app still shows codes, but nothing accepts them
    enrol_app(member)
    assert member.get("/").status_code == 200


def test_only_admins_reset(
    worker: Staff, personas: dict[str, Staff], as_user: Callable[..., Client], settings: object
) -> None:
    """The auditor (staff in the admin site) cannot; the action refuses anyone but admins."""
    from django.core.exceptions import PermissionDenied
    from django.test import RequestFactory

    from tomoni.accounts.actions import reset_devices

    member = BrowserClient()
    sign_in(member, worker.username)
    enrol_app(member)
    request = RequestFactory().post("/")
    request.user = personas["auditor"]
    with pytest.raises(PermissionDenied):
        reset_devices(request, worker)
    assert TOTPDevice.objects.filter(user=worker).exists()
