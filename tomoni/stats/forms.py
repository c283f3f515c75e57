"""The target form and the cost sheet form (managers)."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django import forms

from tomoni.directory.models import District
from tomoni.lib.forms import Form

from .actions import MAX_AMOUNT
from .models import Business, CostField, Kpi


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


def cell_name(business: str, field: str) -> str:
    """The form field of one cell of the cost sheet: ``c-<事業>-<分野>``."""
    return f"c-{business}-{field}"


_YEN = re.compile(r"[0-9]+")


def parse_amount(text: str) -> int | None:
    """An amount in 円 as people type it: 「1,200,000」「１２０００００」「1200000円」「¥1,200」
    (full-width digits, commas and spaces allowed). Empty is None; anything else that is
    not a whole number of 0 or more is a ``ValueError``."""
    plain = unicodedata.normalize("NFKC", text).strip()
    plain = re.sub(r"[\s,、]", "", plain).removesuffix("円").removeprefix("¥").removeprefix("￥")
    if not plain:
        return None
    if not _YEN.fullmatch(plain):
        raise ValueError(text)
    return int(plain)


class AmountField(forms.CharField):
    def __init__(self, *, cell: str, **kwargs: Any) -> None:
        self.cell = cell
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "size": "12"}),
        )
        super().__init__(**kwargs)

    def clean(self, value: Any) -> int | None:
        text = super().clean(value)
        try:
            amount = parse_amount(text)
        except ValueError:
            raise forms.ValidationError(
                f"{self.cell}: 金額「{text}」は0以上の整数（円）で入力してください"
                "（例: 1,200,000）。",
                code="invalid",
            ) from None
        if amount is not None and amount > MAX_AMOUNT:
            raise forms.ValidationError(
                f"{self.cell}: 金額は1兆円未満で入力してください。", code="max_value"
            )
        return amount


class CostSheetForm(Form):
    """The whole cost sheet of one 年度: a field per cell (事業 × 分野); saved all or none."""

    def __init__(self, *args: Any, initial_amounts: dict[tuple[str, str], int], **kwargs: Any):
        super().__init__(*args, **kwargs)
        for business, b_label in Business.choices:
            for field, f_label in CostField.choices:
                amount = initial_amounts.get((business, field))
                self.fields[cell_name(business, field)] = AmountField(
                    cell=f"{b_label}・{f_label}",
                    label=f"{b_label}・{f_label}（円）",
                    initial=f"{amount:,}" if amount else "",
                )

    def amounts(self) -> dict[tuple[str, str], int | None]:
        return {
            (business, field): self.cleaned_data[cell_name(business, field)]
            for business in Business.values
            for field in CostField.values
        }
