"""The project's form base classes. A required field left empty says which field, in
Japanese — 「受付日を入力してください。」, 「区分を選んでください。」 — never Django's generic
「このフィールドは必須です。」. A message a form sets itself is kept.

Every form of Tomoni derives from ``Form`` or ``ModelForm`` here (tests/test_forms_japanese.py
checks), so a new form gets this without thinking about it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django import forms
from django.db.models import Model

M = TypeVar("M", bound=Model)

GENERIC = forms.Field.default_error_messages["required"]


def required_message(field: forms.Field) -> str:
    """「〇〇を入力してください。」, or 「〇〇を選んでください。」 for a choice."""
    label = str(field.label or "").strip() or "この項目"
    widget = field.widget
    if isinstance(field, forms.BooleanField):
        return f"{label}を確認して、チェックを入れてください。"
    if isinstance(field, forms.ChoiceField | forms.ModelChoiceField) or isinstance(
        widget, forms.Select | forms.RadioSelect | forms.CheckboxSelectMultiple
    ):
        return f"{label}を選んでください。"
    return f"{label}を入力してください。"


def name_required_fields(fields: Iterable[forms.Field]) -> None:
    """Give each field still carrying Django's generic message its own Japanese one."""
    for field in fields:
        if str(field.error_messages.get("required", "")) == str(GENERIC):
            field.error_messages["required"] = required_message(field)


class RequiredInJapanese:
    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        name_required_fields(self.fields.values())


class Form(RequiredInJapanese, forms.Form):
    pass


class ModelForm(RequiredInJapanese, forms.ModelForm[M]):
    pass
