"""Helpers shared by the people view tests: form data as a browser would post it, and a
snapshot of the row counts a rejected form must leave alone."""

from __future__ import annotations

from typing import Any

from tomoni.audit.models import AuditEvent
from tomoni.people.models import Consent, Household, Membership, Person, Relation

COUNTED = (Household, Person, Membership, Consent, Relation, AuditEvent)


def rows() -> dict[str, int]:
    """How many rows each people table and the audit log hold."""
    return {model.__name__: model.objects.count() for model in COUNTED}


def person_data(**overrides: Any) -> dict[str, Any]:
    """A complete PersonForm / MemberForm post; overrides replace single fields."""
    data = {
        "relationship": "head",
        "family_name": "稲城",
        "given_name": "太郎",
        "family_kana": "いなぎ",
        "given_kana": "たろう",
        "birth_date": "昭和50年4月3日",
        "sex": "male",
        "phone": "",
        "notes": "",
        "start_date": "",
    }
    data.update(overrides)
    return data


def household_data(**overrides: Any) -> dict[str, Any]:
    """A complete HouseholdForm post."""
    data = {
        "postal_code": "206-0804",
        "address": "稲城市百村1丁目2番3号",
        "district": "",
        "phone": "042-378-2111",
        "notes": "",
    }
    data.update(overrides)
    return data
