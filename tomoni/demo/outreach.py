"""Demo アウトリーチ and 参加支援: the places of the city, engagements in every stage, and the
participation plans that connect people to places.

Built through the actions as the demo accounts (places by the 地域福祉コーディネーター
"chiiki", engagements opened by the coordinator "kyodo" and worked by "outreach"), then
back-dated: actions stamp "now", the stories span months. Every date is fixed relative to
``UNTIL`` (the demo's "today"), so the same seed gives the same records on any day. Two open
engagements have had no contact for more than 30 days on ``UNTIL``, so the flag shows.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tomoni.audit.log import Action, record
from tomoni.cases.models import Case
from tomoni.cases.models import Stage as CaseStage
from tomoni.directory.models import District, Staff
from tomoni.lib.synthetic_names import SURNAMES
from tomoni.outreach import actions as outreach
from tomoni.outreach.models import (
    Accompaniment,
    Contact,
    ContactMethod,
    ContactOutcome,
    Engagement,
    EngagementStep,
    Reason,
    Stage,
)
from tomoni.participation import actions as participation
from tomoni.participation import matching
from tomoni.participation.models import (
    FollowUp,
    Match,
    ParticipationPlan,
    Place,
    PlaceKind,
    Trial,
    Welcome,
)
from tomoni.people.models import Household, Membership, Person, Relationship

from .city import street
from .intake import UNTIL

TOKYO = ZoneInfo("Asia/Tokyo")

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)
K = PlaceKind
W = Welcome


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=TOKYO)


def _ago(days: int) -> date:
    return UNTIL - timedelta(days=days)


# --- places ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Spot:
    name: str
    kind: str
    district: str  # District.code
    days: tuple[int, ...]
    hours: tuple[int, int, int, int]  # opens h, m, closes h, m
    cost: int
    interests: tuple[str, ...] = ()
    welcomes: tuple[str, ...] = (W.ALL,)
    host: str = ""
    schedule_note: str = ""
    cost_note: str = ""
    step_free: bool = True
    transport: bool = False
    capacity: int | None = None
    description: str = ""
    atmosphere: str = ""
    active: bool = True


SPOTS: tuple[Spot, ...] = (
    Spot(
        "押立朝市",
        K.MARKET,
        "oshitate",
        (SUN,),
        (7, 0, 9, 0),
        0,
        ("園芸", "料理"),
        host="押立朝市実行委員会",
        schedule_note="毎月第1日曜 7:00〜9:00（雨天決行）",
        cost_note="見学・手伝いは無料（野菜は実費）",
        description="地元の農家が野菜・梨・花の苗を持ち寄る朝市。袋詰めや値札付けの手伝いも募集。",
        atmosphere="一度途絶えた朝市を、第1圏域の協議体（第2層）で住民と農家が話し合って"
        "令和7年に復活させた。顔なじみが多く、買い物ついでの立ち話が名物。"
        "手伝いは袋詰めから始められ、黙々と作業したい人にも居場所がある。",
    ),
    # ふれあいセンター: one activity in each of the 8 centres.
    Spot(
        "いきいき体操",
        K.SALON,
        "yanokuchi",
        (TUE, FRI),
        (10, 0, 11, 30),
        100,
        ("体操",),
        (W.ELDERLY,),
        host="矢野口ふれあいセンター",
        capacity=30,
        atmosphere="椅子に座ってできる体操が中心。終わった後のお茶の時間を楽しみにする人が多い。",
    ),
    Spot(
        "手芸の会",
        K.HOBBY,
        "higashinaganuma",
        (WED,),
        (13, 30, 15, 30),
        300,
        ("手芸",),
        host="東長沼ふれあいセンター",
        cost_note="材料費込み",
        capacity=15,
        atmosphere="編み物・刺し子を各自のペースで。作品はバザーに出している。",
    ),
    Spot(
        "囲碁・将棋の会",
        K.HOBBY,
        "omaru",
        (MON, THU),
        (13, 0, 16, 0),
        100,
        ("囲碁",),
        host="大丸ふれあいセンター",
        capacity=20,
        atmosphere="初心者には常連が教えてくれる。会話が少なくても過ごしやすい。",
    ),
    Spot(
        "パソコン・スマホ教室",
        K.HOBBY,
        "momura",
        (WED,),
        (10, 0, 12, 0),
        500,
        ("パソコン",),
        host="百村ふれあいセンター",
        schedule_note="第2・第4水曜",
        capacity=12,
        atmosphere="講師役は地域のボランティア。若い人が教える側に回ることもある。",
    ),
    Spot(
        "歌声サロン",
        K.SALON,
        "koyodai",
        (FRI,),
        (14, 0, 15, 30),
        100,
        ("音楽",),
        (W.ELDERLY, W.ALL),
        host="向陽台ふれあいセンター",
        capacity=40,
        atmosphere="ピアノ伴奏で昭和の歌を歌う。聴いているだけの参加も歓迎。",
    ),
    Spot(
        "男の料理教室",
        K.HOBBY,
        "sakahama",
        (SAT,),
        (10, 0, 13, 0),
        500,
        ("料理",),
        host="坂浜ふれあいセンター",
        schedule_note="第3土曜",
        cost_note="食材費",
        capacity=16,
        atmosphere="班に分かれて一品ずつ作り、最後に皆で食べる。",
    ),
    Spot(
        "読書会・おはなし会",
        K.HOBBY,
        "hirao",
        (THU,),
        (10, 0, 11, 30),
        0,
        ("読書", "子育て"),
        (W.ALL, W.PARENTS),
        host="平尾ふれあいセンター",
        capacity=20,
        atmosphere="前半は親子向けの読み聞かせ、後半は大人の読書会。",
    ),
    Spot(
        "健康体操と茶話会",
        K.SALON,
        "wakabadai",
        (MON,),
        (10, 0, 12, 0),
        100,
        ("体操",),
        (W.ELDERLY,),
        host="若葉台ふれあいセンター",
        transport=True,
        capacity=25,
        atmosphere="送迎ボランティアがいるので、足の弱い人も通っている。",
    ),
    # サロン: at least one in every 地区.
    Spot("サロン「ひだまり」", K.SALON, "yanokuchi", (WED,), (13, 30, 15, 30), 0, ("手芸", "囲碁")),
    Spot("サロン「えんがわ」", K.SALON, "higashinaganuma", (TUE,), (13, 30, 15, 30), 100),
    Spot(
        "なし畑の茶の間",
        K.SALON,
        "oshitate",
        (THU,),
        (13, 0, 15, 0),
        100,
        ("園芸",),
        (W.ELDERLY, W.ALL),
        atmosphere="梨農家の縁側を開放したサロン。季節には収穫の手伝いもある。",
        step_free=False,
    ),
    Spot("大丸いこいサロン", K.SALON, "omaru", (FRI,), (10, 0, 12, 0), 100, ("体操",)),
    Spot(
        "百村ほっとサロン",
        K.SALON,
        "momura",
        (MON,),
        (13, 30, 15, 30),
        0,
        welcomes=(W.ELDERLY,),
        transport=True,
    ),
    Spot("こうようだい縁側カフェ", K.SALON, "koyodai", (SAT,), (13, 0, 16, 0), 300, ("音楽",)),
    Spot(
        "坂浜よりみちサロン",
        K.SALON,
        "sakahama",
        (WED,),
        (10, 0, 12, 0),
        100,
        ("園芸",),
        step_free=False,
    ),
    Spot(
        "平尾団地ふらっとサロン",
        K.SALON,
        "hirao",
        (TUE, FRI),
        (13, 0, 16, 0),
        100,
        capacity=25,
        atmosphere="団地の集会所で。出入り自由で、少し顔を出すだけでもよい。",
    ),
    Spot("長峰おしゃべりサロン", K.SALON, "nagamine", (THU,), (13, 30, 15, 30), 100),
    Spot("わかばサロン", K.SALON, "wakabadai", (WED,), (13, 30, 15, 30), 300, ("手芸", "音楽")),
    # 子ども食堂
    Spot(
        "子ども食堂「みんなのテーブル」",
        K.KODOMO_SHOKUDO,
        "yanokuchi",
        (SAT,),
        (17, 0, 19, 0),
        0,
        ("料理", "子育て"),
        (W.CHILDREN, W.PARENTS, W.ALL),
        schedule_note="第2・第4土曜",
        cost_note="子ども無料・大人300円",
        capacity=40,
        atmosphere="配膳や皿洗いのボランティアも募集。大学生が宿題を見てくれる。",
    ),
    Spot(
        "ひがしながぬま子ども食堂",
        K.KODOMO_SHOKUDO,
        "higashinaganuma",
        (WED,),
        (17, 0, 19, 30),
        0,
        ("料理",),
        (W.CHILDREN, W.PARENTS),
        cost_note="子ども無料・大人300円",
        capacity=30,
    ),
    Spot(
        "おおまる食堂",
        K.KODOMO_SHOKUDO,
        "omaru",
        (FRI,),
        (17, 0, 19, 0),
        100,
        ("料理", "子育て"),
        (W.CHILDREN, W.PARENTS, W.ALL),
        cost_note="子ども100円・大人300円",
    ),
    Spot(
        "こうようだいキッチン",
        K.KODOMO_SHOKUDO,
        "koyodai",
        (SUN,),
        (11, 30, 13, 30),
        0,
        ("料理",),
        (W.CHILDREN, W.ALL),
        schedule_note="第3日曜",
    ),
    Spot(
        "平尾みらい食堂",
        K.KODOMO_SHOKUDO,
        "hirao",
        (THU,),
        (17, 0, 19, 0),
        0,
        ("料理", "子育て"),
        (W.CHILDREN, W.PARENTS),
    ),
    Spot(
        "ながみね子ども食堂",
        K.KODOMO_SHOKUDO,
        "nagamine",
        (SAT,),
        (12, 0, 14, 0),
        0,
        ("料理",),
        (W.CHILDREN, W.PARENTS),
        schedule_note="第1・第3土曜",
    ),
    # 就労体験
    Spot(
        "梨園の農作業体験",
        K.WORK_EXPERIENCE,
        "sakahama",
        (TUE, THU),
        (9, 0, 12, 0),
        0,
        ("園芸",),
        (W.YOUTH, W.DISABILITY),
        host="見本農園（協力農家）",
        capacity=4,
        step_free=False,
        atmosphere="少人数で黙々と作業できる。休憩時間に農家さんと話せる。",
    ),
    Spot(
        "パン工房「こむぎ」就労体験",
        K.WORK_EXPERIENCE,
        "momura",
        (MON, WED, FRI),
        (10, 0, 14, 0),
        0,
        ("料理",),
        (W.YOUTH, W.DISABILITY),
        host="NPO法人 試行の家",
        capacity=3,
        atmosphere="1日2時間から。袋詰めとラベル貼りから始める。",
    ),
    Spot(
        "図書館の配架・整理の作業体験",
        K.WORK_EXPERIENCE,
        "yanokuchi",
        (TUE, WED),
        (10, 0, 12, 0),
        0,
        ("読書",),
        (W.YOUTH, W.ALL),
        host="稲城市社会福祉協議会",
        capacity=2,
        atmosphere="開館前の静かな時間に、返却本を棚に戻す作業。",
    ),
    # ボランティア
    Spot(
        "多摩川河川敷の清掃ボランティア",
        K.VOLUNTEER,
        "oshitate",
        (SUN,),
        (8, 0, 10, 0),
        0,
        ("園芸",),
        schedule_note="第3日曜",
        step_free=False,
    ),
    Spot(
        "傾聴ボランティア（高齢者施設）",
        K.VOLUNTEER,
        "wakabadai",
        (WED,),
        (14, 0, 15, 0),
        0,
        ("音楽",),
        capacity=6,
        atmosphere="施設の感染症対策のため、受け入れを休止中。",
        active=False,
    ),
    Spot("花壇づくりボランティア", K.VOLUNTEER, "hirao", (SAT,), (9, 0, 11, 0), 0, ("園芸",)),
    # 相談の場
    Spot(
        "ひきこもり家族の集い",
        K.CONSULTATION,
        "higashinaganuma",
        (SAT,),
        (14, 0, 16, 0),
        0,
        welcomes=(W.PARENTS, W.ALL),
        host="稲城市社会福祉協議会",
        schedule_note="第2土曜",
        capacity=15,
        atmosphere="家族同士で話せる会。社協の職員が同席する。本人の参加も歓迎。",
    ),
    Spot("よりそい相談カフェ", K.CONSULTATION, "koyodai", (THU,), (13, 0, 16, 0), 0),
    Spot(
        "子育て相談ひろば",
        K.CONSULTATION,
        "nagamine",
        (TUE,),
        (10, 0, 12, 0),
        0,
        ("子育て",),
        (W.PARENTS, W.CHILDREN),
    ),
    # 多世代の居場所
    Spot(
        "みんなの家 おしたて",
        K.IBASHO,
        "oshitate",
        (MON, WED, FRI),
        (10, 0, 16, 0),
        100,
        ("囲碁", "読書", "手芸"),
        capacity=20,
        atmosphere="空き家を改修した居場所。好きな時間に来て、好きなことをして帰れる。",
    ),
    Spot(
        "大丸コミュニティ食堂と寺子屋",
        K.IBASHO,
        "omaru",
        (THU,),
        (15, 0, 19, 0),
        300,
        ("料理", "読書", "子育て"),
    ),
    Spot(
        "さかはま多世代交流スペース",
        K.IBASHO,
        "sakahama",
        (SAT,),
        (10, 0, 15, 0),
        0,
        ("パソコン", "音楽"),
        atmosphere="運営ボランティアの不足で休止中。再開に向けて協議体で検討している。",
        active=False,
    ),
    # 趣味・学習
    Spot("長峰囲碁クラブ", K.HOBBY, "nagamine", (TUE, SAT), (13, 0, 17, 0), 300, ("囲碁",)),
    Spot(
        "はじめての園芸クラブ",
        K.HOBBY,
        "higashinaganuma",
        (FRI,),
        (10, 0, 11, 30),
        500,
        ("園芸",),
        capacity=12,
    ),
    Spot(
        "ゆっくり音楽の会",
        K.HOBBY,
        "wakabadai",
        (THU,),
        (14, 0, 15, 30),
        0,
        ("音楽",),
        (W.DISABILITY, W.ALL),
        host="地域活動支援センター",
        capacity=10,
        atmosphere="障害のある人もない人も一緒に。楽器に触れるだけでもよい。",
    ),
)

DESCRIPTIONS: dict[str, str] = {
    K.SALON: "お茶を飲みながらおしゃべりする地域のサロン。",
    K.KODOMO_SHOKUDO: "子どもも大人も一緒に食卓を囲む子ども食堂。",
    K.WORK_EXPERIENCE: "働く練習の場。短い時間から体験できる。",
    K.VOLUNTEER: "地域のボランティア活動。一回だけの参加もできる。",
    K.HOBBY: "趣味・学習の活動。",
    K.CONSULTATION: "気軽に立ち寄れる相談の場。",
    K.IBASHO: "世代を問わず過ごせる居場所。",
}


def _place_data(spot: Spot, district: District, rng: random.Random, number: int) -> dict[str, Any]:
    opens_h, opens_m, closes_h, closes_m = spot.hours
    contact = rng.choice(SURNAMES)[0]
    return {
        "name": spot.name,
        "kind": spot.kind,
        "district": district,
        "address": _place_address(district, rng, number),
        "description": spot.description or DESCRIPTIONS.get(spot.kind, ""),
        "welcomes": list(spot.welcomes),
        "interests": list(spot.interests),
        "days": list(spot.days),
        "opens_at": time(opens_h, opens_m),
        "closes_at": time(closes_h, closes_m),
        "schedule_note": spot.schedule_note,
        "cost": spot.cost,
        "cost_note": spot.cost_note,
        "step_free": spot.step_free,
        "transport": spot.transport,
        "capacity": spot.capacity,
        "host": spot.host or f"{spot.name}運営の会",
        "contact_name": f"{contact}（世話人）",
        "phone": f"042-3{rng.randint(0, 99):02d}-{rng.randint(0, 9999):04d}",
        "email": "",
        "atmosphere": spot.atmosphere,
        "active": spot.active,
        **_place_dates(spot, number),
    }


def _place_address(district: District, rng: random.Random, number: int) -> str:
    """Written as the households' addresses are (``city.street``): the 地区's real 町名, with
    丁目 only where the 町 has them. ``rng`` gives the two draws it always gave, so the rest of
    the demo stays as it was; the 番地 of a 大字 comes from a random of the place's own."""
    lot = random.Random(f"place-address-{number}").randint(800, 899)
    chome, ban = rng.randint(1, 5), rng.randint(1, 30)
    return street(district.name, (lot, chome, ban, number))[1]


