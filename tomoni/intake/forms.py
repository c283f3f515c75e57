"""Forms of 包括的相談支援: the 相談受付票, the forms on a consultation and the list filters."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.forms.utils import ErrorDict
from django.urls import reverse
from django.utils import timezone

from tomoni.directory.merged import pickable, target_label
from tomoni.directory.models import Agency, Concern, District, Tag
from tomoni.directory.network import by_field
from tomoni.lib import dateranges
from tomoni.lib.fields import PkMultipleChoiceField
from tomoni.lib.forms import Form, TimeTextField
from tomoni.lib.textnorm import normalize_text
from tomoni.lib.wareki import format_date
from tomoni.notes.models import NoteMethod, Visibility
from tomoni.people.forms import PersonForm, PostalCodeField, WarekiDateField, _clean_phone
from tomoni.people.models import Person, Sex
from tomoni.people.postal import suggest_district

from .actions import Route
from .models import ConsentVersion, Method, Outcome, Referral, RouteKind, Urgency

ROUTE_ROWS = 3
# The fields that look for possible matches as they are typed (see NewPersonForm).
MATCH_FIELDS = ("family_name", "given_name", "family_kana", "given_kana", "birth_date")
PERSON_PREFIX = "p"


def _now_hhmm() -> str:
    return timezone.localtime().strftime("%H:%M")


class NewPersonForm(PersonForm):
    """本人を新しく登録する: the people form, plus the htmx wiring of the matches panel."""

    class Meta(PersonForm.Meta):
        fields = [f for f in PersonForm.Meta.fields if f != "notes"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", PERSON_PREFIX)
        super().__init__(*args, **kwargs)
        # A consultation may be anonymous: 姓 is asked for only when a new person is typed.
        self.fields["family_name"].required = False
        self.fields["family_name"].help_text = "新しい方を登録するときは必須です"
        self.fields["sex"].required = False
        include = ", ".join(f"#{self[name].auto_id}" for name in MATCH_FIELDS)
        for name in MATCH_FIELDS:
            self.fields[name].widget.attrs.update(
                {
                    "hx-get": reverse("intake:matches"),
                    "hx-trigger": "input changed delay:400ms",
                    "hx-include": include,
                    "hx-target": "#matches",
                    "hx-swap": "outerHTML",
                    "autocomplete": "off",
                }
            )

    def has_input(self) -> bool:
        """Whether anything was typed for a new person (otherwise: nobody, or a chosen one)."""
        return any(str(self.data.get(self.add_prefix(name), "")).strip() for name in MATCH_FIELDS)

    def full_clean(self) -> None:
        """Nothing typed: no person, so nothing to report about one (an anonymous
        consultation, or one whose person was picked from the matches)."""
        if self.is_bound and not self.has_input():
            self._errors = ErrorDict()
            self.cleaned_data = {}
            return
        super().full_clean()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not cleaned.get("family_name") and "family_name" not in self.errors:
            self.add_error("family_name", "新しい方を登録するときは、姓を入力してください。")
        cleaned["sex"] = cleaned.get("sex") or Sex.UNKNOWN
        return cleaned


PICK_REFUSED = "選んだ方が見つかりません。お手数ですが、もう一度検索してから選んでください。"


def _person_field() -> forms.ModelChoiceField[Person]:
    # Set by 「この方で受け付ける」 in the matches panel. Its choices are the persons this worker
    # may pick (access.candidates.pickable), given by the view: none until then.
    return forms.ModelChoiceField(
        Person.objects.none(),
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": PICK_REFUSED},
    )


def _limit_person(form: forms.Form, pickable: QuerySet[Person] | None) -> None:
    field = form.fields["person"]
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = pickable if pickable is not None else Person.objects.none()


class ChooseForm(Form):
    person = _person_field()

    def __init__(self, *args: Any, pickable: QuerySet[Person] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        _limit_person(self, pickable)


class ConsultationForm(Form):
    """相談受付・申込票 (MHLW 事務マニュアル 参考資料「帳票」), all but a new person's fields."""

    # cleaned_data keys passed to take_consultation() as they are
    ACTION_FIELDS = (
        "received_at",
        "method",
        "is_new",
        "urgency",
        "consent",
        "caller_name",
        "caller_relation",
        "caller_phone",
        "person",
        "primary",
        "tags",
        "route",
        "summary",
        "text",
    )

    received_on = WarekiDateField(label="受付日")
    received_time = TimeTextField(label="受付時刻")
    method = forms.ChoiceField(label="相談方法", choices=Method.choices, widget=forms.RadioSelect)
    is_new = forms.TypedChoiceField(
        label="新規・継続",
        choices=[("1", "新規"), ("0", "継続")],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    urgency = forms.ChoiceField(label="緊急度", choices=Urgency.choices, widget=forms.RadioSelect)
    consent = forms.ChoiceField(
        label="本人同意（受付票の種類）",
        choices=ConsentVersion.choices,
        widget=forms.RadioSelect,
        help_text="関係機関との情報共有について、本人の同意を得たかどうか。",
        error_messages={"required": "本人同意の有無を選んでください。"},
    )
    caller_name = forms.CharField(label="来談者・連絡者の氏名", max_length=60, required=False)
    caller_relation = forms.CharField(
        label="本人との関係", max_length=40, required=False, help_text="例: 長女、民生児童委員"
    )
    caller_phone = forms.CharField(label="来談者の電話", max_length=30, required=False)
    person = _person_field()
    household_postal_code = PostalCodeField(fills="household_address household_district")
    household_address = forms.CharField(label="住所", max_length=200, required=False)
    household_district = forms.ModelChoiceField(
        District.objects.all(), label="地区", required=False, empty_label="（未確認）"
    )
    concerns = PkMultipleChoiceField(
        Concern.objects.filter(on_checklist=True, active=True),
        label="相談内容（あてはまるものすべて）",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    other_concerns = PkMultipleChoiceField(
        Concern.objects.filter(on_checklist=False, active=True),
        label="その他の課題",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    primary = forms.ModelChoiceField(
        Concern.objects.filter(active=True),
        label="◎ 最も困っていること",
        required=False,
        empty_label="（選ばない）",
        # tomoni.js offers only the 課題 ticked above (the form checks it too, in clean()).
        widget=forms.Select(attrs={"data-choices-from": "concerns other_concerns"}),
        help_text="チェックした課題の中から1つ選びます。",
    )
    tags = PkMultipleChoiceField(
        Tag.objects.all(), label="横断タグ", required=False, widget=forms.CheckboxSelectMultiple
    )
    summary = forms.CharField(
        label="相談の要旨（1行）",
        max_length=120,
        help_text="一覧に表示されます。例: 夫が施設に入り、ケーブルテレビの解約ができない",
        error_messages={"required": "相談の要旨を入力してください。"},
    )
    text = forms.CharField(
        label="相談内容（自由記述）",
        max_length=8000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(self, *args: Any, pickable: QuerySet[Person] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "received_on": format_date(timezone.localdate()),
                "received_time": _now_hhmm(),
                "method": Method.PHONE,
                "is_new": "1",
                "urgency": Urgency.NORMAL,
            },
        )
        super().__init__(*args, **kwargs)
        if not self.is_bound:  # the keyboard starts in the form (after errors: the summary)
            self.fields["received_on"].widget.attrs["autofocus"] = True
        agencies = Agency.objects.filter(active=True)
        for i in range(1, ROUTE_ROWS + 1):
            self.fields[f"route_kind_{i}"] = forms.ChoiceField(
                label="経路", choices=[("", "（なし）"), *RouteKind.choices], required=False
            )
            self.fields[f"route_agency_{i}"] = forms.ModelChoiceField(
                agencies, label="機関", required=False, empty_label="（機関を選ばない）"
            )
            self.fields[f"route_relation_{i}"] = forms.CharField(
                label="続柄・詳細", max_length=40, required=False
            )
        district = self.fields["household_district"]
        assert isinstance(district, forms.ModelChoiceField)
        district.queryset = District.objects.select_related("area")
        _limit_person(self, pickable)

    def route_rows(self) -> list[tuple[int, forms.BoundField, forms.BoundField, forms.BoundField]]:
        return [
            (i, self[f"route_kind_{i}"], self[f"route_agency_{i}"], self[f"route_relation_{i}"])
            for i in range(1, ROUTE_ROWS + 1)
        ]

    def more_routes_open(self) -> bool:
        """Rows after the first start folded (most routes have one step; the keyboard skips
        them in one Tab), open when the worker has filled one or it has an error."""
        return any(
            field.value() not in (None, "") or field.errors
            for _, *fields in self.route_rows()[1:]
            for field in fields
        )

    def clean_caller_phone(self) -> str:
        return _clean_phone(self.cleaned_data["caller_phone"])

    def clean_household_address(self) -> str:
        return normalize_text(self.cleaned_data["household_address"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        day, time = cleaned.get("received_on"), cleaned.get("received_time")
        if day and time:
            received = timezone.make_aware(datetime.combine(day, time))
            # A few minutes of slack: the clock of the PC and the server may differ.
            if received > timezone.now() + timedelta(minutes=10):
                self.add_error("received_time", "受付日時が未来になっています。")
            cleaned["received_at"] = received
        cleaned["route"] = self._clean_route(cleaned)
        chosen = [*cleaned.get("concerns", []), *cleaned.get("other_concerns", [])]
        cleaned["all_concerns"] = chosen
        address, postal_code = (
            cleaned.get("household_address", ""),
            cleaned.get("household_postal_code", ""),
        )
        if (
            (address or postal_code)
            and not cleaned.get("household_district")
            and "household_district" not in self.errors
        ):
            # No 地区 chosen: the address's 町名, else the code's, as on the household form.
            cleaned["household_district"] = suggest_district(address, postal_code)
        primary = cleaned.get("primary")
        if primary is not None and primary not in chosen:
            self.add_error("primary", "◎ は、チェックした課題の中から選んでください。")
        return cleaned

    def _clean_route(self, cleaned: dict[str, Any]) -> list[Route]:
        """The filled rows in order; an agency without a kind is 「支援機関」."""
        route = []
        for i in range(1, ROUTE_ROWS + 1):
            kind = cleaned.get(f"route_kind_{i}", "")
            agency = cleaned.get(f"route_agency_{i}")
            relation = normalize_text(cleaned.get(f"route_relation_{i}", ""))
            if not kind and agency is not None:
                kind = RouteKind.AGENCY
            if not kind:
                if relation:
                    self.add_error(f"route_kind_{i}", "経路を選んでください。")
                continue
            route.append(Route(kind=kind, agency=agency, relation=relation))
        return route


class OutcomeForm(Form):
    # 他機関へつなぐ is set by つなぐ itself, when a referral exists.
    outcome = forms.ChoiceField(
        label="対応結果",
        choices=[("", "（選んでください）")]
        + [(value, label) for value, label in Outcome.choices if value != Outcome.REFERRED],
    )


class ReferForm(Form):
    to_agency = forms.ModelChoiceField(
        Agency.objects.none(),
        label="つなぎ先",
        empty_label="（選んでください）",
        error_messages={"required": "つなぎ先を選んでください。"},
    )
    shared_summary = forms.CharField(
        label="依頼先に伝える内容",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="つなぎ先に見えるのは、この内容と本人の基本情報（氏名・生年月日・住所等）だけです。",
        error_messages={"required": "依頼先に伝える内容を入力してください。"},
    )

    OTHER_AREAS = "他の圏域の機関"

    def __init__(
        self, *args: Any, own_agency_id: int, district: District | None = None, **kwargs: Any
    ) -> None:
        """``district``: where the household lives, when known. An agency that serves one
        日常生活圏域 (a 地域包括支援センター) is offered in its 分野 for that 圏域's households
        and otherwise in a last group, still selectable (a family about to move)."""
        super().__init__(*args, **kwargs)
        field = self.fields["to_agency"]
        assert isinstance(field, forms.ModelChoiceField)
        # Where the window is the 自立相談支援機関, its separate row is no つなぎ先 (jiritsu).
        field.queryset = pickable(Agency.objects.filter(active=True).exclude(pk=own_agency_id))
        # Grouped by whom they serve (分野), with the 業務紹介 guide beside the picker: one
        # query serves both, validation still goes through the queryset.
        agencies = list(field.queryset)
        area_id = district.area_id if district else None
        here = [a for a in agencies if area_id is None or a.area_id in (None, area_id)]
        elsewhere = [a for a in agencies if a not in here]
        self.agency_groups = by_field(here)

        def label(agency: Agency) -> str:
            mine = district is not None and agency.area_id == area_id
            name = target_label(agency)
            return f"{name}（{district}の担当圏域）" if mine else name

        field.choices = [
            ("", "（選んでください）"),
            *((name, [(str(a.pk), label(a)) for a in rows]) for name, rows in self.agency_groups),
            *(
                [(self.OTHER_AREAS, [(str(a.pk), label(a)) for a in elsewhere])]
                if elsewhere
                else []
            ),
        ]


class NoteForm(Form):
    on = WarekiDateField(label="日付")
    method = forms.ChoiceField(label="方法", choices=NoteMethod.choices)
    visibility = forms.ChoiceField(
        label="公開範囲", choices=Visibility.choices, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label="内容",
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "内容を入力してください。"},
    )

    def __init__(self, *args: Any, pickable: QuerySet[Person] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "on": format_date(timezone.localdate()),
                "method": NoteMethod.PHONE,
                "visibility": Visibility.SHARED,
            },
        )
        super().__init__(*args, **kwargs)

    def clean_on(self) -> date:
        value: date | None = self.cleaned_data["on"]
        if value is None:
            raise forms.ValidationError("日付を入力してください。")
        if value > timezone.localdate():
            raise forms.ValidationError("未来の日付の記録は登録できません。")
        return value


class ConsultationFilterForm(Form):
    SCOPES = [("mine", "自分の相談"), ("unassigned", "未割り当て"), ("all", "すべて")]
    NO_OUTCOME = "none"

    scope = forms.ChoiceField(
        label="対象", choices=SCOPES, required=False, widget=forms.RadioSelect
    )
    outcome = forms.ChoiceField(
        label="対応結果",
        choices=[("", "すべて"), (NO_OUTCOME, "未決定"), *Outcome.choices],
        required=False,
    )
    received_from = WarekiDateField(
        label="受付日（から）", required=False, help_text="", kind=dateranges.SEARCH
    )
    received_to = WarekiDateField(
        label="受付日（まで）", required=False, help_text="", kind=dateranges.SEARCH
    )
    q = forms.CharField(
        label="キーワード",
        max_length=60,
        required=False,
        help_text="要旨・相談内容・支援経過記録から探します（2文字以上、スペース区切りですべてを含む）。",
    )


class ReferralFilterForm(Form):
    OPEN = "open"

    state = forms.ChoiceField(
        label="状態",
        choices=[(OPEN, "対応中（依頼中・受諾）"), *Referral.State.choices, ("all", "すべて")],
        required=False,
    )
