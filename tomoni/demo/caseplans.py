"""What a demo case's plan says, per story: its direction, wishes, goals and actions, the
assessment that led to it, the tasks its meeting handed out and the change its review saw.

A plan is a property of the story its household tells (``intake.Story.plan``), so that a
ごみ屋敷 case gets a plan about the house and the neighbours, not one about 就労.
"""

from __future__ import annotations

from dataclasses import dataclass

from tomoni.cases.models import GoalTerm


@dataclass(frozen=True)
class Action:
    """A planned action: ``agency`` is a code, "houkatsu" the household's 圏域's centre."""

    agency: str
    what: str
    who: str
    weeks: int | None  # due so many weeks after the plan is approved; None: ongoing


@dataclass(frozen=True)
class Task:
    """A task the meeting hands out; ``agency`` as for ``Action``."""

    agency: str
    title: str
    weeks: int  # due so many weeks after the meeting


@dataclass(frozen=True)
class CasePlan:
    summary: str
    wishes: str
    goals: tuple[tuple[str, str], ...]  # (GoalTerm, text), the long-term goal first
    actions: tuple[Action, ...]
    assessment: tuple[tuple[str, str], ...]  # Assessment field, value
    tasks: tuple[Task, ...]
    review: str  # 見られた変化 at the first review
    handoff: str  # the agency code that carries on when the case closes
    watch: str = ""  # without consent: what the 支援会議 is shown


L, S = GoalTerm.LONG, GoalTerm.SHORT