def _place_dates(spot: Spot, number: int) -> dict[str, date | None]:
    """開始日 some years back (most places are older than the project), 休止日 within the last
    year for a place at rest; drawn apart from ``rng`` so the rest of the demo stays as it was."""
    own = random.Random(f"place-{number}")
    started = UNTIL - timedelta(days=own.randint(200, 3650))
    paused = None if spot.active else UNTIL - timedelta(days=own.randint(30, 190))
    return {"started_on": started.replace(day=1), "paused_on": paused}


def _places(actor: Staff, rng: random.Random) -> list[Place]:
    districts = {d.code: d for d in District.objects.all()}
    made = []
    for number, spot in enumerate(SPOTS, start=1):
        made.append(
            participation.save_place(
                actor, None, _place_data(spot, districts[spot.district], rng, number)
            )
        )
    return made


# --- engagements ----------------------------------------------------------------------------


@dataclass(frozen=True)
class C:
    """A contact ``ago`` days before UNTIL."""

    ago: int
    method: str
    outcome: str
    note: str
    accompaniment: str = ""
    by: str = "outreach"


@dataclass(frozen=True)
class M:
    """A stage move ``ago`` days before UNTIL."""

    ago: int
    move: str
    note: str = ""
    by: str = "outreach"


@dataclass(frozen=True)
class Story:
    stage: str  # where it ends (checked)
    reason: str
    tag: str  # a household tag the story fits
    opened_ago: int
    request_text: str
    events: tuple[C | M, ...] = ()
    eight_fifty: bool = False  # the 8050 case's household, linked to the case
    co_worker: bool = False  # the coordinator works it too


