"""稲城市's master data: its 4 日常生活圏域, 10 地区 and the agencies of the 全体会.

The agencies follow the seed presentation (令和8年2月19日). How the ten 地区 group into the
four 圏域, and which agencies are contracted, are our assumptions (no primary source was
found); administrators correct them in the admin.
"""

from __future__ import annotations

from django.db import transaction

from .models import Agency, Area, District, Domain

K = Agency.Kind
O = Agency.Operation  # noqa: E741

AREAS = [
    ("area1", "第1圏域（矢野口・東長沼・押立）", ["yanokuchi", "higashinaganuma", "oshitate"]),
    ("area2", "第2圏域（大丸・百村・向陽台）", ["omaru", "momura", "koyodai"]),
    ("area3", "第3圏域（坂浜・平尾）", ["sakahama", "hirao"]),
    ("area4", "第4圏域（長峰・若葉台）", ["nagamine", "wakabadai"]),
]

DISTRICTS = {
    "yanokuchi": "矢野口",
    "higashinaganuma": "東長沼",
    "oshitate": "押立",
    "omaru": "大丸",
    "momura": "百村",
    "koyodai": "向陽台",
    "sakahama": "坂浜",
    "hirao": "平尾",
    "nagamine": "長峰",
    "wakabadai": "若葉台",
}

