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
    # Break-glass (緊急閲覧): any staff, read only, while the grant lasts.
    *(
        _rules(model, role, "break_glass", VIEW)
        for model in ("people.Household", "people.Person")
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
}

# Models whose records are personal data: every read of one goes through this module.
PERSONAL_MODELS: frozenset[str] = frozenset(
    {"people.Household", "people.Person", "people.Membership", "people.Relation", "people.Consent"}
)


def rules_for(model: str, role: str, action: str) -> list[Rule]:
    return [r for r in RULES if r.model == model and r.role == role and action in r.actions]