V, L, P, VIA, ACC = (
    ContactMethod.VISIT,
    ContactMethod.LETTER,
    ContactMethod.PHONE,
    ContactMethod.VIA,
    ContactMethod.ACCOMPANY,
)
ABSENT, REFUSED, NO_REPLY, MET, TALKED, REPLIED = (
    ContactOutcome.ABSENT,
    ContactOutcome.REFUSED,
    ContactOutcome.NO_REPLY,
    ContactOutcome.MET,
    ContactOutcome.TALKED,
    ContactOutcome.REPLIED,
)

STORIES: tuple[Story, ...] = (
    Story(
        Stage.NOTICED,
        Reason.ISOLATION,
        "isolation",
        12,
        "民生児童委員より: 一人暮らしの方を最近見かけない。新聞が郵便受けにたまっている。",
    ),
    Story(
        Stage.ATTEMPTING,
        Reason.HIKIKOMORI,
        "hikikomori",
        150,
        "母から福祉くらしの総合窓口へ: 子が何年も自室から出てこない。本人は相談に行かない。",
        (
            M(149, "attempt"),
            C(148, L, NO_REPLY, "自己紹介と、いつでも連絡してよいことを書いた手紙を投函。"),
            C(134, V, ABSENT, "訪問。インターホンに応答なし。手紙を再度投函。"),
            C(117, L, NO_REPLY, "季節のあいさつと、社協の居場所のちらしを同封した手紙。"),
            C(96, V, ABSENT, "夕方に訪問。部屋の明かりはついていたが応答なし。"),
            C(89, P, REFUSED, "母に電話。本人は誰とも会いたくないと言っているとのこと。"),
            C(75, V, MET, "母と玄関先で面会。昼夜逆転、食事は部屋でとっていると聞き取った。"),
            C(62, L, NO_REPLY, "本人あての短い手紙。返事は求めず、次の訪問の予定だけ伝えた。"),
        ),
    ),
    Story(
        Stage.ATTEMPTING,
        Reason.ISOLATION,
        "isolation",
        70,
        "自立相談支援機関より: 立ち退きの相談の後、連絡が取れなくなった。",
        (
            M(69, "attempt"),
            C(67, VIA, REPLIED, "民生委員から手紙を渡してもらい、「今は困っていない」と返事。"),
            C(52, V, ABSENT, "訪問。不在。"),
            C(38, P, REFUSED, "電話に出たが「必要ない」とすぐに切られた。"),
            C(21, V, MET, "玄関先で数分だけ会えた。郵便物が多くたまっている。"),
            C(9, V, ABSENT, "不在。次回は民生委員と一緒に訪問する予定。"),
        ),
    ),
    Story(
        Stage.RELATING,
        Reason.HIKIKOMORI,
        "8050",
        230,
        "地域包括支援センター（母の担当）より: 長男が長年ひきこもっている。母亡き後が心配。",
        (
            M(228, "attempt", by="kyodo"),
            C(226, L, NO_REPLY, "長男あてに手紙。母の介護で家に出入りしている者だと自己紹介。"),
            C(210, V, NO_REPLY, "ケアマネジャーの訪問に合わせて訪問。長男は自室から出てこない。"),
            C(196, L, NO_REPLY, "二通目の手紙。好きなことがあれば教えてほしいと書いた。"),
            C(180, VIA, REPLIED, "母を通じて手紙を渡した。長男から「母のことはよろしく」とメモ。"),
            C(161, V, TALKED, "自室のドア越しに10分ほど話せた。パソコンで動画を見て過ごしている。"),
            M(160, "relate"),
            C(139, V, TALKED, "ドア越しに、好きなゲームの話。次回の約束ができた。"),
            C(111, V, MET, "初めて居間で対面できた。母の通院の話題で本人も発言した。", by="kyodo"),
            C(84, P, TALKED, "本人の携帯に電話。母のデイサービス利用開始を本人も喜んでいた。"),
            C(55, V, TALKED, "本人から「自分の年金のことが心配」と相談があった。"),
            C(20, V, TALKED, "年金の免除申請の書類を一緒に確認。次回は窓口に同行する約束。"),
        ),
        eight_fifty=True,
        co_worker=True,
    ),
    Story(
        Stage.RELATING,
        Reason.SELF_NEGLECT,
        "self-neglect",
        200,
        "近隣住民から福祉くらしの総合窓口へ: 家の周りにごみが積まれ、悪臭がする。",
        (
            M(199, "attempt"),
            C(198, V, REFUSED, "玄関先で「帰ってくれ」と強い口調。家の周りにごみ袋が多数。"),
            C(184, L, NO_REPLY, "訪問のお礼と、困ったときの連絡先を書いた手紙。"),
            C(170, V, MET, "庭先で会えた。飼っている猫の話を少しした。"),
            C(150, V, TALKED, "猫のえさの買い出しに困っていると話してくれた。"),
            M(149, "relate"),
            C(120, V, TALKED, "片付けの話は拒否。ただし次の訪問は了承。"),
            C(
                90,
                VIA,
                REPLIED,
                "近所の方から、本人が「あの人ならまた来てもいい」と言っていたと聞く。",
            ),
            C(41, V, TALKED, "暑さ対策の話。エアコンが壊れたまま。修理の手配を次回相談する。"),
        ),
    ),
    Story(
        Stage.CONTINUING,
        Reason.HIKIKOMORI,
        "hikikomori",
        330,
        "障害者相談支援事業所より: 高校中退後、自室から出られない。両親が相談に来所。",
        (
            M(328, "attempt"),
            C(327, L, NO_REPLY, "本人あてに自己紹介の手紙。メールアドレスも書いた。"),
            C(313, L, REPLIED, "本人から短いメール。「外に出るのは怖いが、話は聞きたい」。"),
            C(300, V, TALKED, "自室で30分。イラストを描いて過ごしているとのこと。"),
            M(299, "relate"),
            C(270, V, TALKED, "描いたイラストを見せてくれた。"),
            C(240, P, TALKED, "眠れない、気分が沈むと相談。受診を勧めると、同行なら行けると。"),
            C(
                226,
                ACC,
                TALKED,
                "心療内科の初診に同行。診察では自分で話せた。",
                Accompaniment.MEDICAL,
            ),
            C(
                198,
                ACC,
                TALKED,
                "2回目の受診に同行。薬が合ってきたとのこと。",
                Accompaniment.MEDICAL,
            ),
            M(190, "continue"),
            C(
                160,
                ACC,
                TALKED,
                "自立支援医療（精神通院）の申請に市役所へ同行。窓口で自分で記入できた。",
                Accompaniment.PROCEDURES,
            ),
            C(120, V, TALKED, "通院は一人で続けられている。日中の居場所の話をした。", by="kyodo"),
            C(75, V, TALKED, "参加支援の話。パソコンや本に関わることならやってみたい。"),
            C(40, ACC, MET, "参加支援の候補（パソコン教室）の見学に同行。"),
            C(6, P, TALKED, "体験の感想を聞いた。「もう一度行ってみてもいい」。"),
        ),
        co_worker=True,
    ),
    Story(
        Stage.CONTINUING,
        Reason.ISOLATION,
        "isolation",
        280,
        "民生児童委員より: 立ち退きを求められている一人暮らしの方。相談先が分からない様子。",
        (
            M(279, "attempt"),
            C(278, V, MET, "民生委員と訪問。立ち退きの期限と転居先の不安を聞いた。"),
            C(262, V, TALKED, "家計の状況を一緒に整理した。"),
            M(261, "relate"),
            C(
                240,
                ACC,
                TALKED,
                "住居確保給付金と転居先探しのため、自立相談支援機関の窓口へ同行。",
                Accompaniment.PROCEDURES,
            ),
            M(225, "continue"),
            C(200, P, NO_REPLY, "電話がつながらない。"),
            C(
                196,
                VIA,
                REPLIED,
                "病院の医療ソーシャルワーカーから連絡。転倒して入院中と分かった。",
            ),
            M(195, "back", "入院で生活の見通しが変わったため、関係を結び直す。"),
            C(180, V, TALKED, "病院で面会。退院後の住まいへの不安を聞いた。"),
            C(
                150,
                ACC,
                TALKED,
                "退院前カンファレンスに出席し、退院日に新しい住まいまで同行。介護保険の申請を調整。",
                Accompaniment.DISCHARGE,
            ),
            M(149, "relate"),
            C(120, V, TALKED, "新しい住まいを訪問。片付けを一緒に進めた。"),
            M(110, "continue"),
            C(60, V, TALKED, "生活が落ち着いてきた。近くのサロンに関心がある。"),
            C(15, P, TALKED, "サロンの体験日を一緒に決めた。"),
        ),
    ),
    Story(
        Stage.CONNECTED,
        Reason.HIKIKOMORI,
        "hikikomori",
        520,
        "父から福祉くらしの総合窓口へ: 子が就職に失敗してから5年、家から出られない。",
        (
            M(518, "attempt"),
            C(517, L, NO_REPLY, "本人あてに自己紹介の手紙。"),
            C(500, V, ABSENT, "訪問。不在（本人は在宅していたが出てこなかったと父から）。"),
            C(480, L, REPLIED, "本人から手紙の返事。「少しなら会ってもいい」。"),
            C(466, V, TALKED, "初めての面会。庭の手入れが好きだと分かった。"),
            M(465, "relate"),
            C(430, V, TALKED, "一緒に近所を散歩した。"),
            C(400, ACC, TALKED, "精神科の受診に同行。", Accompaniment.MEDICAL),
            M(380, "continue"),
            C(
                350,
                ACC,
                TALKED,
                "障害者手帳と障害福祉サービスの申請に同行。相談支援専門員と初めて面談。",
                Accompaniment.PROCEDURES,
            ),
            C(300, V, TALKED, "梨園の農作業体験に通い始めた。"),
            C(200, P, TALKED, "就労継続支援B型の見学の感想を聞いた。"),
            C(120, V, TALKED, "B型事業所に週3回通所。相談支援専門員との月1回の面談も安定。"),
            M(90, "connect", "障害者相談支援事業所の計画相談につながり、通所と面談が安定した。"),
        ),
    ),
    Story(
        Stage.ENDED,
        Reason.SELF_NEGLECT,
        "self-neglect",
        260,
        "地域包括支援センターより: 訪問を拒み、室内にごみがたまっている様子。",
        (
            M(259, "attempt"),
            C(258, V, REFUSED, "玄関先で拒否。"),
            C(240, L, NO_REPLY, "手紙を投函。"),
            C(215, V, MET, "玄関先で会えた。遠方の親族の話が出た。"),
            C(190, P, TALKED, "本人から電話。親族の家に移ることを考えているとのこと。"),
            M(
                150,
                "end",
                "本人が市外の親族宅へ転居したため終了。転居先の地域包括支援センターへ情報提供済み"
                "（本人同意あり）。",
            ),
        ),
    ),
)


