"""The 自立相談支援 form (the window) and the 目安値 form (the manager)."""

from __future__ import annotations

from typing import Any

from django import forms

from tomoni.lib import dateranges
from tomoni.lib.forms import Form
from tomoni.people.forms import WarekiDateField

from .actions import MAX_POPULATION, MAX_RATE, Items, Rates
from .models import Gain


def _date(label: str, required: bool = False, help_text: str | None = None) -> WarekiDateField:
    extra: dict[str, Any] = {"help_text": help_text} if help_text else {}
    return WarekiDateField(label=label, required=required, kind=dateranges.PAST, **extra)


class SupportForm(Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    started_on = _date("自立相談支援の開始日", required=True)
    plan_on = _date(
        "支援プランの作成日",
        help_text="プラン兼事業等利用申込書を作成した日。作成していなければ空欄。",
    )
    housing_applied_on = _date("住居確保給付金の申請日")
    housing_decided_on = _date("住居確保給付金の支給決定日")
    budget_from = _date("家計改善支援の開始日")
    work_prep_from = _date("就労準備支援の開始日")
    shelter_from = _date("一時生活支援の開始日")
    employment_target_on = _date(
        "就労支援対象者とした日",
        help_text="就労支援の対象者としたとき、その日。対象でなければ空欄。",
    )
    gain = forms.ChoiceField(
        label="就労・増収",
        choices=[("", "（なし）"), *Gain.choices],
        required=False,
    )
    gain_on = _date("就労・増収の日", help_text="就労した日、または増収が確認できた日。")

    def items(self) -> Items:
        data = self.cleaned_data
        dates = {name: data[name] for name in Items.__dataclass_fields__ if name != "gain"}
        return Items(gain=data["gain"] or "", **dates)

    def shown_version(self) -> int | None:
        value = self.cleaned_data.get("version")
        return int(value) if value is not None else None


class BenchmarkForm(Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    population = forms.IntegerField(
        label="人口",
        min_value=1,
        max_value=MAX_POPULATION,
        required=False,
        help_text=(
            "その年度の目安値の計算に使う人口（例: 4月1日現在の住民基本台帳人口）。"
            "空欄で保存すると、この年度の目安値をすべて取り消します。"
        ),
        error_messages={
            "invalid": "人口は1以上の整数で入力してください。",
            "min_value": "人口は1以上の整数で入力してください。",
            "max_value": "人口の値が大きすぎます。",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["population"].widget.attrs["inputmode"] = "numeric"
        for name, label in (
            ("new_rate", "新規相談受付件数"),
            ("plan_rate", "プラン作成件数"),
            ("employment_rate", "就労支援対象者数"),
            ("gain_rate", "就労・増収者数"),
        ):
            self.fields[name] = forms.DecimalField(
                label=f"{label}の目安値（人口10万人・1か月あたり）",
                min_value=0,
                max_value=MAX_RATE,
                decimal_places=1,
                required=False,
                error_messages={
                    "invalid": f"{label}の目安値は0以上の数（小数第1位まで）で入力してください。",
                    "min_value": f"{label}の目安値は0以上の数で入力してください。",
                    "max_value": f"{label}の目安値が大きすぎます。",
                    "max_digits": f"{label}の目安値が大きすぎます。",
                    "max_decimal_places": f"{label}の目安値は小数第1位までで入力してください。",
                },
            )
            self.fields[name].widget.attrs["inputmode"] = "decimal"

    def rates(self) -> Rates:
        data = self.cleaned_data
        return Rates(
            new_rate=data["new_rate"],
            plan_rate=data["plan_rate"],
            employment_rate=data["employment_rate"],
            gain_rate=data["gain_rate"],
        )

    def shown_version(self) -> int | None:
        value = self.cleaned_data.get("version")
        return int(value) if value is not None else None
