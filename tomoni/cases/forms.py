"""Forms of 多機関協働: opening a case, the small forms on the case page, the assessment,
the plan editor and the 評価シート. They only parse and check what was typed; the actions in
``tomoni.cases.actions`` decide and write."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django import forms
from django.db import models
from django.utils import timezone

from tomoni.access import Member, record_of
from tomoni.directory.merged import merged_away, pickable, target_label
from tomoni.directory.models import Agency, Concern, Tag
from tomoni.lib import dateranges
from tomoni.lib.fields import PkMultipleChoiceField
from tomoni.lib.forms import Form, ModelForm
from tomoni.lib.wareki import format_date
from tomoni.notes.models import NoteMethod, Visibility
from tomoni.people.forms import WarekiDateField, not_future
from tomoni.people.models import Consent, Person

from .actions import ASSESSMENT_FIELDS, PlannedAction, PlanTerms
from .models import (
    Assessment,
    Attainment,
    Closure,
    CooperationKind,
    GoalTerm,
    HealthInsurance,
    Housing,
    Pension,
    Plan,
    PlanGoal,
    ReviewDecision,
    TeamRole,
    WorkStatus,
)

GOAL_ROWS = 6
ACTION_ROWS = 8
CHOOSE = ("", "（選んでください）")


# How a consent was obtained; 「記録なし」 only describes rows carried over by the migration.
PERSON_CONSENT_METHODS = [
    (value, label) for value, label in Consent.Method.choices if value != "unrecorded"
]


def _today() -> str:
    return format_date(timezone.localdate())


def _initial_when_left_out(form: forms.BaseForm, name: str) -> None:
    """A date the page always fills in (作成日, 実施日): a post that leaves the field out
    altogether (a page opened before it existed, a script) keeps the form's initial date, as
    the action would; a field the worker emptied is still refused as required."""
    if form.is_bound and name not in form.data:
        data: Any = copy.copy(form.data)  # a QueryDict's copy is mutable
        data[name] = form.initial.get(name) or _today()
        form.data = data


class AgencyChoiceField(forms.TypedChoiceField):
    """An agency from a list read once per form (the plan editor has eight of these)."""

    @classmethod
    def must_choose(cls, agencies: Sequence[Agency]) -> AgencyChoiceField:
        """「機関」 that must be chosen (the team and 連携 forms)."""
        return cls(
            agencies,
            label="機関",
            empty_label="（選んでください）",
            error_messages={"required": "機関を選んでください。"},
        )

    def __init__(self, agencies: Sequence[Agency], **kwargs: Any) -> None:
        self.by_pk = {str(a.pk): a for a in agencies}
        empty = kwargs.pop("empty_label", "（選ばない）")
        super().__init__(
            choices=[("", empty), *((str(a.pk), target_label(a)) for a in agencies)],
            coerce=lambda pk: self.by_pk[pk],
            empty_value=None,
            **kwargs,
        )


def active_agencies(keep: Iterable[int | None] = ()) -> list[Agency]:
    """The agencies to pick from (directory.merged.pickable), and those in ``keep``: the ones a
    record being edited already names, so saving it again keeps them."""
    offered = pickable(Agency.objects.filter(active=True))
    kept = [pk for pk in keep if pk is not None]
    rows = offered | Agency.objects.filter(pk__in=kept) if kept else offered
    return list(rows.order_by("order", "pk"))


# --- opening -------------------------------------------------------------------------------


class CaseOpenForm(Form):
    title = forms.CharField(
        label="ケースの概要",
        max_length=120,
        help_text="一覧に表示されます。例: 8050世帯、母の介護と長男のひきこもり",
        error_messages={"required": "ケースの概要を入力してください。"},
    )
    person = forms.TypedChoiceField(label="主な本人", required=False, coerce=int, empty_value=None)
    request_text = forms.CharField(
        label="依頼の内容",
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="何に困っていて、多機関協働に何を期待するか。",
    )
    tags = PkMultipleChoiceField(
        Tag.objects.all(), label="横断タグ", required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, members: Iterable[Member], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.members = {m.person_id: m for m in members}
        field = self.fields["person"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [
            ("", "（選ばない）"),
            *((m.person_id, m.label) for m in self.members.values()),
        ]

    def clean_person(self) -> Person | None:
        pk = self.cleaned_data["person"]
        return None if pk is None else record_of(self.members[pk])


# --- the small forms on the case page ------------------------------------------------------


class MoveForm(Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label="理由・メモ", max_length=300, required=False)


class CloseForm(Form):
    kind = forms.ChoiceField(
        label="区分",
        choices=Closure.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "終結か中断かを選んでください。"},
    )
    on = WarekiDateField(label="日付")
    reason = forms.CharField(
        label="理由",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "終結・中断の理由を入力してください。"},
    )

    def __init__(self, *args: Any, agencies: Sequence[Agency], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"on": _today(), "kind": Closure.Kind.CLOSED})
        super().__init__(*args, **kwargs)
        self.fields["handoff_agency"] = AgencyChoiceField(
            agencies,
            label="引き継ぐ主担当機関",
            required=False,
            help_text="終結では必須です（多機関協働が抱え込まないために）。",
        )

    def clean_on(self) -> date | None:
        return not_future(self.cleaned_data["on"], "未来の日付では終結・中断できません。")


class ReopenForm(Form):
    reason = forms.CharField(
        label="再開の理由",
        max_length=300,
        error_messages={"required": "再開の理由を入力してください。"},
    )


class ConsentForm(Form):
    """One member's answer for one purpose (a people.Consent of that person)."""

    person = forms.TypedChoiceField(label="世帯員", coerce=int)
    scope = forms.ChoiceField(label="同意の目的", choices=Consent.Scope.choices)
    status = forms.ChoiceField(
        label="状態",
        choices=[
            (Consent.Status.GIVEN, "同意あり"),
            (Consent.Status.REFUSED, "同意なし"),
            (Consent.Status.PENDING, "確認中（回答待ち）"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "同意の状態を選んでください。"},
    )
    on = WarekiDateField(label="確認日")
    method = forms.ChoiceField(label="方法", choices=PERSON_CONSENT_METHODS)
    note = forms.CharField(
        label="備考・同意の範囲",
        max_length=300,
        required=False,
        help_text="例: 地域包括支援センターと障害者相談支援事業所に限り共有",
    )

    def __init__(self, *args: Any, members: Sequence[Member] = (), **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"on": _today()})
        super().__init__(*args, **kwargs)
        self.members = {m.person_id: m for m in members if m.current}
        person = self.fields["person"]
        assert isinstance(person, forms.TypedChoiceField)
        person.choices = [
            (m.person_id, f"{m.name or '（氏名非表示）'}（{m.relationship}）")
            for m in self.members.values()
        ]

    def clean_on(self) -> date:
        value = not_future(self.cleaned_data["on"], "確認日に未来の日付は指定できません。")
        if value is None:
            raise forms.ValidationError("確認日を入力してください。")
        return value

    def clean_person(self) -> Person:
        return record_of(self.members[self.cleaned_data["person"]])


