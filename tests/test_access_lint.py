"""A lint that cannot be forgotten (issue 14): outside ``actions`` modules and
``tomoni/access``, no code reads (or writes) a personal-data model through the ORM — not by its
managers (``Person.objects``, ``Membership.current``), not by a reverse relation
(``household.memberships.filter(…)``). Reads go through ``tomoni.access``.

What the policy itself makes safe is not flagged: a child read from the parent it follows
(``policy.DERIVED``: ``plan.goals.all()`` once the plan was opened through access — except the
children that need more than the parent, ``DERIVED_ACTIONS``), ``Model.objects.none()``, and a
queryset handed to ``access.read``/``get_for_user`` as ``queryset=`` (the policy filters it).
The few places that must read past the policy are listed in ALLOWED (a module, a package, or
``module::function``), each with its reason; an entry that no longer reads anything fails too,
so the list stays true."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import cast

import pytest
from django.apps import apps
from django.db.models import ForeignObjectRel, Model

from tomoni.access.policy import DERIVED, DERIVED_ACTIONS, PERSONAL_MODELS

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "tomoni"

# Module → why it may read personal data past the policy. Keep it short and true.
ALLOWED: dict[str, str] = {
    "tomoni/cases/consent.py": (
        "derives Case.consent from the main person's people.Consent inside the actions' "
        "transaction (people.signals.consent_changed); it reads consents by person id and "
        "writes the column it owns, never for a page"
    ),
    "tomoni/people/candidates.py": (
        "intake candidates come from the whole register by design (name, kana, age, 地区 only); "
        "a pick is then checked by access.candidates"
    ),
    "tomoni/people/search.py": "builds the search filter that is applied to access.visible()",
    "tomoni/people/matching/review.py": "名寄せ batch: fills the review queue from the register",
    "tomoni/stats/figures.py": "statistics: counts only, scoped by access.policy.STATS_SCOPE",
    "tomoni/jiritsu/figures.py": (
        "生活困窮 monthly sheet: counts only (scoped by jiritsu.window.scope_of); its lists go "
        "through access.visible"
    ),
    "tomoni/cases/stored_tendencies.py": (
        "the five tendencies stored per case: recomputed for the cases an action touched, read "
        "back as counts for the statistics and for a case page already opened"
    ),
    "tomoni/cases/tendencies.py": "the tendency rules read the facts of a case already opened",
    "tomoni/cases/management/commands/remind.py": (
        "cron job: finds tasks due, tells each owner (no page shows them)"
    ),
    "tomoni/fulltext/api.py": "index maintenance; hits are filtered by access.visible()",
    "tomoni/cases/timeline.py::_referral_rows": (
        "the household's consultation keys as a subquery, to find referrals through the policy"
    ),
    "tomoni/demo/": "the demo loader writes the synthetic city in bulk",
}

QUERY_METHODS = {
    "all",
    "filter",
    "exclude",
    "get",
    "first",
    "last",
    "count",
    "exists",
    "values",
    "values_list",
    "select_related",
    "prefetch_related",
    "order_by",
    "annotate",
    "aggregate",
    "iterator",
    "in_bulk",
    "only",
    "defer",
    "distinct",
    "earliest",
    "latest",
    "create",
    "update",
    "delete",
    "bulk_create",
    "bulk_update",
    "get_or_create",
    "update_or_create",
}


@dataclass(frozen=True)
class Hit:
    path: str
    line: int
    what: str


def _personal() -> tuple[set[str], set[str], set[str]]:
    """Class names of personal models, their manager names, and the reverse accessors that
    return personal rows (``memberships``, ``consultations`` …) other than a derived child's
    own parent link."""
    models = [apps.get_model(label) for label in PERSONAL_MODELS]
    names = {m.__name__ for m in models}
    managers = {"objects", "_default_manager", "_base_manager"}
    for model in models:
        managers |= {m.name for m in model._meta.managers}
    follows_parent = {
        (label, field)
        for label, (field, _parent) in DERIVED.items()
        if label not in DERIVED_ACTIONS
    }
    accessors: set[str] = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if not isinstance(field, ForeignObjectRel) or field.related_model not in models:
                continue
            child = cast(type[Model], field.related_model)  # one of `models`, never 'self'
            if (child._meta.label, field.field.name) in follows_parent:
                continue
            name = field.get_accessor_name()
            if name:
                accessors.add(name)
    return names, managers, accessors


def _scanned() -> list[Path]:
    paths = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if "/migrations/" in rel or rel.startswith("tomoni/access/"):
            continue
        if path.name == "actions.py" or "/actions/" in rel:
            continue
        paths.append(path)
    return paths


ACCESS_CALLS = {"read", "get_for_user"}


def _exempt_nodes(tree: ast.AST) -> set[int]:
    """Nodes the policy filters anyway: ``queryset=`` of access.read / get_for_user."""
    exempt: set[int] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name in ACCESS_CALLS:
            for keyword in node.keywords:
                if keyword.arg == "queryset":
                    exempt |= {id(n) for n in ast.walk(keyword.value)}
    return exempt


def _functions(tree: ast.AST) -> dict[int, str]:
    """Each node's enclosing top-level function name."""
    owner: dict[int, str] = {}
    for top in getattr(tree, "body", []):
        if isinstance(top, ast.FunctionDef | ast.AsyncFunctionDef):
            owner |= {id(n): top.name for n in ast.walk(top)}
    return owner


