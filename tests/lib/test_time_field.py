"""受付時刻 typed as people type it, in one text box (issue 20: the browser's time input took
four Tab presses of the keyboard-only intake)."""

from __future__ import annotations

from datetime import time

import pytest
from django import forms

from tomoni.lib.forms import TimeTextField


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("14:05", time(14, 5)),
        ("１４：０５", time(14, 5)),
        ("1405", time(14, 5)),
        ("905", time(9, 5)),
        ("14時5分", time(14, 5)),
        ("１４時", time(14, 0)),
        (" 9:30 ", time(9, 30)),
    ],
)
def test_a_time_as_typed(typed: str, expected: time) -> None:
    assert TimeTextField().clean(typed) == expected


@pytest.mark.parametrize("typed", ["25:00", "14:75", "ごご2じ", "14-05"])
def test_what_is_not_a_time_says_how_to_type_one(typed: str) -> None:
    with pytest.raises(forms.ValidationError) as error:
        TimeTextField().clean(typed)
    assert error.value.messages == ["時刻は「14:05」のように入力してください。"]


def test_one_text_box_not_the_browsers_time_input() -> None:
    html = str(TimeTextField().widget.render("t", time(9, 5)))
    assert 'type="text"' in html and 'value="09:05"' in html and 'inputmode="numeric"' in html