def _candidates() -> list[Household]:
    return list(
        Household.objects.filter(tags__code__in=["hikikomori", "self-neglect", "isolation"])
        .distinct()
        .order_by("pk")
        .prefetch_related("tags")
    )


def _target(household: Household, reason: str) -> Person | None:
    members = list(
        Membership.current.filter(household=household).select_related("person").order_by("pk")
    )
    if reason == Reason.HIKIKOMORI:
        child = next((m.person for m in members if m.relationship == Relationship.CHILD), None)
        if child is not None:
            return child
    return members[0].person if members else None


def _backdate_engagement(engagement: Engagement, opened: date, moves: Sequence[date]) -> None:
    steps = list(EngagementStep.objects.filter(engagement=engagement).order_by("pk"))
    days = [opened, *moves]
    for step, day in zip(steps, days, strict=True):
        EngagementStep.objects.filter(pk=step.pk).update(at=_at(day, 17))
    engagement.refresh_from_db()
    Engagement.objects.filter(pk=engagement.pk).update(
        created_at=_at(opened, 9),
        stage_changed_at=_at(days[-1], 17),
        ended_on=days[-1] if engagement.is_finished else None,
    )
    for contact in Contact.objects.filter(engagement=engagement).only("pk", "on"):
        Contact.objects.filter(pk=contact.pk).update(created_at=_at(contact.on, 18))


