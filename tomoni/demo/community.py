"""Demo 地域づくり: a 協議体 in each of the 10 地区 with members and meetings over two 年度
(令和7年度 and 令和8年度 up to the demo's "today"), 地域の取組 with monthly records of
participants by generation, and one 地域のつながりフォーラム.

Rows go in with ``bulk_create`` (the demo loader is the one bulk exception to the actions),
followed by one ``bulk_load`` audit event. Every date is fixed relative to ``UNTIL``, so the
same seed gives the same records on any day, and nothing lies after it. Member names use the
obviously synthetic surnames of ``names.py``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, time

from tomoni.audit.log import Action, record
from tomoni.community.models import (
    Activity,
    ActivitySession,
    Council,
    CouncilMeeting,
    CouncilMember,
    Event,
    EventGroup,
    ProgrammeItem,
)
from tomoni.directory.models import Agency, District, Staff
from tomoni.lib.bizdays import add_business_days
from tomoni.lib.synthetic_names import FEMALE, MALE, PUBLIC_SURNAMES
from tomoni.participation.models import Place, PlaceKind

from .intake import UNTIL

K = PlaceKind
P = CouncilMember.Position
O = Activity.Origin  # noqa: E741

# (position, affiliation) of the six members every 協議体 has.
SEATS = (
    (P.CHAIR, "自治会"),
    (P.VICE_CHAIR, "民生委員・児童委員"),
    (P.MEMBER, "老人クラブ"),
    (P.MEMBER, "ふれあいセンター運営委員会"),
    (P.MEMBER, "子ども食堂・子育てサークル"),
    (P.SECRETARIAT, "生活支援コーディネーター（社会福祉協議会）"),
)
# Meetings every other month: 令和7年度 in full, 令和8年度 until UNTIL.
MEETING_MONTHS: tuple[tuple[int, int], ...] = (
    *((2025, m) for m in (5, 7, 9, 11)),
    (2026, 1),
    (2026, 3),
    *((2026, m) for m in (5, 7, 9, 11)),
)
TOPICS = (
    (
        "地区の居場所マップの更新",
        "居場所マップを年度内に改訂する\n新しいサロン2か所を掲載する",
        "各委員が担当地域の活動を確認して次回報告する",
    ),
    (
        "多世代が集まれる場所づくり",
        "子ども食堂と高齢者サロンの合同開催を試行する",
        "会場の候補をふれあいセンターと調整する",
    ),
    (
        "見守り活動の進め方",
        "ゆるやかな見守りの声かけ例を作る",
        "民生委員と自治会で声かけ例の案を作る",
    ),
    (
        "つながりフォーラムの準備",
        "地区の活動報告とパネル展示で参加する",
        "パネルの写真を集める（写真は本人の了解を得たものだけ）",
    ),
    (
        "担い手の確保",
        "活動紹介のチラシを回覧する",
        "若い世代への声かけを子育てサークルに相談する",
    ),
)


@dataclass(frozen=True)
class Plan:
    """One 地域の取組 of the demo."""

    name: str
    district: str
    kind: str
    host: str
    started: date
    frequency: str
    origin: str
    mix: tuple[int, int, int]  # typical children, adults, elderly per session
    place: str = ""
    story: str = ""
    active: bool = True


SALONS = {
    "yanokuchi": "サロン「ひだまり」",
    "higashinaganuma": "サロン「えんがわ」",
    "oshitate": "なし畑の茶の間",
    "omaru": "大丸いこいサロン",
    "momura": "百村ほっとサロン",
    "koyodai": "こうようだい縁側カフェ",
    "sakahama": "坂浜よりみちサロン",
    "hirao": "平尾団地ふらっとサロン",
    "nagamine": "長峰おしゃべりサロン",
    "wakabadai": "わかばサロン",
}

PLANS: tuple[Plan, ...] = (
    Plan(
        "押立朝市の復活",
        "oshitate",
        K.MARKET,
        "押立朝市実行委員会",
        date(2025, 6, 1),
        "毎月第1日曜 7:00〜9:00",
        O.COUNCIL,
        (6, 30, 45),
        place="押立朝市",
        story="協議体がきっかけで復活。後継者不足で途絶えていた朝市を、令和7年5月の押立地区"
        "協議体で「顔の見える買い物の場をもう一度」と話し合い、農家・自治会・社協が実行委員会を"
        "作って6月に再開した。袋詰めの手伝いに中学生や子育て中の親も加わっている。",
    ),
    Plan(
        "みんなの家 おしたて",
        "oshitate",
        K.IBASHO,
        "みんなの家運営委員会",
        date(2024, 10, 1),
        "週3回（月・水・金）",
        O.RESIDENTS,
        (8, 10, 22),
        place="みんなの家 おしたて",
        story="空き家の持ち主の申し出から始まった多世代の居場所。放課後の子どもと高齢者が"
        "将棋を指す光景が定着した。",
    ),
    Plan(
        "大丸コミュニティ食堂と寺子屋",
        "omaru",
        K.IBASHO,
        "大丸地区の有志",
        date(2025, 9, 4),
        "毎週木曜",
        O.COUNCIL,
        (18, 8, 6),
        place="大丸コミュニティ食堂と寺子屋",
        story="協議体で「子どもの居場所が足りない」との声があり、食堂と学習支援を組み合わせて"
        "始めた。退職した教員が勉強を見ている。",
    ),
    Plan(
        "平尾団地 多世代ラジオ体操",
        "hirao",
        K.IBASHO,
        "平尾団地自治会",
        date(2025, 7, 20),
        "毎月第3日曜",
        O.COUNCIL,
        (10, 8, 25),
        story="協議体の見守りの話し合いから、団地の広場でラジオ体操を始めた。夏休みは子どもが増える。",
    ),
    Plan(
        "わかば台 子育てと介護のおしゃべり会",
        "wakabadai",
        K.SALON,
        "わかば台子育てサークル",
        date(2026, 4, 12),
        "毎月第2日曜",
        O.GROUP,
        (4, 12, 6),
        story="ダブルケアの経験者が「同じ立場の人と話したい」と立ち上げた。",
    ),
)


def _meeting_day(year: int, month: int, district_index: int) -> date:
    # The second or third week of the month, a different day per 地区: one the office is
    # open, as the 地域包括 staff and coordinators attend (the next such day after a weekend
    # or a holiday).
    return add_business_days(date(year, month, 8 + district_index), 0)


def _councils(districts: list[District]) -> dict[str, Council]:
    councils = Council.objects.bulk_create(
        [
            Council(
                district=d,
                name=f"{d.name}地区 生活支援・介護予防サービス協議体",
                established_on=date(2016 + i % 3, 4 + i % 6, 1),
                purpose="住民・団体・専門職が地区の困りごとと資源を話し合い、"
                "支え合いの活動と居場所づくりにつなげる。",
            )
            for i, d in enumerate(districts)
        ]
    )
    return {d.code: c for d, c in zip(districts, councils, strict=True)}


def _members(councils: dict[str, Council], rng: random.Random) -> dict[str, list[CouncilMember]]:
    rows: list[CouncilMember] = []
    for council in councils.values():
        for position, affiliation in SEATS:
            family = rng.choice(PUBLIC_SURNAMES)[0]
            given = rng.choice(MALE if rng.random() < 0.5 else FEMALE)[0]
            rows.append(
                CouncilMember(
                    council=council,
                    name=f"{family} {given}",
                    affiliation=affiliation,
                    position=position,
                    joined_on=date(2024, 4, 1),
                )
            )
        # One member stepped down at the end of 令和7年度 and a successor took over.
        rows[-3].left_on = date(2026, 3, 31)
        rows.append(
            CouncilMember(
                council=council,
                name=f"{rng.choice(PUBLIC_SURNAMES)[0]} {rng.choice(FEMALE)[0]}",
                affiliation=rows[-3].affiliation,
                position=P.MEMBER,
                joined_on=date(2026, 4, 1),
            )
        )
    CouncilMember.objects.bulk_create(rows)
    members: dict[str, list[CouncilMember]] = {}
    for member in rows:
        members.setdefault(str(member.council_id), []).append(member)
    return members


def _meetings(
    councils: dict[str, Council],
    members: dict[str, list[CouncilMember]],
    staff: Staff,
    rng: random.Random,
) -> dict[str, CouncilMeeting]:
    """Every council's meetings; returns the one that revived the 押立朝市."""
    rows: list[tuple[CouncilMeeting, list[CouncilMember]]] = []
    revival: dict[str, CouncilMeeting] = {}
    for index, (code, council) in enumerate(councils.items()):
        for number, (year, month) in enumerate(MEETING_MONTHS):
            held_on = _meeting_day(year, month, index)
            if held_on > UNTIL:
                continue
            topic, decisions, follow_ups = TOPICS[(number + index) % len(TOPICS)]
            if code == "oshitate" and (year, month) == (2025, 5):
                topic = "押立朝市の復活について"
                decisions = (
                    "朝市を6月から毎月第1日曜に再開する\n実行委員会を農家・自治会・社協で作る"
                )
                follow_ups = "出店する農家への声かけ（自治会）\n袋詰めの手伝いを回覧で募る（社協）"
            meeting = CouncilMeeting(
                council=council,
                held_on=held_on,
                venue=f"{council.district.name}ふれあいセンター 会議室",
                other_attendees="地域包括支援センター職員、地域福祉コーディネーター",
                topics=topic,
                minutes=f"{topic}について意見を交わした。各委員から地区の様子の報告があった。",
                decisions=decisions,
                follow_ups=follow_ups,
                created_by=staff,
            )
            present = [
                m
                for m in members[str(council.pk)]
                if (m.joined_on is None or m.joined_on <= held_on)
                and (m.left_on is None or m.left_on >= held_on)
                and rng.random() < 0.85
            ]
            rows.append((meeting, present))
            if code == "oshitate" and (year, month) == (2025, 5):
                revival["oshitate"] = meeting
            if code == "omaru" and (year, month) == (2025, 7):
                revival["omaru"] = meeting
            if code == "hirao" and (year, month) == (2025, 5):
                revival["hirao"] = meeting
    CouncilMeeting.objects.bulk_create([m for m, _ in rows])
    Through = CouncilMeeting.attendees.through
    Through.objects.bulk_create(
        [
            Through(councilmeeting_id=m.pk, councilmember_id=a.pk)
            for m, present in rows
            for a in present
        ]
    )
    return revival


