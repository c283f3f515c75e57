"""Forms of the meeting screens: scheduling, agenda, attendees, paper pledges, minutes and
decisions. Choices that are personal data (cases, attendees) come from querysets the view
has already filtered through ``tomoni.access``."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from tomoni import access
from tomoni.cases.models import Case
from tomoni.directory.merged import AgencyField, pickable
from tomoni.directory.models import Agency, Role, Staff
from tomoni.lib.forms import Form
from tomoni.lib.textnorm import normalize_text
from tomoni.lib.wareki import format_date
from tomoni.people.forms import WarekiDateField

from .actions import TaskSpec
from .models import Attendance, Decision, Kind, Meeting

TASK_ROWS = 3
TIME_FORMATS = ["%H:%M", "%H:%M:%S"]
# Roles that take part in meetings; add_attendee refuses the others.
ATTENDING_ROLES = (Role.COORDINATOR, Role.WINDOW, Role.AGENCY, Role.OUTREACH, Role.COMMUNITY)


def _time_field(label: str, *, required: bool = True) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        required=required,
        input_formats=TIME_FORMATS,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": "時刻は 14:00 のように入力してください。"},
    )


def _agencies() -> QuerySet[Agency]:
    return pickable(Agency.objects.filter(active=True))


def _staff_accounts() -> QuerySet[Staff]:
    return (
        Staff.objects.filter(is_active=True, role__in=ATTENDING_ROLES, agency__in=_agencies())
        .select_related("agency")
        .order_by("agency__order", "agency__pk", "display_name", "pk")
    )


class StaffChoiceField(forms.ModelChoiceField[Staff]):
    def label_from_instance(self, obj: Staff) -> str:
        return f"{obj.display_name}（{obj.agency.name if obj.agency else '所属なし'}）"


class CaseChoiceField(forms.ModelChoiceField[Case]):
    """A case by its number and title, and whose it is: the main person (when the user may see
    that person: ``names``, read through ``tomoni.access``) and the 地区, so two cases with the
    same title are not mistaken for each other (the queryset selects ``household__district``)."""

    names: dict[int, str] = {}

    def label_from_instance(self, obj: Case) -> str:
        name = self.names.get(obj.person_id) if obj.person_id else None
        whose = f"{name}さん" if name else f"世帯 {obj.household.code}"
        district = obj.household.district
        return f"{obj.code} {obj.title} ／ {whose}（{district.name if district else '地区未確認'}）"


class UpcomingMeetingField(forms.ModelChoiceField[Meeting]):
    def label_from_instance(self, obj: Meeting) -> str:
        return f"{format_date(timezone.localtime(obj.starts_at).date())} {obj.title}"


class AgendaFromCaseForm(Form):
    """On the case page: put this case on the agenda of an upcoming meeting."""

    meeting = UpcomingMeetingField(
        Meeting.objects.none(),
        label="会議",
        empty_label="（選んでください）",
        error_messages={"invalid_choice": "選んだ会議には追加できません。"},
    )
    purpose = forms.CharField(label="検討事項", max_length=200, required=False)

    def __init__(self, *args: Any, user: Staff, case: Case, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "agenda")
        super().__init__(*args, **kwargs)
        field = self.fields["meeting"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = upcoming_meetings(user, case)


def upcoming_meetings(user: Staff, case: Case) -> QuerySet[Meeting]:
    """Meetings from today on that the user may change and that do not list the case yet."""
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return (
        access.for_action(user, Meeting, access.CHANGE)
        .filter(starts_at__gte=today)
        .exclude(agenda__case=case)
        .order_by("starts_at", "pk")
    )


class AttendanceChoiceField(forms.ModelChoiceField[Attendance]):
    def label_from_instance(self, obj: Attendance) -> str:
        who = obj.staff.display_name if obj.staff else obj.name
        return f"{who}（{obj.agency.name}）"


class MeetingForm(Form):
    """会議の予定: the date is typed as 和暦 or 西暦, like the 相談受付票."""

    kind = forms.ChoiceField(
        label="種別",
        choices=Kind.choices,
        widget=forms.RadioSelect,
        help_text="本人同意のないケースは支援会議（第106条の6）でのみ検討できます。",
        error_messages={"required": "会議の種別を選んでください。"},
    )
    title = forms.CharField(
        label="名称",
        max_length=120,
        help_text="カレンダーにも表示されます。個人名やケースの内容は入れないでください。",
        error_messages={"required": "会議の名称を入力してください。"},
    )
    starts_on = WarekiDateField(label="開催日")
    starts_time = _time_field("開始時刻")
    ends_time = _time_field("終了時刻", required=False)
    place = forms.CharField(label="場所", max_length=120, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"starts_time": "14:00", "ends_time": "15:30"})
        super().__init__(*args, **kwargs)

    def clean_title(self) -> str:
        return normalize_text(self.cleaned_data["title"])

    def clean_place(self) -> str:
        return normalize_text(self.cleaned_data["place"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        day: date | None = cleaned.get("starts_on")
        start: time | None = cleaned.get("starts_time")
        end: time | None = cleaned.get("ends_time")
        if day is None:
            if "starts_on" not in self.errors:
                self.add_error("starts_on", "開催日を入力してください。")
            return cleaned
        if start is not None:
            cleaned["starts_at"] = timezone.make_aware(datetime.combine(day, start))
            cleaned["ends_at"] = None
            if end is not None:
                if end <= start:
                    self.add_error("ends_time", "終了時刻は開始時刻より後にしてください。")
                cleaned["ends_at"] = timezone.make_aware(datetime.combine(day, end))
        return cleaned


class AgendaForm(Form):
    case = CaseChoiceField(
        Case.objects.none(),
        label="議題にするケース",
        empty_label="（選んでください）",
        error_messages={
            "required": "ケースを選んでください。",
            "invalid_choice": "選んだケースは議題にできません。",
        },
    )
    purpose = forms.CharField(label="検討事項", max_length=200, required=False)

    def __init__(
        self, *args: Any, user: Staff, meeting: Meeting, cases: QuerySet[Case], **kwargs: Any
    ) -> None:
        kwargs.setdefault("prefix", "agenda")
        super().__init__(*args, **kwargs)
        field = self.fields["case"]
        assert isinstance(field, CaseChoiceField)
        field.queryset = cases
        field.names = access.names(user, cases.values("person_id"))
        # The case chosen shows its household below the list (meetings/_agenda_preview.html)
        # before it is added: whose family it is, not only its number and title.
        field.widget.attrs.update(
            {
                "hx-get": reverse("meetings:agenda_preview", args=[meeting.pk]),
                "hx-trigger": "change",
                "hx-target": "#agenda-preview",
                "aria-controls": "agenda-preview",
            }
        )


class AttendeeForm(Form):
    """An attendee by staff account (who can then open the meeting) or by name only."""

    agency = AgencyField(
        Agency.objects.none(), label="機関", required=False, empty_label="（職員の所属機関）"
    )
    staff = StaffChoiceField(
        Staff.objects.none(),
        label="職員（アカウント）",
        required=False,
        empty_label="（アカウントなし）",
        help_text="アカウントのある職員は、この会議を開けるようになります。",
    )
    name = forms.CharField(label="氏名（アカウントのない出席者）", max_length=60, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "attendee")
        super().__init__(*args, **kwargs)
        agency = self.fields["agency"]
        staff = self.fields["staff"]
        assert isinstance(agency, forms.ModelChoiceField)
        assert isinstance(staff, forms.ModelChoiceField)
        agency.queryset = _agencies()
        staff.queryset = _staff_accounts()

    def clean_name(self) -> str:
        return normalize_text(self.cleaned_data["name"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        staff: Staff | None = cleaned.get("staff")
        if staff is None and not cleaned.get("name"):
            if not self.errors:
                self.add_error(None, "出席者の職員か氏名を入力してください。")
            return cleaned
        if cleaned.get("agency") is None:
            if staff is not None:
                cleaned["agency"] = staff.agency
            else:
                self.add_error("agency", "アカウントのない出席者は機関を選んでください。")
        return cleaned


class PaperPledgeForm(Form):
    """A pledge signed on paper, recorded by the convener."""

    attendance = AttendanceChoiceField(
        Attendance.objects.none(),
        label="出席者",
        empty_label="（選んでください）",
        error_messages={
            "required": "出席者を選んでください。",
            "invalid_choice": "選んだ出席者の誓約は記録できません。",
        },
    )
    signed_on = WarekiDateField(label="誓約日")

    def __init__(self, *args: Any, unpledged: QuerySet[Attendance], **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "pledge")
        kwargs.setdefault("initial", {"signed_on": format_date(timezone.localdate())})
        super().__init__(*args, **kwargs)
        field = self.fields["attendance"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = unpledged

    def clean_signed_on(self) -> date:
        value: date | None = self.cleaned_data["signed_on"]
        if value is None:
            raise forms.ValidationError("誓約日を入力してください。")
        if value > timezone.localdate():
            raise forms.ValidationError("誓約日に未来の日付は指定できません。")
        return value


class MinutesForm(Form):
    minutes = forms.CharField(
        label="議事録",
        max_length=20000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 16}),
    )
    # The version the writer opened: a save by somebody else in between is a conflict.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class DecisionForm(Form):
    """決定事項, with up to three 役割分担 tasks."""

    case = CaseChoiceField(
        Case.objects.none(),
        label="ケース（議題から）",
        empty_label="（選んでください）",
        error_messages={
            "required": "ケースを選んでください。",
            "invalid_choice": "議題にあるケースから選んでください。",
        },
    )
    kind = forms.ChoiceField(
        label="種別",
        choices=[("", "（選んでください）"), *Decision.Kind.choices],
        error_messages={"required": "決定の種別を選んでください。"},
    )
    text = forms.CharField(
        label="決定内容",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "決定内容を入力してください。"},
    )
    handoff_agency = AgencyField(
        Agency.objects.none(),
        label="引き継ぐ主担当機関（終結・中断のとき）",
        required=False,
        empty_label="（なし）",
    )

    def __init__(self, *args: Any, cases: QuerySet[Case], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        case = self.fields["case"]
        handoff = self.fields["handoff_agency"]
        assert isinstance(case, forms.ModelChoiceField)
        assert isinstance(handoff, forms.ModelChoiceField)
        case.queryset = cases
        agencies = _agencies()
        handoff.queryset = agencies
        staff = _staff_accounts()
        for i in range(1, TASK_ROWS + 1):
            self.fields[f"task_title_{i}"] = forms.CharField(
                label="作業", max_length=200, required=False
            )
            self.fields[f"task_agency_{i}"] = AgencyField(
                agencies, label="担当機関", required=False, empty_label="（選んでください）"
            )
            self.fields[f"task_owner_{i}"] = StaffChoiceField(
                staff, label="担当者", required=False, empty_label="（機関内で決める）"
            )
            self.fields[f"task_due_{i}"] = WarekiDateField(
                label="期限", required=False, help_text=""
            )

    def task_rows(
        self,
    ) -> list[tuple[int, forms.BoundField, forms.BoundField, forms.BoundField, forms.BoundField]]:
        return [
            (
                i,
                self[f"task_title_{i}"],
                self[f"task_agency_{i}"],
                self[f"task_owner_{i}"],
                self[f"task_due_{i}"],
            )
            for i in range(1, TASK_ROWS + 1)
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        tasks = []
        for i in range(1, TASK_ROWS + 1):
            title = normalize_text(cleaned.get(f"task_title_{i}", ""))
            agency = cleaned.get(f"task_agency_{i}")
            owner = cleaned.get(f"task_owner_{i}")
            due = cleaned.get(f"task_due_{i}")
            if not title:
                if agency is not None or owner is not None or due is not None:
                    self.add_error(f"task_title_{i}", "作業の内容を入力してください。")
                continue
            if agency is None and owner is not None:
                agency = owner.agency
            if agency is None:
                self.add_error(f"task_agency_{i}", "担当機関を選んでください。")
            if due is None and f"task_due_{i}" not in self.errors:
                self.add_error(f"task_due_{i}", "期限を入力してください。")
            if agency is not None and due is not None:
                tasks.append(TaskSpec(title=title, owner_agency=agency, due_on=due, owner=owner))
        cleaned["tasks"] = tasks
        return cleaned


class MeetingFilterForm(Form):
    WHEN = [("", "すべて"), ("upcoming", "これから"), ("past", "過去")]

    kind = forms.ChoiceField(label="種別", choices=[("", "すべて"), *Kind.choices], required=False)
    when = forms.ChoiceField(label="時期", choices=WHEN, required=False)


class SnapshotForm(Form):
    """What the meeting is shown about one agenda item (第106条の6: what it needs)."""

    summary = forms.CharField(
        label="概要（会議で共有する内容）",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "会議で共有する概要を入力してください。"},
        help_text="検討に必要なことだけを書きます。氏名・住所などは必要な場合に限ります。",
    )
    household_note = forms.CharField(
        label="世帯の状況（必要な範囲）",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    question = forms.CharField(label="会議で検討したいこと", max_length=300, required=False)
