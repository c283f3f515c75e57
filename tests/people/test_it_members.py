"""Members shown through a visible record (issue 14, findings 3 and 5): a household page, a case
page or a print shows the members the viewer may not open with the 世帯構成 only (続柄, name,
age, sex) — no birth date, no link, no edit — and any write on a member needs CHANGE on them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from tomoni import access
from tomoni.directory.models import Staff
from tomoni.people import actions as people_actions
from tomoni.people.models import Household, Membership, Person, Relationship

from ..conftest import register_household
from ..intake.conftest import take

BIRTH = date(1972, 5, 14)


def _family(window: Staff) -> tuple[Household, Person, Person]:
    """An 8050 household registered by the window: the mother and her son."""
    household = people_actions.register_household(window, address="稲城市東長沼1丁目1番1号")
    mother = people_actions.register_person(
        window,
        {
            "family_name": "見本",
            "given_name": "幸子",
            "sex": "female",
            "birth_date": date(1944, 3, 3),
        },
        household=household,
        relationship=Relationship.HEAD,
    )
    son = people_actions.register_person(
        window,
        {"family_name": "見本", "given_name": "一郎", "sex": "male", "birth_date": BIRTH},
        household=household,
        relationship=Relationship.CHILD,
    )
    return household, mother, son


def _consulted_by(agency_worker: Staff, window: Staff) -> tuple[Household, Person, Person]:
    """The 地域包括 worker took a consultation about the mother only."""
    household, mother, son = _family(window)
    take(agency_worker, person=mother, shown={mother.pk})
    assert access.can(agency_worker, access.VIEW, household)
    assert access.can(agency_worker, access.VIEW, mother)
    assert not access.can(agency_worker, access.VIEW, son)
    return household, mother, son


def test_household_page_shows_only_the_composition_of_members_not_opened(
    personas: dict[str, Staff], as_user: Callable[..., Client]
) -> None:
    household, mother, son = _consulted_by(personas["agency_a"], personas["window"])
    page = as_user(personas["agency_a"]).get(reverse("people:household", args=[household.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "見本 一郎" in html  # the composition: 続柄, name, age, sex
    assert reverse("people:person", args=[son.pk]) not in html
    assert "昭和47年5月14日" not in html and "1972-05-14" not in html
    son_membership = Membership.objects.get(person=son)
    assert reverse("people:membership_end", args=[household.pk, son_membership.pk]) not in html
    assert reverse("people:person", args=[mother.pk]) in html  # the person they work with


def test_ending_a_membership_needs_change_on_that_member(
    personas: dict[str, Staff], as_user: Callable[..., Client]
) -> None:
    """Finding 3: /households/<h>/members/<son>/end/ answered 200 with the form."""
    household, mother, son = _consulted_by(personas["agency_a"], personas["window"])
    client = as_user(personas["agency_a"])
    son_membership = Membership.objects.get(person=son)
    url = reverse("people:membership_end", args=[household.pk, son_membership.pk])
    assert client.get(url).status_code == 404
    response = client.post(url, {"end_date": "令和8年4月1日", "end_reason": "moved_out"})
    assert response.status_code == 404
    son_membership.refresh_from_db()
    assert son_membership.end_date is None
    mother_membership = Membership.objects.get(person=mother)
    url = reverse("people:membership_end", args=[household.pk, mother_membership.pk])
    assert client.get(url).status_code == 200


def test_members_helper_gives_each_field_only_where_allowed(personas: dict[str, Staff]) -> None:
    household, mother, son = _consulted_by(personas["agency_a"], personas["window"])
    members = {m.person_id: m for m in access.members(personas["agency_a"], household)}
    son_view, mother_view = members[son.pk], members[mother.pk]
    assert son_view.person is None and not son_view.can_change
    assert (son_view.name, son_view.relationship, son_view.sex) == ("見本 一郎", "子", "男性")
    assert son_view.age is not None and son_view.age >= 50
    assert mother_view.person == mother and mother_view.can_change
    # Through a record the viewer cannot open at all: 404, nothing listed.
    other = register_household(personas["window"])
    with pytest.raises(access.NotVisible):
        access.members(personas["agency_b"], other)
