from __future__ import annotations

from typing import Any

from django import forms

from tomoni.directory.merged import AgencyField
from tomoni.directory.models import Agency
from tomoni.lib.forms import Form
from tomoni.lib.textnorm import normalize_text
from tomoni.participation.models import Place
from tomoni.people.models import Person

from .models import Direction, InformalKind, Strength, TieKind


class TieForm(Form):
    kind = forms.ChoiceField(
        label="つながりの相手",
        choices=TieKind.choices,
        widget=forms.RadioSelect,
        initial=TieKind.INFORMAL,
    )
    informal_kind = forms.ChoiceField(
        label="支援者の種類（インフォーマルのとき）",
        choices=[("", "—"), *InformalKind.choices],
        required=False,
    )
    name = forms.CharField(
        label="名前・呼び方（インフォーマルのとき）",
        max_length=60,
        required=False,
        help_text="例: 民生委員の見本さん、隣の試験さん",
    )
    agency = AgencyField(
        label="機関（支援機関のとき）", queryset=Agency.objects.none(), required=False
    )
    place = forms.ModelChoiceField(
        label="居場所・社会資源（居場所のとき）", queryset=Place.objects.none(), required=False
    )
    person = forms.ModelChoiceField(
        label="主に関わる世帯員",
        queryset=Person.objects.none(),
        required=False,
        empty_label="世帯全体",
    )
    strength = forms.ChoiceField(
        label="つながりの強さ",
        choices=Strength.choices,
        initial=Strength.NORMAL,
        widget=forms.RadioSelect,
    )
    direction = forms.ChoiceField(
        label="支援の向き",
        choices=Direction.choices,
        initial=Direction.BOTH,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label="メモ", max_length=200, required=False)

    def __init__(
        self,
        *args: Any,
        agencies: Any,
        places: Any,
        members: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        for name, queryset in (("agency", agencies), ("place", places), ("person", members)):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = queryset

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in ("name", "note"):
            if name in cleaned:
                cleaned[name] = normalize_text(cleaned[name])
        kind = cleaned.get("kind")
        if kind == TieKind.AGENCY and not cleaned.get("agency"):
            self.add_error("agency", "機関を選んでください。")
        if kind == TieKind.PLACE and not cleaned.get("place"):
            self.add_error("place", "居場所・社会資源を選んでください。")
        if kind == TieKind.INFORMAL and not cleaned.get("informal_kind"):
            self.add_error("informal_kind", "支援者の種類を選んでください。")
        return cleaned
