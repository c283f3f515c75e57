"""``{% error_summary form [form2 …] [note="…"] %}``: at the top of a form, every error listed,
each field's linked to the field, and focus moved there (tomoni.js, ``data-autofocus``) so a
worker on a long form sees at once what to fix. Renders nothing for a form without errors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms, template

register = template.Library()


@dataclass(frozen=True)
class Item:
    message: str
    label: str = ""
    anchor: str = ""  # the id of the field's input (or of its first choice)


def items(*all_forms: forms.BaseForm | None) -> list[Item]:
    found: list[Item] = []
    for form in all_forms:
        if form is None or not form.is_bound:
            continue
        found += [Item(str(message)) for message in form.non_field_errors()]
        for bound in form:
            for message in bound.errors:
                if bound.is_hidden:
                    found.append(Item(str(message)))
                else:
                    anchor = bound.id_for_label or bound.auto_id or ""
                    found.append(Item(str(message), str(bound.label or ""), str(anchor)))
    return found


@register.inclusion_tag("includes/error_summary.html")
def error_summary(*all_forms: Any, note: str = "保存はされていません。") -> dict[str, Any]:
    return {"items": items(*all_forms), "note": note}
