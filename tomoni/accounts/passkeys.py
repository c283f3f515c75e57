"""WebAuthn ceremonies (passkeys: 生体認証 or a security key) on the server side.

The browser half is tomoni/static/tomoni/js/passkeys.js. Each ceremony is a challenge kept
in the session, answered by a signature the browser asks the authenticator for.
"""

from __future__ import annotations

import json
from typing import Any

import webauthn
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from webauthn.helpers import bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from .models import WebAuthnDevice

CHALLENGE = "tomoni_webauthn_challenge"
FAILED = "生体認証・セキュリティキーを確認できませんでした。もう一度お試しください。"


def rp_id(request: HttpRequest) -> str:
    return str(settings.TOMONI_WEBAUTHN_RP_ID or request.get_host().rsplit(":", 1)[0])


def origins(request: HttpRequest) -> list[str]:
    return list(settings.TOMONI_WEBAUTHN_ORIGINS) or [f"{request.scheme}://{request.get_host()}"]


def _descriptors(user: Any) -> list[PublicKeyCredentialDescriptor]:
    return [
        PublicKeyCredentialDescriptor(id=webauthn.base64url_to_bytes(credential_id))
        for credential_id in WebAuthnDevice.objects.filter(user=user).values_list(
            "credential_id", flat=True
        )
    ]


def registration_options(request: HttpRequest) -> str:
    user: Any = request.user
    options = webauthn.generate_registration_options(
        rp_id=rp_id(request),
        rp_name=settings.TOMONI_2FA_ISSUER,
        user_name=user.username,
        user_display_name=user.display_name or user.username,
        user_id=f"tomoni-staff-{user.pk}".encode(),
        # A second factor after the password: no need to keep the account on the key.
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.DISCOURAGED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=_descriptors(user),
    )
    request.session[CHALLENGE] = bytes_to_base64url(options.challenge)
    return webauthn.options_to_json(options)


def authentication_options(request: HttpRequest) -> str:
    options = webauthn.generate_authentication_options(
        rp_id=rp_id(request),
        allow_credentials=_descriptors(request.user),
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    request.session[CHALLENGE] = bytes_to_base64url(options.challenge)
    return webauthn.options_to_json(options)


def _challenge(request: HttpRequest) -> bytes:
    """The pending challenge, used once whatever the outcome."""
    value = request.session.pop(CHALLENGE, "")
    if not value:
        raise ValidationError(FAILED)
    return webauthn.base64url_to_bytes(value)


def _parse(credential: str) -> dict[str, Any]:
    try:
        data = json.loads(credential)
    except ValueError as error:
        raise ValidationError(FAILED) from error
    if not isinstance(data, dict):
        raise ValidationError(FAILED)
    return data


def verify_registration(request: HttpRequest, credential: str) -> dict[str, Any]:
    """The new passkey's id, public key and counter, or ValidationError."""
    challenge = _challenge(request)
    data = _parse(credential)
    try:
        verified = webauthn.verify_registration_response(
            credential=data,
            expected_challenge=challenge,
            expected_rp_id=rp_id(request),
            expected_origin=origins(request),
        )
    except (WebAuthnException, ValueError, TypeError, KeyError) as error:
        raise ValidationError(FAILED) from error
    transports = data.get("response", {}).get("transports", [])
    return {
        "credential_id": bytes_to_base64url(verified.credential_id),
        "public_key": verified.credential_public_key,
        "sign_count": verified.sign_count,
        "transports": [t for t in transports if isinstance(t, str)][:10]
        if isinstance(transports, list)
        else [],
    }


def verify_authentication(request: HttpRequest, credential: str) -> tuple[WebAuthnDevice, int]:
    """The user's passkey that signed the challenge and its new counter, or ValidationError."""
    challenge = _challenge(request)
    data = _parse(credential)
    device = WebAuthnDevice.objects.filter(
        user=request.user, confirmed=True, credential_id=str(data.get("id", ""))[:1400]
    ).first()
    if device is None:
        raise ValidationError(FAILED)
    try:
        verified = webauthn.verify_authentication_response(
            credential=data,
            expected_challenge=challenge,
            expected_rp_id=rp_id(request),
            expected_origin=origins(request),
            credential_public_key=bytes(device.public_key),
            credential_current_sign_count=device.sign_count,
        )
    except (WebAuthnException, ValueError, TypeError, KeyError) as error:
        raise ValidationError(FAILED) from error
    return device, verified.new_sign_count
