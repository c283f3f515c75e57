"""Demo 相談受付, つなぎ and 支援経過記録 for the demo city.

About 60% of the households (all of the situation households) brought one to three worries
to the 福祉くらしの総合窓口 — or to 地域包括 / 障害者相談支援 — during 令和7〜8年度. What each
consultation is about follows the household: an 8050 household brings ひきこもり・介護・収入,
the 夫の施設入所 household a contract it cannot cancel. The seed's three real examples appear
word for word (``SEED_EXAMPLES``).

Everything is dated between ``FROM`` and ``UNTIL``, fixed days rather than ``now()``, so the
same seed gives the same records on any day. Rows go in through ``bulk_create`` but keep
what the actions keep: a 受付番号 per consultation (``SD`` + a number, apart from the
pk-derived ``S`` codes), the route as ordered steps, at most one ◎ concern and it among the
concerns, referrals only to other agencies with the due date ``response_due`` gives and the
fields each state implies, notes by staff who may write them, dated no later than ``UNTIL``.
The full-text index is rebuilt for both kinds and one BULK_LOAD event summarises the load.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import groupby, islice
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password

from tomoni.audit.log import Action, record
from tomoni.directory.merged import jiritsu_code
from tomoni.directory.models import Agency, Concern, Staff, Tag
from tomoni.directory.roles import Role
from tomoni.fulltext.api import rebuild
from tomoni.intake.actions import response_due
from tomoni.intake.models import (
    ConsentVersion,
    Consultation,
    ConsultationConcern,
    Method,
    Outcome,
    Referral,
    RouteKind,
    RouteStep,
    Urgency,
)
from tomoni.lib.bizdays import is_business_day
from tomoni.lib.synthetic_names import FEMALE, MALE, SURNAMES
from tomoni.lib.wareki import age_on
from tomoni.notes.models import Note, NoteMethod, Visibility
from tomoni.people.models import Household, Membership, Relationship

from . import jiritsu
from .caseplans import PLANS, CasePlan

TOKYO = ZoneInfo("Asia/Tokyo")
FROM = date(2025, 4, 1)  # 令和7年度の初日
UNTIL = date(2026, 11, 25)  # the demo's "today"
AGES_ON = date(2026, 4, 1)  # the city's reference date for ages (city.REFERENCE_DATE)
CODE_PREFIX = "SD"
BATCH = 2000

SEED_EXAMPLES = (
    "事情が複雑で何から相談してよいか分からない（課題の解きほぐし）",
    "夫が施設に入ってしまった、ケーブルテレビの解約ができない",
    "（民生児童委員より）立ち退きを求められて困っている人がいる",
)

State = Referral.State
K = RouteKind


@dataclass(frozen=True)
class Step:
    """A route step; ``agency`` is a code, and "houkatsu" means the household's area's."""

    kind: str
    agency: str = ""
    relation: str = ""


SELF = (Step(K.SELF),)


@dataclass(frozen=True)
class Story:
    """What a household's consultations are about."""

    summary: str
    text: str
    concerns: tuple[str, ...]  # the first is ◎
    optional: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    subject: str = Relationship.HEAD  # whom it is about: the first with this 続柄, or ELDEST
    routes: tuple[tuple[Step, ...], ...] = (SELF,)
    receivers: tuple[str, ...] = ("madoguchi",)  # demo usernames, repeated for weight
    outcomes: tuple[str, ...] = (Outcome.REFERRED, Outcome.LISTENED, Outcome.CONTINUING)
    referrals: tuple[str, ...] = ()  # agency codes, most likely first
    follow_ups: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    private_notes: tuple[str, ...] = ()
    urgency: tuple[str, ...] = (Urgency.NORMAL,)
    consent_none: float = 0.08
    methods: tuple[str, ...] = (Method.VISIT, Method.PHONE, Method.PHONE, Method.VISIT)
    # When the household's worries become a 多機関協働 case: what its plan says.
    plan: CasePlan | None = None


R, Out = Relationship, Outcome
ELDEST = "eldest"
FAMILY_CALLERS = ("長女", "長男", "次女", "妻", "夫", "姉", "弟", "姪")

