"""The target form (managers)."""

from __future__ import annotations

from typing import Any

from django import forms

from tomoni.directory.models import District
from tomoni.lib.forms import Form

from .models import Kpi


class TargetForm(Form):
    kpi = forms.ChoiceField(label="指標", choices=Kpi.choices)
    district = forms.ModelChoiceField(
        label="地区",
        queryset=District.objects.order_by("order", "code"),
        required=False,
        empty_label="市全体",
        help_text="地区別の目標は「居場所・社会資源の数」だけに設定できます。",
    )
    value = forms.IntegerField(
        label="目標値",
        min_value=0,
        max_value=1_000_000,
        required=False,
        help_text="空欄で保存すると、その目標を取り消します。",
        error_messages={"invalid": "目標値は0以上の整数で入力してください。"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["value"].widget.attrs["inputmode"] = "numeric"
