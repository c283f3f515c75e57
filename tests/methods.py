"""Sending any method the way a browser (or htmx) would: unsafe methods carry the CSRF
token, so a 405 is the view's answer and not the CSRF check's 403."""

from __future__ import annotations

from typing import Any

from .conftest import BrowserClient


def send(client: BrowserClient, method: str, path: str, data: dict[str, Any] | None = None) -> Any:
    if method == "GET":
        return client.get(path)
    if method == "POST":
        return client.post(path, data or {})
    client.get("/accounts/login/", follow=True)
    token = client.cookies["csrftoken"].value
    return client.generic(method, path, "", HTTP_X_CSRFTOKEN=token)