STORIES: dict[str, Story] = {
    "p8050": Story(
        summary="母の介護認定の訪問で、長年ひきこもっている50代の長男の存在が分かった",
        text="地域包括支援センターより。要介護認定の訪問時、同居の長男が20年以上ほとんど外出して"
        "いないと母から聞き取った。母の年金で二人暮らし。母は自分が亡くなった後の息子の生活を"
        "心配している。長男本人とはまだ会えていない。",
        concerns=("hikikomori", "care", "income"),
        optional=("mental-health", "budgeting"),
        tags=("8050", "hikikomori"),
        subject=R.CHILD,
        routes=((Step(K.AGENCY, "houkatsu", "介護認定の訪問時"),),),
        receivers=("houkatsu", "houkatsu", "madoguchi", "madoguchi", "madoguchi"),
        outcomes=(Out.COLLABORATION, Out.REFERRED, Out.REFERRED, Out.OUTREACH),
        referrals=("jiritsu", "window", "hokenjo", "shogai-soudan"),
        follow_ups=(
            "長男が手紙に返事をくれた。会うのはまだ難しいとのこと",
            "母が入院することになり、長男の当面の生活費と食事が心配",
        ),
        notes=(
            "母と面談。長男は日中は自室で過ごし、夜間にコンビニへ出かけることがあるとのこと。",
            "長男あてに手紙を置いてきた。返事があれば連絡をもらうよう母に依頼した。",
            "地域包括支援センターの担当者と同行訪問。長男とドア越しに短く会話できた。",
        ),
        private_notes=(
            "母から、長男が過去に精神科を受診していたと聞き取った。本人の了解がないため共有しない。",
        ),
        plan=PLANS["p8050"],
    ),
    "double_care": Story(
        summary="実母の介護と乳幼児の育児が重なり、心身ともに限界",
        text="妻が同居の実母（認知症の症状あり）の介護と、2人の乳幼児の育児を同時に担っている。"
        "夫は仕事で帰宅が遅い。実母は要介護認定を受けていない。保育園の空きを待っている。",
        concerns=("care", "childcare"),
        optional=("dementia", "family"),
        tags=("double-care",),
        subject=R.SPOUSE,
        routes=(SELF, (Step(K.FAMILY, relation="夫"),)),
        receivers=("madoguchi",),
        outcomes=(Out.REFERRED, Out.REFERRED, Out.COLLABORATION),
        referrals=("houkatsu", "oyako", "kodomokatei"),
        follow_ups=("実母のデイサービスが始まったが、夜間の徘徊が続いている",),
        notes=(
            "本人と面談。睡眠が十分に取れていない様子。実母の要介護認定の申請方法を説明した。",
            "地域包括支援センターから、実母の認定調査の日程が決まったと連絡あり。",
            "おやこ包括支援センターの保健師と、一時保育の利用について情報共有した。",
        ),
        private_notes=(
            "本人が夫との関係についても悩んでいると話した。本人の希望により他機関へは伝えない。",
        ),
        plan=PLANS["double_care"],
    ),
    "hoarding": Story(
        summary="家の周りにごみが積まれ悪臭がすると近隣から相談があった",
        text="近隣住民から民生児童委員を通じて相談。一人暮らしの高齢者宅の玄関先や庭にごみ袋が"
        "積まれ、夏場は悪臭と虫が出ている。本人は「全部必要な物」と言い、片付けを拒んでいる。",
        concerns=("housing", "community", "health"),
        optional=("neighbours", "dementia"),
        tags=("self-neglect", "isolation"),
        subject=R.HEAD,
        routes=((Step(K.NEIGHBOUR), Step(K.MINSEI)), (Step(K.NEIGHBOUR),)),
        receivers=("madoguchi",),
        outcomes=(Out.OUTREACH, Out.OUTREACH, Out.REFERRED, Out.COLLABORATION),
        referrals=("houkatsu", "hokenjo"),
        follow_ups=("本人が片付けの一部に同意した", "近隣住民から再度の苦情があった"),
        notes=(
            "訪問したが応答なし。ポストに手紙を入れた。",
            "本人と玄関先で面談。ごみの分別が分からないとの話があった。",
            "地域包括支援センターと同行訪問。本人は片付けの手伝いに少し前向きになった。",
        ),
        private_notes=(),
        urgency=(Urgency.NORMAL, Urgency.SOON),
        consent_none=0.7,
        methods=(Method.PHONE, Method.HOME_VISIT),
        plan=PLANS["hoarding"],
    ),
    "eviction": Story(
        summary=SEED_EXAMPLES[2],
        text="民生児童委員から電話。担当地区の方が、建物の老朽化を理由に家主から立ち退きを求め"
        "られている。転居先の当てがなく、転居費用も用意できないと話している。",
        concerns=("housing", "rent-loan"),
        optional=("income", "community"),
        tags=("isolation",),
        subject=R.HEAD,
        routes=((Step(K.MINSEI),),),
        receivers=("madoguchi",),
        outcomes=(Out.REFERRED,),
        referrals=("jiritsu", "houkatsu", "kenri"),
        follow_ups=("転居先の候補が見つかったが、初期費用が払えない",),
        notes=(
            "本人と面談。立ち退きの期限は3か月後。家主からの書面を確認した。",
            "自立相談支援機関と住まい探しの進め方を協議した。",
            "民生児童委員に、本人と面談できたことを報告した（本人同意あり）。",
        ),
        private_notes=(),
        urgency=(Urgency.SOON,),
        plan=PLANS["eviction"],
    ),
    "husband_in_care": Story(
        summary=SEED_EXAMPLES[1],
        text="夫が特別養護老人ホームに入所した。夫名義のケーブルテレビや携帯電話の契約が残って"
        "いるが、解約には契約者本人の手続きが必要と言われ、どうしてよいか分からない。",
        concerns=("other", "procedures"),
        optional=("tax-bills", "guardianship"),
        tags=(),
        subject=R.SPOUSE,
        routes=(SELF, (Step(K.FAMILY, relation="長女（別居）"),)),
        receivers=("madoguchi",),
        outcomes=(Out.REFERRED, Out.REFERRED, Out.LISTENED),
        referrals=("shohi", "kenri"),
        follow_ups=("夫名義の口座からの引き落としを止めたい",),
        notes=(
            "本人と来所面談。ケーブルテレビ会社に一緒に電話し、解約には委任状が必要と確認した。",
            "委任状の書き方を説明した。ケーブルテレビの解約手続きは来週行う予定。",
            "本人から電話。ケーブルテレビの解約が完了したとのこと。携帯電話の解約は未了。",
        ),
        private_notes=(),
        methods=(Method.VISIT,),
        plan=PLANS["husband_in_care"],
    ),
    "hikikomori": Story(
        summary="高校中退後、何年も自室から出られない子のことで両親が相談",
        text="子が高校を中退してから数年、ほとんど自室から出ない。昼夜逆転しており、家族とも"
        "会話が少ない。両親はどこに相談すればよいか分からず、今回が初めての相談。",
        concerns=("hikikomori", "family"),
        optional=("mental-health", "job-search"),
        tags=("hikikomori",),
        subject=R.CHILD,
        routes=((Step(K.FAMILY, relation="母"),), (Step(K.FAMILY, relation="父"),)),
        receivers=("madoguchi", "madoguchi", "shogai"),
        outcomes=(Out.OUTREACH, Out.PARTICIPATION, Out.REFERRED, Out.CONTINUING),
        referrals=("hokenjo", "shogai-soudan", "jiritsu", "window"),
        follow_ups=("子が居場所の見学に行ってみたいと話した",),
        notes=(
            "母と面談。子は夜にゲームをして過ごしている。本人に会うことは今は望んでいない。",
            "両親と面談。家族向けの学習会を紹介した。",
            "本人と初めて面談できた。好きな音楽の話をした。",
        ),
        private_notes=(
            "母から、子に自傷の跡があったと聞いた。保健所と相談予定。記録は自機関のみとする。",
        ),
        plan=PLANS["hikikomori"],
    ),
    "young_carer": Story(
        summary="中学生の長女が母の世話と弟の面倒を担い、欠席が増えている",
        text="中学校のスクールソーシャルワーカーより。母が精神疾患で療養中で、中学生の長女が"
        "家事と弟の世話を担っている。遅刻と欠席が増え、本人は「大丈夫」と話している。",
        concerns=("childcare", "health"),
        optional=("hikikomori", "school-refusal", "mental-health"),
        tags=("young-carer",),
        subject=R.CHILD,
        routes=((Step(K.SCHOOL, relation="中学校 スクールソーシャルワーカー"),),),
        receivers=("madoguchi", "madoguchi", "shogai"),
        outcomes=(Out.REFERRED, Out.COLLABORATION),
        referrals=("kodomokatei", "shogai-soudan", "kyoiku"),
        follow_ups=("母の入院が決まり、子どもたちの生活が心配",),
        notes=(
            "学校で長女と面談。家のことを話せる大人がいないと話した。",
            "母と面談。家事援助（ヘルパー）の利用について説明した。",
            "子ども家庭支援センターと、長女の見守り体制について協議した。",
        ),
        private_notes=("長女が「母に知られたくない」と話した内容あり。詳細は自機関のみで記録。",),
        plan=PLANS["young_carer"],
    ),
    "untangle": Story(
        summary=SEED_EXAMPLES[0],
        text="本人来所。家賃の滞納、カードローンの返済、子どもの学校のことなど、困りごとが重なって"
        "いて、何から手をつければよいか分からないと涙ながらに話した。",
        concerns=("rent-loan", "debt", "family"),
        optional=("income", "childcare", "tax-bills"),
        tags=(),
        subject=R.HEAD,
        routes=(SELF,),
        receivers=("madoguchi",),
        outcomes=(Out.COLLABORATION, Out.COLLABORATION, Out.REFERRED),
        referrals=("jiritsu", "kodomokatei", "shohi"),
        follow_ups=("家計の見直しを始めたが、滞納分の支払いが追いつかない",),
        notes=(
            "本人と面談。困りごとを一つずつ書き出し、優先順位を一緒に考えた。",
            "家計表を一緒に作成。収入と支出を確認した。",
            "多機関協働の担当と、関係機関の役割分担について協議した。",
        ),
        private_notes=(),
        plan=PLANS["untangle"],
    ),
}

