"""A system check: every relation the policy names has a registered filter, and every model it
names exists. A typo in the table fails ``manage.py check`` (and the test suite) at once."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.checks import CheckMessage, Error, register

from .policy import CREATE, DERIVED, PERSONAL_MODELS, RULES
from .registry import RELATIONS


@register()
def policy_is_complete(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    problems: list[CheckMessage] = []
    labels = {r.model for r in RULES} | set(DERIVED) | set(CREATE) | PERSONAL_MODELS
    labels |= {parent for _field, parent in DERIVED.values()}
    for label in sorted(labels):
        try:
            apps.get_model(label)
        except LookupError:
            problems.append(
                Error(
                    f"アクセス方針が存在しないモデル {label} を参照しています。", id="tomoni.A001"
                )
            )
    for rule in RULES:
        if (rule.model, rule.relation) not in RELATIONS:
            problems.append(
                Error(
                    f"アクセス方針の関係 {rule.relation} ({rule.model}) の"
                    "フィルタが登録されていません。",
                    id="tomoni.A002",
                )
            )
    return problems
