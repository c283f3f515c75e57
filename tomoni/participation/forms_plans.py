"""Forms of 参加支援プラン: writing and editing a plan, and the small forms of a match (体験,
定着, 見送り, フォロー). They only parse what was typed; ``tomoni.participation.actions``
decides and writes."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django import forms
from django.utils import timezone

from tomoni.access import Member, record_of
from tomoni.directory.models import District, Role, Staff
from tomoni.lib.forms import Form
from tomoni.lib.wareki import format_date
from tomoni.people.forms import WarekiDateField, not_future
from tomoni.people.models import Person

from .models import WEEKDAYS, Constraint, FollowUp, ParticipationPlan, Trial

# Interests are typed as one line: 園芸、料理, 散歩 (full- or half-width separators).
SEPARATORS = re.compile(r"[,、，､;；\n]+")
WORKER_ROLES = (Role.COORDINATOR, Role.OUTREACH, Role.COMMUNITY)


def _today() -> str:
    return format_date(timezone.localdate())


def split_interests(text: str) -> list[str]:
    return [part.strip() for part in SEPARATORS.split(text) if part.strip()]


def _worker_label(worker: Staff) -> str:
    agency = worker.agency.name if worker.agency else "所属なし"
    return f"{worker}（{worker.get_role_display()}・{agency}）"


def eligible_workers() -> list[Staff]:
    """Who may run a plan: coordinators, outreach workers and community coordinators."""
    return list(
        Staff.objects.filter(role__in=WORKER_ROLES, is_active=True)
        .select_related("agency")
        .order_by("role", "display_name", "pk")
    )


class PlanForm(Form):
    """The plan's contents; the new-plan form adds the person and the worker."""

    interests = forms.CharField(
        label="関心",
        max_length=300,
        required=False,
        help_text="読点（、）かカンマで区切って入力します。例: 園芸、料理、散歩",
    )
    strengths = forms.CharField(
        label="強み・できること",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    constraints = forms.MultipleChoiceField(
        label="制約",
        choices=Constraint.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    days = forms.TypedMultipleChoiceField(
        label="都合のよい曜日",
        choices=[(str(i), day) for i, day in enumerate(WEEKDAYS)],
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    max_cost = forms.IntegerField(
        label="費用の上限（円）",
        min_value=0,
        max_value=1_000_000,
        required=False,
        help_text="空欄なら上限なし。無料の場所だけなら 0。",
        error_messages={"min_value": "費用の上限は 0 円以上で入力してください。"},
    )
    needs_step_free = forms.BooleanField(label="段差のない場所が必要", required=False)
    needs_transport = forms.BooleanField(label="送迎が必要", required=False)
    district = forms.ModelChoiceField(
        District.objects.select_related("area"),
        label="住まいの地区",
        required=False,
        empty_label="（選ばない）",
        help_text="世帯の地区が初めから入っています。",
    )
    goal = forms.CharField(
        label="目標",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "目標を入力してください。"},
    )

    def clean_interests(self) -> list[str]:
        return split_interests(self.cleaned_data["interests"])

    def plan_data(self) -> dict[str, Any]:
        """The cleaned values under the names the actions take."""
        data = self.cleaned_data
        return {
            "district": data["district"],
            "interests": data["interests"],
            "strengths": data["strengths"],
            "constraints": data["constraints"],
            "days": data["days"],
            "max_cost": data["max_cost"],
            "needs_step_free": data["needs_step_free"],
            "needs_transport": data["needs_transport"],
            "goal": data["goal"],
        }

    @staticmethod
    def initial_from(plan: ParticipationPlan) -> dict[str, Any]:
        return {
            "interests": "、".join(plan.interests),
            "strengths": plan.strengths,
            "constraints": list(plan.constraints),
            "days": [str(d) for d in plan.days],
            "max_cost": plan.max_cost,
            "needs_step_free": plan.needs_step_free,
            "needs_transport": plan.needs_transport,
            "district": plan.district_id,
            "goal": plan.goal,
            "version": plan.version,
        }


class NewPlanForm(PlanForm):
    def __init__(
        self, *args: Any, members: Iterable[Member], workers: Sequence[Staff], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.members = {m.person_id: m for m in members}
        self.workers = {w.pk: w for w in workers}
        self.fields["person"] = forms.TypedChoiceField(
            label="本人",
            choices=[
                ("", "（選んでください）"),
                *((m.person_id, m.label) for m in self.members.values()),
            ],
            coerce=int,
            error_messages={"required": "本人を選んでください。"},
        )
        self.fields["worker"] = forms.TypedChoiceField(
            label="担当",
            choices=[
                ("", "（選んでください）"),
                *((w.pk, _worker_label(w)) for w in workers),
            ],
            coerce=int,
            error_messages={"required": "担当を選んでください。"},
        )
        self.order_fields(["person", "worker"])

    def clean_person(self) -> Person:
        return record_of(self.members[self.cleaned_data["person"]])

    def clean_worker(self) -> Staff:
        return self.workers[self.cleaned_data["worker"]]


class EditPlanForm(PlanForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


# --- the small forms of a match ------------------------------------------------------------


def _not_future(value: date | None, message: str) -> date:
    if value is None:
        raise forms.ValidationError("日付を入力してください。")
    checked = not_future(value, message)
    assert checked is not None
    return checked


class TrialForm(Form):
    on = WarekiDateField(label="体験日", error_messages={"required": "体験日を入力してください。"})
    outcome = forms.ChoiceField(
        label="結果",
        choices=Trial.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "体験の結果を選んでください。"},
    )
    note = forms.CharField(
        label="様子",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"on": _today()})
        super().__init__(*args, **kwargs)

    def clean_on(self) -> date:
        return _not_future(self.cleaned_data["on"], "未来の日付の体験は記録できません。")


class SettleForm(Form):
    on = WarekiDateField(label="定着日", error_messages={"required": "定着日を入力してください。"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"on": _today()})
        super().__init__(*args, **kwargs)

    def clean_on(self) -> date:
        return _not_future(self.cleaned_data["on"], "未来の日付では定着にできません。")


class DropForm(Form):
    reason = forms.CharField(
        label="見送りの理由",
        max_length=300,
        error_messages={"required": "見送りの理由を入力してください。"},
    )


class FollowUpForm(Form):
    kind = forms.ChoiceField(
        label="種類",
        choices=FollowUp.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "フォローの種類を選んでください。"},
    )
    on = WarekiDateField(label="日付", error_messages={"required": "日付を入力してください。"})
    note = forms.CharField(
        label="内容",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "内容を入力してください。"},
    )

    def __init__(self, *args: Any, kind: str = "", **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"on": _today(), "kind": kind})
        super().__init__(*args, **kwargs)
        if kind:  # the host page only records 受け入れ先への連絡
            self.fields["kind"].choices = [(kind, FollowUp.Kind(kind).label)]  # type: ignore[attr-defined]

    def clean_on(self) -> date:
        return _not_future(self.cleaned_data["on"], "未来の日付は記録できません。")


class EndPlanForm(Form):
    """Nothing to type: a confirmation (the POST itself is the decision)."""
