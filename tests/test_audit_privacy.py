"""Audit rows say who looked at what, never what was typed (issue 16, audit (a))."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client
from django.urls import reverse

from tomoni.audit.models import AuditEvent
from tomoni.directory.models import Staff
from tomoni.people.models import Household, Person

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


def test_after_the_daily_flows_no_typed_personal_data_is_in_the_audit_log(
    personas: dict[str, Staff], as_user: Callable[..., Client]
) -> None:
    """The window registers a household and a member, edits the member, searches the register
    and the consultations; the coordinator searches cases and writes a note. Every value typed
    is personal data; none of it may be in any audit row — only who, which record, which fields."""
    typed = {
        "family_name": "鈴見本",
        "given_name": "典子",
        "family_kana": "すずみほん",
        "given_kana": "のりこ",
        "birth_date": "1961-07-23",
        "phone": "090-7531-8642",
        "notes": "持病の薬を飲み忘れがち",
    }
    address = "稲城市矢野口9-8-7"
    window = as_user(personas["window"])
    response = window.post(
        reverse("people:household_new"),
        {"address": address, "phone": "042-111-2222", "notes": "二世帯住宅の1階"},
    )
    assert response.status_code == 302, response.content.decode()[:300]
    household = Household.objects.filter(created_by=personas["window"]).latest("pk").pk
    response = window.post(
        reverse("people:member_new", args=[household]),
        {**typed, "relationship": "head", "sex": "female"},
    )
    assert response.status_code == 302, response.content.decode()[:300]
    person = Person.objects.get(family_name=typed["family_name"])
    edited = {**typed, "notes": "通院は月2回、娘が付き添う", "sex": "female"}
    assert window.post(reverse("people:person_edit", args=[person.pk]), edited).status_code == 302
    for query in ("鈴見本 典子", "すずみほん", "S36.7.23", "090-7531-8642"):
        assert window.get(reverse("people:search"), {"q": query}).status_code == 200
    assert window.get(reverse("intake:index"), {"q": "薬を飲み忘れ"}).status_code == 200
    coordinator = as_user(personas["coordinator"])
    assert coordinator.get(reverse("cases:index"), {"q": "典子さん"}).status_code == 200
    audit = _all_audit_text()
    assert str(person.pk) in audit  # the reads and writes are there …
    secrets = [
        *typed.values(),
        address,
        "042-111-2222",
        "二世帯住宅",
        "通院は月2回",
        "S36.7.23",
        "典子さん",
        "薬を飲み忘れ",
        "鈴見本",
        "すずみほん",
        "1961",
    ]
    for secret in secrets:  # … never what was typed
        assert secret not in audit, secret
