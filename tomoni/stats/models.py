"""統計: numeric targets (KPI) per 年度, and the figures of earlier 年度 imported from CSV.
The figures of the years Tomoni was used are computed from the records, never stored.

Both are aggregates a manager sets, not personal data; writes go through
``tomoni.stats.actions`` and ``tomoni.stats.history`` (checked and audited).
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


class HistoricalFigure(models.Model):
    """取込実績: one figure of an earlier 年度 (before the city used Tomoni), imported from
    CSV by ``tomoni import history``. ``key`` names the figure as the 統計 tables do:
    「表キー/項目」 (``figures.history_key``), e.g. ``consultations/新規``."""

    fy = models.PositiveSmallIntegerField("年度")
    key = models.CharField("項目", max_length=200)
    value = models.PositiveIntegerField("値")
    note = models.CharField("備考", max_length=200, blank=True)
    source = models.CharField("取込ファイル", max_length=200)
    imported_at = models.DateTimeField("取込日時", default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="取込者"
    )

    class Meta:
        ordering = ["fy", "key"]
        verbose_name = "取込実績"
        verbose_name_plural = "取込実績"
        constraints = [
            models.UniqueConstraint(fields=["fy", "key"], name="historical_figure_once"),
        ]

    def __str__(self) -> str:
        return f"{self.fy}年度 {self.key}: {self.value}"