def _engagement(
    staff: dict[str, Staff], story: Story, household: Household, case: Case | None
) -> tuple[Engagement, int]:
    # The case's coordinator opens it (the 社協's coordinator, a 委託先, sees only its own
    # cases); the 社協 coordinator visits beside the outreach worker where the story says so.
    coordinator = case.lead if case is not None and case.lead is not None else staff["kyodo-city"]
    workers = [staff["outreach"], staff["kyodo"]] if story.co_worker else [staff["outreach"]]
    person = _target(household, story.reason)
    if case is not None and case.person_id is not None and case.person is not None:
        person = case.person
    opened = _ago(story.opened_ago)
    engagement = outreach.open_engagement(
        coordinator,
        household=household,
        person=person,
        reason=story.reason,
        workers=workers,
        request_text=story.request_text,
        case=case,
        opened_on=opened,
    )
    moves: list[date] = []
    contacts = 0
    for event in story.events:
        actor = staff[event.by]
        if isinstance(event, M):
            engagement.refresh_from_db(fields=["version"])  # as the page shows it now
            engagement = outreach.move_engagement(
                actor, engagement, event.move, version=engagement.version, note=event.note
            )
            moves.append(_ago(event.ago))
        else:
            outreach.record_contact(
                actor,
                engagement,
                on=_ago(event.ago),
                method=event.method,
                outcome=event.outcome,
                accompaniment=event.accompaniment,
                note=event.note,
            )
            contacts += 1
    engagement.refresh_from_db()
    assert engagement.stage == story.stage, (story, engagement.stage)
    _backdate_engagement(engagement, opened, moves)
    return engagement, contacts