# code, name, field, kind, operation, is_welfare, attends_plenary, area, description
AGENCIES: list[tuple[str, str, str, str, str, bool, bool, str | None, str]] = [
    (
        "window",
        "福祉くらしの総合窓口（生活福祉課）",
        Domain.POVERTY,
        K.CITY_SECTION,
        O.CITY,
        True,
        True,
        None,
        "仕事・お金・住まいの相談と、相談先が分からない困りごと（複合的・狭間）を受け止める総合窓口。",
    ),
    (
        "jusou",
        "重層的支援推進担当（福祉部）",
        Domain.OTHER,
        K.CITY_SECTION,
        O.CITY,
        True,
        True,
        None,
        "多機関協働事業の市職員。支援会議(全体会)の事務局。",
    ),
    (
        "shakyo",
        "稲城市社会福祉協議会（多機関協働・アウトリーチ）",
        Domain.OTHER,
        K.SOCIAL_WELFARE_COUNCIL,
        O.CONTRACTED,
        True,
        True,
        None,
        "市役所に配置された社会福祉士・精神保健福祉士。多機関協働・アウトリーチ・参加支援を受託。",
    ),
    (
        "chiikifukushi-co",
        "地域福祉コーディネーター（社会福祉協議会）",
        Domain.OTHER,
        K.SOCIAL_WELFARE_COUNCIL,
        O.CONTRACTED,
        True,
        True,
        None,
        "地域の居場所づくりと住民活動の支援。",
    ),
    (
        "seikatsushien-co",
        "生活支援コーディネーター（社会福祉協議会）",
        Domain.ELDERLY,
        K.SOCIAL_WELFARE_COUNCIL,
        O.CONTRACTED,
        True,
        False,
        None,
        "協議体の運営と地域の支え合い活動の支援。",
    ),
    (
        "koreifukushi",
        "高齢福祉課",
        Domain.ELDERLY,
        K.CITY_SECTION,
        O.CITY,
        True,
        True,
        None,
        "高齢者の福祉・介護保険。",
    ),
    (
        "houkatsu1",
        "地域包括支援センター（第1圏域）",
        Domain.ELDERLY,
        K.SUPPORT_CENTRE,
        O.CONTRACTED,
        True,
        True,
        "area1",
        "高齢者の総合相談、権利擁護、介護予防ケアマネジメント。",
    ),
    (
        "houkatsu2",
        "地域包括支援センター（第2圏域）",
        Domain.ELDERLY,
        K.SUPPORT_CENTRE,
        O.CONTRACTED,
        True,
        True,
        "area2",
        "高齢者の総合相談、権利擁護、介護予防ケアマネジメント。",
    ),
    (
        "houkatsu3",
        "地域包括支援センター（第3圏域）",
        Domain.ELDERLY,
        K.SUPPORT_CENTRE,
        O.CONTRACTED,
        True,
        True,
        "area3",
        "高齢者の総合相談、権利擁護、介護予防ケアマネジメント。",
    ),
    (
        "houkatsu4",
        "地域包括支援センター（第4圏域）",
        Domain.ELDERLY,
        K.SUPPORT_CENTRE,
        O.CONTRACTED,
        True,
        True,
        "area4",
        "高齢者の総合相談、権利擁護、介護予防ケアマネジメント。",
    ),
    (
        "shogaifukushi",
        "障害福祉課",
        Domain.DISABILITY,
        K.CITY_SECTION,
        O.CITY,
        True,
        True,
        None,
        "障害福祉サービスの支給決定と相談。",
    ),
    (
        "shogai-soudan",
        "障害者相談支援事業所",
        Domain.DISABILITY,
        K.SUPPORT_CENTRE,
        O.CONTRACTED,
        True,
        True,
        None,
        "障害のある方の相談支援・計画相談。",
    ),
    (
        "chikatsu",
        "地域活動支援センター",
        Domain.DISABILITY,
        K.SUPPORT_CENTRE,
        O.CONTRACTED,
        True,
        True,
        None,
        "創作活動・交流の場と日中の居場所。",
    ),
    (
        "kodomokatei",
        "子ども家庭支援センター",
        Domain.CHILDREN,
        K.SUPPORT_CENTRE,
        O.CITY,
        True,
        True,
        None,
        "子どもと家庭の総合相談、虐待対応。",
    ),
    (
        "oyako",
        "おやこ包括支援センター",
        Domain.CHILDREN,
        K.SUPPORT_CENTRE,
        O.CITY,
        True,
        True,
        None,
        "妊娠期から子育て期までの切れ目ない支援。",
    ),
    (
        "boshifushi",
        "母子父子相談担当",
        Domain.CHILDREN,
        K.CITY_SECTION,
        O.CITY,
        True,
        True,
        None,
        "ひとり親家庭の相談と自立支援。",
    ),
    (
        "kyoiku",
        "教育委員会（教育相談）",
        Domain.EDUCATION,
        K.EDUCATION,
        O.CITY,
        False,
        True,
        None,
        "不登校・就学・教育相談。スクールソーシャルワーカー。",
    ),
    (
        "jiritsu",
        "自立相談支援機関",
        Domain.POVERTY,
        K.SUPPORT_CENTRE,
        O.CONTRACTED,
        True,
        True,
        None,
        "生活困窮者自立支援法に基づく自立相談支援、家計改善・就労準備支援。",
    ),
    (
        "seiho",
        "生活保護担当（生活福祉課）",
        Domain.POVERTY,
        K.CITY_SECTION,
        O.CITY,
        True,
        True,
        None,
        "生活保護の相談・申請・ケースワーク。",
    ),
    (
        "kenri",
        "権利擁護センター",
        Domain.ADVOCACY,
        K.SUPPORT_CENTRE,
        O.CONTRACTED,
        True,
        True,
        None,
        "成年後見制度の利用支援、日常生活自立支援事業。",
    ),
    (
        "shohi",
        "消費者相談担当",
        Domain.CONSUMER,
        K.CITY_SECTION,
        O.CITY,
        False,
        True,
        None,
        "消費者被害・契約トラブルの相談。",
    ),
    (
        "hokenjo",
        "南多摩保健所",
        Domain.HEALTH,
        K.PUBLIC_HEALTH,
        O.EXTERNAL,
        False,
        True,
        None,
        "精神保健福祉相談、難病、感染症。",
    ),
    (
        "iryo",
        "市内医療機関 地域医療連携室",
        Domain.HEALTH,
        K.MEDICAL,
        O.EXTERNAL,
        False,
        False,
        None,
        "退院支援、受診同行の受け入れ、支援会議への参加。",
    ),
]


