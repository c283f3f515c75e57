from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.urls import reverse_lazy
from django.utils import timezone

from tomoni.directory.models import District, Tag
from tomoni.lib import dateranges
from tomoni.lib.fields import PkMultipleChoiceField
from tomoni.lib.forms import Form, ModelForm
from tomoni.lib.textnorm import digits_only, normalize_text, unify_dashes
from tomoni.lib.wareki import WarekiError, parse_date_or_none

from .actions import ROLE_CHOICES
from .models import Consent, Household, Membership, Person, Relation, Relationship, Sex
from .postal import suggest_district

DATE_HINT = "例: 令和8年2月19日、R8.2.19、2026-02-19"


def not_future(value: date | None, message: str) -> date | None:
    """A date field's value, refused with ``message`` when it lies after today."""
    if value is not None and value > timezone.localdate():
        raise forms.ValidationError(message)
    return value


class WarekiDateField(forms.CharField):
    """A date typed the way people type it: 和暦 or 西暦, full- or half-width; refused outside
    the range of its ``kind`` (tomoni/lib/dateranges.py; an event within the configured span
    of today unless told otherwise)."""

    def __init__(self, *args: Any, kind: str = dateranges.EVENT, **kwargs: Any) -> None:
        self.kind = kind
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault("help_text", DATE_HINT)
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("autocomplete", "off")
        self.widget.attrs.setdefault("size", "18")

    def prepare_value(self, value: Any) -> Any:
        return value.isoformat() if isinstance(value, date) else value

    def clean(self, value: Any) -> date | None:
        # Parse after CharField's checks: its max_length validator measures the typed text,
        # and would fail on the parsed date (len() of a date) if to_python parsed it.
        text = super().clean(value)
        try:
            day = parse_date_or_none(text)
        except WarekiError as error:
            raise forms.ValidationError(str(error), code="invalid_date") from error
        if day is not None and (message := dateranges.problem(day, self.kind, self._name())):
            raise forms.ValidationError(message, code="date_out_of_range")
        return day

    def _name(self) -> str:
        # 「死亡日（分かれば）」→「死亡日」: the label without its hint.
        return str(self.label or "日付").split("（")[0]


def _clean_phone(value: str) -> str:
    value = unify_dashes(normalize_text(value))
    digits = digits_only(value)
    if value and not 6 <= len(digits) <= 15:
        raise forms.ValidationError("電話番号は6〜15桁の数字で入力してください（ハイフン可）。")
    return value


class PostalCodeField(forms.CharField):
    """郵便番号 as people type it (〒, spaces, dashes, full-width digits), kept as 000-0000.
    ``fills="address district"``: static/tomoni/js/postal.js fills the form's fields of those
    names from the code once seven digits are typed (without script, the form's clean() still
    proposes the 地区)."""

    def __init__(self, *args: Any, fills: str = "", **kwargs: Any) -> None:
        kwargs.setdefault("label", "郵便番号")
        kwargs.setdefault("max_length", 16)  # longer than 000-0000: 〒, spaces, full width
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", "例: 206-0804")
        super().__init__(*args, **kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})
        if fills:
            self.widget.attrs.update(
                {"data-postal": fills, "data-postal-url": reverse_lazy("people:postal_lookup")}
            )

    def clean(self, value: Any) -> str:
        digits = digits_only(super().clean(value))
        if digits and len(digits) != 7:
            raise forms.ValidationError("郵便番号は7桁で入力してください。", code="postal_code")
        return f"{digits[:3]}-{digits[3:]}" if digits else ""


