"""Forms of the places catalog: the filter, the place editor and the HSDS upload. They only
parse what was typed; ``tomoni.participation.actions.save_place`` checks and writes."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils import timezone

from tomoni.directory.models import District
from tomoni.lib.forms import Form
from tomoni.people.forms import DATE_HINT, WarekiDateField

from .actions import PLACE_FIELDS
from .models import WEEKDAYS, PlaceKind, Welcome

DAY_CHOICES = [(str(i), label) for i, label in enumerate(WEEKDAYS)]
INTEREST_SEPARATORS = re.compile(r"[,、，]")


def district_choices(empty: str) -> list[tuple[str, str]]:
    return [("", empty), *((str(d.pk), d.name) for d in District.objects.order_by("order", "pk"))]


class PlaceFilterForm(Form):
    STATUSES = [("", "すべて"), ("active", "活動中"), ("paused", "休止中")]

    district = forms.ChoiceField(label="地区", required=False)
    kind = forms.ChoiceField(
        label="種類", required=False, choices=[("", "すべて"), *PlaceKind.choices]
    )
    welcome = forms.ChoiceField(
        label="対象", required=False, choices=[("", "すべて"), *Welcome.choices]
    )
    day = forms.ChoiceField(label="曜日", required=False, choices=[("", "すべて"), *DAY_CHOICES])
    status = forms.ChoiceField(label="状態", required=False, choices=STATUSES)
    q = forms.CharField(label="キーワード", required=False, max_length=60)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["district"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = district_choices("すべて")


class PlaceForm(Form):
    name = forms.CharField(label="名称", max_length=120)
    kind = forms.ChoiceField(label="種類", choices=[("", "（選んでください）"), *PlaceKind.choices])
    district = forms.TypedChoiceField(label="地区", required=False, coerce=int, empty_value=None)
    address = forms.CharField(label="所在地", max_length=200, required=False)
    description = forms.CharField(
        label="内容", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    welcomes = forms.MultipleChoiceField(
        label="対象", required=False, choices=Welcome.choices, widget=forms.CheckboxSelectMultiple
    )
    interests = forms.CharField(
        label="関心のキーワード",
        required=False,
        max_length=500,
        help_text="読点またはカンマで区切ります。例: 園芸、料理、囲碁",
    )
    days = forms.TypedMultipleChoiceField(
        label="曜日",
        required=False,
        choices=DAY_CHOICES,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    opens_at = forms.TimeField(label="開始時刻", required=False, help_text="例: 10:00")
    closes_at = forms.TimeField(label="終了時刻", required=False, help_text="例: 12:00")
    schedule_note = forms.CharField(
        label="日程の補足", max_length=200, required=False, help_text="例: 第2・第4土曜"
    )
    cost = forms.IntegerField(label="費用（円）", required=False, min_value=0, help_text="無料は 0")
    cost_note = forms.CharField(label="費用の補足", max_length=200, required=False)
    step_free = forms.BooleanField(label="段差なし", required=False)
    transport = forms.BooleanField(label="送迎あり", required=False)
    capacity = forms.IntegerField(label="定員", required=False, min_value=0)
    host = forms.CharField(label="運営団体", max_length=120)
    contact_name = forms.CharField(label="連絡先（担当）", max_length=60, required=False)
    phone = forms.CharField(label="電話", max_length=30, required=False)
    email = forms.EmailField(label="メール", required=False)
    atmosphere = forms.CharField(
        label="雰囲気", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    active = forms.BooleanField(label="活動中", required=False, initial=True)
    started_on = WarekiDateField(
        label="開始日",
        required=False,
        help_text=f"活動を始めた日。統計（期末時点で活動中）はこの日から数えます。{DATE_HINT}",
    )
    paused_on = WarekiDateField(
        label="休止日",
        required=False,
        help_text=f"休止中にした日（空欄なら今日）。「活動中」に戻すと消えます。{DATE_HINT}",
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # 活動中 is what the worker ticked; the 休止日 follows it: today when a place is paused
        # without one, none when it is active again (再開).
        if cleaned.get("active"):
            cleaned["paused_on"] = None
        elif "active" in cleaned and not cleaned.get("paused_on"):
            cleaned["paused_on"] = timezone.localdate()
        return cleaned

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.districts = {d.pk: d for d in District.objects.order_by("order", "pk")}
        field = self.fields["district"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [
            ("", "（選ばない）"),
            *((str(pk), d.name) for pk, d in self.districts.items()),
        ]

    def clean_interests(self) -> list[str]:
        text = self.cleaned_data.get("interests") or ""
        return [part.strip() for part in INTEREST_SEPARATORS.split(text) if part.strip()]

    def place_data(self) -> dict[str, Any]:
        """The cleaned values as save_place expects them."""
        data = {name: self.cleaned_data[name] for name in PLACE_FIELDS}
        data["district"] = self.districts.get(data["district"]) if data["district"] else None
        for name in ("address", "description", "schedule_note", "cost_note", "atmosphere"):
            data[name] = data[name].strip()
        return data

    @staticmethod
    def initial_of(place: Any) -> dict[str, Any]:
        initial = {name: getattr(place, name) for name in PLACE_FIELDS}
        initial["district"] = place.district_id
        initial["interests"] = "、".join(place.interests)
        initial["days"] = [str(d) for d in place.days]
        return initial


class ImportForm(Form):
    file = forms.FileField(
        label="HSDS 3.0 JSON ファイル",
        help_text="UTF-8 の JSON（services の配列）。1件でも問題があれば何も取り込みません。",
        error_messages={"required": "ファイルを選んでください。"},
    )
    MAX_BYTES = 5 * 1024 * 1024
    filename = ""

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError("ファイルが大きすぎます（5MB まで）。")
        self.filename = str(upload.name or "")
        content: bytes = upload.read()
        return content
