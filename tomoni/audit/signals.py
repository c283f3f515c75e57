"""Logins, logouts and failed logins go into the audit chain."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from .log import Action, record


@receiver(user_logged_in)
def _logged_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    record(Action.LOGIN, actor=user, request=request)


@receiver(user_logged_out)
def _logged_out(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record(Action.LOGOUT, actor=user, request=request)


@receiver(user_login_failed)
def _login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # The username typed is kept (it may be mistyped, but an attack shows as a pattern);
    # the password never is.
    username = str(credentials.get("username", ""))[:150]
    record(Action.LOGIN_FAILED, request=request, username=username, actor=None)
