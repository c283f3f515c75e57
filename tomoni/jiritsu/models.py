"""自立相談支援 (生活困窮者自立支援法) as the window records it, and the city's targets for
the monthly figures.

``Support`` holds the items of the 自立相談支援 statistics for one consultation that became
生活困窮 support: every figure is counted from a date a worker entered here (or the
consultation's 受付日), never from when the row was saved. ``Benchmark`` is the city's own
人口 and 目安値 (per 100,000 people per month) for one 年度, entered by the manager.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from tomoni.intake.models import Consultation
from tomoni.lib.concurrency import Versioned


def label_of(model: type[models.Model], name: str) -> str:
    """The verbose name of one of ``model``'s own fields."""
    found = model._meta.get_field(name)
    assert isinstance(found, models.Field)
    return str(found.verbose_name)


class Gain(models.TextChoices):
    """就労・増収: what changed for the person (the statistics count either)."""

    WORK = "work", "就労した"
    INCOME = "income", "増収した"


class Support(Versioned):
    """自立相談支援の記録: one per consultation that became 生活困窮 support."""

    consultation = models.OneToOneField(
        Consultation, on_delete=models.PROTECT, related_name="jiritsu", verbose_name="相談"
    )
    started_on = models.DateField("自立相談支援の開始日")
    # プラン兼事業等利用申込書: the 支援プラン, when one was written.
    plan_on = models.DateField("支援プランの作成日", null=True, blank=True)
    housing_applied_on = models.DateField("住居確保給付金の申請日", null=True, blank=True)
    housing_decided_on = models.DateField("住居確保給付金の支給決定日", null=True, blank=True)
    budget_from = models.DateField("家計改善支援の開始日", null=True, blank=True)
    work_prep_from = models.DateField("就労準備支援の開始日", null=True, blank=True)
    shelter_from = models.DateField("一時生活支援の開始日", null=True, blank=True)
    employment_target_on = models.DateField("就労支援対象者とした日", null=True, blank=True)
    gain = models.CharField("就労・増収", max_length=10, choices=Gain.choices, blank=True)
    gain_on = models.DateField("就労・増収の日", null=True, blank=True)
    # For the audit trail only: no figure reads these.
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="記録者"
    )
    updated_at = models.DateTimeField("更新日時", default=timezone.now)

    class Meta:
        verbose_name = "自立相談支援の記録"
        verbose_name_plural = "自立相談支援の記録"
        indexes = [
            models.Index(fields=["started_on"]),
            models.Index(fields=["plan_on"]),
            models.Index(fields=["employment_target_on"]),
            models.Index(fields=["gain_on"]),
        ]

    def __str__(self) -> str:
        return f"自立相談支援（相談 {self.consultation_id}）"


class Benchmark(Versioned):
    """目安値: the city's 人口 and its targets per 100,000 people per month for one 年度. No
    number is built into the code: every one is entered by the manager."""

    fy = models.PositiveSmallIntegerField("年度", unique=True)
    population = models.PositiveIntegerField("人口")
    new_rate = models.DecimalField(
        "新規相談受付件数の目安（人口10万人・月あたり）",
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
    )
    plan_rate = models.DecimalField(
        "プラン作成件数の目安（人口10万人・月あたり）",
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
    )
    employment_rate = models.DecimalField(
        "就労支援対象者数の目安（人口10万人・月あたり）",
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
    )
    gain_rate = models.DecimalField(
        "就労・増収者数の目安（人口10万人・月あたり）",
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="設定者"
    )
    set_at = models.DateTimeField("設定日時", default=timezone.now)

    class Meta:
        ordering = ["fy"]
        verbose_name = "生活困窮の目安値"
        verbose_name_plural = "生活困窮の目安値"

    def __str__(self) -> str:
        return f"{self.fy}年度 人口{self.population:,}人"
