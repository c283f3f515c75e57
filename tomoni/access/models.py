from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class BreakGlass(models.Model):
    """緊急閲覧: a time-limited, reasoned look at a record outside one's scope, reviewed
    afterwards by the 監査担当 (DHIS2's break-the-glass review)."""

    class Category(models.TextChoices):
        SAFETY = "safety", "生命・身体の安全の確認"
        ABUSE = "abuse", "虐待・DVの疑いへの対応"
        URGENT_CONTACT = "urgent_contact", "緊急の連絡・関係機関からの照会"
        COVER = "cover", "担当者不在時の急ぎの対応"
        OTHER = "other", "その他"

    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="break_glass_grants",
        verbose_name="職員",
    )
    object_type = models.CharField("対象種別", max_length=60)
    object_id = models.PositiveBigIntegerField("対象ID")
    category = models.CharField(
        "理由の区分", max_length=20, choices=Category.choices, default=Category.OTHER
    )
    reason = models.CharField("理由", max_length=300)
    created_at = models.DateTimeField("開始日時", default=timezone.now)
    expires_at = models.DateTimeField("期限")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="確認者",
    )
    reviewed_at = models.DateTimeField("確認日時", null=True, blank=True)
    review_comment = models.TextField("確認の所見", blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "緊急閲覧"
        verbose_name_plural = "緊急閲覧"
        indexes = [
            models.Index(fields=["staff", "object_type", "expires_at"]),
            models.Index(fields=["reviewed_at", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.object_type}:{self.object_id}"

    @property
    def target_label(self) -> str:
        """The kind of record, in Japanese, for the review list."""
        return TARGET_LABELS.get(self.object_type, self.object_type)


TARGET_LABELS = {
    "people.household": "世帯",
    "people.person": "本人・世帯員",
    "intake.consultation": "相談受付",
    "cases.case": "多機関協働ケース",
}
