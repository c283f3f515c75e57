"""包括的相談支援: consultations (相談受付) and referrals (つなぎ).

Personal data: read through ``tomoni.access``, write through ``tomoni.intake.actions``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from tomoni.directory.models import Agency, Concern, Tag
from tomoni.lib.concurrency import Versioned
from tomoni.people.models import Household, Person


class Method(models.TextChoices):
    """相談方法 (DOMAIN.md §4)."""

    VISIT = "visit", "来所"
    PHONE = "phone", "電話"
    HOME_VISIT = "home_visit", "訪問"
    EMAIL = "email", "メール"
    MEETING = "meeting", "支援会議"
    OTHER = "other", "その他"


class RouteKind(models.TextChoices):
    """相談経路: who noticed, who brought it (a chain). Agencies are named by the FK."""

    SELF = "self", "本人"
    FAMILY = "family", "家族"
    NEIGHBOUR = "neighbour", "近隣住民"
    MINSEI = "minsei", "民生児童委員"
    AGENCY = "agency", "支援機関"
    MEDICAL = "medical", "医療機関"
    PUBLIC_HEALTH = "public_health", "保健所"
    SCHOOL = "school", "学校・教育委員会"
    CITY = "city", "庁内他課"
    POLICE = "police", "警察"
    OTHER = "other", "その他"


class Urgency(models.TextChoices):
    NORMAL = "normal", "通常"
    SOON = "soon", "早めに対応"
    URGENT = "urgent", "緊急（即日対応）"


class Outcome(models.TextChoices):
    LISTENED = "listened", "傾聴・情報提供で終了"
    REFERRED = "referred", "他機関へつなぐ"
    COLLABORATION = "collaboration", "多機関協働へ"
    OUTREACH = "outreach", "アウトリーチへ"
    PARTICIPATION = "participation", "参加支援へ"
    CONTINUING = "continuing", "継続相談"


class ConsentVersion(models.TextChoices):
    """Which 相談受付・申込票 was used: 【本人同意あり】 or 【本人同意なし】."""

    GIVEN = "given", "同意あり"
    NONE = "none", "同意なし"


class Consultation(models.Model):
    """相談受付: one worry as it reached us, whatever it is about."""

    code = models.CharField("受付番号", max_length=20, unique=True)
    received_at = models.DateTimeField("受付日時", default=timezone.now, db_index=True)
    receiver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="consultations_received",
        verbose_name="受付者",
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="consultations", verbose_name="受付機関"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consultations_assigned",
        verbose_name="担当者",
    )
    method = models.CharField("相談方法", max_length=20, choices=Method.choices)
    is_new = models.BooleanField("新規相談", default=True)
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consultations",
        verbose_name="本人",
    )
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consultations",
        verbose_name="世帯",
    )
    caller_name = models.CharField("来談者・連絡者の氏名", max_length=60, blank=True)
    caller_relation = models.CharField("本人との関係", max_length=40, blank=True)
    caller_phone = models.CharField("来談者の電話", max_length=30, blank=True)
    summary = models.CharField("相談の要旨", max_length=120)
    text = models.TextField("相談内容", max_length=8000, blank=True)
    concerns: models.ManyToManyField[Concern, ConsultationConcern] = models.ManyToManyField(
        Concern, through="ConsultationConcern", related_name="consultations", verbose_name="課題"
    )
    tags = models.ManyToManyField(
        Tag, blank=True, related_name="consultations", verbose_name="横断タグ"
    )
    urgency = models.CharField(
        "緊急度", max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    consent = models.CharField("本人同意", max_length=10, choices=ConsentVersion.choices)
    outcome = models.CharField("対応結果", max_length=20, choices=Outcome.choices, blank=True)
    outcome_at = models.DateTimeField("対応結果の日時", null=True, blank=True)
    created_at = models.DateTimeField("登録日時", default=timezone.now)
    updated_at = models.DateTimeField("更新日時", default=timezone.now)

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = "相談受付"
        verbose_name_plural = "相談受付"
        indexes = [
            models.Index(fields=["agency", "assignee", "received_at"]),
            models.Index(fields=["receiver", "received_at"]),
            models.Index(fields=["outcome", "received_at"]),
        ]

    def __str__(self) -> str:
        return f"相談 {self.code}"

    def get_absolute_url(self) -> str:
        return reverse("intake:consultation", args=[self.pk])


class ConsultationConcern(models.Model):
    """A concern on the checklist; ◎ marks the most pressing one."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="concern_links"
    )
    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="+")
    is_primary = models.BooleanField("◎ 最も困っていること", default=False)

    class Meta:
        ordering = ["-is_primary", "concern__order"]
        verbose_name = "相談の課題"
        verbose_name_plural = "相談の課題"
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "concern"], name="consultation_concern_unique"
            ),
            models.UniqueConstraint(
                fields=["consultation"],
                condition=models.Q(is_primary=True),
                name="consultation_one_primary_concern",
                violation_error_message="◎ は1つだけ選んでください。",
            ),
        ]

    def __str__(self) -> str:
        return f"{'◎' if self.is_primary else ''}{self.concern}"