def _engagements(staff: dict[str, Staff], case: Case | None) -> tuple[list[Engagement | None], int]:
    pool = _candidates()
    used: set[int] = set()
    if case is not None:
        used.add(case.household_id)
    made: list[Engagement | None] = []
    contacts = 0
    for story in STORIES:
        if story.eight_fifty and case is not None:
            household: Household | None = case.household
            linked: Case | None = case
        else:
            fitting = [h for h in pool if h.pk not in used]
            household = next(
                (h for h in fitting if story.tag in {t.code for t in h.tags.all()}),
                fitting[0] if fitting else None,
            )
            linked = None
        if household is None:
            made.append(None)
            continue
        used.add(household.pk)
        engagement, count = _engagement(staff, story, household, linked)
        made.append(engagement)
        contacts += count
    return made, contacts


# --- participation plans --------------------------------------------------------------------


@dataclass(frozen=True)
class PlanSpec:
    """``source``: "engagement:<index in STORIES>", "case:8050-parent", "case:<tag>" (the
    next case of a household with the tag) or "person:<tag>" (not through a case)."""

    source: str
    worker: str
    created_ago: int
    data: dict[str, Any]
    kinds: tuple[str, ...] = ()  # pick among these kinds only (all when empty)
    picks: int = 2
    # (ago, match index, what, outcome/kind, note): trial, settle, follow_up, host, drop
    events: tuple[tuple[int, int, str, str, str], ...] = ()


