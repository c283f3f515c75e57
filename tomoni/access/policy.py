"""Who may do what to which record: one declarative table.

Each rule names a model, a role, a *relation* between the user and the record, and the
actions it grants. Each relation is one queryset filter (``relations.py``), so the same rule
serves list queries, single-object checks and the test that expands the table over HTTP.
New models add rows here and relations there; nothing else decides access.
"""

from __future__ import annotations

from dataclasses import dataclass

from tomoni.directory.roles import Role

VIEW = "view"
CHANGE = "change"
RESPOND = "respond"  # a referral's receiver: accept, decline, complete
WITHDRAW = "withdraw"  # a referral's sender: take it back


@dataclass(frozen=True)
class Rule:
    model: str  # app_label.ModelName
    role: str
    relation: str
    actions: frozenset[str]


def _rules(model: str, role: str, relation: str, *actions: str) -> Rule:
    return Rule(model, role, relation, frozenset(actions))


# Roles missing from a model's rows (manager, auditor, admin …) see none of its records.
RULES: tuple[Rule, ...] = (
    # 多機関協働 coordinators work across the whole 重層 programme.
    _rules("people.Household", Role.COORDINATOR, "any", VIEW, CHANGE),
    _rules("people.Person", Role.COORDINATOR, "any", VIEW, CHANGE),
    # The window sees the people it registered (and their households).
    _rules("people.Household", Role.WINDOW, "registered_by_me", VIEW, CHANGE),
    _rules("people.Person", Role.WINDOW, "registered_by_me", VIEW, CHANGE),
    # An agency sees the people its own staff registered. Referrals and cases (later issues)
    # add their own relations here.
    _rules("people.Household", Role.AGENCY, "registered_by_my_agency", VIEW, CHANGE),
    _rules("people.Person", Role.AGENCY, "registered_by_my_agency", VIEW, CHANGE),
    # People a worker is consulting about, whoever registered them.
    _rules("people.Household", Role.WINDOW, "subject_of_my_consultations", VIEW, CHANGE),
    _rules("people.Person", Role.WINDOW, "subject_of_my_consultations", VIEW, CHANGE),
    _rules("people.Household", Role.AGENCY, "subject_of_my_agency_consultations", VIEW, CHANGE),
    _rules("people.Person", Role.AGENCY, "subject_of_my_agency_consultations", VIEW, CHANGE),
    # 相談受付: coordinators see all; the window what it took or what nobody has taken yet;
    # an agency what its own staff took (支援機関向けの相談).
    _rules("intake.Consultation", Role.COORDINATOR, "any", VIEW, CHANGE),
    _rules("intake.Consultation", Role.WINDOW, "received_or_assigned_to_me", VIEW, CHANGE),
    _rules("intake.Consultation", Role.WINDOW, "unassigned_at_my_agency", VIEW, CHANGE),
    _rules("intake.Consultation", Role.AGENCY, "taken_by_my_agency", VIEW, CHANGE),
    # つなぎ: the receiving agency responds, the sending agency may withdraw; the receiver
    # sees what the referral shares, not the consultation behind it.
    _rules("intake.Referral", Role.COORDINATOR, "any", VIEW),
    *(
        rule
        for role in (Role.COORDINATOR, Role.WINDOW, Role.AGENCY, Role.OUTREACH, Role.COMMUNITY)
        for rule in (
            _rules("intake.Referral", role, "addressed_to_my_agency", VIEW, RESPOND),
            _rules("intake.Referral", role, "sent_by_my_agency", VIEW, WITHDRAW),
        )
    ),
    # 支援経過記録 follow their consultation, minus notes another agency kept to itself.
    *(
        _rules("notes.Note", role, "on_visible_consultation", VIEW)
        for role in (Role.COORDINATOR, Role.WINDOW, Role.AGENCY)
    ),
    # Break-glass (緊急閲覧): any staff, read only, while the grant lasts.
    *(
        _rules(model, role, "break_glass", VIEW)
        for model in ("people.Household", "people.Person", "intake.Consultation")
        for role in Role.values
    ),
)

# Records that belong to another record follow it: whoever may view (change) the household
# may view (change) its memberships, and so on.
DERIVED: dict[str, tuple[str, str]] = {
    "people.Membership": ("household", "people.Household"),
    "people.Consent": ("person", "people.Person"),
    "people.Relation": ("from_person", "people.Person"),
}

# Who may register new records of a model (there is no record yet to relate to).
CREATE: dict[str, frozenset[str]] = {
    "people.Household": frozenset({Role.COORDINATOR, Role.WINDOW, Role.AGENCY}),
    "people.Person": frozenset({Role.COORDINATOR, Role.WINDOW, Role.AGENCY}),
    "intake.Consultation": frozenset({Role.COORDINATOR, Role.WINDOW, Role.AGENCY}),
}

# Models whose records are personal data: every read of one goes through this module.
PERSONAL_MODELS: frozenset[str] = frozenset(
    {
        "people.Household",
        "people.Person",
        "people.Membership",
        "people.Relation",
        "people.Consent",
        "intake.Consultation",
        "intake.Referral",
        "notes.Note",
        "fulltext.SearchDocument",
    }
)


def rules_for(model: str, role: str, action: str) -> list[Rule]:
    return [r for r in RULES if r.model == model and r.role == role and action in r.actions]
