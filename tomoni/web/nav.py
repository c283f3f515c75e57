"""The main menu: the five 事業, then 会議 and 統計. Later issues point items at real pages."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from tomoni.directory.roles import Role

ALL_STAFF = frozenset(Role.values) - {Role.ADMIN, Role.AUDITOR}


@dataclass(frozen=True)
class Program:
    slug: str
    label: str
    pillar: str
    description: str
    coming: str
    roles: frozenset[str] = ALL_STAFF
    # The program's own pages, once built (a URL name whose namespace they all share);
    # until then the menu leads to the placeholder page saying what is coming.
    url_name: str = ""

    @property
    def url(self) -> str:
        return reverse(self.url_name) if self.url_name else reverse("web:program", args=[self.slug])

    @property
    def namespace(self) -> str:
        return self.url_name.partition(":")[0] if ":" in self.url_name else ""


PROGRAMS: tuple[Program, ...] = (
    Program(
        "consultation",
        "相談支援",
        "柱1 相談支援 (1) 包括的相談支援事業",
        "福祉くらしの総合窓口で、属性・世代・内容を問わず相談を受け止め、適切な機関につなぎます。",
        "相談受付票、つなぎ(紹介)と受け取り確認、支援経過記録、全文検索をここに置きます。",
        # Roles that take consultations or receive referrals; managers see figures instead.
        frozenset({Role.WINDOW, Role.COORDINATOR, Role.AGENCY, Role.OUTREACH, Role.COMMUNITY}),
        url_name="intake:index",
    ),
    Program(
        "collaboration",
        "多機関協働",
        "柱1 相談支援 (2) 多機関協働事業",
        "複雑化・複合化した世帯の課題を解きほぐし、機関間の役割分担と支援の方向性を調整します。",
        "世帯単位のケース、アセスメント、プラン、役割分担、評価・終結をここに置きます。",
        url_name="cases:index",
    ),
    Program(
        "outreach",
        "アウトリーチ",
        "柱1 相談支援 (3) アウトリーチ等を通じた継続的支援事業",
        "自ら支援につながりにくい方に、信頼関係を築きながら継続的に関わります。",
        "訪問・接触の記録、受診同行・手続き支援、接触の途絶えた方の一覧をここに置きます。",
        url_name="outreach:index",
    ),
    Program(
        "participation",
        "参加支援",
        "柱2 参加支援 (4) 参加支援事業",
        "本人のニーズと地域の居場所・社会資源をつなぎ、参加と定着を支えます。",
        "居場所・社会資源の一覧、参加支援プラン、マッチング、体験と定着の記録をここに置きます。",
        url_name="participation:places",
    ),
    Program(
        "community",
        "地域づくり",
        "柱3 地域づくりに向けた支援 (5) 地域づくり事業",
        "全10地区の協議体を活かし、世代や属性を超えて交流できる居場所づくりを進めます。",
        "地区ごとの協議体、地域の取組、つながりフォーラム、機関ネットワークをここに置きます。",
        url_name="community:index",
    ),
    Program(
        "meetings",
        "会議",
        "支援会議・重層的支援会議・全体会",
        "支援会議(全体会を含む)と重層的支援会議の開催、議題、出席者、守秘義務の誓約、決定事項を管理します。",
        "会議の予定と記録、守秘義務の誓約、決定事項からの作業(タスク)をここに置きます。",
        ALL_STAFF,
        url_name="meetings:index",
    ),
    Program(
        "stats",
        "統計",
        "年度実績と目標",
        "年度ごとの実績、稲城市の5つの支援傾向、目標と実績の比較を示します。",
        "ダッシュボード、年度実績報告(印刷・Excel・CSV)、目標値の設定をここに置きます。",
        # Agency workers see their own agency's figures only (access.policy.STATS_SCOPE).
        frozenset({Role.COORDINATOR, Role.MANAGER, Role.AGENCY}),
        url_name="stats:dashboard",
    ),
)

PROGRAMS_BY_SLUG = {p.slug: p for p in PROGRAMS}