# 業務紹介: whom each agency serves and how to refer to it (our wording, from the agencies'
# public descriptions; administrators correct it in the admin). Phone numbers are left blank:
# the city fills in its own.
REFER_HERE = "このシステムの「つなぐ」で依頼し、急ぐときは電話を併用。"
NETWORK: dict[str, tuple[str, str]] = {
    "window": (
        "市民の誰でも。相談先が分からない方、複数の困りごとを抱える世帯。",
        "来所・電話で直接。機関からは「つなぐ」で依頼。",
    ),
    "jusou": (
        "複合的な課題を抱え、複数機関の連携が必要な世帯。",
        "多機関協働ケースとして依頼（相談から「多機関協働へ」）。",
    ),
    "shakyo": ("支援につながりにくい方（ひきこもり、セルフネグレクト等）とその世帯。", REFER_HERE),
    "chiikifukushi-co": (
        "地域の住民、居場所や活動を探す方・始めたい方。",
        "地区の協議体や居場所の相談は電話・来所で。参加支援は「つなぐ」で依頼。",
    ),
    "seikatsushien-co": (
        "高齢者の生活支援・介護予防に取り組む住民や団体。",
        "協議体の事務局として、電話・来所で相談を受ける。",
    ),
    "koreifukushi": ("65歳以上の方と家族、介護保険の申請者。", REFER_HERE),
    "houkatsu1": ("第1圏域に住む65歳以上の方と家族、地域の支援者。", REFER_HERE),
    "houkatsu2": ("第2圏域に住む65歳以上の方と家族、地域の支援者。", REFER_HERE),
    "houkatsu3": ("第3圏域に住む65歳以上の方と家族、地域の支援者。", REFER_HERE),
    "houkatsu4": ("第4圏域に住む65歳以上の方と家族、地域の支援者。", REFER_HERE),
    "shogaifukushi": ("障害のある方（手帳の有無を問わず相談可）と家族。", REFER_HERE),
    "shogai-soudan": ("障害のある方と家族。サービス利用計画が必要な方。", REFER_HERE),
    "chikatsu": (
        "障害のある方の日中の居場所・創作活動を探す方。",
        "見学の希望を電話で伝え、本人と一緒に訪問。",
    ),
    "kodomokatei": (
        "18歳未満の子どもと家庭。虐待が心配なとき。",
        "虐待の疑いは電話で即時。その他は「つなぐ」で依頼。",
    ),
    "oyako": ("妊娠中の方、乳幼児の子育て家庭。", REFER_HERE),
    "boshifushi": ("ひとり親家庭、これからひとり親になる方。", REFER_HERE),
    "kyoiku": (
        "小中学生と保護者（不登校・就学・学校生活の悩み）。",
        "学校または教育相談室を通じて。本人・保護者の同意を確認してから。",
    ),
    "jiritsu": ("仕事・家計・住まいに困っている方（年齢を問わない）。", REFER_HERE),
    "seiho": (
        "生活に困窮し、保護の相談・申請を考えている方。",
        "本人の来所・電話での相談が基本。同行支援も可。",
    ),
    "kenri": ("判断能力に不安のある方と家族、成年後見を考える方。", REFER_HERE),
    "shohi": (
        "契約トラブル・消費者被害に遭った方。",
        "本人から電話・来所で。急ぐ被害は電話を先に。",
    ),
    "hokenjo": (
        "精神保健・難病・感染症について相談したい方と家族、支援者。",
        "電話で保健師に相談し、必要に応じ同行訪問。",
    ),
    "iryo": (
        "入院中・退院予定の方、受診が難しい方。",
        "地域医療連携室へ電話。退院支援は入院中から。",
    ),
}
DEFAULT_HOURS = "平日 8:30〜17:15"


@transaction.atomic
def load_master() -> dict[str, int]:
    """Create or update the areas, districts and agencies. Safe to run again."""
    areas = {}
    order = 0
    for index, (code, name, district_codes) in enumerate(AREAS, start=1):
        area, _ = Area.objects.update_or_create(code=code, defaults={"name": name, "order": index})
        areas[code] = area
        for district_code in district_codes:
            order += 1
            District.objects.update_or_create(
                code=district_code,
                defaults={"name": DISTRICTS[district_code], "area": area, "order": order},
            )
    for index, row in enumerate(AGENCIES, start=1):
        code, name, field, kind, operation, welfare, plenary, area_code, description = row
        Agency.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "field": field,
                "kind": kind,
                "operation": operation,
                "is_welfare": welfare,
                "attends_plenary": plenary,
                "area": areas[area_code] if area_code else None,
                "description": description,
                "serves": NETWORK.get(code, ("", ""))[0],
                "how_to_refer": NETWORK.get(code, ("", ""))[1],
                "hours": DEFAULT_HOURS if operation != O.EXTERNAL else "",
                "order": index,
            },
        )
    return {"areas": len(AREAS), "districts": len(DISTRICTS), "agencies": len(AGENCIES)}