class RouteStep(models.Model):
    """One link of how the worry reached us: first who noticed, last who brought it."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="route")
    order = models.PositiveSmallIntegerField("順")
    kind = models.CharField("経路", max_length=20, choices=RouteKind.choices)
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="機関",
    )
    relation = models.CharField("続柄・詳細", max_length=40, blank=True)

    class Meta:
        ordering = ["consultation", "order"]
        verbose_name = "相談経路"
        verbose_name_plural = "相談経路"
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "order"], name="route_step_order_unique"
            )
        ]

    def __str__(self) -> str:
        label = self.agency.name if self.agency_id and self.agency else self.get_kind_display()
        return f"{label}（{self.relation}）" if self.relation else label


def overdue_q() -> models.Q:
    """A referral still unanswered (依頼中) after its due date: the overdue list, the flag on
    the other lists and the count on the home page all use this one condition."""
    return models.Q(state=Referral.State.SENT, due_on__lt=timezone.localdate())


class Referral(Versioned):
    """つなぎ: a consultation handed to an agency, closed-loop until completed or withdrawn."""

    class State(models.TextChoices):
        SENT = "sent", "依頼中"
        ACCEPTED = "accepted", "受諾"
        DECLINED = "declined", "辞退"
        COMPLETED = "completed", "完了"
        WITHDRAWN = "withdrawn", "取り下げ"

    consultation = models.ForeignKey(
        Consultation, on_delete=models.PROTECT, related_name="referrals", verbose_name="相談"
    )
    from_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="referrals_sent", verbose_name="依頼元"
    )
    to_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="referrals_received", verbose_name="依頼先"
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="依頼者"
    )
    sent_at = models.DateTimeField("依頼日時", default=timezone.now)
    shared_summary = models.TextField("依頼先に伝える内容", max_length=4000)
    state = models.CharField("状態", max_length=20, choices=State.choices, default=State.SENT)
    due_on = models.DateField("回答期限", db_index=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="回答者",
    )
    responded_at = models.DateTimeField("回答日時", null=True, blank=True)
    decline_reason = models.TextField("辞退の理由", max_length=1000, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="完了の記録者",
    )
    completed_at = models.DateTimeField("完了日時", null=True, blank=True)
    outcome_note = models.TextField("つないだ結果", max_length=2000, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="取り下げた職員",
    )
    withdrawn_at = models.DateTimeField("取り下げ日時", null=True, blank=True)
    withdraw_reason = models.TextField("取り下げの理由", max_length=1000, blank=True)
    # version (Versioned): bumped by every transition, so a change made from a stale page is
    # refused, not lost.

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = "つなぎ（紹介）"
        verbose_name_plural = "つなぎ（紹介）"
        indexes = [
            models.Index(fields=["to_agency", "state", "due_on"]),
            models.Index(fields=["from_agency", "state", "sent_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "to_agency"],
                condition=models.Q(state__in=["sent", "accepted"]),
                name="referral_one_open_per_agency",
                violation_error_message="この機関へのつなぎが既に進行中です。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.from_agency} → {self.to_agency}（{self.get_state_display()}）"

    def get_absolute_url(self) -> str:
        return reverse("intake:referral", args=[self.pk])

    def is_overdue(self, today: object = None) -> bool:
        day = today or timezone.localdate()
        return self.state == self.State.SENT and self.due_on < day  # type: ignore[operator]
