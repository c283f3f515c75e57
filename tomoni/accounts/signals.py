"""At login: note whether the account has a second factor, and invite those without one."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from . import twofactor


@receiver(user_logged_in)
def _note_second_factor(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    enrolled = twofactor.has_method(user)
    request.session[twofactor.SESSION_ENROLLED] = enrolled
    if not enrolled and not settings.TOMONI_REQUIRE_2FA:
        messages.info(
            request,
            "2段階認証が未設定です。画面右上の「2段階認証」から、スマートフォンの認証アプリや"
            "この端末の生体認証を登録できます。",
            fail_silently=True,
        )