class WithdrawConsentForm(Form):
    """The withdrawal of a consent given earlier (a new record; the access it allowed ends)."""

    consent = forms.TypedChoiceField(label="撤回する同意", coerce=int)
    on = WarekiDateField(label="撤回日")
    method = forms.ChoiceField(label="方法", choices=PERSON_CONSENT_METHODS)
    note = forms.CharField(label="備考", max_length=300, required=False)

    def __init__(self, *args: Any, given: Sequence[Consent] = (), **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"on": _today()})
        super().__init__(*args, **kwargs)
        self.given = {c.pk: c for c in given}
        field = self.fields["consent"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [
            (
                c.pk,
                f"{c.person.family_name} {c.person.given_name}: {c.get_scope_display()}"
                f"（{format_date(c.on)}）",
            )
            for c in given
        ]

    def clean_on(self) -> date:
        value = not_future(self.cleaned_data["on"], "撤回日に未来の日付は指定できません。")
        if value is None:
            raise forms.ValidationError("撤回日を入力してください。")
        return value

    def clean_consent(self) -> Consent:
        return self.given[self.cleaned_data["consent"]]


class TeamForm(Form):
    role = forms.ChoiceField(
        label="役割", choices=TeamRole.choices, initial=TeamRole.RELATED, widget=forms.RadioSelect
    )
    contact = forms.CharField(label="担当者", max_length=60, required=False)
    start_on = WarekiDateField(label="参加日", required=False)

    def __init__(self, *args: Any, agencies: Sequence[Agency], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"start_on": _today(), "role": TeamRole.RELATED})
        super().__init__(*args, **kwargs)
        self.fields["agency"] = AgencyChoiceField.must_choose(agencies)
        self.order_fields(["agency", "role", "contact", "start_on"])


