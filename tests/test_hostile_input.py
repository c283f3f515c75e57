"""Hostile input found by tests/policy/test_fuzz.py (issue 16), one focused test each: a
clear message or a 404, never a 500, and nothing written."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tomoni.directory.models import Staff
from tomoni.people.models import Household

HUGE = "99999999999999999999"


@pytest.mark.django_db
def test_a_tag_key_past_the_database_integers_is_a_form_error(
    personas: dict[str, Staff], as_user: Callable[..., Any]
) -> None:
    client = as_user(personas["window"])
    response = client.post("/households/new/", {"address": "稲城市東長沼1丁目", "tags": HUGE})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["tags"] == ["選択肢の中から選んでください。"], form.errors
    assert not Household.objects.exists()
