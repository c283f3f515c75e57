"""The ジェノグラム and エコマップ pages issue the same number of queries for a family of six
as for one of fourteen with more supporters: no query per person or per tie (a family with
no relatives at all stops searching earlier, so it is only held to the ceiling)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.urls import reverse

from tomoni.directory.models import Staff
from tomoni.ecomap.actions import add_tie
from tomoni.people import actions
from tomoni.people.models import Household, Person, Relation

from ..conftest import BrowserClient, Queries, register_household

pytestmark = pytest.mark.django_db
BUDGET = 30


def _count(queries: Queries, client: BrowserClient, url: str) -> int:
    client.get(url)  # warm the session
    return len(queries(client, url))


def big_family(coordinator: Staff, siblings: int = 1, supporters: int = 1) -> Household:
    household = register_household(coordinator, members=4)
    head, spouse, *children = (m.person for m in household.memberships.order_by("pk"))
    for child in children:
        actions.add_relation(coordinator, head, child, Relation.Kind.PARENT_CHILD)
        actions.add_relation(coordinator, spouse, child, Relation.Kind.PARENT_CHILD)
    for given in ("茂", "節子"):
        actions.register_relative(
            coordinator, head, {"family_name": "見本", "given_name": given}, role="parent"
        )
    sibling: Person | None = None
    for given in ("由美", "進", "修", "誠", "勇")[:siblings]:
        sibling = actions.register_relative(
            coordinator, spouse, {"family_name": "試験", "given_name": given}, role="sibling"
        ).to_person
    assert sibling is not None
    actions.register_relative(
        coordinator, sibling, {"family_name": "試験", "given_name": "翼"}, role="child"
    )
    for name in ("民生委員", "隣家", "友人", "保育園")[:supporters]:
        add_tie(
            coordinator, household, {"kind": "informal", "informal_kind": "other", "name": name}
        )
    return household


def test_pictures_cost_the_same_for_two_people_and_twelve(
    personas: dict[str, Staff],
    as_user: Callable[[Staff | None], BrowserClient],
    queries: Queries,
) -> None:
    coordinator = personas["coordinator"]
    lone = register_household(coordinator)
    small = big_family(coordinator)
    big = big_family(coordinator, siblings=5, supporters=4)
    client = as_user(coordinator)
    for name in ("people:genogram", "ecomap:household"):
        few = _count(queries, client, reverse(name, args=[small.pk]))
        many = _count(queries, client, reverse(name, args=[big.pk]))
        assert many == few, name
        assert _count(queries, client, reverse(name, args=[lone.pk])) <= many <= BUDGET, name
    page = client.get(reverse("people:genogram", args=[big.pk])).content.decode()
    assert page.count('class="genogram__person') == 12
