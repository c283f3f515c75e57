"""Forms of アウトリーチ: opening an engagement, the phone form for a contact, a stage move and
the workers. They only parse and check what was typed; ``tomoni.outreach.actions`` decides and
writes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django import forms
from django.utils import timezone

from tomoni.access import Member, record_of
from tomoni.directory.models import Role, Staff
from tomoni.lib.forms import Form
from tomoni.lib.wareki import format_date
from tomoni.people.forms import WarekiDateField, not_future
from tomoni.people.models import Person

from .models import Accompaniment, ContactMethod, ContactOutcome, Reason

TABS = [("mine", "担当"), ("all", "すべて"), ("quiet", "接触が途絶えている")]


def _today() -> str:
    return format_date(timezone.localdate())


def eligible_workers() -> list[Staff]:
    """Who may be assigned: active アウトリーチ支援員 and コーディネーター (staff are not personal
    data; the list is read once per form)."""
    return list(
        Staff.objects.filter(is_active=True, role__in=[Role.OUTREACH, Role.COORDINATOR])
        .select_related("agency")
        .order_by("agency__order", "agency__pk", "role", "display_name", "pk")
    )


class WorkersField(forms.TypedMultipleChoiceField):
    """Staff from a list read once per form."""

    def __init__(self, staff: Sequence[Staff], **kwargs: Any) -> None:
        self.by_pk = {str(s.pk): s for s in staff}
        super().__init__(
            choices=[
                (str(s.pk), f"{s}（{s.get_role_display()}・{s.agency.name if s.agency else '—'}）")
                for s in staff
            ],
            coerce=lambda pk: self.by_pk[pk],
            widget=forms.CheckboxSelectMultiple,
            error_messages={
                "required": "担当の支援員を1人以上選んでください。",
                "invalid_choice": "担当はアウトリーチ支援員かコーディネーターから選んでください。",
            },
            **kwargs,
        )


class EngagementOpenForm(Form):
    person = forms.TypedChoiceField(
        label="対象者",
        required=False,
        coerce=int,
        empty_value=None,
        help_text="世帯員の中から選びます。世帯全体が対象のときは選ばずに進めます。",
    )
    reason = forms.ChoiceField(
        label="理由",
        choices=[("", "（選んでください）"), *Reason.choices],
        error_messages={"required": "アウトリーチの理由を選んでください。"},
    )
    request_text = forms.CharField(
        label="依頼の内容",
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="誰から、どのような心配が寄せられたか。",
    )
    opened_on = WarekiDateField(label="開始日")

    def __init__(
        self, *args: Any, members: Iterable[Member], staff: Sequence[Staff], **kwargs: Any
    ) -> None:
        kwargs.setdefault("initial", {"opened_on": _today()})
        super().__init__(*args, **kwargs)
        self.members = {m.person_id: m for m in members}
        field = self.fields["person"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [
            ("", "（世帯全体）"),
            *((m.person_id, m.label) for m in self.members.values()),
        ]
        self.fields["workers"] = WorkersField(staff, label="担当支援員")

    def clean_person(self) -> Person | None:
        pk = self.cleaned_data["person"]
        if pk is None:
            return None
        if pk not in self.members:
            raise forms.ValidationError("対象者は世帯員の中から選んでください。")
        return record_of(self.members[pk])

    def clean_opened_on(self) -> date | None:
        return not_future(self.cleaned_data["opened_on"], "開始日に未来の日付は指定できません。")


class ContactForm(Form):
    """The phone form: one visit in under a minute."""

    on = WarekiDateField(label="日付", help_text="今日なら変更不要です。和暦でも入力できます。")
    method = forms.ChoiceField(
        label="方法",
        choices=ContactMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "方法を選んでください。"},
    )
    outcome = forms.ChoiceField(
        label="結果",
        choices=ContactOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "結果を選んでください。"},
    )
    accompaniment = forms.ChoiceField(
        label="同行支援",
        choices=Accompaniment.choices,
        required=False,
        help_text="受診同行・手続き支援・退院支援は、方法「同行」と一緒に選びます。",
    )
    note = forms.CharField(
        label="メモ",
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial", {"on": _today(), "method": ContactMethod.VISIT, "accompaniment": ""}
        )
        super().__init__(*args, **kwargs)
        self.fields["on"].widget.attrs.update({"inputmode": "text", "size": "14"})

    def clean_on(self) -> date | None:
        return not_future(self.cleaned_data["on"], "未来の日付の接触は記録できません。")


class MoveForm(Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label="理由・メモ", max_length=300, required=False)


class WorkersForm(Form):
    def __init__(self, *args: Any, staff: Sequence[Staff], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["workers"] = WorkersField(staff, label="担当支援員")
