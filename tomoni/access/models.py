from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class BreakGlass(models.Model):
    """緊急閲覧: a time-limited, reasoned look at a record outside one's scope."""

    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="break_glass_grants",
        verbose_name="職員",
    )
    object_type = models.CharField("対象種別", max_length=60)
    object_id = models.PositiveBigIntegerField("対象ID")
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

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "緊急閲覧"
        verbose_name_plural = "緊急閲覧"
        indexes = [models.Index(fields=["staff", "object_type", "expires_at"])]

    def __str__(self) -> str:
        return f"{self.object_type}:{self.object_id}"
