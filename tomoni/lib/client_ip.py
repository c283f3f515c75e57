"""The client's address, for the audit log and login throttling."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest | None) -> str:
    """REMOTE_ADDR; behind our own reverse proxy, the address that proxy saw.

    Only the last X-Forwarded-For entry is trusted: nginx appends the address it received the
    connection from, while anything before it was written by the client and may be forged.
    """
    if request is None:
        return ""
    if settings.TOMONI_BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.split(",")[-1].strip() if forwarded else ""
        if last:
            return last[:45]
    return str(request.META.get("REMOTE_ADDR", ""))[:45]
