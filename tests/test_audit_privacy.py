"""Audit rows say who looked at what, never what was typed (issue 16, audit (a))."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client
from django.urls import reverse

from tomoni.audit.models import AuditEvent
from tomoni.directory.models import Staff

from .conftest import register_household

TYPED = ["高橋", "一郎", "たかはし", "1957-03-04", "昭和32年3月4日", "東長沼"]


def _all_audit_text() -> str:
    return "\n".join(
        " ".join(str(value) for value in row)
        for row in AuditEvent.objects.values_list(
            "actor_username", "object_type", "object_id", "path", "reason", "detail"
        )
    )


def test_searches_leave_no_typed_name_in_the_audit_log(
    personas: dict[str, Staff], as_user: Callable[..., Client]
) -> None:
    """The person search and the intake candidate panel are audited by the names of what was
    asked (query keys) and how many were shown, never by the name or birth date typed."""
    register_household(personas["window"])
    client = as_user(personas["window"])
    searched = client.get(reverse("people:search"), {"q": "高橋 一郎"})
    assert searched.status_code == 200
    panel = client.get(
        reverse("intake:matches"),
        {
            "p-family_name": "高橋",
            "p-given_name": "一郎",
            "p-family_kana": "たかはし",
            "p-birth_date": "昭和32年3月4日",
            "address": "東長沼",
        },
    )
    assert panel.status_code == 200
    # A search that finds somebody is kept as a search with its count.
    client.get(reverse("people:search"), {"q": "見本"})
    text = _all_audit_text()
    for typed in TYPED:
        assert typed not in text
    found = AuditEvent.objects.filter(path="/people/?q").latest("seq")
    assert found.detail["search"] == "検索"
    assert found.detail["hits"] == len(found.detail["ids"]) == 2
