"""統計: numeric targets (KPI) per 年度, the figures of earlier 年度 imported from CSV, and
the cost sheet (事業費) per 年度. The figures of the years Tomoni was used are computed from
the records, never stored.

All are aggregates a manager sets, not personal data; writes go through
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


class Business(models.TextChoices):
    """The five 事業 of 重層的支援体制整備事業 (DOMAIN.md), and what is spent outside them."""

    CONSULTATION = "consultation", "包括的相談支援"
    PARTICIPATION = "participation", "参加支援"
    COMMUNITY = "community", "地域づくり"
    OUTREACH = "outreach", "アウトリーチ等を通じた継続的支援"
    COLLABORATION = "collaboration", "多機関協働"
    ADMINISTRATION = "administration", "事務費"
    OTHER = "other", "その他"


class CostField(models.TextChoices):
    """分野: the 交付金 is spent across them as one; 分野共通 is what no one 分野 carries."""

    ELDERLY = "elderly", "高齢"
    DISABILITY = "disability", "障害"
    CHILDREN = "children", "子ども"
    POVERTY = "poverty", "生活困窮"
    COMMON = "common", "分野共通"


class Cost(models.Model):
    """事業費: what one 事業 spent in one 分野 in one 年度 (円), entered by the manager. A cell
    left empty or 0 has no row (``actions.set_cost``)."""

    fy = models.PositiveSmallIntegerField("年度")
    business = models.CharField("事業", max_length=20, choices=Business.choices)
    field = models.CharField("分野", max_length=20, choices=CostField.choices)
    amount = models.PositiveBigIntegerField("金額（円）")
    note = models.CharField("備考", max_length=200, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="更新者"
    )
    updated_at = models.DateTimeField("更新日時", default=timezone.now)

    class Meta:
        ordering = ["fy", "business", "field"]
        verbose_name = "事業費"
        verbose_name_plural = "事業費"
        constraints = [
            models.UniqueConstraint(fields=["fy", "business", "field"], name="cost_once"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.fy}年度 {self.get_business_display()}・{self.get_field_display()}: "
            f"{self.amount:,}円"
        )
