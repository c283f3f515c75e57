"""The drill-down of a figure: the records it counts, as a table with columns that fit each
kind of record, each linking to the record's own page.

What a figure counts is its row's ``figures.Counted``; which of those records a user sees is
``access.visible`` (the view passes it in). This module only knows how to show a record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Model

from tomoni.web.templatetags.wareki import wareki_short

Cell = tuple[str, str]  # (text, link or "")


def _day(value: date | datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        from django.utils import timezone

        local = timezone.localtime(value)
        return f"{wareki_short(local)} {local:%H:%M}"
    return wareki_short(value)


def _shown(obj: Any, name: str) -> str:
    display = getattr(obj, f"get_{name}_display", None)
    text = display() if display is not None else getattr(obj, name)
    return str(text) if text not in (None, "") else "—"


def _link(text: str, obj: Any) -> Cell:
    return (text, obj.get_absolute_url())


def _text(text: object) -> Cell:
    return (str(text) if text not in (None, "") else "—", "")


@dataclass(frozen=True)
class Columns:
    """How a kind of record is listed: its headers, what to load with it, and its cells."""

    headers: tuple[str, ...]
    related: tuple[str, ...]
    cells: Callable[[Any], list[Cell]]
    noun: str = "件"


def _hours(referral: Any) -> str:
    if referral.responded_at is None:
        return "—"
    return f"{(referral.responded_at - referral.sent_at).total_seconds() / 3600:.1f}"


def _days(closure: Any) -> str:
    return f"{(closure.on - closure.case.opened_on).days}"


COLUMNS: dict[str, Columns] = {
    "intake.Consultation": Columns(
        ("受付番号", "受付日時", "受付機関", "新規・継続", "相談方法", "対応結果"),
        ("agency",),
        lambda c: [
            _link(c.code, c),
            _text(_day(c.received_at)),
            _text(c.agency.name),
            _text("新規" if c.is_new else "継続"),
            _text(_shown(c, "method")),
            _text(_shown(c, "outcome")),
        ],
    ),
    "intake.Referral": Columns(
        (
            "つなぎ",
            "依頼日時",
            "依頼元",
            "依頼先",
            "状態",
            "回答期限",
            "回答日時",
            "回答まで（時間）",
        ),
        ("from_agency", "to_agency"),
        lambda r: [
            _link(f"つなぎ {r.pk}", r),
            _text(_day(r.sent_at)),
            _text(r.from_agency.name),
            _text(r.to_agency.name),
            _text(_shown(r, "state")),
            _text(_day(r.due_on)),
            _text(_day(r.responded_at)),
            _text(_hours(r)),
        ],
    ),
    "cases.Case": Columns(
        ("ケース", "概要", "開始日", "終了日", "段階"),
        (),
        lambda k: [
            _link(k.code, k),
            _text(k.title),
            _text(_day(k.opened_on)),
            _text(_day(k.closed_on)),
            _text(_shown(k, "stage")),
        ],
    ),
    "cases.Closure": Columns(
        ("ケース", "区分", "日付", "開始日", "開始からの日数"),
        ("case",),
        lambda c: [
            _link(c.case.code, c.case),
            _text(_shown(c, "kind")),
            _text(_day(c.on)),
            _text(_day(c.case.opened_on)),
            _text(_days(c)),
        ],
    ),
    "cases.Plan": Columns(
        ("ケース", "版", "作成日", "承認日"),
        ("case",),
        lambda p: [
            (f"{p.case.code}", p.get_absolute_url()),
            _text(f"第{p.number}版"),
            _text(_day(p.written_on)),
            _text(_day(p.approved_on)),
        ],
    ),
    "cases.StageChange": Columns(
        ("ケース", "日時", "変更前", "変更後", "理由・メモ"),
        ("case",),
        lambda s: [
            _link(s.case.code, s.case),
            _text(_day(s.at)),
            _text(_shown(s, "from_stage")),
            _text(_shown(s, "to_stage")),
            _text(s.note),
        ],
    ),
    "meetings.Meeting": Columns(
        ("会議", "種別", "日時"),
        (),
        lambda m: [_link(m.title, m), _text(_shown(m, "kind")), _text(_day(m.starts_at))],
        "回",
    ),
    "outreach.Engagement": Columns(
        ("対象", "開始日", "理由", "段階", "終了日"),
        (),
        lambda e: [
            _link(e.code, e),
            _text(_day(e.opened_on)),
            _text(_shown(e, "reason")),
            _text(_shown(e, "stage")),
            _text(_day(e.ended_on)),
        ],
    ),
    "outreach.Contact": Columns(
        ("対象", "日付", "方法", "結果", "同行支援"),
        ("engagement",),
        lambda c: [
            _link(c.engagement.code, c.engagement),
            _text(_day(c.on)),
            _text(_shown(c, "method")),
            _text(_shown(c, "outcome")),
            _text(_shown(c, "accompaniment")),
        ],
        "回",
    ),
    "participation.ParticipationPlan": Columns(
        ("参加支援プラン", "作成日時", "状態"),
        (),
        lambda p: [_link(p.code, p), _text(_day(p.created_at)), _text(_shown(p, "status"))],
    ),
    "participation.Match": Columns(
        ("参加支援プラン", "居場所", "候補に選んだ日時", "状態", "定着日"),
        ("plan", "place"),
        lambda m: [
            _link(m.plan.code, m.plan),
            _text(m.place.name),
            _text(_day(m.picked_at)),
            _text(_shown(m, "state")),
            _text(_day(m.settled_on)),
        ],
    ),
    "participation.Trial": Columns(
        ("参加支援プラン", "居場所", "体験日", "結果"),
        ("match__plan", "match__place"),
        lambda t: [
            _link(t.match.plan.code, t.match.plan),
            _text(t.match.place.name),
            _text(_day(t.on)),
            _text(_shown(t, "outcome")),
        ],
    ),
    "participation.FollowUp": Columns(
        ("参加支援プラン", "居場所", "日付", "種類"),
        ("match__plan", "match__place"),
        lambda f: [
            _link(f.match.plan.code, f.match.plan),
            _text(f.match.place.name),
            _text(_day(f.on)),
            _text(_shown(f, "kind")),
        ],
    ),
    "participation.Place": Columns(
        ("居場所・社会資源", "地区", "開始日", "休止日", "種類"),
        ("district",),
        lambda p: [
            _link(p.name, p),
            _text(p.district.name if p.district_id else ""),
            # What the figure counts from: the 開始日, or the day it was registered here.
            _text(_day(p.started_on) if p.started_on else f"（登録 {_day(p.created_at)}）"),
            _text(_day(p.paused_on)),
            _text(_shown(p, "kind")),
        ],
        "か所",
    ),
    "community.Activity": Columns(
        ("地域の取組", "地区", "種類", "運営"),
        ("district",),
        lambda a: [
            _link(a.name, a),
            _text(a.district.name),
            _text(_shown(a, "kind")),
            _text(a.host),
        ],
    ),
    "community.ActivitySession": Columns(
        ("地域の取組", "実施日", "子ども", "現役世代", "高齢者"),
        ("activity",),
        lambda s: [
            _link(s.activity.name, s.activity),
            _text(_day(s.held_on)),
            _text(s.children),
            _text(s.adults),
            _text(s.elderly),
        ],
        "回",
    ),
    "directory.Agency": Columns(
        ("機関", "種別"), (), lambda a: [_text(a.name), _text(_shown(a, "kind"))]
    ),
}


def columns(model: type[Model]) -> Columns:
    return COLUMNS[model._meta.label]
