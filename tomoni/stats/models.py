"""統計: numeric targets (KPI) per 年度. The figures themselves are computed, never stored.

Targets are aggregates a manager sets, not personal data; writes go through
``tomoni.stats.actions`` (checked and audited).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from tomoni.directory.models import District


class Kpi(models.TextChoices):
    """What a target can be set on; each has one actual counted by ``figures.kpi_actuals``."""

    CONSULTATIONS_NEW = "consultations_new", "新規相談の件数"
    CASES_NEW = "cases_new", "多機関協働の新規ケース数"
    ENGAGEMENTS_NEW = "engagements_new", "アウトリーチの新規対象数"
    SETTLED = "settled", "参加支援の定着数"
    PLACES = "places", "居場所・社会資源の数（地区別も可）"


class Target(models.Model):
    """目標値: one KPI for one 年度, for the whole city or (places) for one 地区."""

    fy = models.PositiveSmallIntegerField("年度")
    kpi = models.CharField("指標", max_length=30, choices=Kpi.choices)
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="地区",
    )
    value = models.PositiveIntegerField("目標値")
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="設定者"
    )
    set_at = models.DateTimeField("設定日時", default=timezone.now)

    class Meta:
        ordering = ["fy", "kpi", "district__order", "pk"]
        verbose_name = "目標値"
        verbose_name_plural = "目標値"
        # NULL never equals NULL in a unique index, so the city-wide target needs its own.
        constraints = [
            models.UniqueConstraint(
                fields=["fy", "kpi"],
                condition=models.Q(district__isnull=True),
                name="target_once_citywide",
            ),
            models.UniqueConstraint(
                fields=["fy", "kpi", "district"],
                condition=models.Q(district__isnull=False),
                name="target_once_per_district",
            ),
        ]

    def __str__(self) -> str:
        where = f"（{self.district}）" if self.district_id else ""
        return f"{self.fy}年度 {self.get_kpi_display()}{where}: {self.value}"
