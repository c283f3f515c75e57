"""Fixed expectations that anchor the policy table itself (a careless edit shows here), and the
life of a break-glass grant. Every rule is expanded over every persona, relation and action in
tests/policy/test_rules.py."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from itertools import product

import pytest

from tomoni import access
from tomoni.access.actions import open_break_glass
from tomoni.access.policy import CHANGE, RESPOND, RULES, VIEW, WITHDRAW
from tomoni.directory.models import Agency, Role, Staff
from tomoni.intake.models import Consultation, Referral
from tomoni.notes.models import Note, Visibility
from tomoni.people.models import Household, Person

from .conftest import PERSONAS

# How the record relates to the user in each scenario, and which policy relations that
# satisfies. "any" holds for every record, and so does "city_wide" (no 委託先 is set here).
SCENARIOS: dict[str, set[str]] = {
    "mine": {"any", "city_wide", "in_my_collaboration", "registered_by_my_agency"},
    "colleague": {"any", "city_wide", "registered_by_my_agency"},
    "stranger": {"any", "city_wide"},
    "break_glass": {"any", "city_wide", "break_glass"},
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


def test_table_anchors() -> None:
    """The table says what DESIGN.md §5 says; a careless edit to RULES shows here."""
    assert allowed("people.Household", Role.COORDINATOR, "stranger", CHANGE)
    assert allowed("people.Person", Role.WINDOW, "mine", CHANGE)
    # The window works as a team (issue 15): a colleague's registrations are its own.
    assert allowed("people.Person", Role.WINDOW, "colleague", CHANGE)
    assert allowed("people.Person", Role.AGENCY, "colleague", VIEW)
    assert not allowed("people.Person", Role.AGENCY, "stranger", VIEW)
    for role in (Role.MANAGER, Role.AUDITOR, Role.ADMIN, Role.OUTREACH, Role.COMMUNITY):
        for model in MODELS:
            assert not allowed(model, role, "mine", VIEW)
            assert not allowed(model, role, "break_glass", CHANGE)
    # Break-glass opens records for reading only, for the roles that do casework; never for
    # managers, auditors or administrators (issue 14).
    for name in Role.values:
        casework = name in (Role.WINDOW, Role.AGENCY, Role.OUTREACH, Role.COORDINATOR)
        assert allowed("people.Person", name, "break_glass", VIEW) == casework


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
    with pytest.raises(ValidationError):
        open_break_glass(user, "people.household", household.pk, "     aaaaa")
    assert not access.can(user, VIEW, household)


def test_inactive_user_sees_nothing(make_staff: Callable[..., Staff]) -> None:
    user = make_staff(Role.COORDINATOR, "shakyo")
    household = _household(user)
    user.is_active = False
    assert not access.visible(user, Household).exists()
    assert not access.can(user, VIEW, household)


# --- Consultations, referrals and notes over the ORM API ----------------------------------

# Relations that need the user to have an agency; roles without one (監査, 管理) never hold
# them, whatever the record.
AGENCY_RELATIONS = {
    "taken_by_my_agency",
    "addressed_to_my_agency",
    "sent_by_my_agency",
}
# Each scenario: (receiver, assignee) as seen from the user, and the relations it satisfies.
CONSULTATION_SCENARIOS: dict[str, tuple[str, str | None, set[str]]] = {
    "received_by_me": (
        "me",
        "colleague",
        {"any", "city_wide", "collaboration_or_mine", "taken_by_my_agency"},
    ),
    "assigned_to_me": (
        "colleague",
        "me",
        {"any", "city_wide", "collaboration_or_mine", "taken_by_my_agency"},
    ),
    "unassigned_at_my_agency": ("colleague", None, {"any", "city_wide", "taken_by_my_agency"}),
    "colleague_assigned": ("colleague", "colleague", {"any", "city_wide", "taken_by_my_agency"}),
    "other_agency": ("stranger", "stranger", {"any", "city_wide"}),
    "break_glass": ("stranger", "stranger", {"any", "city_wide", "break_glass"}),
}
REFERRAL_SCENARIOS: dict[str, tuple[str, str, set[str]]] = {
    "addressed_to_my_agency": ("other", "mine", {"any", "city_wide", "addressed_to_my_agency"}),
    "sent_by_my_agency": ("mine", "other", {"any", "city_wide", "sent_by_my_agency"}),
    "unrelated": ("other", "third", {"any", "city_wide"}),
}
# Which consultation the note is on (a scenario above), whose agency wrote it, visibility.
NOTE_SCENARIOS: dict[str, tuple[str, str, str]] = {
    "shared_on_my_consultation": ("received_by_me", "other", Visibility.SHARED),
    "own_agency_by_another_agency": ("received_by_me", "other", Visibility.OWN_AGENCY),
    "own_agency_by_my_agency": ("received_by_me", "mine", Visibility.OWN_AGENCY),
    "shared_on_another_agency_consultation": ("other_agency", "other", Visibility.SHARED),
}
ACTIONS = {
    "intake.Consultation": (VIEW, CHANGE, RESPOND, WITHDRAW),
    "intake.Referral": (VIEW, CHANGE, RESPOND, WITHDRAW),
    "notes.Note": (VIEW, CHANGE),
}


def granted(model: str, role: str, relations: set[str], action: str) -> bool:
    """What RULES say for a record that satisfies ``relations``."""
    return any(
        r.model == model and r.role == role and action in r.actions and r.relation in relations
        for r in RULES
    )


def held(relations: set[str], user: Staff) -> set[str]:
    return relations if user.agency_id else relations - AGENCY_RELATIONS


class World:
    """Records placed around one user: its agency ("mine"; 教育委員会 for roles without one),
    a colleague there, and strangers at two other agencies."""

    def __init__(self, user: Staff, make_staff: Callable[..., Staff]) -> None:
        self.user = user
        self.mine = user.agency or Agency.objects.get(code="kyoiku")
        self.other = Agency.objects.get(code="kenri")
        self.third = Agency.objects.get(code="shohi")
        self.colleague = make_staff(Role.AGENCY, self.mine.code)
        self.stranger = make_staff(Role.AGENCY, self.other.code)
        self.count = 0

    def staff(self, who: str | None) -> Staff | None:
        return {"me": self.user, "colleague": self.colleague, "stranger": self.stranger}.get(
            who or ""
        )

    def consultation(self, scenario: str) -> Consultation:
        receiver_key, assignee_key, _relations = CONSULTATION_SCENARIOS[scenario]
        receiver = self.staff(receiver_key)
        assert receiver is not None
        self.count += 1
        consultation = Consultation.objects.create(
            code=f"T{self.user.pk}-{self.count}",
            receiver=receiver,
            agency=self.other if receiver_key == "stranger" else self.mine,
            assignee=self.staff(assignee_key),
            method="phone",
            summary="テスト用の相談",
            consent="given",
        )
        if scenario == "break_glass":
            open_break_glass(self.user, "intake.consultation", consultation.pk, "緊急の安否確認")
        return consultation

    def referral(self, scenario: str) -> Referral:
        sender, receiver, _relations = REFERRAL_SCENARIOS[scenario]
        agencies = {"mine": self.mine, "other": self.other, "third": self.third}
        consultation = self.consultation("other_agency")
        return Referral.objects.create(
            consultation=consultation,
            from_agency=agencies[sender],
            to_agency=agencies[receiver],
            sent_by=self.stranger,
            shared_summary="面談をお願いします。",
            due_on=date(2026, 6, 9),
        )

    def note(self, scenario: str) -> Note:
        consultation_scenario, author_key, visibility = NOTE_SCENARIOS[scenario]
        author = self.colleague if author_key == "mine" else self.stranger
        return Note.objects.create(
            consultation=self.consultation(consultation_scenario),
            method="phone",
            author=author,
            agency=self.mine if author_key == "mine" else self.other,
            text="経過の記録",
            visibility=visibility,
        )


def expected_consultation(role: str, scenario: str, user: Staff, action: str) -> bool:
    return granted(
        "intake.Consultation", role, held(CONSULTATION_SCENARIOS[scenario][2], user), action
    )


def expected_note(role: str, scenario: str, user: Staff, action: str) -> bool:
    """A note follows its consultation, minus own-agency notes of another agency."""
    consultation_scenario, author_key, visibility = NOTE_SCENARIOS[scenario]
    kept_elsewhere = visibility == Visibility.OWN_AGENCY and not (
        author_key == "mine" and user.agency_id
    )
    on_visible = expected_consultation(role, consultation_scenario, user, VIEW)
    relations = {"on_visible_consultation"} if on_visible and not kept_elsewhere else set()
    return granted("notes.Note", role, relations, action)


def _expected(model: str, role: str, scenario: str, user: Staff, action: str) -> bool:
    if model == "intake.Consultation":
        return expected_consultation(role, scenario, user, action)
    if model == "intake.Referral":
        return granted(model, role, held(REFERRAL_SCENARIOS[scenario][2], user), action)
    return expected_note(role, scenario, user, action)


ORM_CASES = [
    *product(PERSONAS, ["intake.Consultation"], CONSULTATION_SCENARIOS),
    *product(PERSONAS, ["intake.Referral"], REFERRAL_SCENARIOS),
    *product(PERSONAS, ["notes.Note"], NOTE_SCENARIOS),
]
ORM_MODELS: dict[str, type[Consultation | Referral | Note]] = {
    "intake.Consultation": Consultation,
    "intake.Referral": Referral,
    "notes.Note": Note,
}


def _make(world: World, model: str, scenario: str) -> Consultation | Referral | Note:
    if model == "intake.Consultation":
        return world.consultation(scenario)
    if model == "intake.Referral":
        return world.referral(scenario)
    return world.note(scenario)


def _c(role: str, scenario: str, action: str) -> bool:
    return granted("intake.Consultation", role, CONSULTATION_SCENARIOS[scenario][2], action)


def _r(role: str, scenario: str, action: str) -> bool:
    return granted("intake.Referral", role, REFERRAL_SCENARIOS[scenario][2], action)


def test_intake_table_anchors() -> None:
    """The intake rows say what issue #3 says; a careless edit to RULES shows here."""
    # The window works as a team (issue 15): what anyone at its window took, so a colleague
    # on leave does not stop the follow-up.
    for scenario in (
        "received_by_me",
        "assigned_to_me",
        "unassigned_at_my_agency",
        "colleague_assigned",
    ):
        assert _c(Role.WINDOW, scenario, CHANGE)
    assert not _c(Role.WINDOW, "other_agency", VIEW)
    # An agency: everything its own staff took, nothing of another agency's.
    assert _c(Role.AGENCY, "colleague_assigned", CHANGE)
    assert not _c(Role.AGENCY, "other_agency", VIEW)
    # Coordinators: every consultation.
    assert _c(Role.COORDINATOR, "other_agency", CHANGE)
    # Break-glass reads a consultation, for the casework roles; it changes nothing
    # (coordinators could change the record anyway).
    for role in Role.values:
        casework = role in (Role.WINDOW, Role.AGENCY, Role.OUTREACH, Role.COORDINATOR)
        assert _c(role, "break_glass", VIEW) == casework
        assert _c(role, "break_glass", CHANGE) == (role == Role.COORDINATOR)
    for role in (Role.MANAGER, Role.AUDITOR, Role.ADMIN, Role.OUTREACH, Role.COMMUNITY):
        assert not _c(role, "received_by_me", VIEW)
        assert not _r(role, "unrelated", VIEW)
    # Referrals: the receiver answers, the sender withdraws, neither does the other's part.
    for role in (Role.WINDOW, Role.AGENCY, Role.COORDINATOR, Role.OUTREACH, Role.COMMUNITY):
        assert _r(role, "addressed_to_my_agency", RESPOND)
        assert not _r(role, "addressed_to_my_agency", WITHDRAW)
        assert _r(role, "sent_by_my_agency", WITHDRAW)
        assert not _r(role, "sent_by_my_agency", RESPOND)
    assert not _r(Role.AGENCY, "unrelated", VIEW)
    assert _r(Role.COORDINATOR, "unrelated", VIEW)
    assert not _r(Role.COORDINATOR, "unrelated", RESPOND)
    for role in Role.values:
        for scenario in REFERRAL_SCENARIOS:
            assert not _r(role, scenario, CHANGE)  # a referral moves only by its actions


def test_note_anchors(make_staff: Callable[..., Staff]) -> None:
    """Notes follow the consultation minus other agencies' own notes; nobody edits one."""
    coordinator = make_staff(Role.COORDINATOR, "shakyo")
    window = make_staff(Role.WINDOW, "window")
    assert expected_note(
        Role.COORDINATOR, "shared_on_another_agency_consultation", coordinator, VIEW
    )
    assert not expected_note(Role.COORDINATOR, "own_agency_by_another_agency", coordinator, VIEW)
    assert expected_note(Role.WINDOW, "own_agency_by_my_agency", window, VIEW)
    assert not expected_note(Role.WINDOW, "shared_on_another_agency_consultation", window, VIEW)
    for role in Role.values:
        assert not granted("notes.Note", role, {"on_visible_consultation"}, CHANGE)