ELDERLY = (
    Story(
        summary="母の物忘れが増え、火の始末が心配",
        text="別居の長女から電話。母が鍋を焦がすことが続き、同じことを何度も聞くようになった。"
        "介護保険のことはよく分からない。",
        concerns=("care", "dementia"),
        optional=("health",),
        tags=(),
        subject=ELDEST,
        routes=((Step(K.FAMILY, relation="長女（別居）"),),),
        receivers=("madoguchi", "houkatsu", "houkatsu"),
        outcomes=(Out.REFERRED, Out.REFERRED, Out.LISTENED),
        referrals=("houkatsu", "kenri"),
        follow_ups=("デイサービスを嫌がって行かない",),
        notes=("長女と電話。要介護認定の申請方法を説明した。",),
    ),
    Story(
        summary="足腰が弱り、買い物やごみ出しが難しくなってきた",
        text="本人来所。膝の痛みで外出が減った。近くに頼れる親族はいない。",
        concerns=("care", "health", "community"),
        optional=(),
        tags=("isolation",),
        subject=ELDEST,
        routes=(SELF,),
        receivers=("madoguchi", "houkatsu", "houkatsu"),
        outcomes=(Out.REFERRED, Out.PARTICIPATION, Out.LISTENED),
        referrals=("houkatsu", "seikatsushien-co"),
        notes=("本人と面談。地域の見守りと買い物支援の情報を伝えた。",),
    ),
    Story(
        summary="年金だけでは生活が苦しく、医療費の支払いが滞っている",
        text="本人来所。年金収入のみで、通院費と光熱費がかさみ、貯金がほぼなくなった。",
        concerns=("income", "health", "tax-bills"),
        subject=ELDEST,
        receivers=("madoguchi",),
        outcomes=(Out.REFERRED, Out.LISTENED, Out.CONTINUING),
        referrals=("jiritsu", "seiho"),
        notes=("本人と面談。家計の状況を聞き取り、減免制度を案内した。",),
    ),
    Story(
        summary="電話で高額な健康食品の定期購入を契約してしまったようだ",
        text="別居の長男から。父宅に健康食品が毎月届き、請求書がたまっている。本人は契約した覚え"
        "がないと言う。",
        concerns=("other", "consumer"),
        optional=("dementia",),
        subject=ELDEST,
        routes=((Step(K.FAMILY, relation="長男（別居）"),),),
        outcomes=(Out.REFERRED,),
        referrals=("shohi", "houkatsu"),
        notes=("長男と電話。契約書と請求書を確認してもらうよう依頼した。",),
    ),
    Story(
        summary="近所付き合いがなく、話し相手がいない",
        text="本人から電話。退職してから外出が減り、一日誰とも話さない日が多い。",
        concerns=("community",),
        optional=("health",),
        tags=("isolation",),
        subject=ELDEST,
        outcomes=(Out.PARTICIPATION, Out.LISTENED, Out.PARTICIPATION),
        referrals=("chiikifukushi-co",),
        notes=("本人と電話。地区のサロンと通いの場の案内を送った。",),
        methods=(Method.PHONE,),
    ),
)

