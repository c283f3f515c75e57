"""Master data: the places, the agencies and the people who work in them."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models

from .roles import Role

__all__ = ["Agency", "Area", "Concern", "District", "Domain", "Role", "Staff", "Tag"]


class Domain(models.TextChoices):
    """分野 (DOMAIN.md §4)."""

    ELDERLY = "elderly", "高齢"
    DISABILITY = "disability", "障害"
    CHILDREN = "children", "子ども・子育て"
    POVERTY = "poverty", "生活困窮"
    HEALTH = "health", "保健・医療"
    HOUSING = "housing", "住まい"
    EMPLOYMENT = "employment", "就労"
    EDUCATION = "education", "教育"
    ADVOCACY = "advocacy", "権利擁護"
    CONSUMER = "consumer", "消費生活"
    OTHER = "other", "その他(狭間)"


class Area(models.Model):
    """日常生活圏域: each has a 地域包括支援センター and a 第2層 協議体."""

    code = models.CharField("コード", max_length=20, unique=True)
    name = models.CharField("名称", max_length=60)
    order = models.PositiveSmallIntegerField("表示順", default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = "日常生活圏域"
        verbose_name_plural = "日常生活圏域"

    def __str__(self) -> str:
        return self.name


class District(models.Model):
    """地区: the ten neighbourhoods that each run a 協議体."""

    code = models.CharField("コード", max_length=20, unique=True)
    name = models.CharField("名称", max_length=60)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="districts", verbose_name="日常生活圏域"
    )
    order = models.PositiveSmallIntegerField("表示順", default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = "地区"
        verbose_name_plural = "地区"

    def __str__(self) -> str:
        return self.name


class Agency(models.Model):
    """支援機関: a city section, a contracted agency or an outside partner."""

    class Kind(models.TextChoices):
        CITY_SECTION = "city_section", "市の担当課"
        SUPPORT_CENTRE = "support_centre", "相談支援機関"
        SOCIAL_WELFARE_COUNCIL = "council", "社会福祉協議会"
        PUBLIC_HEALTH = "public_health", "保健所"
        MEDICAL = "medical", "医療機関"
        EDUCATION = "education", "教育機関"
        COMMUNITY = "community", "地域の団体"
        OTHER = "other", "その他"

    class Operation(models.TextChoices):
        CITY = "city", "市直営"
        CONTRACTED = "contracted", "委託"
        EXTERNAL = "external", "市外・外部機関"

    code = models.CharField("コード", max_length=30, unique=True)
    name = models.CharField("名称", max_length=100)
    short_name = models.CharField("略称", max_length=40, blank=True)
    field = models.CharField("分野", max_length=20, choices=Domain.choices)
    kind = models.CharField("種別", max_length=20, choices=Kind.choices)
    operation = models.CharField("運営", max_length=20, choices=Operation.choices)
    # Tendency ④ counts cases whose team reaches beyond welfare (医療, 教育, 消費生活 …).
    is_welfare = models.BooleanField("福祉分野の機関", default=True)
    attends_plenary = models.BooleanField("支援会議(全体会)の参加機関", default=False)
    area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agencies",
        verbose_name="担当圏域",
    )
    description = models.TextField("業務内容", blank=True)
    # 業務紹介 (the agency network page and the referral screen's guide).
    serves = models.TextField("対象（どんな方の相談を受けるか）", blank=True)
    how_to_refer = models.TextField("つなぎ方", blank=True)
    hours = models.CharField("受付時間", max_length=100, blank=True)
    phone = models.CharField("電話", max_length=30, blank=True)
    email = models.EmailField("メール", blank=True)
    active = models.BooleanField("有効", default=True)
    order = models.PositiveSmallIntegerField("表示順", default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = "支援機関"
        verbose_name_plural = "支援機関"

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    """横断タグ: 8050, ダブルケア, ヤングケアラー … (admin-editable start values)."""

    code = models.SlugField("コード", max_length=30, unique=True)
    name = models.CharField("名称", max_length=40)
    description = models.CharField("説明", max_length=200, blank=True)
    order = models.PositiveSmallIntegerField("表示順", default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = "横断タグ"
        verbose_name_plural = "横断タグ"

    def __str__(self) -> str:
        return self.name


class Concern(models.Model):
    """課題: the 相談受付票 checklist and the wider taxonomy, each in one 分野 (admin-editable)."""

    code = models.SlugField("コード", max_length=40, unique=True)
    name = models.CharField("名称", max_length=40)
    domain = models.CharField("分野", max_length=20, choices=Domain.choices)
    on_checklist = models.BooleanField("相談受付票のチェック項目", default=False)
    order = models.PositiveSmallIntegerField("表示順", default=0)
    active = models.BooleanField("有効", default=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = "課題"
        verbose_name_plural = "課題"

    def __str__(self) -> str:
        return self.name


class StaffManager(UserManager["Staff"]):
    def create_superuser(
        self, username: str, email: str | None = None, password: str | None = None, **extra: Any
    ) -> Staff:
        """`tomoni createsuperuser` makes a システム管理者: master data and accounts only.

        Access to records comes from roles, never from the superuser flag, so the flag stays
        off; the admin role needs no agency.
        """
        extra.setdefault("role", Role.ADMIN)
        extra.setdefault("display_name", username)
        extra.setdefault("is_staff", True)
        return self.create_user(username, email, password, **extra)


class Staff(AbstractUser):
    """A staff account: one person, one agency, one role."""

    display_name = models.CharField("氏名", max_length=60)
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name="所属機関",
    )
    role = models.CharField("役割", max_length=20, choices=Role.choices, default=Role.AGENCY)

    objects = StaffManager()  # type: ignore[misc]

    class Meta:
        verbose_name = "職員"
        verbose_name_plural = "職員"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=["admin", "auditor"]) | models.Q(agency__isnull=False),
                name="staff_agency_required_for_role",
                violation_error_message="この役割の職員には所属機関が必要です。",
            )
        ]

    def __str__(self) -> str:
        return self.display_name or self.username
