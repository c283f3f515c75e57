"""Every write to second-factor devices: each checks who may do it, writes and audits in one
transaction (tomoni.audit.log.record)."""

from __future__ import annotations

import secrets
import unicodedata
from typing import Any

import django_otp
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tomoni.audit.log import Action, record
from tomoni.directory.models import Role, Staff

from . import passkeys, twofactor
from .models import RecoveryCode, RecoveryCodeDevice, WebAuthnDevice, recovery_digest

# Crockford's base32: no I, L, O or U, so a code read aloud or copied by hand stays right.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 12  # 60 bits
LOOK_ALIKES = str.maketrans("OIL", "011")
TOTP_KIND, RECOVERY_KIND, PASSKEY_KIND = "totp", "recovery", "passkey"


def _owner(request: HttpRequest) -> Any:
    """The signed-in user, who may change their own devices only once the session has passed
    the second step — or before any device exists (the first enrolment)."""
    user = request.user
    if not user.is_authenticated:
        raise PermissionDenied
    if not twofactor.is_verified(request) and twofactor.has_method(user):
        raise PermissionDenied
    return user


def _verified(request: HttpRequest, device: Any) -> None:
    """Mark the session as having passed the second step with ``device``; a new session key,
    as at any rise in privilege."""
    request.session.cycle_key()
    django_otp.login(request, device)
    request.session[twofactor.SESSION_ENROLLED] = True


def normalise_code(value: str) -> str:
    """Full-width digits and letters, spaces and hyphens as people type them."""
    text = unicodedata.normalize("NFKC", value).upper()
    text = "".join(ch for ch in text if ch.isalnum())
    # Crockford's reading of look-alikes.
    return text.translate(LOOK_ALIKES)


def totp_matches(key_hex: str, code: str) -> int | None:
    """The time step ``code`` belongs to (±1 step of clock drift), or None."""
    digits = normalise_code(code)
    if not (digits.isdigit() and len(digits) == 6):
        return None
    totp = TOTP(bytes.fromhex(key_hex))
    for drift in (0, -1, 1):
        totp.drift = drift
        if totp.token() == int(digits):
            return int(totp.t())
    return None


@transaction.atomic
def enrol_totp(request: HttpRequest, key_hex: str, code: str, name: str) -> TOTPDevice:
    """Register an authenticator app once it has shown it holds the key (its current code)."""
    user = _owner(request)
    step = totp_matches(key_hex, code)
    if step is None:
        raise ValidationError(
            "確認コードが一致しません。アプリに表示されている最新の6桁を入力してください。"
        )
    device: TOTPDevice = TOTPDevice.objects.create(
        user=user, name=name or "認証アプリ", key=key_hex, confirmed=True, last_t=step
    )
    record(Action.CREATE, request=request, obj=device, detail={"second_factor": TOTP_KIND})
    _verified(request, device)
    return device


@transaction.atomic
def enrol_passkey(request: HttpRequest, credential: str, name: str) -> WebAuthnDevice:
    """Register a passkey from the browser's answer to the registration challenge."""
    user = _owner(request)
    found = passkeys.verify_registration(request, credential)
    if WebAuthnDevice.objects.filter(credential_id=found["credential_id"]).exists():
        raise ValidationError("この生体認証・セキュリティキーは登録済みです。")
    device: WebAuthnDevice = WebAuthnDevice.objects.create(
        user=user, name=name or "生体認証・セキュリティキー", confirmed=True, **found
    )
    record(Action.CREATE, request=request, obj=device, detail={"second_factor": PASSKEY_KIND})
    _verified(request, device)
    return device


@transaction.atomic
def remove_device(request: HttpRequest, device: Any) -> None:
    """Remove one of one's own apps or passkeys. The last one takes the recovery codes with
    it; where 2段階認証 is required, the last one cannot go."""
    user = _owner(request)
    if device.user_id != user.pk:
        raise PermissionDenied
    others = [d for d in twofactor.methods(user) if d != device]
    if not others and settings.TOMONI_REQUIRE_2FA:
        raise ValidationError(
            "2段階認証が必須のため、最後の認証方法は削除できません。先に別の方法を登録してください。"
        )
    record(Action.DELETE, request=request, obj=device)
    device.delete()
    if not others:
        RecoveryCodeDevice.objects.filter(user=user).delete()


