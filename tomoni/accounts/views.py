"""2段階認証: the verify step after the password, and the pages to set it up and manage it."""

from __future__ import annotations

import base64
import secrets
from typing import Any
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import actions, passkeys, twofactor
from .forms import CodeForm, TotpSetupForm
from .middleware import before_second_factor, enrolment
from .models import WebAuthnDevice

PENDING_KEY = "tomoni_totp_pending_key"
WRONG = {
    actions.TOTP_KIND: "確認コードが正しくありません。"
    "アプリに表示されている最新の6桁を入力してください。",
    actions.RECOVERY_KIND: "リカバリーコードが正しくないか、すでに使われています。",
}


def _next(request: HttpRequest) -> str:
    return _safe_next(request) or reverse("home")


def _safe_next(request: HttpRequest) -> str:
    """The page the user was heading for, if it is one of ours; else empty."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    # A path of ours only: redirect() would take "2026-02-30" for a view name (a 500).
    if not url.startswith("/") or url.startswith("//"):
        return ""
    if url_has_allowed_host_and_scheme(url, {request.get_host()}, request.is_secure()):
        return url
    return ""


def _here_then_next(name: str, request: HttpRequest) -> str:
    """The URL of ``name``, carrying on the page the user was heading for."""
    nxt = _safe_next(request)
    return f"{reverse(name)}?{urlencode({'next': nxt})}" if nxt else reverse(name)


@require_GET
@enrolment
def two_factor(request: HttpRequest) -> HttpResponse:
    """「2段階認証」: what is set up, and the ways to add, renew or remove."""
    user: Any = request.user
    recovery = twofactor.recovery_device(user)
    return render(
        request,
        "accounts/two_factor.html",
        {
            "apps": TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk"),
            "passkeys": WebAuthnDevice.objects.filter(user=user, confirmed=True).order_by("pk"),
            "recovery_left": recovery.codes.filter(used_at__isnull=True).count()
            if recovery
            else None,
            "required": settings.TOMONI_REQUIRE_2FA,
            "pending": twofactor.must_verify(request),
            "next": _safe_next(request),
        },
    )


@require_http_methods(["GET", "POST"])
@enrolment
def totp_setup(request: HttpRequest) -> HttpResponse:
    """Add an authenticator app: scan the QR code, type the code it shows."""
    # The key waits in the session; nothing is stored until the app has proved it holds it.
    key = request.session.setdefault(PENDING_KEY, secrets.token_hex(20))
    form = TotpSetupForm(request.POST or None)
    if form.is_valid():
        try:
            actions.enrol_totp(request, key, form.cleaned_data["code"], form.cleaned_data["name"])
        except ValidationError as error:
            form.add_error("code", error)
        else:
            request.session.pop(PENDING_KEY, None)
            messages.success(request, "認証アプリを登録しました。")
            return redirect(_here_then_next("accounts:two_factor", request))
    user: Any = request.user
    url = TOTPDevice(user=user, key=key).config_url
    secret = TOTPDevice(key=key).bin_key
    return render(
        request,
        "accounts/totp_setup.html",
        {
            "form": form,
            "qr": segno.make(url, error="m").svg_data_uri(scale=5, dark="#1a1a1a"),
            "otpauth": url,
            "secret": " ".join(_base32(secret)[i : i + 4] for i in range(0, 32, 4)),
            "pending": twofactor.must_verify(request),
            "next": _safe_next(request),
        },
    )


def _base32(key: bytes) -> str:
    return base64.b32encode(key).decode()


@require_POST
@enrolment
def passkey_options(request: HttpRequest) -> HttpResponse:
    return HttpResponse(passkeys.registration_options(request), content_type="application/json")


@require_POST
@enrolment
def passkey_register(request: HttpRequest) -> JsonResponse:
    name = request.POST.get("name", "").strip()[:64]
    try:
        actions.enrol_passkey(request, request.POST.get("credential", ""), name)
    except ValidationError as error:
        return JsonResponse({"message": error.messages[0]}, status=400)
    messages.success(request, "生体認証・セキュリティキーを登録しました。")
    return JsonResponse({"redirect": _here_then_next("accounts:two_factor", request)})


@require_http_methods(["GET", "POST"])
@before_second_factor
def verify(request: HttpRequest) -> HttpResponse:
    """The second step after the password."""
    if not twofactor.must_verify(request):
        return redirect(_next(request))
    user: Any = request.user
    if not twofactor.has_method(user):
        return redirect(_here_then_next("accounts:two_factor", request))
    kind = request.POST.get("kind", actions.TOTP_KIND)
    if kind not in (actions.TOTP_KIND, actions.RECOVERY_KIND):
        kind = actions.TOTP_KIND
    bound = request.POST or None
    forms = {
        actions.TOTP_KIND: CodeForm(bound if kind == actions.TOTP_KIND else None),
        actions.RECOVERY_KIND: CodeForm(
            bound if kind == actions.RECOVERY_KIND else None, recovery=True, prefix="r"
        ),
    }
    form = forms[kind]
    if form.is_valid():
        wait = actions.wait_seconds(request, kind)
        if wait:
            form.add_error("code", f"誤りが続いたため、{wait}秒ほど待ってから入力してください。")
        elif actions.verify_code(request, kind, form.cleaned_data["code"]):
            return redirect(_next(request))
        else:
            form.add_error("code", WRONG[kind])
    return render(
        request,
        "accounts/verify.html",
        {
            "totp_form": forms[actions.TOTP_KIND],
            "recovery_form": forms[actions.RECOVERY_KIND],
            "has_app": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
            "has_passkey": WebAuthnDevice.objects.filter(user=user, confirmed=True).exists(),
            "has_recovery": twofactor.recovery_device(user) is not None,
            "recovery_open": kind == actions.RECOVERY_KIND,
            "next": _next(request),
        },
    )


@require_POST
@before_second_factor
def passkey_challenge(request: HttpRequest) -> HttpResponse:
    return HttpResponse(passkeys.authentication_options(request), content_type="application/json")


@require_POST
@before_second_factor
def passkey_verify(request: HttpRequest) -> JsonResponse:
    if actions.verify_passkey(request, request.POST.get("credential", "")) is None:
        return JsonResponse({"message": passkeys.FAILED}, status=400)
    return JsonResponse({"redirect": _next(request)})


@require_POST
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes, shown on this page once and never again."""
    try:
        codes = actions.issue_recovery_codes(request.user, request=request)  # type: ignore[arg-type]
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("accounts:two_factor")
    return render(
        request,
        "accounts/recovery_codes.html",
        {"codes": codes, "created": timezone.now(), "next": _next(request)},
    )


@require_POST
def remove(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    models: dict[str, Any] = {"app": TOTPDevice, "passkey": WebAuthnDevice}
    model = models.get(kind)
    device = model.objects.filter(user=request.user, pk=pk).first() if model else None
    if device is None:
        raise Http404
    try:
        actions.remove_device(request, device)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, f"「{device.name}」を削除しました。")
    return redirect("accounts:two_factor")
