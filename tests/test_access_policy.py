"""The policy table, expanded over every role × relation × model × action and asserted over
HTTP; plus fixed expectations that anchor the table itself."""

from __future__ import annotations

from collections.abc import Callable
from itertools import product

import pytest
from django.test import Client
from django.urls import reverse

from tomoni import access
from tomoni.access.actions import open_break_glass
from tomoni.access.policy import CHANGE, RULES, VIEW
from tomoni.directory.models import Role, Staff
from tomoni.people.models import Household, Person

from .conftest import PERSONAS, first_member

# How the record relates to the user in each scenario, and which policy relations that
# satisfies. "any" holds for every record.
SCENARIOS: dict[str, set[str]] = {
    "mine": {"any", "registered_by_me", "registered_by_my_agency"},
    "colleague": {"any", "registered_by_my_agency"},
    "stranger": {"any"},
    "break_glass": {"any", "break_glass"},
}
MODELS = {"people.Household": Household, "people.Person": Person}
URLS = {
    ("people.Household", VIEW): "people:household",
    ("people.Household", CHANGE): "people:household_edit",
    ("people.Person", VIEW): "people:person",
    ("people.Person", CHANGE): "people:person_edit",
}


def allowed(model: str, role: str, scenario: str, action: str) -> bool:
    return any(
        r.model == model
        and r.role == role
        and action in r.actions
        and r.relation in SCENARIOS[scenario]
        for r in RULES
    )


def expected_status(model: str, role: str, scenario: str, action: str) -> int:
    if allowed(model, role, scenario, action):
        return 200
    if action != VIEW and allowed(model, role, scenario, VIEW):
        return 403  # can see it, may not change it
    return 404  # outsiders learn nothing, not even that it exists


def _household(created_by: Staff) -> Household:
    """A small factory: the policy test needs records registered by roles that may not
    register through the actions (manager, auditor …)."""
    household = Household.objects.create(
        code=f"T{Household.objects.count() + 1}", created_by=created_by
    )
    person = Person.objects.create(family_name="見本", given_name="一郎", created_by=created_by)
    household.memberships.create(person=person, relationship="head")
    return household


CASES = list(product(PERSONAS, SCENARIOS, MODELS, (VIEW, CHANGE)))


@pytest.mark.parametrize(("persona", "scenario", "model", "action"), CASES)
def test_policy_over_http(
    persona: str,
    scenario: str,
    model: str,
    action: str,
    make_staff: Callable[..., Staff],
    as_user: Callable[..., Client],
) -> None:
    """Each role gets 200, 403 or 404 exactly as the policy table says."""
    role, agency = PERSONAS[persona]
    user = make_staff(role, agency)
    if scenario == "mine":
        owner = user
    elif scenario == "colleague":
        owner = make_staff(role if agency else Role.AGENCY, agency or "houkatsu1")
        if agency is None:
            # Roles without an agency have no colleagues: the record is a stranger's.
            owner = make_staff(Role.AGENCY, "kyoiku")
    else:
        owner = make_staff(Role.AGENCY, "kyoiku")
    household = _household(owner)
    target = household if model == "people.Household" else first_member(household)
    if scenario == "break_glass":
        open_break_glass(user, model.lower(), target.pk, "緊急の安否確認のため")
    expected = expected_status(model, role, scenario, action)
    if scenario == "colleague" and agency is None:
        expected = expected_status(model, role, "stranger", action)
    response = as_user(user).get(reverse(URLS[(model, action)], args=[target.pk]))
    assert response.status_code == expected


@pytest.mark.parametrize(("persona", "model"), list(product(PERSONAS, MODELS)))
def test_list_queries_follow_the_same_rules(
    persona: str, model: str, make_staff: Callable[..., Staff]
) -> None:
    """visible() returns exactly the records the single-object check allows."""
    role, agency = PERSONAS[persona]
    user = make_staff(role, agency)
    records = [_household(user), _household(make_staff(Role.AGENCY, "kyoiku"))]
    targets = records if model == "people.Household" else [first_member(h) for h in records]
    Model = MODELS[model]
    listed = set(access.visible(user, Model).values_list("pk", flat=True))
    checked = {t.pk for t in targets if access.can(user, VIEW, t)}
    assert listed == checked


def test_table_anchors() -> None:
    """The table says what DESIGN.md §5 says; a careless edit to RULES shows here."""
    assert allowed("people.Household", Role.COORDINATOR, "stranger", CHANGE)
    assert allowed("people.Person", Role.WINDOW, "mine", CHANGE)
    assert not allowed("people.Person", Role.WINDOW, "colleague", VIEW)
    assert allowed("people.Person", Role.AGENCY, "colleague", VIEW)
    assert not allowed("people.Person", Role.AGENCY, "stranger", VIEW)
    for role in (Role.MANAGER, Role.AUDITOR, Role.ADMIN, Role.OUTREACH, Role.COMMUNITY):
        for model in MODELS:
            assert not allowed(model, role, "mine", VIEW)
            assert not allowed(model, role, "break_glass", CHANGE)
    # Break-glass opens records for reading only, for every role.
    for role in Role.values:
        assert allowed("people.Person", role, "break_glass", VIEW)


def test_break_glass_expires(make_staff: Callable[..., Staff], settings: object) -> None:
    """A grant stops working when it expires."""
    from datetime import timedelta

    from django.utils import timezone

    user = make_staff(Role.AGENCY, "houkatsu1")
    household = _household(make_staff(Role.AGENCY, "kyoiku"))
    grant = open_break_glass(user, "people.household", household.pk, "緊急の安否確認のため")
    assert access.can(user, VIEW, household)
    type(grant).objects.filter(pk=grant.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert not access.can(user, VIEW, household)


def test_break_glass_needs_a_reason(make_staff: Callable[..., Staff]) -> None:
    """No reason, no grant."""
    from django.core.exceptions import ValidationError

    user = make_staff(Role.AGENCY, "houkatsu1")
    household = _household(make_staff(Role.AGENCY, "kyoiku"))
    with pytest.raises(ValidationError):
        open_break_glass(user, "people.household", household.pk, "  ")
    assert not access.can(user, VIEW, household)


def test_inactive_user_sees_nothing(make_staff: Callable[..., Staff]) -> None:
    user = make_staff(Role.COORDINATOR, "shakyo")
    household = _household(user)
    user.is_active = False
    assert not access.visible(user, Household).exists()
    assert not access.can(user, VIEW, household)