class CooperationForm(Form):
    """関係機関との連携: with which agency, what, when (the day it happened)."""

    kind = forms.ChoiceField(
        label="種類",
        choices=[CHOOSE, *CooperationKind.choices],
        error_messages={"required": "連携の種類を選んでください。"},
    )
    on = WarekiDateField(
        label="日付",
        kind=dateranges.PAST,
        error_messages={"required": "日付を入力してください。"},
    )
    note = forms.CharField(label="メモ", max_length=300, required=False)

    def __init__(self, *args: Any, agencies: Sequence[Agency], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"on": _today()})
        super().__init__(*args, **kwargs)
        self.fields["agency"] = AgencyChoiceField.must_choose(agencies)
        self.order_fields(["agency", "kind", "on", "note"])


class EndTeamForm(Form):
    end_on = WarekiDateField(label="終了日", required=False)


class ConcernForm(Form):
    person = forms.TypedChoiceField(
        label="世帯員", coerce=int, error_messages={"required": "世帯員を選んでください。"}
    )
    concern = forms.ModelChoiceField(
        Concern.objects.filter(active=True),
        label="課題",
        empty_label="（選んでください）",
        error_messages={"required": "課題を選んでください。"},
    )
    priority = forms.TypedChoiceField(
        label="優先度", choices=[(1, "1 高"), (2, "2 中"), (3, "3 低")], coerce=int, initial=2
    )
    note = forms.CharField(label="メモ", max_length=300, required=False)

    def __init__(
        self, *args: Any, members: Iterable[Member], agencies: Sequence[Agency], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.members = {m.person_id: m for m in members}
        field = self.fields["person"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [CHOOSE, *((m.person_id, m.label) for m in self.members.values())]
        self.fields["agency"] = AgencyChoiceField(agencies, label="担当機関", required=False)
        self.order_fields(["person", "concern", "priority", "agency", "note"])

    def clean_person(self) -> Person:
        return record_of(self.members[self.cleaned_data["person"]])


class TendencyForm(Form):
    CHOICES = [("rule", "ルールに従う"), ("yes", "該当"), ("no", "非該当")]
    value = forms.ChoiceField(label="判断", choices=CHOICES)

    def as_override(self) -> bool | None:
        return {"rule": None, "yes": True, "no": False}[self.cleaned_data["value"]]


class CaseNoteForm(Form):
    on = WarekiDateField(label="日付")
    method = forms.ChoiceField(label="方法", choices=NoteMethod.choices)
    visibility = forms.ChoiceField(
        label="公開範囲",
        choices=[
            (Visibility.SHARED, "このケースを見られる職員"),
            (Visibility.OWN_AGENCY, "自機関の職員のみ"),
        ],
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label="内容",
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "内容を入力してください。"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {"on": _today(), "method": NoteMethod.PHONE, "visibility": Visibility.SHARED},
        )
        super().__init__(*args, **kwargs)

    def clean_on(self) -> date:
        value = not_future(self.cleaned_data["on"], "未来の日付の記録は登録できません。")
        if value is None:
            raise forms.ValidationError("日付を入力してください。")
        return value


class CaseFilterForm(Form):
    TABS = [("mine", "担当ケース"), ("unassigned", "未割当の依頼"), ("all", "すべて")]

    tab = forms.ChoiceField(label="対象", choices=TABS, required=False)
    stage = forms.ChoiceField(label="段階", required=False)
    q = forms.CharField(
        label="キーワード（概要・経過記録）",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )

    def __init__(self, *args: Any, stages: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["stage"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "すべて"), ("open", "進行中（終結・中断以外）"), *stages]


# --- assessment ----------------------------------------------------------------------------


# The check items of the paper sheet: (choice field, its 補足 text field).
ASSESSMENT_CHECKS = (
    ("work_status", "work"),
    ("housing", "housing_note"),
    ("insurance", "health_insurance"),
    ("pension_kind", "pension"),
)
_CHOICES: dict[str, type[models.TextChoices]] = {
    "work_status": WorkStatus,
    "housing": Housing,
    "insurance": HealthInsurance,
    "pension_kind": Pension,
}
_CHOICE_FIELDS = frozenset(_CHOICES)


class AssessmentForm(ModelForm[Assessment]):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    assessed_on = WarekiDateField(
        label="実施日",
        kind=dateranges.PAST,
        help_text="アセスメントを行った日（統計はこの日で数えます）。",
    )

    class Meta:
        model = Assessment
        fields = list(ASSESSMENT_FIELDS)
        widgets = {
            **{name: forms.RadioSelect for name in _CHOICE_FIELDS},
            **{
                name: forms.Textarea(attrs={"rows": 3})
                for name in (
                    "work",
                    "health",
                    "income",
                    "debts",
                    "relationships",
                    "strengths",
                    "wishes",
                    "supporters",
                )
            },
        }
        error_messages = {
            "work_status": {"invalid_choice": "就労の状況は一覧から選んでください。"},
            "housing": {"invalid_choice": "住居は一覧から選んでください。"},
            "insurance": {"invalid_choice": "健康保険は一覧から選んでください。"},
            "pension_kind": {"invalid_choice": "年金は一覧から選んでください。"},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        instance = kwargs.get("instance")
        kwargs["initial"] = {
            "assessed_on": format_date(instance.assessed_on) if instance else _today(),
            **kwargs.get("initial", {}),
        }
        super().__init__(*args, **kwargs)
        self.order_fields(["assessed_on"])
        _initial_when_left_out(self, "assessed_on")
        for name in _CHOICE_FIELDS:
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [("", "未記入"), *_CHOICES[name].choices]

    def data_for_action(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in ASSESSMENT_FIELDS}


def _label(name: str) -> str:
    return str(Assessment._meta.get_field(name).verbose_name)  # type: ignore[union-attr]


def assessment_rows(sheet: Assessment) -> list[tuple[str, str]]:
    """(label, text) of every item of the sheet in the form's order, choices as their label."""
    rows = []
    for name in ASSESSMENT_FIELDS:
        if name in _CHOICE_FIELDS:
            text = getattr(sheet, f"get_{name}_display")() if getattr(sheet, name) else ""
        else:
            text = getattr(sheet, name)
        rows.append((_label(name), text))
    return rows


def assessment_checks(
    sheet: Assessment | None,
) -> list[tuple[str, list[tuple[str, bool]], str]]:
    """The check items as on paper: (label, every option with whether it is ticked, 補足)."""
    rows = []
    for choice, note in ASSESSMENT_CHECKS:
        value = getattr(sheet, choice) if sheet else ""
        options = [(str(label), key == value) for key, label in _CHOICES[choice].choices]
        rows.append((_label(choice), options, getattr(sheet, note) if sheet else ""))
    return rows


def assessment_texts(sheet: Assessment | None) -> list[tuple[str, str]]:
    """The free-text items that are not the 補足 of a check item."""
    notes = {note for _, note in ASSESSMENT_CHECKS}
    return [
        (_label(name), getattr(sheet, name) if sheet else "")
        for name in ASSESSMENT_FIELDS
        if name not in _CHOICE_FIELDS and name not in notes
    ]


# --- plan ----------------------------------------------------------------------------------


class PlanForm(Form):
    base = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    summary = forms.CharField(
        label="支援の方向性",
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    refer_outreach = forms.BooleanField(
        label="アウトリーチ等を通じた継続的支援へつなぐ", required=False
    )
    refer_participation = forms.BooleanField(label="参加支援へつなぐ", required=False)
    review_on = WarekiDateField(label="見直し予定日", required=False)
    wishes = forms.CharField(
        label="本人の希望",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="本人が話した言葉のまま書きます。例:「母の介護を続けながら、少しずつ働きたい」",
        error_messages={"max_length": "本人の希望は2000文字以内で入力してください。"},
    )
    period_start = WarekiDateField(label="計画期間（開始日）", required=False)
    period_end = WarekiDateField(label="計画期間（終了日）", required=False)
    consented = forms.BooleanField(
        label="本人同意の確認: 本人がこの版のプランの内容に同意した",
        required=False,
        help_text="内容を変えた版では、改めて本人に確認してからチェックしてください。",
    )
    consented_on = WarekiDateField(label="本人が同意した日", required=False, kind=dateranges.PAST)
    written_on = WarekiDateField(
        label="作成日",
        kind=dateranges.PAST,
        help_text="この版のプランを作成した日（統計はこの日で数えます）。",
    )

    def __init__(self, *args: Any, agencies: Sequence[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _initial_when_left_out(self, "written_on")
        for i in range(GOAL_ROWS):
            self.fields[f"goal_term_{i}"] = forms.ChoiceField(
                label="期間", choices=GoalTerm.choices, initial=GoalTerm.SHORT, required=False
            )
            self.fields[f"goal_text_{i}"] = forms.CharField(
                label="目標", max_length=300, required=False
            )
        for i in range(ACTION_ROWS):
            # An agency no longer offered (directory.merged) stays in the row that names it only.
            named = str(self.initial.get(f"action_agency_{i}") or "")
            offered = [a for a in agencies if not merged_away(a) or str(a.pk) == named]
            self.fields[f"action_agency_{i}"] = AgencyChoiceField(
                offered, label="誰が（機関）", required=False
            )
            self.fields[f"action_who_{i}"] = forms.CharField(
                label="誰が（担当者・本人等）", max_length=60, required=False
            )
            self.fields[f"action_what_{i}"] = forms.CharField(
                label="何を", max_length=300, required=False
            )
            self.fields[f"action_due_{i}"] = WarekiDateField(
                label="いつまでに", required=False, help_text=""
            )

    @staticmethod
    def initial_from(plan: Plan | None) -> dict[str, Any]:
        """The editor starts from the newest version (or empty rows for the first one)."""
        if plan is None:
            return {"base": 0, "goal_term_0": GoalTerm.LONG, "written_on": _today()}
        initial: dict[str, Any] = {
            "base": plan.number,
            # A new version is written today, whatever the date of the one it starts from.
            "written_on": _today(),
            "summary": plan.summary,
            "refer_outreach": plan.refer_outreach,
            "refer_participation": plan.refer_participation,
            "review_on": format_date(plan.review_on) if plan.review_on else "",
            "wishes": plan.wishes,
            "period_start": format_date(plan.period_start) if plan.period_start else "",
            "period_end": format_date(plan.period_end) if plan.period_end else "",
            "consented": plan.consented_on is not None,
            "consented_on": format_date(plan.consented_on) if plan.consented_on else "",
        }
        goals: list[PlanGoal] = list(plan.goals.all())
        for i, goal in enumerate(goals[:GOAL_ROWS]):
            initial[f"goal_term_{i}"] = goal.term
            initial[f"goal_text_{i}"] = goal.text
        for i, action in enumerate(list(plan.actions.all())[:ACTION_ROWS]):
            initial[f"action_agency_{i}"] = str(action.agency_id or "")
            initial[f"action_who_{i}"] = action.who
            initial[f"action_what_{i}"] = action.what
            initial[f"action_due_{i}"] = format_date(action.due_on) if action.due_on else ""
        return initial

    def goal_rows(self) -> list[tuple[int, forms.BoundField, forms.BoundField]]:
        return [(i + 1, self[f"goal_term_{i}"], self[f"goal_text_{i}"]) for i in range(GOAL_ROWS)]

    def action_rows(
        self,
    ) -> list[tuple[int, forms.BoundField, forms.BoundField, forms.BoundField, forms.BoundField]]:
        return [
            (
                i + 1,
                self[f"action_agency_{i}"],
                self[f"action_who_{i}"],
                self[f"action_what_{i}"],
                self[f"action_due_{i}"],
            )
            for i in range(ACTION_ROWS)
        ]

    def clean_consented_on(self) -> date | None:
        return not_future(
            self.cleaned_data["consented_on"], "本人が同意した日に未来の日付は指定できません。"
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end <= start:
            self.add_error("period_end", "計画期間の終了日は開始日より後の日付にしてください。")
        if cleaned.get("consented") and not cleaned.get("consented_on"):
            if "consented_on" not in self.errors:
                self.add_error("consented_on", "本人が同意した日を入力してください。")
        elif cleaned.get("consented_on") and not cleaned.get("consented"):
            self.add_error(
                "consented",
                "同意した日を残すときは「本人同意の確認」にチェックを入れてください。",
            )
        for i in range(ACTION_ROWS):
            filled = cleaned.get(f"action_agency_{i}") or cleaned.get(f"action_who_{i}")
            if (filled or cleaned.get(f"action_due_{i}")) and not cleaned.get(f"action_what_{i}"):
                self.add_error(f"action_what_{i}", "「何を」を入力してください。")
        return cleaned

    def terms(self) -> PlanTerms:
        data = self.cleaned_data
        return PlanTerms(
            wishes=data["wishes"],
            period_start=data["period_start"],
            period_end=data["period_end"],
            consented_on=data["consented_on"] if data["consented"] else None,
            written_on=data["written_on"],
        )

    def goals(self) -> list[tuple[str, str]]:
        data = self.cleaned_data
        return [
            (data[f"goal_term_{i}"] or GoalTerm.SHORT, data[f"goal_text_{i}"])
            for i in range(GOAL_ROWS)
            if data[f"goal_text_{i}"].strip()
        ]

    def planned_actions(self) -> list[PlannedAction]:
        data = self.cleaned_data
        return [
            PlannedAction(
                what=data[f"action_what_{i}"],
                agency=data[f"action_agency_{i}"],
                who=data[f"action_who_{i}"],
                due_on=data[f"action_due_{i}"],
            )
            for i in range(ACTION_ROWS)
            if data[f"action_what_{i}"].strip()
        ]


# --- 評価 ----------------------------------------------------------------------------------


class ReviewForm(Form):
    on = WarekiDateField(label="評価日")
    changes = forms.CharField(
        label="見られた変化",
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    decision = forms.ChoiceField(
        label="判定",
        choices=ReviewDecision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "判定を選んでください。"},
    )

    def __init__(self, *args: Any, goals: Sequence[PlanGoal], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"on": _today()})
        super().__init__(*args, **kwargs)
        self.goals = list(goals)
        for goal in self.goals:
            self.fields[f"attainment_{goal.pk}"] = forms.ChoiceField(
                label=f"達成度: {goal.text}",
                choices=Attainment.choices,
                widget=forms.RadioSelect,
                error_messages={"required": f"目標「{goal.text}」の達成度を選んでください。"},
            )
            self.fields[f"comment_{goal.pk}"] = forms.CharField(
                label="所見", max_length=300, required=False
            )

    def clean_on(self) -> date:
        value = not_future(self.cleaned_data["on"], "評価日に未来の日付は指定できません。")
        if value is None:
            raise forms.ValidationError("評価日を入力してください。")
        return value

    def goal_rows(self) -> list[tuple[PlanGoal, forms.BoundField, forms.BoundField]]:
        return [(g, self[f"attainment_{g.pk}"], self[f"comment_{g.pk}"]) for g in self.goals]

    def attainments(self) -> dict[int, tuple[str, str]]:
        data = self.cleaned_data
        return {g.pk: (data[f"attainment_{g.pk}"], data[f"comment_{g.pk}"]) for g in self.goals}