GOOD, UNSURE, NOT_FIT, NO_SHOW = (
    Trial.Outcome.GOOD,
    Trial.Outcome.UNSURE,
    Trial.Outcome.NOT_FIT,
    Trial.Outcome.NO_SHOW,
)
FU, HOST = FollowUp.Kind.FOLLOW_UP, FollowUp.Kind.HOST

PLANS: tuple[PlanSpec, ...] = (
    PlanSpec(
        "engagement:5",
        "outreach",
        70,
        {
            "interests": ["パソコン", "読書"],
            "strengths": "イラストが得意。パソコンの操作に慣れている。",
            "constraints": ["social_anxiety"],
            "days": [TUE, WED, THU],
            "max_cost": 500,
            "goal": "週1回、家の外で過ごす時間をつくる。",
        },
        kinds=(K.HOBBY, K.WORK_EXPERIENCE),
        picks=3,
        events=(
            (60, 0, "host", HOST, "見学の受け入れを依頼。人の少ない時間帯を教えてもらった。"),
            (40, 0, "trial", UNSURE, "見学と体験。緊張していたが最後まで参加できた。"),
            (8, 0, "trial", GOOD, "2回目の体験。講師のボランティアと話せた。"),
        ),
    ),
    PlanSpec(
        "engagement:7",
        "outreach",
        330,
        {
            "interests": ["園芸"],
            "strengths": "植物の世話が丁寧。体力がある。",
            "constraints": ["social_anxiety"],
            "days": [TUE, THU],
            "max_cost": 0,
            "goal": "働く練習として、週2回決まった時間に作業に通う。",
        },
        kinds=(K.WORK_EXPERIENCE, K.VOLUNTEER),
        events=(
            (320, 0, "host", HOST, "協力農家へ本人の特性（話すのが苦手）を伝え、受け入れを相談。"),
            (305, 0, "trial", GOOD, "初日の農作業体験。黙々と作業し「また来たい」。"),
            (290, 0, "settle", "", ""),
            (270, 0, "follow_up", FU, "通い始めて3週間。疲れはあるが休まず通えている。"),
            (240, 0, "host", HOST, "農家から、作業が丁寧で助かっていると連絡があった。"),
            (180, 0, "follow_up", FU, "B型事業所との両立について本人と相談。週1回は続けたい。"),
        ),
    ),
    PlanSpec(
        "case:8050-parent",
        "chiiki",
        150,
        {
            "interests": ["体操", "音楽"],
            "strengths": "話し好きで、昔は合唱をしていた。",
            "constraints": ["mobility"],
            "needs_transport": True,
            "max_cost": 300,
            "goal": "母自身が地域の人とつながり、介護する側もされる側も孤立しない。",
        },
        kinds=(K.SALON,),
        events=(
            (140, 0, "host", HOST, "送迎ボランティアの都合を確認し、体験日を調整。"),
            (130, 0, "trial", GOOD, "初めての参加。帰りの送迎車で「楽しかった」と。"),
            (110, 0, "settle", "", ""),
            (80, 0, "follow_up", FU, "毎週参加している。長男のことも世話人に少し話せたとのこと。"),
            (45, 0, "host", HOST, "世話人から、最近休みがちと連絡。体調を確認することにした。"),
            (40, 0, "follow_up", FU, "風邪で休んでいただけ。来週から再開する。"),
        ),
    ),
    PlanSpec(
        "case:self-neglect",
        "chiiki",
        120,
        {
            "interests": ["囲碁", "園芸"],
            "strengths": "昔は町内会の役員をしていた。",
            "constraints": ["cost"],
            "max_cost": 300,
            "goal": "日中に家の外で人と会う機会をつくる。",
        },
        kinds=(K.HOBBY, K.SALON, K.IBASHO),
        events=(
            (100, 0, "trial", NOT_FIT, "人数が多く、落ち着かなかった。"),
            (95, 0, "drop", "", "本人が「大勢の場は合わない」と判断したため見送り。"),
            (70, 1, "trial", UNSURE, "少人数で過ごしやすかったが、もう少し考えたい。"),
        ),
    ),
    PlanSpec(
        "case:young-carer",
        "chiiki",
        90,
        {
            "interests": ["料理"],
            "strengths": "弟の面倒見がよく、料理ができる。",
            "constraints": ["time"],
            "days": [SAT, SUN],
            "goal": "家事と弟の世話から離れて、安心して過ごせる時間を週1回つくる。",
        },
        kinds=(K.KODOMO_SHOKUDO, K.IBASHO),
        events=(
            (75, 0, "host", HOST, "ヤングケアラーであることを運営者と共有し、受け入れを相談。"),
            (60, 0, "trial", GOOD, "弟と一緒に参加。同じ学校の友だちがいて笑顔だった。"),
        ),
    ),
    PlanSpec(
        "case:hikikomori",
        "outreach",
        60,
        {
            "interests": ["音楽", "パソコン"],
            "constraints": ["social_anxiety", "time"],
            "days": [THU, FRI],
            "goal": "昼間に起きて、週1回外出する。",
        },
        kinds=(K.HOBBY, K.IBASHO, K.SALON),
        events=(
            (45, 0, "trial", NO_SHOW, "当日の朝、体調が悪く行けなかった。"),
            (30, 0, "trial", UNSURE, "2回目は参加できた。楽器には触れなかったが最後までいた。"),
        ),
    ),
    PlanSpec(
        "engagement:6",
        "outreach",
        25,
        {
            "interests": ["手芸"],
            "constraints": ["mobility"],
            "needs_step_free": True,
            "needs_transport": True,
            "goal": "退院後の生活に、週1回の楽しみをつくる。",
        },
        kinds=(K.SALON, K.HOBBY),
        picks=2,
    ),
    PlanSpec(
        "person:double-care",
        "chiiki",
        50,
        {
            "interests": ["子育て", "手芸"],
            "constraints": ["time"],
            "days": [WED, THU, SAT],
            "goal": "介護と育児の合間に、親子で息抜きできる場所を持つ。",
        },
        kinds=(K.KODOMO_SHOKUDO, K.CONSULTATION, K.IBASHO),
        events=((35, 0, "trial", GOOD, "子どもと一緒に参加。同じ年頃の親と知り合えた。"),),
    ),
)