FAMILY = (
    Story(
        summary="子どもの発達が気になるが、どこに相談すればよいか分からない",
        text="母来所。3歳の子の言葉が遅く、保育園から相談を勧められた。",
        concerns=("childcare",),
        optional=("developmental",),
        subject=R.SPOUSE,
        referrals=("oyako", "kodomokatei"),
        notes=("母と面談。発達相談の窓口と予約方法を説明した。",),
    ),
    Story(
        summary="夫の収入が減り、家賃と保育料の支払いが厳しい",
        text="妻来所。夫の勤務先の業績悪化で残業代がなくなり、家賃を2か月滞納している。",
        concerns=("income", "rent-loan"),
        optional=("childcare",),
        subject=R.SPOUSE,
        referrals=("jiritsu",),
        notes=("本人と面談。住居確保給付金の要件を確認した。",),
    ),
    Story(
        summary="中学生の子が不登校になり、昼夜逆転している",
        text="母から電話。2学期から登校できず、夜中までゲームをしている。",
        concerns=("hikikomori", "family"),
        optional=("school-refusal",),
        subject=R.CHILD,
        routes=((Step(K.FAMILY, relation="母"),), (Step(K.SCHOOL, relation="中学校"),)),
        referrals=("kyoiku", "kodomokatei"),
        notes=("母と電話。教育相談の予約方法を案内した。",),
    ),
    Story(
        summary="離婚後、ひとりで子育てと仕事を両立できるか不安",
        text="本人来所。離婚協議中。パートの収入だけで子ども2人を育てていけるか不安。",
        concerns=("childcare", "income", "job-search"),
        optional=("single-parent",),
        referrals=("boshifushi", "jiritsu"),
        notes=("本人と面談。児童扶養手当とひとり親家庭の支援制度を説明した。",),
    ),
    Story(
        summary="夫の暴言がひどく、子どもを連れて家を出たい",
        text="妻来所。夫の暴言が続き、子どもも怯えている。実家は遠方。",
        concerns=("abuse-dv", "housing", "childcare"),
        subject=R.SPOUSE,
        referrals=("kodomokatei",),
        notes=("本人と面談。安全の確保について確認した。",),
        private_notes=("夫に知られないよう、連絡は本人の携帯電話にのみ行うこと。",),
        urgency=(Urgency.URGENT, Urgency.SOON),
        consent_none=0.0,
    ),
)

ADULT = (
    Story(
        summary="失業して半年、貯金が底をつきそう",
        text="本人来所。派遣契約が終了してから仕事が見つからない。家賃の支払いが来月で難しくなる。",
        concerns=("income", "job-search", "rent-loan"),
        referrals=("jiritsu", "seiho"),
        notes=("本人と面談。就労準備支援とハローワークへの同行について説明した。",),
    ),
    Story(
        summary="複数の借入れがあり、返済が追いつかない",
        text="本人来所。カードローン3社からの借入れがあり、督促の電話が続いている。",
        concerns=("debt", "income"),
        optional=("budgeting",),
        referrals=("jiritsu", "shohi"),
        notes=("本人と面談。借入れの一覧を一緒に作成した。",),
    ),
    Story(
        summary="職場でのいじめで休職中。この先が不安",
        text="本人から電話。上司からの叱責が続き、眠れなくなって休職した。",
        concerns=("job-trouble", "health"),
        optional=("mental-health",),
        receivers=("madoguchi", "madoguchi", "shogai"),
        referrals=("hokenjo", "jiritsu", "window"),
        notes=("本人と電話。受診状況と傷病手当金の手続きを確認した。",),
        methods=(Method.PHONE, Method.EMAIL),
    ),
    Story(
        summary="食べるものがなく、給料日まで生活できない",
        text="本人来所。急な出費で手持ちのお金がなくなった。",
        concerns=("no-food", "income"),
        referrals=("jiritsu",),
        outcomes=(Out.REFERRED, Out.LISTENED),
        notes=("本人と面談。フードパントリーの食料を手渡した。",),
        urgency=(Urgency.URGENT,),
    ),
    Story(
        summary="役所から届く書類が読めず、手続きができない",
        text="本人来所。書類の内容が理解できず、更新の期限が過ぎてしまったものがある。",
        concerns=("other", "procedures"),
        optional=("communication", "mental-health"),
        receivers=("madoguchi", "shogai"),
        referrals=("shogai-soudan", "kenri", "window"),
        notes=("本人と面談。届いた書類を一緒に仕分けし、期限のあるものを確認した。",),
    ),
    Story(
        summary="税金と国民健康保険料の滞納通知が届いて困っている",
        text="本人から電話。収入が不安定で、納付書がたまっている。",
        concerns=("tax-bills", "income"),
        outcomes=(Out.LISTENED, Out.LISTENED, Out.REFERRED),
        referrals=("jiritsu",),
        notes=("本人と電話。納税相談の窓口と分納の手続きを案内した。",),
    ),
)

ANONYMOUS = (
    Story(
        summary="名前は言えないが、近所の高齢の方を最近見かけない",
        text="匿名の電話。近所の一人暮らしの方の新聞がたまっている。",
        concerns=("community", "health"),
        routes=((Step(K.NEIGHBOUR),),),
        outcomes=(Out.LISTENED, Out.REFERRED),
        referrals=("houkatsu",),
        notes=("民生児童委員に見守りを依頼した。",),
        methods=(Method.PHONE,),
        consent_none=1.0,
    ),
    Story(
        summary="家族のことで、誰かに話を聞いてほしい",
        text="匿名の電話。同居の家族との関係に悩んでいる。",
        concerns=("family",),
        outcomes=(Out.LISTENED,),
        methods=(Method.PHONE,),
        consent_none=1.0,
    ),
)


