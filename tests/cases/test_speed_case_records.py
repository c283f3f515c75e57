"""The case page's faster shapes (issue 17) give the policy's rows: a case's records that
follow it (``policy.DERIVED``) read from the case the page opened are exactly what
``access.visible(...).filter(case=case)`` gives, and inside ``few_candidates()`` every
derived model's parent checked by key (EXISTS) gives the same rows as the default IN — for
every persona, over cases in different stages, with team agencies joining and leaving and
consent given, refused or withdrawn."""

from __future__ import annotations

import pytest
from django.apps import apps

from tomoni import access
from tomoni.access.policy import DERIVED
from tomoni.cases import actions
from tomoni.cases.models import (
    Case,
    CaseConcern,
    ConsentState,
    CooperationKind,
    Plan,
    StageChange,
    TeamMember,
)
from tomoni.directory.models import Concern, Staff
from tomoni.notes.actions import add_note
from tomoni.notes.models import Note, Visibility

from ..consent import main_person, set_consent
from .conftest import agency, case_at

# The records the case page reads from the case, by their reverse accessor.
FOLLOWING = {
    CaseConcern: "concerns",
    TeamMember: "team",
    Plan: "plans",
    StageChange: "stage_changes",
}


@pytest.fixture
def cases(personas: dict[str, Staff]) -> list[Case]:
    coordinator = personas["coordinator"]
    shared = case_at(coordinator, "evaluation")
    refused = case_at(coordinator, "draft_plan")
    left = case_at(coordinator, "assessment")
    suspended = case_at(coordinator, "suspended")
    plain = case_at(coordinator, "received")
    for case in (shared, refused, left):
        actions.add_team_member(coordinator, case, agency("houkatsu1"))
    actions.add_team_member(coordinator, shared, agency("shogai-soudan"))
    gone = actions.add_team_member(coordinator, left, agency("shogai-soudan"))
    actions.end_team_member(coordinator, gone)
    set_consent(coordinator, refused, ConsentState.NONE)
    concern = Concern.objects.order_by("pk").first()
    assert concern is not None
    for case in (shared, refused, plain):
        actions.set_concern(
            coordinator, case, person=main_person(case), concern=concern, agency=agency("houkatsu1")
        )
        actions.record_cooperation(
            coordinator,
            case,
            agency=agency("houkatsu1"),
            kind=CooperationKind.values[0],
            on=case.opened_on,
        )
    add_note(personas["agency_a"], shared, text="訪問した", method="visit")
    add_note(
        personas["agency_a"],
        shared,
        text="自機関のみ",
        method="visit",
        visibility=Visibility.OWN_AGENCY,
    )
    add_note(coordinator, plain, text="電話した", method="phone")
    return [shared, refused, left, suspended, plain]


def _ids(queryset: object) -> set[int]:
    return set(queryset.values_list("pk", flat=True))  # type: ignore[attr-defined]


def test_records_read_from_the_case_are_the_policys(
    personas: dict[str, Staff], cases: list[Case]
) -> None:
    """For every persona and every case it may view, the records read through the case's
    reverse accessors are those ``access.visible`` gives for that case."""
    checked = 0
    for name, user in personas.items():
        for case in access.visible(user, Case):
            for model, accessor in FOLLOWING.items():
                through_policy = _ids(access.visible(user, model).filter(case=case))
                assert _ids(getattr(case, accessor).all()) == through_policy, (name, model)
                checked += 1
    assert checked > len(FOLLOWING) * 5  # coordinators and team agencies saw cases


def test_derived_parents_by_key_give_the_same_rows(
    personas: dict[str, Staff], cases: list[Case]
) -> None:
    """Inside ``few_candidates()`` (EXISTS on each row's parent) every derived model and the
    notes list the same rows as the default IN, for every persona."""
    models = [apps.get_model(label) for label in DERIVED] + [Note, Case]
    for name, user in personas.items():
        for model in models:
            with access.few_candidates():
                by_key = access.visible(user, model)
            assert _ids(by_key) == _ids(access.visible(user, model)), (name, model)
            for case in cases:
                if any(f.name == "case" for f in model._meta.get_fields()):
                    with access.few_candidates():
                        on_case = access.visible(user, model).filter(case=case)
                    expected = access.visible(user, model).filter(case=case)
                    assert _ids(on_case) == _ids(expected), (name, model, case.pk)
