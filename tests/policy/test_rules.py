"""The policy table, proven rule by rule (issue 14): for every relation of every model, a
record is built in each persona's world (tests/policy/scenarios.py) and every action is asked —
over HTTP where the model has a page for it, and through ``can()`` and ``visible()`` always.
The answer must be exactly what the table says for the relations the builder claims. Records
that follow a parent (``policy.DERIVED``) are made under the same record and must follow it.

The suite fails when a relation named in the table has no builder, so a new rule cannot go
untested."""

from __future__ import annotations

from collections.abc import Callable
from itertools import product
from typing import Any

import pytest
from django.apps import apps
from django.db.models import Model
from django.test import Client
from django.urls import reverse

from tomoni import access
from tomoni.access.policy import (
    CHANGE,
    DERIVED,
    MATERIALS,
    NOTE,
    RESPOND,
    RULES,
    VIEW,
    WITHDRAW,
)
from tomoni.directory.models import Role, Staff

from ..conftest import PERSONAS
from .scenarios import (
    BUILDERS,
    derived_from,
    expected,
    make_child,
    make_world,
    root_action,
)

ACTIONS = (VIEW, CHANGE, RESPOND, WITHDRAW, NOTE, MATERIALS)

# The pages that show a record (VIEW) or edit it (the other actions), by model.
PAGES: dict[tuple[str, str], Callable[[Model], str]] = {
    ("people.Household", VIEW): lambda r: reverse("people:household", args=[r.pk]),
    ("people.Household", CHANGE): lambda r: reverse("people:household_edit", args=[r.pk]),
    ("people.Person", VIEW): lambda r: reverse("people:person", args=[r.pk]),
    ("people.Person", CHANGE): lambda r: reverse("people:person_edit", args=[r.pk]),
    ("people.MatchReview", VIEW): lambda r: reverse("people:match_review", args=[r.pk]),
    ("intake.Consultation", VIEW): lambda r: reverse("intake:consultation", args=[r.pk]),
    ("intake.Consultation", CHANGE): lambda r: reverse("intake:refer", args=[r.pk]),
    ("intake.Referral", VIEW): lambda r: reverse("intake:referral", args=[r.pk]),
    ("cases.Case", VIEW): lambda r: reverse("cases:case", args=[r.pk]),
    ("cases.Case", CHANGE): lambda r: reverse("cases:concern_add", args=[r.pk]),
    ("cases.Task", VIEW): lambda r: reverse("cases:task", args=[r.pk]),
    ("meetings.Meeting", VIEW): lambda r: reverse("meetings:meeting", args=[r.pk]),
    ("meetings.Meeting", MATERIALS): lambda r: reverse("meetings:minutes", args=[r.pk]),
    ("outreach.Engagement", VIEW): lambda r: reverse("outreach:engagement", args=[r.pk]),
    ("outreach.Engagement", CHANGE): lambda r: reverse("outreach:contact", args=[r.pk]),
    ("participation.Place", VIEW): lambda r: reverse("participation:place", args=[r.pk]),
    ("participation.ParticipationPlan", VIEW): lambda r: reverse("participation:plan", args=[r.pk]),
    ("participation.ParticipationPlan", CHANGE): lambda r: reverse(
        "participation:plan_edit", args=[r.pk]
    ),
    ("community.Activity", VIEW): lambda r: reverse("community:activity", args=[r.pk]),
    ("community.Activity", CHANGE): lambda r: reverse("community:activity_edit", args=[r.pk]),
    ("community.Event", VIEW): lambda r: reverse("community:event", args=[r.pk]),
    ("community.Event", CHANGE): lambda r: reverse("community:event_edit", args=[r.pk]),
}

CASES = sorted(product(PERSONAS, sorted(BUILDERS)))


def _ids(case: tuple[str, tuple[str, str]]) -> str:
    persona, (model, relation) = case
    return f"{persona}-{model}-{relation}"


def _status(granted: bool, visible: bool) -> int:
    if granted:
        return 200
    return 403 if visible else 404  # seen but not changeable; outsiders learn nothing


@pytest.mark.parametrize("case", CASES, ids=[_ids(c) for c in CASES])
def test_every_rule_over_http_and_the_orm(
    case: tuple[str, tuple[str, str]],
    make_staff: Callable[..., Staff],
    as_user: Callable[..., Client],
    settings: Any,
) -> None:
    """Each persona gets exactly what the table grants for the relations that hold."""
    persona, (model, relation) = case
    role, agency = PERSONAS[persona]
    if persona == "contractor":
        settings.TOMONI_CONTRACTOR_AGENCIES = [agency]
    user = make_staff(role, agency)
    world = make_world(user, make_staff)
    built = BUILDERS[(model, relation)](world)
    record = built.record
    want = {action: expected(model, role, built.holds, action) for action in ACTIONS}
    got = {action: access.can(user, action, record) for action in ACTIONS}
    assert got == want, f"holds {sorted(built.holds)}"
    Model_ = type(record)
    listed = access.visible(user, Model_).filter(pk=record.pk).exists()
    assert listed == want[VIEW]
    client = as_user(user)
    for action in ACTIONS:
        page = PAGES.get((model, action))
        if page is None:
            continue
        response = client.get(page(record))
        assert response.status_code == _status(want[action], want[VIEW]), (action, page(record))
    made: dict[str, Model] = {}
    for child_label in derived_from(model):
        child = make_child(child_label, record, world, made)
        child_want = {
            action: expected(model, role, built.holds, root_action(child_label, action))
            for action in ACTIONS
        }
        child_got = {action: access.can(user, action, child) for action in ACTIONS}
        assert child_got == child_want, child_label
        child_model = apps.get_model(child_label)
        listed = access.visible(user, child_model).filter(pk=child.pk).exists()
        assert listed == child_want[VIEW], child_label


def test_every_relation_of_the_table_has_a_builder() -> None:
    """A rule whose relation no builder makes would go untested: fail instead."""
    named = {(r.model, r.relation) for r in RULES if r.relation != "any"}
    missing = sorted(named - set(BUILDERS))
    assert missing == [], f"add a scenario builder in tests/policy/scenarios.py for {missing}"


def test_every_model_has_a_stranger_scenario() -> None:
    """The "none" record of each model: only "any" holds, which catches a too-wide relation."""
    models = {r.model for r in RULES}
    assert sorted(m for m in models if (m, "none") not in BUILDERS) == []


def test_every_rule_is_exercised_by_a_persona_of_its_role() -> None:
    roles = {role for role, _agency in PERSONAS.values()}
    assert {r.role for r in RULES} <= roles
    for rule in RULES:
        if rule.relation == "any":
            continue
        _role, agency = next(v for v in PERSONAS.values() if v[0] == rule.role)
        assert agency or rule.relation == "break_glass", rule


def test_every_derived_model_has_a_root_with_builders() -> None:
    roots = {model for model, _relation in BUILDERS}
    for label in DERIVED:
        assert any(label in derived_from(root) for root in roots), label


@pytest.mark.parametrize(
    ("model", "role"),
    [
        ("people.Person", Role.MANAGER),
        ("people.Person", Role.AUDITOR),
        ("people.Person", Role.ADMIN),
        ("cases.Case", Role.MANAGER),
    ],
)
def test_anchors(model: str, role: str) -> None:
    """Fixed points a careless edit to the table would move: managers, auditors and admins
    see no person or case, not even by break-glass."""
    assert not any(r.model == model and r.role == role for r in RULES)
