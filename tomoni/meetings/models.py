"""Meetings: 支援会議 (第106条の6, without consent), 重層的支援会議 (with consent),
ケース会議 and the quarterly 支援会議(全体会). Attendees, 守秘義務 pledges, agenda, minutes and
the decisions that become tasks.

Personal data: read through ``tomoni.access``, write through ``tomoni.meetings.actions``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from tomoni.directory.models import Agency
from tomoni.lib.concurrency import Versioned


class Kind(models.TextChoices):
    SUPPORT = "support", "支援会議"
    JUSOU = "jusou", "重層的支援会議"
    CASE_CONFERENCE = "case_conference", "ケース会議"
    PLENARY = "plenary", "支援会議(全体会)"


# 第106条の6 meetings: members carry a legal duty of confidentiality, so an attendee's pledge
# must be on record before they see the materials, and cases without consent may be discussed.
CONFIDENTIAL = frozenset({Kind.SUPPORT, Kind.PLENARY})


class Meeting(Versioned):
    kind = models.CharField("種別", max_length=20, choices=Kind.choices)
    title = models.CharField("名称", max_length=120)
    starts_at = models.DateTimeField("開始日時", db_index=True)
    ends_at = models.DateTimeField("終了日時", null=True, blank=True)
    place = models.CharField("場所", max_length=120, blank=True)
    convened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="meetings_convened",
        verbose_name="招集者",
    )
    minutes = models.TextField("議事録", max_length=20000, blank=True)
    minutes_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="記録者",
    )
    held = models.BooleanField("開催済み", default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_at", "-pk"]
        verbose_name = "会議"
        verbose_name_plural = "会議"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("meetings:meeting", args=[self.pk])

    @property
    def is_confidential(self) -> bool:
        return self.kind in CONFIDENTIAL


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="agenda_items", verbose_name="ケース"
    )
    order = models.PositiveSmallIntegerField("順", default=0)
    purpose = models.CharField("検討事項", max_length=200, blank=True)
    # What the meeting is shown (第106条の6: what it needs, no more), prepared by the
    # coordinator before the meeting and dated. Pledged attendees read this, not the case.
    summary = models.TextField("概要（会議で共有する内容）", max_length=2000, blank=True)
    household_note = models.TextField("世帯の状況（必要な範囲）", max_length=2000, blank=True)
    question = models.CharField("会議で検討したいこと", max_length=300, blank=True)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="作成者",
    )
    prepared_at = models.DateTimeField("作成日時", null=True, blank=True)

    class Meta:
        ordering = ["meeting", "order", "pk"]
        verbose_name = "議題"
        verbose_name_plural = "議題"
        constraints = [models.UniqueConstraint(fields=["meeting", "case"], name="agenda_case_once")]

    def __str__(self) -> str:
        return f"議題 {self.order}"


class Attendance(models.Model):
    """An attendee: a staff account (who can then open the meeting), or a named person from
    an agency without an account."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attendances",
    )
    name = models.CharField("氏名", max_length=60, blank=True)

    class Meta:
        ordering = ["meeting", "agency__order", "pk"]
        verbose_name = "出席者"
        verbose_name_plural = "出席者"
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "staff"],
                condition=models.Q(staff__isnull=False),
                name="attendance_staff_once",
            )
        ]

    def __str__(self) -> str:
        return self.name or str(self.staff or "")


class Pledge(models.Model):
    """守秘義務の誓約: dated, one per attendee and meeting; never edited or removed."""

    attendance = models.OneToOneField(Attendance, on_delete=models.PROTECT, related_name="pledge")
    signed_on = models.DateField("誓約日")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "守秘義務の誓約"
        verbose_name_plural = "守秘義務の誓約"

    def __str__(self) -> str:
        return f"誓約 {self.signed_on}"


class Decision(models.Model):
    """A meeting's decision on a case; plan approval, 終結 and 中断 act on the case at once."""

    class Kind(models.TextChoices):
        PLAN_APPROVAL = "plan_approval", "プラン承認"
        ROLE_SPLIT = "role_split", "役割分担"
        SUPPORT_DECISION = "support_decision", "支援決定"
        # How to approach a family without its consent (支援会議, 第106条の6).
        WATCH = "watch", "見守り"
        OUTREACH = "outreach", "アウトリーチ"
        SHARING = "sharing", "情報共有の範囲"
        CLOSE = "close", "終結"
        SUSPEND = "suspend", "中断"
        OTHER = "other", "その他"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="decisions", verbose_name="ケース"
    )
    kind = models.CharField("種別", max_length=20, choices=Kind.choices)
    text = models.TextField("決定内容", max_length=4000)
    plan = models.ForeignKey(
        "cases.Plan", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["meeting", "created_at", "pk"]
        verbose_name = "決定事項"
        verbose_name_plural = "決定事項"

    def __str__(self) -> str:
        return self.get_kind_display()


# What a meeting may decide about a case without the person's consent (第106条の6): how to
# approach the family, never a plan or a 支援決定. Ending the case stays possible.
APPROACH_KINDS = frozenset(
    {
        Decision.Kind.WATCH,
        Decision.Kind.OUTREACH,
        Decision.Kind.SHARING,
        Decision.Kind.ROLE_SPLIT,
        Decision.Kind.CLOSE,
        Decision.Kind.SUSPEND,
        Decision.Kind.OTHER,
    }
)