# Keyed by the situation (city.Plan.kind, intake.STORIES' keys).
PLANS: dict[str, CasePlan] = {
    "p8050": CasePlan(
        summary="母の介護と長男の生活再建を分けて支え、主担当機関へ引き継ぐ。",
        wishes="母の介護を続けながら、自分にできる仕事を少しずつ探したい。",
        goals=(
            (L, "親子がそれぞれ安心して地域で暮らし続けられる"),
            (S, "母の介護サービスの利用を安定させる"),
            (S, "長男が相談機関に月2回通えるようになる"),
        ),
        actions=(
            Action("houkatsu", "介護サービスの調整とケアマネジャーとの連携", "地域包括", 8),
            Action("jiritsu", "家計の整理と就労準備の面談", "相談支援員", 12),
            Action("shakyo", "長男への手紙と訪問の継続", "アウトリーチ支援員", None),
        ),
        assessment=(
            ("work_status", "not_working"),
            ("work", "長男は無職（5年以上）。母の年金で生活。"),
            ("housing", "owned"),
            ("insurance", "national"),
            ("pension_kind", "national"),
            ("pension", "母: 老齢基礎年金"),
            ("health", "長男は通院歴あり（現在は中断）。母は要介護1。"),
            ("income", "月額約10万円（母の年金）。"),
            ("debts", "公共料金の滞納が3か月分。"),
            ("relationships", "親族との行き来はない。近所の民生委員が気にかけている。"),
            ("strengths", "母子とも穏やかで、手紙には返事をくれる。長男はパソコンが得意。"),
            ("wishes", "母の介護を続けながら、自分にできる仕事を少しずつ探したい。"),
            ("supporters", "地域包括支援センター、民生児童委員"),
        ),
        tasks=(
            Task("houkatsu", "母の介護サービス担当者会議を開く", 2),
            Task("window", "長男あての手紙を届け、反応を共有する", 3),
        ),
        review="長男が週1回、自立相談支援機関の面談に通えるようになった。",
        handoff="jiritsu",
        watch="母の介護認定の訪問で長男の存在が分かった。長男は支援機関の関与を望んでいない。",
    ),
    "double_care": CasePlan(
        summary="実母の介護と乳幼児の育児を家族だけで抱えないよう、介護と子育ての支援を同時に整える。",
        wishes="母の介護も子育ても続けたいが、夜は眠れるようにしたい。",
        goals=(
            (L, "家族が無理なく介護と子育てを続けられる"),
            (S, "実母の要介護認定を受け、デイサービスを利用する"),
            (S, "一時保育を週2回利用し、本人の休む時間をつくる"),
        ),
        actions=(
            Action("houkatsu", "実母の要介護認定の申請とケアプラン作成の支援", "地域包括", 4),
            Action("oyako", "一時保育の利用調整と保健師の訪問", "保健師", 6),
            Action("kodomokatei", "保育園の入園申請の相談", "相談員", 10),
        ),
        assessment=(
            ("work_status", "non_regular"),
            ("work", "本人は育児休業中。夫は会社員で帰宅が遅い。"),
            ("housing", "rented"),
            ("insurance", "employee"),
            ("pension_kind", "employee"),
            ("pension", "実母: 遺族年金"),
            ("health", "本人は睡眠不足が続き、疲労が強い。実母に認知症の症状（未受診）。"),
            ("income", "夫の給与で生活。実母の年金は実母の医療費に充てている。"),
            ("debts", "なし。"),
            ("relationships", "夫は協力的だが平日は不在。本人の兄弟は遠方。"),
            ("strengths", "本人は計画的で、必要な手続きを自分で進められる。"),
            ("wishes", "母の介護も子育ても続けたいが、夜は眠れるようにしたい。"),
            ("supporters", "おやこ包括支援センターの保健師"),
        ),
        tasks=(
            Task("houkatsu", "実母の認定調査の日程を調整する", 2),
            Task("oyako", "一時保育の空き状況を本人に伝える", 1),
        ),
        review="実母のデイサービス利用と一時保育が始まり、本人が休める日ができた。",
        handoff="houkatsu",
    ),
    "hoarding": CasePlan(
        summary="本人の暮らし方を尊重しながら、ごみの片付けと近隣との関係の修復を少しずつ進める。",
        wishes="家の物は捨てたくないが、近所に迷惑をかけるのは困る。",
        goals=(
            (L, "本人が住み慣れた家で、近所と折り合いをつけて暮らせる"),
            (S, "玄関先と庭のごみを片付け、悪臭と虫の苦情をなくす"),
            (S, "月1回、支援者の訪問を受け入れる"),
        ),
        actions=(
            Action("houkatsu", "本人宅への定期訪問と健康状態の確認", "地域包括", 4),
            Action(
                "seikatsushien-co",
                "近所のボランティアによるごみ出し支援の調整",
                "生活支援コーディネーター",
                8,
            ),
            Action("shakyo", "本人との関係づくりの訪問の継続", "アウトリーチ支援員", None),
        ),
        assessment=(
            ("work_status", "not_working"),
            ("work", "退職後は無職。"),
            ("housing", "owned"),
            ("insurance", "late_elderly"),
            ("pension_kind", "employee"),
            ("pension", "老齢厚生年金"),
            ("health", "足腰が弱り、ごみ出しが難しい。通院は中断している。"),
            ("income", "年金で生活。"),
            ("debts", "なし。"),
            ("relationships", "近隣住民と苦情をめぐって対立。親族とは疎遠。"),
            ("strengths", "庭の植木の手入れが好きで、その話になると話が弾む。"),
            ("wishes", "家の物は捨てたくないが、近所に迷惑をかけるのは困る。"),
            ("supporters", "民生児童委員"),
        ),
        tasks=(
            Task("houkatsu", "本人宅を訪問し、健康状態を確認する", 2),
            Task("window", "近隣住民への説明の方法を民生児童委員と相談する", 3),
        ),
        review="庭のごみ袋が減り、近隣からの苦情が止まった。訪問を断られることがなくなった。",
        handoff="houkatsu",
        watch="ごみの堆積と近隣からの苦情。本人は支援機関の関与を望んでいない。",
    ),
    "eviction": CasePlan(
        summary="立ち退きの期限までに転居先を確保し、転居後の暮らしを地域で支える。",
        wishes="今の地区から離れずに、払える家賃の部屋に移りたい。",
        goals=(
            (L, "本人が転居後も地域のつながりを保って暮らせる"),
            (S, "立ち退きの期限までに転居先を決める"),
            (S, "転居の初期費用の目処を立てる"),
        ),
        actions=(
            Action("jiritsu", "住居確保給付金と転居費用の相談", "相談支援員", 4),
            Action("kenri", "家主との話し合いへの同席と契約の確認", "権利擁護センター", 6),
            Action(
                "chiikifukushi-co",
                "転居先の地区の民生委員・サロンへの紹介",
                "地域福祉コーディネーター",
                16,
            ),
        ),
        assessment=(
            ("work_status", "non_regular"),
            ("work", "週3日の清掃のパート。"),
            ("housing", "rented"),
            (
                "housing_note",
                "築50年の木造アパート。家主から建物の老朽化を理由に退去を求められている。",
            ),
            ("insurance", "national"),
            ("pension_kind", "national"),
            ("pension", "受給前（65歳から受給予定）。"),
            ("health", "高血圧で通院中。"),
            ("income", "月額約9万円（パート収入）。"),
            ("debts", "なし。"),
            ("relationships", "単身。民生委員とは顔見知り。"),
            ("strengths", "長く同じ地区に住み、近所に顔見知りが多い。"),
            ("wishes", "今の地区から離れずに、払える家賃の部屋に移りたい。"),
            ("supporters", "民生児童委員"),
        ),
        tasks=(
            Task("jiritsu", "不動産業者と転居先の候補を確認する", 2),
            Task("kenri", "家主からの書面の内容を確認する", 1),
        ),
        review="転居先が決まり、住居確保給付金の支給が始まった。",
        handoff="jiritsu",
    ),
    "husband_in_care": CasePlan(
        summary="夫の施設入所に伴う契約と手続きを整理し、本人が一人で暮らしを回せるようにする。",
        wishes="夫の契約を片付けて、自分の生活費をきちんと管理したい。",
        goals=(
            (L, "本人が夫の入所後も、自分で暮らしの手続きを続けられる"),
            (S, "夫名義のケーブルテレビと携帯電話の契約を解約する"),
            (S, "夫の年金と施設費用の管理の方法を決める"),
        ),
        actions=(
            Action("shohi", "夫名義の契約の解約手続きの支援", "消費生活相談員", 4),
            Action("kenri", "成年後見制度と日常生活自立支援事業の説明", "権利擁護センター", 8),
            Action("window", "引き落としの停止と各種届出の確認", "総合窓口", 6),
        ),
        assessment=(
            ("work_status", "not_working"),
            ("work", "専業主婦。"),
            ("housing", "owned"),
            ("insurance", "late_elderly"),
            ("pension_kind", "national"),
            ("pension", "本人: 老齢基礎年金。夫: 老齢厚生年金（夫名義の口座）。"),
            ("health", "持病はない。"),
            ("income", "本人の年金と、夫の年金から施設費用を払った残り。"),
            ("debts", "なし。"),
            ("relationships", "別居の長女が月1回来る。"),
            ("strengths", "書類は丁寧に保管している。長女が協力的。"),
            ("wishes", "夫の契約を片付けて、自分の生活費をきちんと管理したい。"),
            ("supporters", "施設の相談員、長女"),
        ),
        tasks=(
            Task("shohi", "ケーブルテレビ会社に解約の方法を確認する", 1),
            Task("kenri", "日常生活自立支援事業の説明の日程を決める", 2),
        ),
        review="ケーブルテレビと携帯電話の解約が済み、引き落としが止まった。",
        handoff="kenri",
    ),
    "hikikomori": CasePlan(
        summary="子のペースを守りながら家族の相談を続け、本人と支援者の接点を少しずつつくる。",
        wishes="（両親）子が誰かと話せる場所を見つけてほしい。",
        goals=(
            (L, "子が家族以外の人とつながり、やりたいことを見つけられる"),
            (S, "両親が月1回、家族相談に通う"),
            (S, "子が居場所の見学に一度行ってみる"),
        ),
        actions=(
            Action("hokenjo", "家族相談と精神保健福祉相談", "保健師", 8),
            Action("shakyo", "子への手紙と訪問による関係づくり", "アウトリーチ支援員", None),
            Action(
                "chiikifukushi-co",
                "若者が通える居場所の情報提供と見学の同行",
                "地域福祉コーディネーター",
                16,
            ),
        ),
        assessment=(
            ("work_status", "not_working"),
            ("work", "子は高校中退後、就学・就労の経験なし。"),
            ("housing", "owned"),
            ("insurance", "employee"),
            ("pension_kind", "none"),
            ("pension", "子は国民年金の学生納付特例の後、未納。"),
            ("health", "子は昼夜逆転。受診歴なし。"),
            ("income", "父の給与で生活。"),
            ("debts", "なし。"),
            ("relationships", "子は両親と最低限の会話のみ。友人との連絡はない。"),
            ("strengths", "子は音楽とゲームに詳しい。両親は相談を続ける意欲がある。"),
            ("wishes", "（両親）子が誰かと話せる場所を見つけてほしい。"),
            ("supporters", "なし（今回が初めての相談）"),
        ),
        tasks=(
            Task("hokenjo", "家族相談の日程を両親と決める", 2),
            Task("window", "子あての手紙の内容を両親と考える", 3),
        ),
        review="子が居場所の見学に一度参加し、支援員と月1回会えるようになった。",
        handoff="shogai-soudan",
    ),
    "young_carer": CasePlan(
        summary="長女が家族の世話を一人で担わずに済むよう、母の療養と家事・育児の支援を整える。",
        wishes="（長女）学校に普通に行きたい。母のことは心配。",
        goals=(
            (L, "長女が子どもらしく学校生活を送れる"),
            (S, "母の家事援助（ヘルパー）の利用を始める"),
            (S, "長女の欠席を月2日以内にする"),
        ),
        actions=(
            Action(
                "shogai-soudan", "母の障害福祉サービス（家事援助）の利用計画", "相談支援専門員", 6
            ),
            Action("kodomokatei", "長女と弟の見守りと、ヤングケアラー支援の相談", "相談員", 4),
            Action("kyoiku", "学校と連携した長女の見守り", "スクールソーシャルワーカー", 4),
        ),
        assessment=(
            ("work_status", "not_working"),
            ("work", "母は療養のため休職中。"),
            ("housing", "public"),
            ("insurance", "national"),
            ("pension_kind", "national"),
            ("pension", "母: 障害年金を申請中。"),
            ("health", "母は精神疾患で通院中。長女に疲れが見える。"),
            ("income", "児童扶養手当と傷病手当金。"),
            ("debts", "なし。"),
            ("relationships", "ひとり親家庭。母方の祖母が遠方にいる。"),
            ("strengths", "長女は弟思いで、学校の先生を信頼している。"),
            ("wishes", "（長女）学校に普通に行きたい。母のことは心配。"),
            ("supporters", "中学校のスクールソーシャルワーカー"),
        ),
        tasks=(
            Task("kodomokatei", "長女と面談し、困っていることを聞き取る", 1),
            Task("shogai-soudan", "母と家事援助の利用について面談する", 2),
        ),
        review="母の家事援助が週2回始まり、長女の欠席が減った。",
        handoff="kodomokatei",
    ),
    "untangle": CasePlan(
        summary="重なった困りごとを一つずつほどき、家計・債務・子どものことを担当機関に分けて進める。",
        wishes="まず家賃の滞納をなんとかして、子どもと落ち着いて暮らしたい。",
        goals=(
            (L, "本人が困りごとを自分で整理し、必要なときに相談できる"),
            (S, "家賃の滞納を解消し、住まいを守る"),
            (S, "カードローンの返済方法を決める"),
        ),
        actions=(
            Action("jiritsu", "家計改善支援と住居確保給付金の申請", "相談支援員", 4),
            Action("shohi", "債務整理の相談と法律相談の予約", "消費生活相談員", 6),
            Action("kodomokatei", "子どもの学校生活の相談", "相談員", 8),
        ),
        assessment=(
            ("work_status", "non_regular"),
            ("work", "スーパーのパート（週4日）。"),
            ("housing", "rented"),
            ("insurance", "national"),
            ("pension_kind", "national"),
            ("pension", "国民年金の保険料は免除申請をしていない。"),
            ("health", "不眠が続いている。"),
            ("income", "月額約13万円（パート収入と児童扶養手当）。"),
            ("debts", "家賃の滞納2か月分。カードローン2社。"),
            ("relationships", "ひとり親家庭。親族とは疎遠。"),
            ("strengths", "困りごとを書き出す作業に前向きに取り組める。"),
            ("wishes", "まず家賃の滞納をなんとかして、子どもと落ち着いて暮らしたい。"),
            ("supporters", "なし"),
        ),
        tasks=(
            Task("jiritsu", "家計表をもとに返済の見通しを立てる", 2),
            Task("shohi", "法律相談の予約をとる", 1),
        ),
        review="家賃の滞納が解消し、債務整理の手続きが始まった。",
        handoff="jiritsu",
    ),
}