@transaction.atomic
def issue_recovery_codes(
    user: Staff, *, request: HttpRequest | None = None, count: int | None = None
) -> list[str]:
    """New recovery codes (the old ones stop working). Returned once; only digests are kept.

    From a request the user must own the session's verification; the load runner (bench/)
    calls this without a request for its synthetic accounts.
    """
    if request is not None and _owner(request) != user:
        raise PermissionDenied
    if not twofactor.has_method(user):
        raise ValidationError("先に認証アプリか生体認証・セキュリティキーを登録してください。")
    count = count or settings.TOMONI_RECOVERY_CODES
    codes = [
        "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH)) for _ in range(count)
    ]
    device, _ = RecoveryCodeDevice.objects.get_or_create(
        user=user, defaults={"name": "リカバリーコード", "confirmed": True}
    )
    device.codes.all().delete()
    RecoveryCode.objects.bulk_create(
        RecoveryCode(device=device, digest=recovery_digest(code)) for code in codes
    )
    record(
        Action.CREATE,
        actor=user,
        request=request,
        obj=device,
        detail={"second_factor": RECOVERY_KIND, "count": count},
    )
    return [f"{code[:4]}-{code[4:8]}-{code[8:]}" for code in codes]


def verify_code(request: HttpRequest, kind: str, code: str) -> Any:
    """The second step with a typed code: the device that accepted it, or None.

    A failure is audited and counts towards the device's growing wait (django-otp's
    throttling), so the code space cannot be walked.
    """
    user: Any = request.user
    model = TOTPDevice if kind == TOTP_KIND else RecoveryCodeDevice
    token = normalise_code(code)[:40]
    with transaction.atomic():
        accepted = None
        for device in model.objects.select_for_update().filter(user=user, confirmed=True):
            if device.verify_token(token):
                accepted = device
                break
        if accepted is None:
            record(Action.LOGIN_FAILED, request=request, detail={"second_factor": kind})
            return None
        record(Action.LOGIN, request=request, detail={"second_factor": kind})
        _verified(request, accepted)
    return accepted


def wait_seconds(request: HttpRequest, kind: str) -> int:
    """How long the user's devices of ``kind`` refuse codes after repeated failures."""
    model = TOTPDevice if kind == TOTP_KIND else RecoveryCodeDevice
    waits = []
    for device in model.objects.filter(user=request.user, confirmed=True):
        allowed, data = device.verify_is_allowed()
        if allowed:
            return 0
        waits.append((data["locked_until"] - timezone.now()).total_seconds())
    return max(1, int(min(waits))) if waits else 0


def verify_passkey(request: HttpRequest, credential: str) -> WebAuthnDevice | None:
    """The second step with a passkey: the device that signed, or None (audited)."""
    with transaction.atomic():
        try:
            device, sign_count = passkeys.verify_authentication(request, credential)
        except ValidationError:
            record(Action.LOGIN_FAILED, request=request, detail={"second_factor": PASSKEY_KIND})
            return None
        device.sign_count = sign_count
        device.set_last_used_timestamp(commit=False)
        device.save(update_fields=["sign_count", "last_used_at"])
        record(Action.LOGIN, request=request, detail={"second_factor": PASSKEY_KIND})
        _verified(request, device)
    return device


@transaction.atomic
def reset_devices(request: HttpRequest, member: Staff) -> int:
    """An admin removes every second factor of a member (a lost phone, a broken key). The
    member then signs in with the password and sets up a new one."""
    admin: Any = request.user
    if getattr(admin, "role", None) != Role.ADMIN or not admin.is_active:
        raise PermissionDenied
    removed = 0
    for model in (TOTPDevice, WebAuthnDevice, RecoveryCodeDevice):
        removed += model.objects.filter(user=member).delete()[1].get(model._meta.label, 0)
    record(
        Action.CHANGE,
        request=request,
        obj=member,
        detail={"second_factor": "reset", "devices": removed},
    )
    return removed
