"""The 地域づくり forms hand their actions typed input: each form's fields are exactly its
dataclass's, so ``data_for_action()`` neither drops a field nor invents one."""

from __future__ import annotations

from dataclasses import fields

import pytest

from tomoni.community import forms
from tomoni.community.forms import DataForm

DATA_FORMS = sorted(
    (
        cls
        for cls in vars(forms).values()
        if isinstance(cls, type) and issubclass(cls, DataForm) and cls is not DataForm
    ),
    key=lambda cls: cls.__name__,
)


def test_every_data_form_is_listed() -> None:
    assert len(DATA_FORMS) == 8


@pytest.mark.parametrize("form", DATA_FORMS, ids=lambda cls: cls.__name__)
def test_a_forms_fields_are_its_dataclass_fields(form: type[DataForm[object]]) -> None:
    assert set(form.base_fields) == {f.name for f in fields(form.data_class)}  # type: ignore[arg-type]