def _hits(path: Path, names: set[str], managers: set[str], accessors: set[str]) -> list[Hit]:
    rel = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else path.name
    tree = ast.parse(path.read_text(encoding="utf-8"))
    exempt, owner = _exempt_nodes(tree), _functions(tree)
    parents = {id(child): node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    hits = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute) or id(node) in exempt:
            continue
        value = node.value
        where = f"{rel}::{owner[id(node)]}" if id(node) in owner else rel
        # Person.objects / Membership.current / Person._default_manager (but .none())
        if isinstance(value, ast.Name) and value.id in names and node.attr in managers:
            parent = parents.get(id(node))
            if not (isinstance(parent, ast.Attribute) and parent.attr == "none"):
                hits.append(Hit(where, node.lineno, f"{value.id}.{node.attr}"))
        # something.consultations.filter(...)
        if (
            node.attr in QUERY_METHODS
            and isinstance(value, ast.Attribute)
            and value.attr in accessors
            and not (isinstance(value.value, ast.Name) and value.value.id in names)
        ):
            hits.append(Hit(where, node.lineno, f"….{value.attr}.{node.attr}"))
    return hits


def _allowed(where: str) -> bool:
    path = where.split("::")[0]
    return any(
        where == key or path == key or (key.endswith("/") and path.startswith(key))
        for key in ALLOWED
    )


def test_the_lint_can_fail(tmp_path: Path) -> None:
    """The checker itself finds what it is meant to find."""
    names, managers, accessors = _personal()
    assert {"Person", "Membership", "Case"} <= names
    assert {"objects", "current"} <= managers
    assert {"memberships", "consultations", "agenda"} <= accessors
    assert "goals" not in accessors  # a plan's goals follow the plan (policy.DERIVED)
    sample = tmp_path / "sample.py"
    code = (
        "def f(h):\n"
        "    Person.objects.get(pk=1)\n"
        "    Membership.current.filter(person=1)\n"
        "    h.memberships.filter(end_date=None)\n"
    )
    sample.write_text(code, encoding="utf-8")
    found = _hits(sample, names, managers, accessors)
    assert sorted(h.what for h in found) == [
        "Membership.current",
        "Person.objects",
        "….memberships.filter",
    ]
    assert {h.path for h in found} == {"sample.py::f"}


@cache
def _found() -> tuple[Hit, ...]:
    """Every read of personal data in the package, scanned once per test process (each
    ALLOWED entry's test asks again; the scan takes about a second)."""
    names, managers, accessors = _personal()
    return tuple(h for p in _scanned() for h in _hits(p, names, managers, accessors))


def test_no_orm_read_of_personal_data_outside_access_and_actions() -> None:
    found = _found()
    outside = [h for h in found if not _allowed(h.path)]
    assert outside == [], "read through tomoni.access (or add a reasoned ALLOWED entry):\n" + (
        "\n".join(f"{h.path}:{h.line} {h.what}" for h in outside)
    )


@pytest.mark.parametrize("entry", sorted(ALLOWED))
def test_every_allowed_entry_is_still_needed(entry: str) -> None:
    found = _found()
    assert any(
        _allowed(h.path) and (h.path == entry or h.path.split("::")[0].startswith(entry))
        for h in found
    ), entry
    assert ALLOWED[entry].strip()