class HouseholdForm(ModelForm[Household]):
    postal_code = PostalCodeField(fills="address district")
    tags = PkMultipleChoiceField(
        Tag.objects.all(), required=False, widget=forms.CheckboxSelectMultiple, label="横断タグ"
    )

    class Meta:
        model = Household
        fields = ["postal_code", "address", "district", "phone", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    # The 地区 clean() took from the address or 郵便番号 because none was chosen (the page
    # says so once saved).
    suggested_district: District | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        district = self.fields["district"]
        assert isinstance(district, forms.ModelChoiceField)
        district.queryset = District.objects.select_related("area")
        district.empty_label = "（未確認）"
        district.help_text = "空欄のときは、住所か郵便番号の町名から入れます"

    def clean_phone(self) -> str:
        return _clean_phone(self.cleaned_data["phone"])

    def clean_address(self) -> str:
        return normalize_text(self.cleaned_data["address"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("district") and "district" not in self.errors:
            found = suggest_district(cleaned.get("address", ""), cleaned.get("postal_code", ""))
            if found is not None:
                cleaned["district"] = self.suggested_district = found
        return cleaned


class PersonForm(ModelForm[Person]):
    birth_date = WarekiDateField(label="生年月日", required=False, kind=dateranges.BIRTH)

    class Meta:
        model = Person
        fields = [
            "family_name",
            "given_name",
            "family_kana",
            "given_kana",
            "birth_date",
            "sex",
            "phone",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"family_kana": "ひらがな・カタカナどちらでも", "given_kana": ""}

    def clean_phone(self) -> str:
        return _clean_phone(self.cleaned_data["phone"])

    def clean(self) -> dict[str, Any]:
        # Store-ready text before the model checks max_length: NFKC can lengthen what was
        # typed (「…」 becomes "..."), and PostgreSQL refuses a value past the column's size.
        super().clean()
        cleaned = self.cleaned_data
        for name in ("family_name", "given_name", "family_kana", "given_kana"):
            if name in cleaned:
                cleaned[name] = normalize_text(cleaned[name])
        return cleaned

    def clean_birth_date(self) -> date | None:
        value: date | None = self.cleaned_data["birth_date"]
        if value and value > timezone.localdate():
            raise forms.ValidationError("生年月日が未来の日付になっています。")
        return value


class PersonEditForm(PersonForm):
    """The person's page: also 死亡 (the flag alone when the date is not known)."""

    deceased_on = WarekiDateField(label="死亡日（分かれば）", required=False, kind=dateranges.LIFE)

    class Meta(PersonForm.Meta):
        fields = [*PersonForm.Meta.fields, "deceased", "deceased_on"]

    def clean_deceased_on(self) -> date | None:
        return not_future(
            self.cleaned_data.get("deceased_on"), "死亡日が未来の日付になっています。"
        )


class MemberForm(PersonForm):
    relationship = forms.ChoiceField(label="続柄", choices=Relationship.choices)
    start_date = WarekiDateField(label="世帯に加わった日", required=False, kind=dateranges.LIFE)

    field_order = ["relationship", *PersonForm.Meta.fields, "start_date"]


class EndMembershipForm(Form):
    end_date = WarekiDateField(label="終了日", kind=dateranges.LIFE)
    end_reason = forms.ChoiceField(label="理由", choices=Membership.EndReason.choices)


class ConsentForm(Form):
    scope = forms.ChoiceField(label="範囲", choices=Consent.Scope.choices)
    status = forms.ChoiceField(
        label="状態",
        choices=[(Consent.Status.GIVEN, "同意あり"), (Consent.Status.REFUSED, "同意なし")],
        widget=forms.RadioSelect,
    )
    on = WarekiDateField(label="同意日")
    method = forms.ChoiceField(label="方法", choices=Consent.Method.choices)
    note = forms.CharField(label="備考", max_length=200, required=False)


class SearchForm(Form):
    q = forms.CharField(label="検索", max_length=60, required=False)


class RelationForm(Form):
    """「〇〇さんの［父・母］は…」: the worker names a relation from the subject's side, with a
    person already in the register or a new one (a late grandfather, a son in another city)."""

    NEW = "new"

    subject = forms.TypedChoiceField(label="誰の関係か", coerce=int)
    role = forms.ChoiceField(label="関係", choices=ROLE_CHOICES)
    other = forms.ChoiceField(
        label="相手", help_text="名簿にいない方は「新しく登録する」を選びます"
    )
    union = forms.ChoiceField(
        label="婚姻の状況（配偶者のとき）",
        choices=[("", "—"), *Relation.Union.choices],
        required=False,
    )
    start_date = WarekiDateField(label="開始日（婚姻日など）", required=False, kind=dateranges.LIFE)
    note = forms.CharField(label="備考", max_length=200, required=False)
    # A new person: the fields a genogram needs; the rest can be added on the person's page.
    family_name = forms.CharField(label="姓", max_length=40, required=False)
    given_name = forms.CharField(label="名", max_length=40, required=False)
    family_kana = forms.CharField(label="せい(ふりがな)", max_length=60, required=False)
    given_kana = forms.CharField(label="めい(ふりがな)", max_length=60, required=False)
    sex = forms.ChoiceField(label="性別", choices=Sex.choices, initial=Sex.UNKNOWN)
    birth_date = WarekiDateField(label="生年月日", required=False, kind=dateranges.BIRTH)
    deceased = forms.BooleanField(label="死亡している", required=False)
    deceased_on = WarekiDateField(label="死亡日（分かれば）", required=False, kind=dateranges.LIFE)

    def __init__(
        self,
        *args: Any,
        subjects: list[Person],
        others: list[Person],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        subject = self.fields["subject"]
        assert isinstance(subject, forms.TypedChoiceField)
        subject.choices = [(p.pk, p.full_name) for p in subjects]
        other = self.fields["other"]
        assert isinstance(other, forms.ChoiceField)
        other.choices = [
            (self.NEW, "新しく登録する（下の欄に入力）"),
            *((str(p.pk), p.full_name) for p in others),
        ]
        self.people = {p.pk: p for p in [*subjects, *others]}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in ("family_name", "given_name", "family_kana", "given_kana", "note"):
            if name in cleaned:
                cleaned[name] = normalize_text(cleaned[name])
        if cleaned.get("other") == self.NEW and not cleaned.get("family_name"):
            self.add_error("family_name", "新しく登録する方の姓を入力してください。")
        other = cleaned.get("other")
        if other is not None and other != self.NEW and int(other) == cleaned.get("subject"):
            self.add_error("other", "同じ人どうしの関係は登録できません。")
        if cleaned.get("role") == "spouse" and not cleaned.get("union"):
            cleaned["union"] = Relation.Union.MARRIED
        if cleaned.get("role") != "spouse":
            cleaned["union"] = ""
        for name, message in (
            ("birth_date", "生年月日が未来の日付になっています。"),
            ("deceased_on", "死亡日が未来の日付になっています。"),
        ):
            if cleaned.get(name) and cleaned[name] > timezone.localdate():
                self.add_error(name, message)
        if cleaned.get("deceased_on"):
            cleaned["deceased"] = True
        return cleaned

    def subject_person(self) -> Person:
        return self.people[self.cleaned_data["subject"]]

    def other_person(self) -> Person | None:
        value = self.cleaned_data["other"]
        return None if value == self.NEW else self.people[int(value)]

    def new_person_data(self) -> dict[str, Any]:
        names = (*NEW_PERSON_FIELDS,)
        return {name: self.cleaned_data[name] for name in names}


NEW_PERSON_FIELDS = (
    "family_name",
    "given_name",
    "family_kana",
    "given_kana",
    "sex",
    "birth_date",
    "deceased",
    "deceased_on",
)


class EndRelationForm(Form):
    reason = forms.ChoiceField(label="終了の理由", choices=Relation.EndReason.choices)
    on = WarekiDateField(label="終了日（分かれば）", required=False, kind=dateranges.LIFE)
