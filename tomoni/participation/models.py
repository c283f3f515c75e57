"""参加支援: the catalog of places (居場所・社会資源), participation plans, matches, trials (体験),
settled participation (定着), follow-ups and the host side's contacts.

Places are a public directory (shared as HSDS 3.0); plans and matches are personal data: read
through ``tomoni.access``, write through ``tomoni.participation.actions``.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from tomoni.directory.models import District
from tomoni.lib.concurrency import Versioned
from tomoni.people.models import Person


class PlaceKind(models.TextChoices):
    SALON = "salon", "サロン"
    KODOMO_SHOKUDO = "kodomo_shokudo", "子ども食堂"
    MARKET = "market", "朝市"
    WORK_EXPERIENCE = "work_experience", "就労体験"
    VOLUNTEER = "volunteer", "ボランティア"
    HOBBY = "hobby", "趣味・学習"
    CONSULTATION = "consultation", "相談の場"
    IBASHO = "ibasho", "多世代の居場所"
    OTHER = "other", "その他"


class Welcome(models.TextChoices):
    ALL = "all", "全世代"
    ELDERLY = "elderly", "高齢"
    CHILDREN = "children", "子ども"
    YOUTH = "youth", "若者"
    PARENTS = "parents", "子育て中"
    DISABILITY = "disability", "障害"


WEEKDAYS = ("月", "火", "水", "木", "金", "土", "日")  # date.weekday() order


def active_on(day: date, prefix: str = "") -> models.Q:
    """The places 活動中 at the end of ``day`` (the statistics' 期末時点で活動中), by the dates
    people entered: begun by then (開始日; without one, registered here by then) and not 休止
    by then (no 休止日 and still 活動中, or a 休止日 after it). ``prefix``: the path to the
    place from another model (``"places__"`` from a 地区)."""
    after = datetime.combine(day + timedelta(days=1), time.min, timezone.get_current_timezone())

    def q(**lookups: object) -> models.Q:
        return models.Q(**{prefix + name: value for name, value in lookups.items()})

    begun = q(started_on__lte=day) | q(started_on__isnull=True, created_at__lt=after)
    open_then = q(paused_on__isnull=True, active=True) | q(paused_on__gt=day)
    return begun & open_then


class Place(models.Model):
    """居場所・社会資源: one place or activity people can go to."""

    uid = models.UUIDField("HSDS ID", default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField("名称", max_length=120)
    kind = models.CharField("種類", max_length=20, choices=PlaceKind.choices)
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="places",
        verbose_name="地区",
    )
    address = models.CharField("所在地", max_length=200, blank=True)
    description = models.TextField("内容", max_length=2000, blank=True)
    welcomes = models.JSONField("対象", default=list, blank=True)  # Welcome values
    interests = models.JSONField("関心のキーワード", default=list, blank=True)  # 園芸, 料理 …
    days = models.JSONField("曜日", default=list, blank=True)  # 0 = 月 … 6 = 日
    opens_at = models.TimeField("開始時刻", null=True, blank=True)
    closes_at = models.TimeField("終了時刻", null=True, blank=True)
    schedule_note = models.CharField("日程の補足", max_length=200, blank=True)  # 第2・第4土曜 …
    cost = models.PositiveIntegerField("費用（円）", null=True, blank=True)  # None: unknown
    cost_note = models.CharField("費用の補足", max_length=200, blank=True)
    step_free = models.BooleanField("段差なし", default=False)
    transport = models.BooleanField("送迎あり", default=False)
    capacity = models.PositiveIntegerField("定員", null=True, blank=True)
    host = models.CharField("運営団体", max_length=120)
    host_uid = models.UUIDField("運営団体の HSDS ID", default=uuid.uuid4, editable=False)
    contact_name = models.CharField("連絡先（担当）", max_length=60, blank=True)
    phone = models.CharField("電話", max_length=30, blank=True)
    email = models.EmailField("メール", blank=True)
    atmosphere = models.TextField("雰囲気", max_length=2000, blank=True)
    active = models.BooleanField("活動中", default=True)
    # The dates people entered, which the statistics count by (期末時点で活動中): when the place
    # began, and since when it has been 休止 (None while active). A place without 開始日 counts
    # from the day it was registered here.
    started_on = models.DateField("開始日", null=True, blank=True)
    paused_on = models.DateField("休止日", null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["district__order", "kind", "name", "pk"]
        verbose_name = "居場所・社会資源"
        verbose_name_plural = "居場所・社会資源"
        indexes = [models.Index(fields=["active", "kind"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("participation:place", args=[self.pk])

    @property
    def days_display(self) -> str:
        return "・".join(WEEKDAYS[d] for d in sorted(self.days) if 0 <= d <= 6)


class Constraint(models.TextChoices):
    TIME = "time", "時間"
    MOBILITY = "mobility", "移動"
    SOCIAL_ANXIETY = "social_anxiety", "対人不安"
    COST = "cost", "費用"


class ParticipationPlan(Versioned):
    """参加支援プラン: what the person likes, can do and finds hard, and the goal."""

    class Status(models.TextChoices):
        ACTIVE = "active", "支援中"
        SETTLED = "settled", "定着"
        ENDED = "ended", "終了"

    code = models.CharField("番号", max_length=20, unique=True)
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="participation_plans", verbose_name="本人"
    )
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="participation_plans",
    )
    engagement = models.ForeignKey(
        "outreach.Engagement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="participation_plans",
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="participation_plans",
        verbose_name="担当",
    )
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="住まいの地区",
    )
    interests = models.JSONField("関心", default=list, blank=True)
    strengths = models.TextField("強み・できること", max_length=2000, blank=True)
    constraints = models.JSONField("制約", default=list, blank=True)  # Constraint values
    days = models.JSONField("都合のよい曜日", default=list, blank=True)
    max_cost = models.PositiveIntegerField("費用の上限（円）", null=True, blank=True)
    needs_step_free = models.BooleanField("段差のない場所が必要", default=False)
    needs_transport = models.BooleanField("送迎が必要", default=False)
    goal = models.TextField("目標", max_length=2000)
    status = models.CharField("状態", max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "参加支援プラン"
        verbose_name_plural = "参加支援プラン"

    def __str__(self) -> str:
        return f"参加支援 {self.code}"

    def get_absolute_url(self) -> str:
        return reverse("participation:plan", args=[self.pk])


class Match(models.Model):
    """A place the worker picked for the plan, with the reasons the ranking gave, and how it
    went: 候補 → 体験 → 定着 (or 見送り)."""

    class State(models.TextChoices):
        PICKED = "picked", "候補"
        TRIAL = "trial", "体験"
        SETTLED = "settled", "定着"
        DROPPED = "dropped", "見送り"

    plan = models.ForeignKey(ParticipationPlan, on_delete=models.CASCADE, related_name="matches")
    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="matches")
    score = models.FloatField("適合度", default=0)
    reasons = models.JSONField("理由", default=list, blank=True)
    state = models.CharField("状態", max_length=10, choices=State.choices, default=State.PICKED)
    picked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    picked_at = models.DateTimeField(default=timezone.now)
    settled_on = models.DateField("定着日", null=True, blank=True)
    dropped_reason = models.CharField("見送りの理由", max_length=300, blank=True)

    class Meta:
        ordering = ["plan", "-picked_at", "pk"]
        verbose_name = "マッチング"
        verbose_name_plural = "マッチング"
        constraints = [
            models.UniqueConstraint(fields=["plan", "place"], name="match_place_once_per_plan")
        ]

    def __str__(self) -> str:
        return f"{self.place}（{self.get_state_display()}）"


class Trial(models.Model):
    """体験: a first visit and how it went."""

    class Outcome(models.TextChoices):
        GOOD = "good", "また行きたい"
        UNSURE = "unsure", "迷っている"
        NOT_FIT = "not_fit", "合わなかった"
        NO_SHOW = "no_show", "行けなかった"

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="trials")
    on = models.DateField("体験日")
    outcome = models.CharField("結果", max_length=10, choices=Outcome.choices)
    note = models.TextField("様子", max_length=2000, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["match", "on", "pk"]
        verbose_name = "体験"
        verbose_name_plural = "体験"

    def __str__(self) -> str:
        return f"体験 {self.on}"


class FollowUp(models.Model):
    """定着後のフォロー, or a contact with the host (受け入れ先への連絡)."""

    class Kind(models.TextChoices):
        FOLLOW_UP = "follow_up", "本人へのフォロー"
        HOST = "host", "受け入れ先への連絡"

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="follow_ups")
    kind = models.CharField("種類", max_length=10, choices=Kind.choices)
    on = models.DateField("日付")
    note = models.TextField("内容", max_length=2000)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["match", "on", "pk"]
        verbose_name = "フォロー"
        verbose_name_plural = "フォロー"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.on}"