def story_of(household: Household) -> Story | None:
    """The story the household's first consultation told (the situation it was drawn as)."""
    first = (
        Consultation.objects.filter(household=household, is_new=True)
        .order_by("received_at", "pk")
        .values_list("summary", flat=True)
        .first()
    )
    return _BY_SUMMARY.get(first or "")


GENERIC_FOLLOW_UPS = (
    "前回の相談後の状況について、改めて相談したい",
    "支援が始まった後に、新しい困りごとが出てきた",
    "申請の結果が届いたので、今後のことを相談したい",
)
GENERIC_NOTES = (
    "電話で状況を確認し、次回の面談日を調整した。",
    "本人から電話。申請書類の書き方について説明した。",
    "訪問したが不在。不在連絡票を投函した。",
    "関係機関と電話で情報共有した（本人同意あり）。",
)
COORDINATOR_NOTES = (
    "多機関協働として関係機関と役割分担を協議した。主担当機関を決め、3か月後に振り返る。",
    "支援会議での検討に向けて、課題の整理表を作成した。",
)

_BY_SUMMARY = {
    story.summary: story for story in (*STORIES.values(), *ELDERLY, *FAMILY, *ADULT, *ANONYMOUS)
}

# What the sender asks of each kind of agency, and how the receiver reports back.
REQUESTS = {
    "houkatsu": "介護保険サービスの利用と、生活状況の確認をお願いします。",
    "jiritsu": "家計と住まいの立て直しについて、自立相談支援の面談をお願いします。",
    "seiho": "生活保護の相談をご検討ください。本人は申請を希望しています。",
    "shogai-soudan": "障害福祉サービスの利用も含めた相談支援をお願いします。",
    "hokenjo": "精神保健福祉相談として、保健師による訪問をご検討ください。",
    "kodomokatei": "子どもと家庭の状況確認と、必要な支援のご検討をお願いします。",
    "oyako": "保健師による子育て相談をお願いします。",
    "boshifushi": "ひとり親家庭の支援制度についてご案内をお願いします。",
    "kyoiku": "学校と連携した見守りと、教育相談をお願いします。",
    "kenri": "成年後見制度・金銭管理の支援についてご相談をお願いします。",
    "shohi": "契約の解約手続きについて、消費生活相談をお願いします。",
    "window": "世帯全体の困りごとの整理と、総合窓口での相談をお願いします。",
    "chiikifukushi-co": "地域の居場所やサロンへのつなぎをお願いします。",
    "seikatsushien-co": "地域の支え合い活動（買い物・ごみ出し）の調整をお願いします。",
}
RESULTS = {
    "houkatsu": "訪問して状況を確認し、要介護認定の申請を支援した。担当ケアマネジャーが決まった。",
    "jiritsu": "初回面談を実施。家計改善支援と住居確保給付金の申請を開始した。",
    "seiho": "生活保護の申請を受理し、保護が開始された。",
    "shogai-soudan": "本人と面談し、計画相談の利用につながった。",
    "hokenjo": "保健師が訪問し、受診につなげた。",
    "kodomokatei": "家庭訪問を行い、子育て支援サービスの利用を開始した。",
    "oyako": "保健師が面談し、一時保育と発達相談につないだ。",
    "boshifushi": "児童扶養手当の申請と、就業支援の面談を行った。",
    "kyoiku": "スクールソーシャルワーカーが学校と連携し、見守りを始めた。",
    "kenri": "成年後見制度の利用について説明し、申立ての準備を支援した。",
    "shohi": "事業者に連絡して解約の手続きを確認し、家族の代理で解約できた。",
    "window": "総合窓口で面談し、世帯の課題を整理して支援方針を立てた。",
    "chiikifukushi-co": "地区のサロンに同行し、月2回参加することになった。",
    "seikatsushien-co": "近所のボランティアによるごみ出し支援が始まった。",
}
DECLINE_REASONS = (
    "担当圏域外のため、担当の地域包括支援センターへおつなぎください。",
    "本人から支援を希望しない旨の連絡があったため。",
    "対象の要件に該当しないため。他の制度のご案内をお願いします。",
)
WITHDRAW_REASONS = (
    "本人が市外へ転居したため取り下げます。",
    "本人から相談を取り下げたいとの申し出があったため。",
    "他の機関での支援が決まったため取り下げます。",
)

# Receiving agencies without a demo login still answer referrals: one account each, with
# no usable password, so that "responded by" names a person as the action would.
RESPONDER_LOGINS = {
    "window": "madoguchi",
    "houkatsu1": "houkatsu",
    "shogai-soudan": "shogai",
    "shakyo": "kyodo",
}


@dataclass
class Member:
    person_id: int
    relationship: str
    age: int | None
    current: bool


@dataclass
class Pending:
    """A consultation and the rows that hang off it, written once it has its key."""

    consultation: Consultation
    concerns: list[tuple[Concern, bool]]
    route: list[tuple[str, Agency | None, str]]
    tags: list[Tag]
    referrals: list[Referral] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    poverty: bool = False  # the window's 生活困窮 consultation (自立相談支援 at the window)


def _business_days() -> list[date]:
    days, day = [], FROM
    while day <= UNTIL:
        if is_business_day(day):
            days.append(day)
        day += timedelta(days=1)
    return days


