"""The project's form base classes. A required field left empty says which field, in
Japanese — 「受付日を入力してください。」, 「区分を選んでください。」 — never Django's generic
「このフィールドは必須です。」. A message a form sets itself is kept.

Every form of Tomoni derives from ``Form`` or ``ModelForm`` here (tests/test_forms_japanese.py
checks), so a new form gets this without thinking about it.
"""

from __future__ import annotations

import re
import unicodedata
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


class TimeTextField(forms.TimeField):
    """A time typed the way people type it — 「14:05」, 「1405」, 「14時5分」, full- or
    half-width — in one text box: one Tab stop, where the browser's time input takes four (hour,
    minute, and the AM/PM part a Japanese worker does not use)."""

    default_error_messages = {"invalid": "時刻は「14:05」のように入力してください。"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", ["%H:%M", "%H:%M:%S"])
        kwargs.setdefault(
            "widget",
            forms.TimeInput(
                attrs={"inputmode": "numeric", "autocomplete": "off", "size": "6"},
                format="%H:%M",
            ),
        )
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            text = unicodedata.normalize("NFKC", value).strip()
            text = re.sub(r"\s*時\s*", ":", text).replace("分", "").strip()
            if re.fullmatch(r"\d{3,4}", text):
                text = f"{text[:-2]}:{text[-2:]}"
            elif text.endswith(":"):
                text += "00"
            value = text
        return super().to_python(value)
