"""Second-factor devices beside django-otp's TOTPDevice (認証アプリ).

Each is a django-otp ``Device``, so a verified session records which one was used
(``request.user.otp_device``) and loses its verification as soon as that device is removed.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_otp.models import Device, ThrottlingMixin, TimestampMixin


class WebAuthnDevice(TimestampMixin, Device):
    """A passkey: the terminal's 生体認証 (Windows Hello, Touch ID) or a security key.

    Only the public key is stored: a copy of the database lets nobody sign in with it.
    """

    credential_id = models.CharField("認証情報ID", max_length=1400, unique=True)  # base64url
    public_key = models.BinaryField("公開鍵")
    sign_count = models.PositiveBigIntegerField("署名回数", default=0)
    transports = models.JSONField("接続方法", default=list, blank=True)

    class Meta:
        verbose_name = "生体認証・セキュリティキー"
        verbose_name_plural = "生体認証・セキュリティキー"

    def verify_token(self, token: Any) -> bool:
        # Verified by a signed challenge (tomoni.accounts.passkeys), never by a typed token.
        return False


def recovery_digest(code: str) -> str:
    """SHA-256 of a normalised code. Codes carry 60 random bits, so no salt or slow hash
    is needed to keep them from being guessed back from the digest."""
    return hashlib.sha256(code.encode()).hexdigest()


class RecoveryCodeDevice(TimestampMixin, ThrottlingMixin, Device):
    """The set of one-time recovery codes (リカバリーコード) for when the phone or key is lost.

    django-otp's StaticDevice keeps its codes in clear text; these are stored hashed and
    shown once, when issued.
    """

    class Meta:
        verbose_name = "リカバリーコード"
        verbose_name_plural = "リカバリーコード"

    def get_throttle_factor(self) -> int:
        return int(settings.OTP_TOTP_THROTTLE_FACTOR)

    def verify_token(self, token: Any) -> bool:
        """Spend one unused code matching ``token`` (already normalised)."""
        allowed, _ = self.verify_is_allowed()
        if not allowed:
            return False
        spent = self.codes.filter(digest=recovery_digest(str(token)), used_at__isnull=True)
        if spent.update(used_at=timezone.now()) == 1:
            self.throttle_reset(commit=False)
            self.set_last_used_timestamp(commit=False)
            self.save()
            return True
        self.throttle_increment(commit=True)
        return False


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField(max_length=64)
    used_at = models.DateTimeField("使用日時", null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["device", "digest"])]

    def __str__(self) -> str:
        return f"#{self.pk}"
