"""Who must pass the second step, and with what."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import RecoveryCodeDevice, WebAuthnDevice

# Set at login: the account had a second factor then (see signals.py). Outside production
# this is what makes an enrolled account verify, without a device query on every request.
SESSION_ENROLLED = "tomoni_2fa_enrolled"


def methods(user: Any) -> list[Any]:
    """The user's authenticator apps and passkeys (recovery codes only back these up)."""
    totp = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk")
    passkeys = WebAuthnDevice.objects.filter(user=user, confirmed=True).order_by("pk")
    return [*totp, *passkeys]


def has_method(user: Any) -> bool:
    return (
        TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        or WebAuthnDevice.objects.filter(user=user, confirmed=True).exists()
    )


def recovery_device(user: Any) -> RecoveryCodeDevice | None:
    return RecoveryCodeDevice.objects.filter(user=user, confirmed=True).first()


def is_verified(request: HttpRequest) -> bool:
    return getattr(request.user, "otp_device", None) is not None


def must_verify(request: HttpRequest) -> bool:
    """Signed in with the password, but the second step is still due."""
    if not request.user.is_authenticated or is_verified(request):
        return False
    return bool(settings.TOMONI_REQUIRE_2FA or request.session.get(SESSION_ENROLLED))
