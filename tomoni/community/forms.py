"""Forms of 地域づくり. They only parse what was typed (dates in 和暦 or 西暦); the actions in
``tomoni.community.actions`` check and write."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from django import forms
from django.db.models import Model

from tomoni.directory.models import District
from tomoni.lib import dateranges
from tomoni.lib.fields import PkMultipleChoiceField
from tomoni.lib.forms import Form
from tomoni.participation.models import Place, PlaceKind
from tomoni.people.forms import WarekiDateField

from .actions import (
    MAX_HEADCOUNT,
    ActivityData,
    CouncilData,
    EventData,
    GroupData,
    MeetingData,
    MemberData,
    ProgrammeItemData,
    SessionData,
)
from .models import Activity, Council, CouncilMeeting, CouncilMember, Event

LINES_HINT = "1行に1項目で書きます。"


def _text(label: str, rows: int = 3, **kwargs: Any) -> forms.CharField:
    kwargs.setdefault("required", False)
    return forms.CharField(label=label, widget=forms.Textarea(attrs={"rows": rows}), **kwargs)


def _required(label: str) -> dict[str, str]:
    return {"required": f"{label}を入力してください。"}


class MemberChoices(PkMultipleChoiceField[CouncilMember]):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.affiliation}）{'・退任' if obj.left_on else ''}"


class PlaceChoice(forms.ModelChoiceField[Place]):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.district.name if obj.district else '地区なし'}・{obj.name}"


class MeetingChoice(forms.ModelChoiceField[CouncilMeeting]):
    def label_from_instance(self, obj: Any) -> str:
        topic = obj.topics.splitlines()[0][:30] if obj.topics else ""
        return f"{obj.council.district.name}・{obj.held_on:%Y-%m-%d}・{topic}"


D = TypeVar("D")


class DataForm(Form, Generic[D]):
    """A form whose cleaned values go to an action as its typed input, ``data_class`` (the
    form's fields are the dataclass's: tests/community/test_forms.py checks)."""

    data_class: type[D]

    def data_for_action(self) -> D:
        return self.data_class(**self.cleaned_data)

    @classmethod
    def initial_of(cls, obj: Model) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        for name in cls.base_fields:
            value = getattr(obj, name)
            if isinstance(value, Model):
                value = value.pk
            elif hasattr(value, "all"):  # a many-to-many manager
                value = [m.pk for m in value.all()]
            initial[name] = value
        return initial


class CouncilForm(DataForm[CouncilData]):
    data_class = CouncilData

    name = forms.CharField(label="名称", max_length=120, error_messages=_required("名称"))
    established_on = WarekiDateField(label="設置日", required=False, kind=dateranges.LIFE)
    purpose = _text("目的・進め方", max_length=2000)


class MemberForm(DataForm[MemberData]):
    data_class = MemberData

    name = forms.CharField(label="氏名", max_length=60, error_messages=_required("氏名"))
    affiliation = forms.CharField(
        label="所属・立場",
        max_length=120,
        help_text="例: 自治会、民生委員・児童委員、老人クラブ、ふれあいセンター",
        error_messages=_required("所属・立場"),
    )
    position = forms.ChoiceField(label="役割", choices=CouncilMember.Position.choices)
    joined_on = WarekiDateField(label="就任日", required=False, kind=dateranges.LIFE)
    left_on = WarekiDateField(label="退任日", required=False, kind=dateranges.LIFE)


class MeetingForm(DataForm[MeetingData]):
    data_class = MeetingData

    held_on = WarekiDateField(label="開催日", error_messages=_required("開催日"))
    venue = forms.CharField(label="会場", max_length=120, required=False)
    attendees = MemberChoices(
        CouncilMember.objects.none(),
        label="出席した委員",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    other_attendees = forms.CharField(
        label="その他の出席者",
        max_length=300,
        required=False,
        help_text="例: 生活支援コーディネーター、地域包括支援センター職員"
        "（個人の相談内容は書きません）",
    )
    topics = _text("議題", required=True, max_length=2000, error_messages=_required("議題"))
    minutes = _text("議事の要旨", rows=6, max_length=8000)
    decisions = _text("決定事項", max_length=4000, help_text=LINES_HINT)
    follow_ups = _text("今後の取組・宿題", max_length=4000, help_text=LINES_HINT)

    def __init__(self, *args: Any, council: Council, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["attendees"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = council.members.all()


class ActivityForm(DataForm[ActivityData]):
    data_class = ActivityData

    name = forms.CharField(label="名称", max_length=120, error_messages=_required("名称"))
    district = forms.ModelChoiceField(
        District.objects.order_by("order", "pk"),
        label="地区",
        empty_label="（選んでください）",
        error_messages=_required("地区"),
    )
    place = PlaceChoice(
        Place.objects.none(),
        label="居場所（一覧の項目）",
        required=False,
        empty_label="（結び付けない）",
        help_text="居場所・社会資源の一覧に載っている場合に選びます。同じ地区のものに限ります。",
    )
    kind = forms.ChoiceField(label="種類", choices=[("", "（選んでください）"), *PlaceKind.choices])
    host = forms.CharField(
        label="運営",
        max_length=120,
        help_text="運営する団体・グループ",
        error_messages=_required("運営"),
    )
    started_on = WarekiDateField(label="開始日", error_messages=_required("開始日"))
    frequency = forms.CharField(
        label="頻度", max_length=100, help_text="例: 毎月第1日曜", error_messages=_required("頻度")
    )
    origin = forms.ChoiceField(
        label="きっかけ", choices=[("", "（選んでください）"), *Activity.Origin.choices]
    )
    council_meeting = MeetingChoice(
        CouncilMeeting.objects.none(),
        label="きっかけになった協議体の会議",
        required=False,
        empty_label="（なし）",
    )
    story = _text("経緯・ストーリー", rows=5, max_length=4000)
    active = forms.BooleanField(label="活動中", required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        place = self.fields["place"]
        assert isinstance(place, forms.ModelChoiceField)
        place.queryset = Place.objects.filter(active=True).select_related("district")
        meeting = self.fields["council_meeting"]
        assert isinstance(meeting, forms.ModelChoiceField)
        meeting.queryset = CouncilMeeting.objects.select_related("council__district").order_by(
            "council__district__order", "-held_on"
        )


class SessionForm(DataForm[SessionData]):
    data_class = SessionData

    held_on = WarekiDateField(label="実施日", error_messages=_required("実施日"))
    children = forms.IntegerField(
        label="子ども（18歳未満）", min_value=0, max_value=MAX_HEADCOUNT, initial=0
    )
    adults = forms.IntegerField(
        label="現役世代（18〜64歳）", min_value=0, max_value=MAX_HEADCOUNT, initial=0
    )
    elderly = forms.IntegerField(
        label="高齢者（65歳以上）", min_value=0, max_value=MAX_HEADCOUNT, initial=0
    )
    note = forms.CharField(
        label="メモ",
        max_length=200,
        required=False,
        help_text="人数のほかに記録したいこと。個人が分かることは書きません。",
    )


class EventForm(DataForm[EventData]):
    data_class = EventData

    name = forms.CharField(label="名称", max_length=120, error_messages=_required("名称"))
    kind = forms.ChoiceField(label="種類", choices=Event.Kind.choices)
    held_on = WarekiDateField(label="開催日", error_messages=_required("開催日"))
    opens_at = forms.TimeField(label="開始時刻", required=False, help_text="例: 13:00")
    closes_at = forms.TimeField(label="終了時刻", required=False, help_text="例: 16:00")
    venue = forms.CharField(label="会場", max_length=120, error_messages=_required("会場"))
    description = _text("内容", rows=4, max_length=4000)


class ProgrammeForm(DataForm[ProgrammeItemData]):
    data_class = ProgrammeItemData

    starts_at = forms.TimeField(
        label="開始時刻", help_text="例: 13:10", error_messages=_required("開始時刻")
    )
    title = forms.CharField(label="内容", max_length=120, error_messages=_required("内容"))
    district = forms.ModelChoiceField(
        District.objects.order_by("order", "pk"),
        label="活動報告の地区",
        required=False,
        empty_label="（地区の報告ではない）",
    )
    presenter = forms.CharField(label="発表者・団体", max_length=120, required=False)


class GroupForm(DataForm[GroupData]):
    data_class = GroupData

    name = forms.CharField(label="団体名", max_length=120, error_messages=_required("団体名"))
    district = forms.ModelChoiceField(
        District.objects.order_by("order", "pk"),
        label="地区",
        required=False,
        empty_label="（市全域・地区なし）",
    )
    panel = forms.BooleanField(label="パネル展示", required=False)
    panel_title = forms.CharField(label="展示のテーマ", max_length=120, required=False)
    report = forms.BooleanField(label="活動報告", required=False)
    headcount = forms.IntegerField(label="参加人数", min_value=1, max_value=200, initial=1)
    contact = forms.CharField(
        label="連絡先（団体の代表窓口）",
        max_length=120,
        required=False,
        help_text="団体としての窓口（例: 事務局の電話）。",
    )


class YearForm(Form):
    fy = forms.TypedChoiceField(label="年度", coerce=int, required=False)

    def __init__(self, *args: Any, years: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["fy"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(str(fy), label) for fy, label in years]