def _monthly(first: date, last: date) -> list[date]:
    days: list[date] = []
    year, month = first.year, first.month
    while True:
        day = date(year, month, min(first.day, 28))
        if day > last:
            return days
        if day >= first:
            days.append(day)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _activities(
    districts: dict[str, District], revival: dict[str, CouncilMeeting], rng: random.Random
) -> tuple[int, int]:
    places = {p.name: p for p in Place.objects.filter(district__isnull=False)}
    plans = list(PLANS) + [
        Plan(
            name,
            code,
            K.SALON,
            f"{districts[code].name}地区 サロンの会",
            date(2019 + i % 4, 4 + i % 5, 5),
            "毎週",
            O.RESIDENTS if i % 3 else O.PUBLIC,
            (0, 3, 16),
            place=name,
            story="住民ボランティアが運営するサロン。お茶とおしゃべり、季節の行事。",
        )
        for i, (code, name) in enumerate(SALONS.items())
    ]
    activities = []
    for plan in plans:
        meeting = revival.get(plan.district) if plan.origin == O.COUNCIL else None
        place = places.get(plan.place)
        activities.append(
            Activity(
                name=plan.name,
                district=districts[plan.district],
                place=place if place and place.district_id == districts[plan.district].pk else None,
                kind=plan.kind,
                host=plan.host,
                started_on=plan.started,
                frequency=plan.frequency,
                origin=plan.origin,
                council_meeting=meeting,
                story=plan.story,
                active=plan.active,
            )
        )
    Activity.objects.bulk_create(activities)
    sessions = []
    for plan, activity in zip(plans, activities, strict=True):
        first = max(plan.started, date(2025, 4, 1))
        for day in _monthly(first, UNTIL):
            children, adults, elderly = (max(0, n + rng.randint(-n // 3, n // 3)) for n in plan.mix)
            if children + adults + elderly == 0:
                elderly = 1
            sessions.append(
                ActivitySession(
                    activity=activity,
                    held_on=day,
                    children=children,
                    adults=adults,
                    elderly=elderly,
                )
            )
    ActivitySession.objects.bulk_create(sessions)
    return len(activities), len(sessions)


def _forum(districts: list[District]) -> tuple[Event, int]:
    event = Event.objects.create(
        name="地域のつながりフォーラム 令和7年度",
        kind=Event.Kind.FORUM,
        held_on=date(2026, 2, 21),
        opens_at=time(13, 0),
        closes_at=time(16, 0),
        venue="稲城市地域振興プラザ（見本）",
        description="10地区の協議体の活動報告と、地域の団体によるパネル展示。"
        "世代や分野を超えたつながりを知り、次の一歩を話し合う。",
    )
    items = [ProgrammeItem(event=event, starts_at=time(13, 0), title="開会・あいさつ")]
    for index, district in enumerate(districts):
        minute = 10 + index * 7
        items.append(
            ProgrammeItem(
                event=event,
                starts_at=time(13 + minute // 60, minute % 60),
                title=f"{district.name}地区の活動報告",
                district=district,
                presenter=f"{district.name}地区協議体",
            )
        )
    items += [
        ProgrammeItem(event=event, starts_at=time(14, 30), title="パネル展示の見学・交流"),
        ProgrammeItem(event=event, starts_at=time(15, 15), title="グループトーク「次の一歩」"),
        ProgrammeItem(event=event, starts_at=time(15, 50), title="閉会"),
    ]
    ProgrammeItem.objects.bulk_create(items)
    by_code = {d.code: d for d in districts}
    groups = [
        EventGroup(
            event=event,
            name=f"{d.name}地区協議体",
            district=d,
            panel=True,
            report=True,
            panel_title=f"{d.name}地区の居場所と支え合い",
            headcount=4,
        )
        for d in districts
    ]
    groups += [
        EventGroup(
            event=event,
            name="押立朝市実行委員会",
            district=by_code["oshitate"],
            panel=True,
            panel_title="朝市が帰ってきた",
            headcount=3,
        ),
        EventGroup(
            event=event,
            name="子ども食堂ネットワーク（見本）",
            panel=True,
            panel_title="市内の子ども食堂",
            headcount=2,
        ),
    ]
    EventGroup.objects.bulk_create(groups)
    return event, len(groups)


def load_community(staff: dict[str, Staff], *, seed: int) -> dict[str, int]:
    """Runs inside ``load_city``'s transaction, after the places exist (once per demo city:
    the 協議体 stay when the people of the city are deleted and loaded again)."""
    if Council.objects.exists():
        return {}
    rng = random.Random(seed + 7)
    districts = list(District.objects.order_by("order", "pk"))
    councils = _councils(districts)
    members = _members(councils, rng)
    revival = _meetings(councils, members, staff["chiiki"], rng)
    activities, sessions = _activities({d.code: d for d in districts}, revival, rng)
    _, groups = _forum(districts)
    for number, agency in enumerate(Agency.objects.filter(phone=""), start=1):
        # Obviously unreal numbers (exchange 000), so the network page shows a contact.
        Agency.objects.filter(pk=agency.pk).update(phone=f"042-000-{number:04d}")
    totals = {
        "councils": len(councils),
        "council_meetings": CouncilMeeting.objects.count(),
        "activities": activities,
        "activity_sessions": sessions,
        "forum_groups": groups,
    }
    record(
        Action.BULK_LOAD,
        actor=None,
        username="tomoni demo",
        object_type="community.council",
        detail={**totals, "seed": seed},
    )
    return totals