def responders(agencies: dict[str, Agency], staff: dict[str, Staff]) -> dict[str, Staff]:
    result = {code: staff[username] for code, username in RESPONDER_LOGINS.items()}
    password = make_password(None)
    for code, agency in agencies.items():
        if code in result:
            continue
        user, _ = Staff.objects.get_or_create(
            username=f"demo-{code}",
            defaults={
                "display_name": f"{agency.short_name or agency.name} 担当",
                "agency": agency,
                "role": Role.AGENCY,
                "password": password,
            },
        )
        result[code] = user
    return result


class _Writer:
    """Draws every household's consultations from one seeded random and writes them."""

    def __init__(self, staff: dict[str, Staff], seed: int) -> None:
        self.rng = random.Random(f"intake-{seed}")
        self.staff = staff
        self.agencies = {a.code: a for a in Agency.objects.all()}
        self.concerns = {c.code: c for c in Concern.objects.all()}
        self.tags = {t.code: t for t in Tag.objects.all()}
        self.responders = responders(self.agencies, staff)
        self.days = _business_days()
        self.number = Consultation.objects.filter(code__startswith=CODE_PREFIX).count()
        self.totals = {"consultations": 0, "referrals": 0, "notes": 0, "jiritsu": 0}
        self.pending: list[Pending] = []
        self.jiritsu = jiritsu.Drawer(seed, UNTIL, staff["madoguchi"])

    # --- drawing ------------------------------------------------------------------------

    def _at(self, day_index: int) -> datetime:
        minutes = self.rng.randrange(0, 8 * 60, 5)
        start = datetime.combine(self.days[day_index], time(8, 30), tzinfo=TOKYO)
        return start + timedelta(minutes=minutes)

    def _agency(self, code: str, area: str | None) -> Agency:
        if code == "houkatsu":
            code = f"houkatsu{(area or 'area1').removeprefix('area')}"
        return self.agencies[code]

    def _name(self) -> str:
        surname = self.rng.choice(SURNAMES)[0]
        given = self.rng.choice(self.rng.choice((MALE, FEMALE)))[0]
        return f"{surname} {given}"

    def _story(self, kind: str, members: list[Member]) -> Story:
        if kind in STORIES:
            return STORIES[kind]
        ages = [m.age or 0 for m in members if m.current]
        if any(age >= 65 for age in ages):
            return self.rng.choice(ELDERLY)
        if any(age < 18 for age in ages):
            return self.rng.choice(FAMILY)
        return self.rng.choice(ADULT)

    def household(self, pk: int, kind: str, area: str | None, members: list[Member]) -> None:
        rng = self.rng
        if kind == "ordinary" and rng.random() >= 0.58:
            return
        story = self._story(kind, members)
        current = [m for m in members if m.current]
        if story.subject == ELDEST:
            subject = max(current, key=lambda m: m.age or 0)
        else:
            subject = next((m for m in current if m.relationship == story.subject), current[0])
        count = rng.choice((2, 2, 3)) if kind in STORIES else rng.choice((1, 1, 1, 1, 2, 2, 3))
        # More each year as the window becomes known: the density rises towards UNTIL.
        day = int(rng.triangular(0, len(self.days) - 5, len(self.days) - 5))
        for order in range(count):
            self.consultation(story, pk, subject.person_id, area, day, first=order == 0)
            day += rng.randint(15, 160)
            if day >= len(self.days):
                break
        if rng.random() < 0.03:
            self.consultation(
                rng.choice(ANONYMOUS), None, None, area, rng.randrange(len(self.days))
            )

    def consultation(
        self,
        story: Story,
        household: int | None,
        person: int | None,
        area: str | None,
        day: int,
        *,
        first: bool = True,
    ) -> None:
        rng = self.rng
        receiver = self.staff[rng.choice(story.receivers)]
        if receiver.username == "houkatsu" and area != "area1":
            receiver = self.staff["madoguchi"]  # 地域包括 of another 圏域 sends them on
        agency = receiver.agency
        assert agency is not None
        received_at = self._at(day)
        recent = len(self.days) - day <= 10
        route = [
            (step.kind, self._agency(step.agency, area) if step.agency else None, step.relation)
            for step in rng.choice(story.routes)
        ]
        route = [step for step in route if step[1] != agency] or [(K.SELF, None, "")]
        caller_name = caller_relation = caller_phone = ""
        last_kind, last_agency, last_relation = route[-1]
        if last_kind != K.SELF:
            caller_name = self._name()
            caller_relation = (
                last_agency.short_name or last_agency.name
                if last_agency
                else last_relation or dict(K.choices)[last_kind]
            )
            if last_kind == K.FAMILY and not last_relation:
                caller_relation = rng.choice(FAMILY_CALLERS)
            caller_phone = f"090-0{rng.randint(0, 999):03d}-{rng.randint(0, 9999):04d}"
        summary = story.summary
        if not first:
            summary = rng.choice(story.follow_ups or GENERIC_FOLLOW_UPS)
        codes = list(story.concerns) + [c for c in story.optional if rng.random() < 0.4]
        primary = codes[0]
        outcome = rng.choice(story.outcomes)
        if not first and rng.random() < 0.3:
            outcome = Out.CONTINUING
        if recent and rng.random() < 0.6:
            outcome = ""  # not decided yet
        referral_targets: list[Agency] = []
        if outcome == Out.REFERRED or (outcome == Out.COLLABORATION and rng.random() < 0.3):
            targets = [self._agency(code, area) for code in story.referrals]
            targets = [a for a in dict.fromkeys(targets) if a != agency]
            if targets:
                referral_targets.append(targets[0] if rng.random() < 0.6 else rng.choice(targets))
                others = [a for a in targets if a not in referral_targets]
                if others and rng.random() < 0.3:
                    referral_targets.append(rng.choice(others))
        if outcome == Out.REFERRED and not referral_targets:
            outcome = Out.LISTENED
        outcome_day = min(day + rng.randint(0, 6), len(self.days) - 1)
        outcome_at = self._at(outcome_day) if outcome else None
        if outcome_at is not None and outcome_at < received_at:
            outcome_at = received_at + timedelta(minutes=30)
        unassigned = outcome == "" and receiver.username == "madoguchi" and rng.random() < 0.5
        self.number += 1
        consultation = Consultation(
            code=f"{CODE_PREFIX}{self.number:07d}",
            received_at=received_at,
            # Keys rather than objects: bulk_create then skips a descriptor per row.
            receiver_id=receiver.pk,
            agency_id=agency.pk,
            assignee_id=None if unassigned else receiver.pk,
            method=rng.choice(story.methods),
            is_new=first,
            person_id=person,
            household_id=household,
            caller_name=caller_name,
            caller_relation=caller_relation[:40],
            caller_phone=caller_phone,
            summary=summary,
            text=story.text if first else "",
            urgency=rng.choice(story.urgency),
            consent=(
                ConsentVersion.NONE if rng.random() < story.consent_none else ConsentVersion.GIVEN
            ),
            outcome=outcome,
            outcome_at=outcome_at,
            created_at=received_at,
            updated_at=outcome_at or received_at,
        )
        pending = Pending(
            consultation,
            [(self.concerns[code], code == primary) for code in dict.fromkeys(codes)],
            route,
            [self.tags[code] for code in story.tags],
            poverty=first
            and "jiritsu" in story.referrals
            and agency.code == jiritsu_code()
            and self.jiritsu.becomes_support(),
        )
        drawn = [self.referral(consultation, receiver, t, day) for t in referral_targets]
        # Where the window is the 自立相談支援機関, 「自立相談支援機関」 is the window: drawn as
        # before (the rest of the city stays the same), then sent to the window, or dropped
        # when the window itself took the consultation (it goes on supporting them).
        pending.referrals = jiritsu.absorbed_referrals(
            drawn,
            agency,
            self.agencies["window"],
            self.agencies["jiritsu"],
            self.responders["window"],
        )
        if outcome == Out.REFERRED and not pending.referrals:
            consultation.outcome = Out.CONTINUING
        elif outcome == Out.REFERRED:
            # refer() sets the outcome when the first referral is sent.
            consultation.outcome_at = min(r.sent_at for r in pending.referrals)
            consultation.updated_at = consultation.outcome_at
        self.notes(pending, story, receiver, day)
        if pending.poverty and outcome == Out.LISTENED:
            consultation.outcome = Out.CONTINUING  # the window goes on supporting them
        self.pending.append(pending)

    def referral(self, consultation: Consultation, sender: Staff, to: Agency, day: int) -> Referral:
        rng = self.rng
        last = len(self.days) - 1
        sent_day = min(day + rng.randint(0, 3), last)
        sent_at = max(self._at(sent_day), consultation.received_at + timedelta(minutes=20))
        age = last - sent_day
        # Recent ones mostly await an answer (not yet due); some older ones were never
        # answered, which is what the overdue list is for.
        if age <= 2:
            state = rng.choice((State.SENT, State.SENT, State.ACCEPTED))
        elif age <= 40:
            state = rng.choice((State.SENT,) * 3 + (State.ACCEPTED,) * 3 + (State.COMPLETED,) * 2)
        else:
            state = rng.choices(
                (State.SENT, State.ACCEPTED, State.COMPLETED, State.DECLINED, State.WITHDRAWN),
                weights=(3, 20, 60, 9, 8),
            )[0]
        if state == State.WITHDRAWN and rng.random() < 0.5:
            withdrawn_from = State.SENT
        else:
            withdrawn_from = State.ACCEPTED
        code = to.code if not to.code.startswith("houkatsu") else "houkatsu"
        referral = Referral(
            from_agency_id=consultation.agency_id,
            to_agency_id=to.pk,
            sent_by_id=sender.pk,
            sent_at=sent_at,
            shared_summary=(
                f"【依頼内容】{REQUESTS[code]}\n【相談の要旨】{consultation.summary}"
                f"\n【本人同意】{consultation.get_consent_display()}"
            ),
            state=state,
            due_on=response_due(sent_at.astimezone(TOKYO).date()),
        )
        answered = state != State.SENT and not (
            state == State.WITHDRAWN and withdrawn_from == State.SENT
        )
        moment = sent_at
        if answered:
            # Mostly by the due date, sometimes a day or two late.
            respond_day = min(sent_day + rng.choice((0, 1, 1, 2, 2, 3, 4)), last)
            moment = max(self._at(respond_day), sent_at + timedelta(minutes=30))
            referral.responded_by_id = self.responders[to.code].pk
            referral.responded_at = moment
            referral.version = 2
        if state == State.DECLINED:
            reasons = DECLINE_REASONS if code == "houkatsu" else DECLINE_REASONS[1:]
            referral.decline_reason = rng.choice(reasons)
        elif state == State.COMPLETED:
            done_day = min(sent_day + rng.randint(5, 40), last)
            referral.completed_by_id = self.responders[to.code].pk
            referral.completed_at = max(self._at(done_day), moment + timedelta(hours=1))
            referral.outcome_note = RESULTS[code]
            referral.version = 3
        elif state == State.WITHDRAWN:
            gone_day = min(sent_day + rng.randint(1, 20), last)
            referral.withdrawn_by_id = sender.pk
            referral.withdrawn_at = max(self._at(gone_day), moment + timedelta(hours=1))
            referral.withdraw_reason = rng.choice(WITHDRAW_REASONS)
            referral.version += 1
        return referral

    def notes(self, pending: Pending, story: Story, author: Staff, day: int) -> None:
        rng = self.rng
        consultation = pending.consultation
        if consultation.outcome == Out.LISTENED:
            count = rng.choice((0, 0, 1))
        else:
            count = rng.choice((0, 1, 1, 2, 2, 3))
        own = story.notes if consultation.is_new else ()
        last = len(self.days) - 1
        for order in range(count):
            day = min(day + rng.randint(0 if order == 0 else 3, 20), last)
            text = own[order] if order < len(own) else rng.choice(GENERIC_NOTES)
            self._note(pending, author, day, text, Visibility.SHARED)
        if story.private_notes and rng.random() < 0.5:
            day = min(day + rng.randint(1, 10), last)
            text = rng.choice(story.private_notes)
            self._note(pending, author, day, text, Visibility.OWN_AGENCY)
        if consultation.outcome == Out.COLLABORATION:
            day = min(day + rng.randint(3, 15), last)
            text = rng.choice(COORDINATOR_NOTES)
            self._note(pending, self.staff["kyodo"], day, text, Visibility.SHARED)

    def _note(self, pending: Pending, author: Staff, day: int, text: str, visibility: str) -> None:
        at = max(self._at(day), pending.consultation.received_at + timedelta(minutes=10))
        method = self.rng.choice(
            (NoteMethod.VISIT, NoteMethod.PHONE, NoteMethod.PHONE, NoteMethod.HOME_VISIT)
        )
        if author.role == Role.COORDINATOR:
            method = NoteMethod.MEETING
        assert author.agency_id is not None
        pending.notes.append(
            Note(
                on=at.astimezone(TOKYO).date(),
                method=method,
                author_id=author.pk,
                agency_id=author.agency_id,
                text=text,
                visibility=visibility,
                created_at=at + timedelta(minutes=40),
            )
        )

    # --- writing ------------------------------------------------------------------------

    def flush(self) -> None:
        pending, self.pending = self.pending, []
        Consultation.objects.bulk_create([p.consultation for p in pending], batch_size=BATCH)
        supports = [self.jiritsu.support(p.consultation) for p in pending if p.poverty]
        self.totals["jiritsu"] += jiritsu.write([row for row in supports if row is not None])
        ConsultationConcern.objects.bulk_create(
            (
                ConsultationConcern(
                    consultation_id=p.consultation.pk, concern_id=c.pk, is_primary=primary
                )
                for p in pending
                for c, primary in p.concerns
            ),
            batch_size=BATCH,
        )
        RouteStep.objects.bulk_create(
            (
                RouteStep(
                    consultation_id=p.consultation.pk,
                    order=i,
                    kind=kind,
                    agency_id=agency.pk if agency else None,
                    relation=rel,
                )
                for p in pending
                for i, (kind, agency, rel) in enumerate(p.route, start=1)
            ),
            batch_size=BATCH,
        )
        ConsultationTag = Consultation.tags.through
        ConsultationTag.objects.bulk_create(
            (
                ConsultationTag(consultation_id=p.consultation.pk, tag_id=tag.pk)
                for p in pending
                for tag in p.tags
            ),
            batch_size=BATCH,
        )
        referrals: list[Referral] = []
        notes: list[Note] = []
        for p in pending:  # built before their consultation had a key
            for referral in p.referrals:
                referral.consultation_id = p.consultation.pk
            for note in p.notes:
                note.consultation_id = p.consultation.pk
            referrals.extend(p.referrals)
            notes.extend(p.notes)
        Referral.objects.bulk_create(referrals, batch_size=BATCH)
        Note.objects.bulk_create(notes, batch_size=BATCH)
        self.totals["consultations"] += len(pending)
        self.totals["referrals"] += len(referrals)
        self.totals["notes"] += len(notes)


