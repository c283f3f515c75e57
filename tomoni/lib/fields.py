"""Form fields shared by every app: what a hostile or mistyped value must not turn into a 500."""

from __future__ import annotations

from typing import Any, TypeVar

from django import forms
from django.db.models import Model

_M = TypeVar("_M", bound=Model)

# The largest key a database integer column holds (SQLite and PostgreSQL bigint).
MAX_PK = 2**63 - 1


def _is_key(value: Any) -> bool:
    text = str(value).strip()
    return text.isascii() and text.isdigit() and len(text) <= 19 and 0 < int(text) <= MAX_PK


class PkMultipleChoiceField(forms.ModelMultipleChoiceField[_M]):
    """A ModelMultipleChoiceField that refuses a key past the database's integers before the
    query (Django's ``pk__in`` sends it as is: OverflowError on SQLite, DataError on
    PostgreSQL)."""

    def clean(self, value: Any) -> Any:
        keys = value if isinstance(value, list | tuple) else []
        if self.to_field_name is None and not all(_is_key(pk) for pk in keys):
            raise forms.ValidationError("選択肢の中から選んでください。", code="invalid_pk_value")
        return super().clean(value)
