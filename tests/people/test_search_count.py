"""The search page counts its results without a COUNT(*) when they fit on the first page
(at a city's scale the count cost as much as the search: bench/load.py); past one page it
still counts them all, and every page shows the same people as before."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tomoni.directory.models import Staff
from tomoni.people.models import Person

from ..conftest import BrowserClient, register_household


def _counts(client: BrowserClient, **params: str) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        body = client.get(reverse("people:search"), params).content.decode()
    return body, sum("COUNT(*)" in q["sql"] for q in queries.captured_queries)


@pytest.mark.parametrize("members", [3, 4])
def test_one_page_needs_no_count(
    members: int,
    personas: dict[str, Staff],
    as_user: Callable[..., BrowserClient],
    settings: Any,
) -> None:
    settings.TOMONI_SEARCH_PAGE_SIZE = 4
    window = personas["window"]
    register_household(window, members=members)
    body, counts = _counts(as_user(window), q="みほん")
    assert f"{members} 件" in body
    assert counts == 0
    assert body.count("見本") >= members


def test_more_than_a_page_is_counted_and_paged(
    personas: dict[str, Staff], as_user: Callable[..., BrowserClient], settings: Any
) -> None:
    settings.TOMONI_SEARCH_PAGE_SIZE = 2
    window = personas["window"]
    register_household(window, members=3)
    register_household(window, members=2)
    client = as_user(window)
    first, counts = _counts(client, q="みほん")
    assert "5 件" in first and counts == 1
    for page in ("2", "3"):
        body, counts = _counts(client, q="みほん", page=page)
        assert "5 件" in body and counts == 1
    # The pages together list each of the five exactly once.
    pages = [_counts(client, q="みほん", page=p)[0] for p in "123"]
    for person in Person.objects.all():
        link = f'href="{person.get_absolute_url()}"'
        assert sum(page.count(link) for page in pages) == 1