def _households(first: int, count: int) -> Iterator[tuple[int, str | None, list[Member]]]:
    """The households just loaded, in code order, with their members (batch by batch)."""
    codes = (f"D{first:07d}", f"D{first + count - 1:07d}")
    rows = (
        Household.objects.filter(code__range=codes)
        .order_by("code")
        .values_list("pk", "district__area__code")
    )
    households = iter(rows)
    while batch := list(islice(households, BATCH)):
        members = (
            Membership.objects.filter(household__in=[pk for pk, _ in batch])
            .order_by("household_id", "pk")
            .values_list(
                "household_id", "person_id", "relationship", "person__birth_date", "end_date"
            )
        )
        by_household = {
            key: [
                Member(person, rel, age_on(born, AGES_ON) if born else None, ended is None)
                for _, person, rel, born, ended in group
            ]
            for key, group in groupby(members, key=lambda row: row[0])
        }
        for pk, area in batch:
            yield pk, area, by_household.get(pk, [])


def load_intake(
    staff: dict[str, Staff], *, first: int, kinds: Sequence[str], seed: int
) -> dict[str, int]:
    """Consultations, referrals and notes for the households ``D{first}`` onwards, whose
    situations ``kinds`` names in order. Runs inside ``load_city``'s transaction."""
    writer = _Writer(staff, seed)
    rows = _households(first, len(kinds))
    for kind, (pk, area, members) in zip(kinds, rows, strict=True):
        if any(m.current for m in members):
            writer.household(pk, kind, area, members)
        if len(writer.pending) >= BATCH:
            writer.flush()
    writer.flush()
    rebuild(
        "intake.consultation",
        (
            (pk, f"{summary}\n{text}")
            for pk, summary, text in Consultation.objects.order_by("pk")
            .values_list("pk", "summary", "text")
            .iterator(chunk_size=BATCH)
        ),
    )
    rebuild(
        "notes.note",
        Note.objects.order_by("pk").values_list("pk", "text").iterator(chunk_size=BATCH),
    )
    totals = writer.totals
    period = {"seed": seed, "from": FROM.isoformat(), "until": UNTIL.isoformat()}
    record(
        Action.BULK_LOAD,
        actor=None,
        username="tomoni demo",
        object_type="intake.consultation",
        detail={**totals, **period},
    )
    return totals
