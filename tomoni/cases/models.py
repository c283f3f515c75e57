"""多機関協働: household-centred cases from 受付 to 終結, with their assessment, plans,
reviews, closure and the tasks that meetings hand out.

Personal data: read through ``tomoni.access``, write through ``tomoni.cases.actions``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from tomoni.directory.models import Agency, Concern, Tag
from tomoni.lib.concurrency import Versioned
from tomoni.people.models import Household, Person


class Stage(models.TextChoices):
    """The support flow (DOMAIN.md §3); 終結 and 中断 end it until a case is reopened."""

    RECEIVED = "received", "受付"
    ASSESSMENT = "assessment", "アセスメント"
    DRAFT_PLAN = "draft_plan", "プラン案"
    MEETING = "meeting", "会議"
    DECIDED = "decided", "支援決定"
    IN_SUPPORT = "in_support", "支援実施"
    EVALUATION = "evaluation", "評価"
    CLOSED = "closed", "終結"
    SUSPENDED = "suspended", "中断"


ENDED = frozenset({Stage.CLOSED, Stage.SUSPENDED})


class ConsentState(models.TextChoices):
    GIVEN = "given", "同意あり"
    NONE = "none", "同意なし"
    PENDING = "pending", "確認中"


class Origin(models.TextChoices):
    CONSULTATION = "consultation", "総合窓口の相談から（多機関協働へ）"
    AGENCY_REQUEST = "agency_request", "支援機関からの相談（支援機関向けの相談）"


class Case(Versioned):
    """多機関協働ケース: one household whose issues several agencies untangle together."""

    code = models.CharField("ケース番号", max_length=20, unique=True)
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="cases", verbose_name="世帯"
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name="主な本人",
    )
    title = models.CharField("ケースの概要", max_length=120)
    origin = models.CharField("開始の経緯", max_length=20, choices=Origin.choices)
    consultation = models.ForeignKey(
        "intake.Consultation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name="元の相談",
    )
    requested_by = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="依頼元の機関",
    )
    request_text = models.TextField("依頼の内容", max_length=4000, blank=True)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases_led",
        verbose_name="担当コーディネーター",
    )
    stage = models.CharField(
        "段階", max_length=20, choices=Stage.choices, default=Stage.RECEIVED, db_index=True
    )
    stage_changed_at = models.DateTimeField("段階の変更日時", default=timezone.now)
    # The main person's current consent to sharing within the team, kept by
    # tomoni.cases.consent whenever a people.Consent of that person is recorded (one source:
    # people.Consent; this copy lets lists and the policy filter by an indexed column).
    consent = models.CharField(
        "本人同意", max_length=10, choices=ConsentState.choices, default=ConsentState.PENDING
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="cases", verbose_name="横断タグ")
    opened_on = models.DateField("開始日", default=timezone.localdate, db_index=True)
    closed_on = models.DateField("終結・中断日", null=True, blank=True)
    review_on = models.DateField("次の見直し日", null=True, blank=True)
    # Tendency overrides: {"1": true, "3": false} — a coordinator's judgement over the rules.
    tendency_overrides = models.JSONField("傾向の判断（手動）", default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登録日時", default=timezone.now)
    updated_at = models.DateTimeField("更新日時", default=timezone.now)

    class Meta:
        ordering = ["-opened_on", "-pk"]
        verbose_name = "多機関協働ケース"
        verbose_name_plural = "多機関協働ケース"
        indexes = [models.Index(fields=["lead", "stage"])]

    def __str__(self) -> str:
        return f"ケース {self.code}"

    def get_absolute_url(self) -> str:
        return reverse("cases:case", args=[self.pk])

    @property
    def is_ended(self) -> bool:
        return self.stage in ENDED


class StageChange(models.Model):
    """Who moved the case, when, from where to where, and why."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField("変更前", max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField("変更後", max_length=20, choices=Stage.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("日時", default=timezone.now)
    note = models.CharField("理由・メモ", max_length=300, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = "段階の変更"
        verbose_name_plural = "段階の変更"

    def __str__(self) -> str:
        return f"{self.get_from_stage_display()}→{self.get_to_stage_display()}"


class TeamRole(models.TextChoices):
    LEAD = "lead", "主担当"
    RELATED = "related", "関係機関"


class TeamMember(models.Model):
    """An agency on the case's team, with its role and dates; leaving sets ``end_on``."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="team")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="case_teams")
    role = models.CharField("役割", max_length=10, choices=TeamRole.choices)
    contact = models.CharField("担当者", max_length=60, blank=True)
    start_on = models.DateField("参加日", default=timezone.localdate)
    end_on = models.DateField("終了日", null=True, blank=True)

    class Meta:
        ordering = ["case", "role", "start_on", "pk"]
        verbose_name = "支援チームの機関"
        verbose_name_plural = "支援チーム"
        constraints = [
            models.UniqueConstraint(
                fields=["case", "agency"],
                condition=models.Q(end_on__isnull=True),
                name="team_member_once_per_case",
                violation_error_message="この機関は既にチームにいます。",
            ),
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(end_on__isnull=True, role="lead"),
                name="team_one_current_lead",
                violation_error_message="主担当は1機関だけです。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency}（{self.get_role_display()}）"


class CooperationKind(models.TextChoices):
    DISCHARGE = "discharge", "退院支援"
    MEDICAL = "medical", "受診同行"
    MEETING = "meeting", "支援会議への参加"
    INFORMATION = "information", "情報提供"
    JOINT_VISIT = "joint_visit", "同行訪問"
    OTHER = "other", "その他"


class Cooperation(models.Model):
    """関係機関との連携: one cooperation with an agency, on the day the worker entered (``on``,
    not when it was typed). One with an agency outside welfare counts for tendency ④."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="cooperations")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="case_cooperations")
    kind = models.CharField("種類", max_length=20, choices=CooperationKind.choices)
    on = models.DateField("日付")
    note = models.CharField("メモ", max_length=300, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("登録日時", default=timezone.now)

    class Meta:
        ordering = ["case", "-on", "-pk"]
        verbose_name = "関係機関との連携"
        verbose_name_plural = "関係機関との連携"

    def __str__(self) -> str:
        return f"{self.agency}（{self.get_kind_display()}）"


class CaseConcern(models.Model):
    """課題の整理: one concern of one member, how pressing it is and which agency holds it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="concerns")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="+")
    priority = models.PositiveSmallIntegerField("優先度", default=2)  # 1 high … 3 low
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="担当機関",
    )
    note = models.CharField("メモ", max_length=300, blank=True)

    class Meta:
        ordering = ["case", "priority", "pk"]
        verbose_name = "課題の整理"
        verbose_name_plural = "課題の整理"
        constraints = [
            models.UniqueConstraint(
                fields=["case", "person", "concern"], name="case_concern_unique"
            )
        ]

    def __str__(self) -> str:
        return str(self.concern)


class Housing(models.TextChoices):
    OWNED = "owned", "持家"
    RENTED = "rented", "借家・賃貸"
    PUBLIC = "public", "公営住宅"
    DORMITORY = "dormitory", "寮・社宅"
    FACILITY = "facility", "施設"
    NONE = "none", "住居なし（野宿等）"
    OTHER = "other", "その他"


class WorkStatus(models.TextChoices):
    """インテーク・アセスメントシート: 就労の状況."""

    REGULAR = "regular", "正規雇用"
    NON_REGULAR = "non_regular", "非正規雇用"
    SELF_EMPLOYED = "self_employed", "自営"
    SEEKING = "seeking", "求職中"
    NOT_WORKING = "not_working", "就労していない"
    STUDENT = "student", "学生"
    OTHER = "other", "その他"


class HealthInsurance(models.TextChoices):
    NATIONAL = "national", "国民健康保険"
    EMPLOYEE = "employee", "被用者保険"
    LATE_ELDERLY = "late_elderly", "後期高齢者医療"
    MEDICAL_AID = "medical_aid", "医療扶助（生活保護）"
    NONE = "none", "未加入"
    UNKNOWN = "unknown", "不明"


class Pension(models.TextChoices):
    NATIONAL = "national", "国民年金"
    EMPLOYEE = "employee", "厚生年金"
    DISABILITY = "disability", "障害年金"
    SURVIVOR = "survivor", "遺族年金"
    NONE = "none", "受給なし"
    UNKNOWN = "unknown", "不明"


class Assessment(Versioned):
    """インテーク・アセスメントシート: one per case, edited until the case ends. The check
    items of the paper sheet (仕事, 住居, 健康保険, 年金) are choices; the free text beside
    each is its 補足."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="assessment")
    work_status = models.CharField(
        "仕事（就労の状況）",
        max_length=20,
        choices=WorkStatus.choices,
        blank=True,
        error_messages={"invalid_choice": "就労の状況は一覧から選んでください。"},
    )
    work = models.TextField("仕事の補足", max_length=2000, blank=True)
    housing = models.CharField(
        "住居",
        max_length=20,
        choices=Housing.choices,
        blank=True,
        error_messages={"invalid_choice": "住居は一覧から選んでください。"},
    )
    housing_note = models.CharField("住居の状況", max_length=300, blank=True)
    insurance = models.CharField(
        "健康保険",
        max_length=20,
        choices=HealthInsurance.choices,
        blank=True,
        error_messages={"invalid_choice": "健康保険は一覧から選んでください。"},
    )
    health_insurance = models.CharField("健康保険の補足", max_length=100, blank=True)
    pension_kind = models.CharField(
        "年金",
        max_length=20,
        choices=Pension.choices,
        blank=True,
        error_messages={"invalid_choice": "年金は一覧から選んでください。"},
    )
    pension = models.CharField("年金の補足", max_length=100, blank=True)
    health = models.TextField("健康状態・障害", max_length=2000, blank=True)
    income = models.TextField("収入・生活費", max_length=2000, blank=True)
    debts = models.TextField("債務", max_length=2000, blank=True)
    relationships = models.TextField("家族・地域との関係", max_length=2000, blank=True)
    strengths = models.TextField("本人・世帯の強み", max_length=2000, blank=True)
    wishes = models.TextField("本人の意向", max_length=2000, blank=True)
    supporters = models.TextField("既に関わっている支援者", max_length=2000, blank=True)
    # 実施日: the day the worker says the assessment was done (what figures count);
    # ``updated_at`` is the system's stamp of the last save, for the audit trail only.
    assessed_on = models.DateField("実施日", default=timezone.localdate)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "アセスメント"
        verbose_name_plural = "アセスメント"

    def __str__(self) -> str:
        return f"アセスメント {self.case_id}"


class Plan(models.Model):
    """プラン兼事業等利用申込書. Every save is a new version; earlier versions stay readable.
    Only the newest version can be approved, and only at a 重層的支援会議."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="plans")
    number = models.PositiveIntegerField("版")
    summary = models.TextField("支援の方向性", max_length=4000, blank=True)
    # プラン兼事業等利用申込書: the person's own words, the plan period and the consent check.
    wishes = models.TextField("本人の希望", max_length=2000, blank=True)
    period_start = models.DateField("計画期間（開始日）", null=True, blank=True)
    period_end = models.DateField("計画期間（終了日）", null=True, blank=True)
    consented_on = models.DateField("本人が同意した日", null=True, blank=True)
    refer_outreach = models.BooleanField("アウトリーチ等を通じた継続的支援へつなぐ", default=False)
    refer_participation = models.BooleanField("参加支援へつなぐ", default=False)
    review_on = models.DateField("見直し予定日", null=True, blank=True)
    # 作成日 and 承認日 are the dates people entered (the meeting's date for an approval, set by
    # meetings.actions.decide) and what figures count; ``created_at``/``approved_at`` are
    # system stamps for the audit trail.
    written_on = models.DateField("作成日", default=timezone.localdate)
    approved_on = models.DateField("承認日", null=True, blank=True)
    approved_at = models.DateTimeField("承認日時", null=True, blank=True)
    approved_meeting = models.ForeignKey(
        "meetings.Meeting",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="承認した会議",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["case", "-number"]
        verbose_name = "支援プラン"
        verbose_name_plural = "支援プラン"
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="plan_version_unique")
        ]

    def __str__(self) -> str:
        return f"支援プラン 第{self.number}版"

    def get_absolute_url(self) -> str:
        return reverse("cases:plan", args=[self.case_id, self.number])


class GoalTerm(models.TextChoices):
    LONG = "long", "長期目標"
    SHORT = "short", "短期目標"


class PlanGoal(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="goals")
    term = models.CharField("期間", max_length=10, choices=GoalTerm.choices)
    text = models.CharField("目標", max_length=300)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["plan", "order", "pk"]
        verbose_name = "目標"
        verbose_name_plural = "目標"

    def __str__(self) -> str:
        return self.text


class PlanAction(models.Model):
    """誰が・何を・いつまでに."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="actions")
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    who = models.CharField("誰が", max_length=60, blank=True)
    what = models.CharField("何を", max_length=300)
    due_on = models.DateField("いつまでに", null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["plan", "order", "pk"]
        verbose_name = "支援内容"
        verbose_name_plural = "支援内容"

    def __str__(self) -> str:
        return self.what


class ReviewDecision(models.TextChoices):
    """評価シート: 判定."""

    CLOSE = "close", "終結"
    CONTINUE = "continue", "継続"
    REPLAN = "replan", "再プラン"
    SUSPEND = "suspend", "中断"


class Attainment(models.TextChoices):
    ACHIEVED = "achieved", "達成"
    PARTLY = "partly", "一部達成"
    NOT_YET = "not_yet", "未達成"


class Review(models.Model):
    """評価: attainment per goal of the plan in force, what changed, and the decision."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reviews")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="reviews")
    on = models.DateField("評価日")
    changes = models.TextField("見られた変化", max_length=4000, blank=True)
    decision = models.CharField("判定", max_length=10, choices=ReviewDecision.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["case", "on", "pk"]
        verbose_name = "評価"
        verbose_name_plural = "評価"

    def __str__(self) -> str:
        return f"評価 {self.on}"


class GoalReview(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="goals")
    goal = models.ForeignKey(PlanGoal, on_delete=models.PROTECT, related_name="+")
    attainment = models.CharField("達成度", max_length=10, choices=Attainment.choices)
    comment = models.CharField("所見", max_length=300, blank=True)

    class Meta:
        ordering = ["review", "goal__order", "pk"]

    def __str__(self) -> str:
        return self.get_attainment_display()


class Closure(models.Model):
    """終結 or 中断: why, and which agency carries on as 主担当."""

    class Kind(models.TextChoices):
        CLOSED = "closed", "終結"
        SUSPENDED = "suspended", "中断"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="closures")
    kind = models.CharField("区分", max_length=10, choices=Kind.choices)
    on = models.DateField("日付")
    reason = models.TextField("理由", max_length=2000)
    handoff_agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="引き継ぐ主担当機関",
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    reopened_at = models.DateTimeField("再開日時", null=True, blank=True)

    class Meta:
        ordering = ["case", "created_at", "pk"]
        verbose_name = "終結・中断"
        verbose_name_plural = "終結・中断"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.on}"


class Task(models.Model):
    """役割分担の作業: something an agency (and, if named, a person there) does by a date.
    Usually handed out by a meeting's decision."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, null=True, blank=True, related_name="tasks"
    )
    decision = models.ForeignKey(
        "meetings.Decision",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="tasks",
    )
    title = models.CharField("作業", max_length=200)
    owner_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="tasks", verbose_name="担当機関"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name="担当者",
    )
    due_on = models.DateField("期限", db_index=True)
    done_at = models.DateTimeField("完了日時", null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = "作業"
        verbose_name_plural = "作業"
        indexes = [
            models.Index(fields=["owner_agency", "done_at", "due_on"]),
            models.Index(fields=["owner", "done_at", "due_on"]),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("cases:task", args=[self.pk])

    @property
    def is_overdue(self) -> bool:
        return self.done_at is None and self.due_on < timezone.localdate()


class CaseTendencies(models.Model):
    """The five tendencies of a case by rule, as last computed (``tomoni.cases.stored_tendencies``):
    kept by every action that changes one of the rules' facts, in the same transaction, so the
    statistics read one row per case instead of evaluating the rules. ``basis`` names the
    rules' revision and thresholds they were computed under (a row of another basis is
    stale). The coordinator's overrides stay on the case and are applied on read."""

    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, primary_key=True, related_name="stored_tendencies"
    )
    rule1 = models.BooleanField("①（規則による判定）")
    rule2 = models.BooleanField("②（規則による判定）")
    rule3 = models.BooleanField("③（規則による判定）")
    rule4 = models.BooleanField("④（規則による判定）")
    rule5 = models.BooleanField("⑤（規則による判定）")
    # The reasons of each rule, in order: [[①'s reasons], …, [⑤'s reasons]].
    reasons = models.JSONField("判定の理由", default=list)
    basis = models.CharField("判定の基準", max_length=80)
    computed_at = models.DateTimeField("判定日時", default=timezone.now)

    class Meta:
        verbose_name = "支援傾向の判定"
        verbose_name_plural = "支援傾向の判定"

    def __str__(self) -> str:
        return f"{self.case_id} の支援傾向"