def _cases_for_plans(excluded: set[int]) -> list[Case]:
    return list(
        Case.objects.filter(
            person__isnull=False,
            stage__in=[CaseStage.IN_SUPPORT, CaseStage.EVALUATION, CaseStage.DECIDED],
        )
        .exclude(household_id__in=excluded)
        .select_related("person")
        .prefetch_related("household__tags")
        .order_by("pk")
    )


def _plan_source(
    spec: PlanSpec,
    engagements: Sequence[Engagement | None],
    eight_fifty: Case | None,
    cases: list[Case],
) -> tuple[Person | None, dict[str, Any]]:
    kind, _, arg = spec.source.partition(":")
    if kind == "engagement":
        engagement = engagements[int(arg)] if int(arg) < len(engagements) else None
        if engagement is None or engagement.person is None:
            return None, {}
        return engagement.person, {"engagement": engagement}
    if kind == "case" and arg == "8050-parent":
        if eight_fifty is None:
            return None, {}
        parent = (
            Membership.current.filter(
                household=eight_fifty.household, relationship=Relationship.HEAD
            )
            .select_related("person")
            .first()
        )
        return (parent.person if parent else None), {"case": eight_fifty}
    if kind == "case":
        # The first case of a household with the tag; any other case if none has it.
        case = next(
            (c for c in cases if arg in {t.code for t in c.household.tags.all()}),
            cases[0] if cases else None,
        )
        if case is None:
            return None, {}
        cases.remove(case)
        return case.person, {"case": case}
    # Straight from a consultation: a person with no plan yet, not through a case.
    spouse = (
        Membership.current.filter(
            household__tags__code=arg,
            household__engagements__isnull=True,
            person__participation_plans__isnull=True,
            relationship=Relationship.SPOUSE,
        )
        .select_related("person")
        .order_by("pk")
        .first()
    )
    return (spouse.person if spouse else None), {}


def _participation(
    staff: dict[str, Staff],
    places: list[Place],
    engagements: Sequence[Engagement | None],
    eight_fifty: Case | None,
) -> tuple[int, int]:
    excluded = {e.household_id for e in engagements if e is not None}
    cases = _cases_for_plans(excluded)
    plans = matches = 0
    for spec in PLANS:
        person, through = _plan_source(spec, engagements, eight_fifty, cases)
        if person is None:
            continue
        worker = staff[spec.worker]
        created = _ago(spec.created_ago)
        plan = participation.create_plan(
            staff["kyodo-city"], person, dict(spec.data), worker=worker, **through
        )
        plans += 1
        ranked = [
            r
            for r in matching.rank(plan, places, on=UNTIL)
            if not spec.kinds or r.place.kind in spec.kinds
        ]
        picked = [participation.pick_place(worker, plan, r.place) for r in ranked[: spec.picks]]
        matches += len(picked)
        for ago, index, what, value, note in spec.events:
            if index >= len(picked):
                continue
            match, day = picked[index], _ago(ago)
            if what == "trial":
                trial = participation.record_trial(worker, match, on=day, outcome=value, note=note)
                Trial.objects.filter(pk=trial.pk).update(created_at=_at(day, 16))
            elif what == "settle":
                participation.settle(worker, match, on=day)
            elif what == "drop":
                participation.drop_match(worker, match, reason=note)
            else:
                follow = participation.add_follow_up(worker, match, kind=value, on=day, note=note)
                FollowUp.objects.filter(pk=follow.pk).update(created_at=_at(day, 16))
        last = min((ago for ago, *_ in spec.events), default=spec.created_ago)
        ParticipationPlan.objects.filter(pk=plan.pk).update(
            created_at=_at(created), updated_at=_at(_ago(last), 16)
        )
        Match.objects.filter(plan=plan).update(picked_at=_at(created + timedelta(days=3)))
    return plans, matches


def load_outreach(staff: dict[str, Staff], *, seed: int) -> dict[str, int]:
    """Runs inside ``load_city``'s transaction, after the cases exist (once per demo city)."""
    rng = random.Random(seed + 6)
    places = _places(staff["chiiki"], rng)
    eight_fifty = (
        (Case.objects.filter(household__tags__code="8050").select_related("household", "person"))
        .order_by("pk")
        .first()
    )
    engagements, contacts = _engagements(staff, eight_fifty)
    plans, matches = _participation(staff, places, engagements, eight_fifty)
    totals = {
        "places": len(places),
        "engagements": sum(1 for e in engagements if e is not None),
        "contacts": contacts,
        "participation_plans": plans,
        "matches": matches,
    }
    record(
        Action.BULK_LOAD,
        actor=None,
        username="tomoni demo",
        object_type="outreach.engagement",
        detail={**totals, "seed": seed},
    )
    return totals
