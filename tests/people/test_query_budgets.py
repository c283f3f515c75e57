"""Query budgets: the search results, household and person pages use a fixed number of
queries however much they show (no N+1)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tomoni.directory.models import District, Role, Staff, Tag
from tomoni.people import actions
from tomoni.people.models import Consent, Household, Person, Relation, Relationship

from ..conftest import BrowserClient, Queries, first_member, register_household

# Measured on SQLite and PostgreSQL. Every page pays 11 fixed queries: the session, the user
# and the user's agency (page header); saving the session (3, in a savepoint); the audit event
# (5: savepoint, head row, insert, head update, release). The rest is the page's own: search 3
# (count, page, current households), household 7 (record, memberships, which members the
# viewer may open and change, tags, may-change, district, area), person 6 (record,
# memberships, consents, relations both ways, may-change).
SEARCH_BUDGET = 14
HOUSEHOLD_BUDGET = 18
PERSON_BUDGET = 18  # + the person's attachments (issue 19)


def _households(user: Staff, sizes: list[int]) -> list[Household]:
    """Households of the given sizes, spread over districts, with zero to two tags."""
    districts = list(District.objects.all())
    tags = list(Tag.objects.all())
    return [
        register_household(
            user,
            members=size,
            district=districts[index % len(districts)],
            tags=tags[: index % 3],
        )
        for index, size in enumerate(sizes)
    ]


@pytest.fixture
def window(personas: dict[str, Staff]) -> Staff:
    return personas["window"]


def test_search_page_queries_do_not_grow_with_results(
    window: Staff, as_user: Callable[..., BrowserClient], queries: Queries
) -> None:
    """5 results in 2 households and 50 results in 40 households cost the same queries."""
    client = as_user(window)
    url = reverse("people:search")
    small = _households(window, [3, 2])
    client.get(url, {"q": "みほん"})  # warm-up: nothing first-time-only is counted
    few = queries(client, url, q="みほん")
    assert "5 件" in client.get(url, {"q": "みほん"}).content.decode()

    large = _households(window, [2] * 7 + [1] * 31)
    # Some people belong to two households now, and some have left one.
    for household in large[:5]:
        actions.add_membership(window, first_member(household), small[0], Relationship.CHILD)
    for household in large[5:10]:
        membership = household.memberships.order_by("pk")[0]
        actions.end_membership(window, membership, date(2026, 4, 1), "moved_out")
    assert Household.objects.count() == 40
    many = queries(client, url, q="みほん")
    assert "50 件" in client.get(url, {"q": "みほん"}).content.decode()

    assert len(many) == len(few), queries.differ(few, many)
    assert len(many) <= SEARCH_BUDGET
    # The htmx partial costs no more than the page.
    with CaptureQueriesContext(connection) as partial:
        client.get(url, {"q": "みほん"}, headers={"HX-Request": "true"})
    assert len(partial) <= len(many)


def test_household_page_queries_do_not_grow_with_members(
    window: Staff, as_user: Callable[..., BrowserClient], queries: Queries
) -> None:
    """A household of 2 and one of 30 current and 10 former members cost the same queries."""
    client = as_user(window)
    small, large = _households(window, [2, 40])
    large.tags.set(Tag.objects.all())
    for membership in large.memberships.order_by("pk")[30:]:
        actions.end_membership(window, membership, date(2026, 4, 1), "facility")
    client.get(small.get_absolute_url())
    few = queries(client, small.get_absolute_url())
    many = queries(client, large.get_absolute_url())
    assert len(many) == len(few), queries.differ(few, many)
    assert len(many) <= HOUSEHOLD_BUDGET


def test_person_page_queries_do_not_grow_with_history(
    window: Staff,
    make_staff: Callable[..., Staff],
    as_user: Callable[..., BrowserClient],
    queries: Queries,
) -> None:
    """A person with one household and one with many households, consents and relations
    cost the same queries."""
    client = as_user(window)
    households = _households(window, [1] * 9)
    simple = first_member(households[0])
    busy = first_member(households[1])
    for index, household in enumerate(households[2:]):
        membership = actions.add_membership(window, busy, household, Relationship.CHILD)
        if index % 2:
            actions.end_membership(window, membership, date(2026, 4, 1), "hospital")
    colleague = make_staff(Role.COORDINATOR, "shakyo")
    for scope in Consent.Scope.values:
        for recorder in (window, colleague):
            consent = actions.record_consent(
                window,
                busy,
                scope=scope,
                status=Consent.Status.GIVEN,
                on=date(2026, 2, 1),
                method=Consent.Method.WRITTEN,
            )
            # Withdrawn by two different staff: the recorder's name is on every row.
            actions.withdraw_consent(
                recorder, consent, on=date(2026, 3, 1), method=Consent.Method.ORAL
            )
    # Relations in both directions: the page reads each side with its own query.
    kinds = Relation.Kind.values
    for index, household in enumerate(households[2:]):
        pair = (busy, first_member(household))
        actions.add_relation(window, *(pair if index % 2 else pair[::-1]), kinds[index])
    assert Consent.objects.filter(person=busy).count() == 12
    assert Relation.objects.count() == 7
    assert Person.objects.get(pk=busy.pk).memberships.count() == 8

    client.get(simple.get_absolute_url())
    few = queries(client, simple.get_absolute_url())
    many = queries(client, busy.get_absolute_url())
    assert len(many) == len(few), queries.differ(few, many)
    assert len(many) <= PERSON_BUDGET
