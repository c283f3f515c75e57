"""支援経過記録: dated notes on a consultation (and, as later issues land, on a case or an
outreach engagement). A note belongs to whichever record it is written on, so it lives in
its own app rather than in any one of them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from tomoni.directory.models import Agency
from tomoni.intake.models import Consultation


class NoteMethod(models.TextChoices):
    """支援経過記録シート: 方法."""

    VISIT = "visit", "来所"
    PHONE = "phone", "電話"
    HOME_VISIT = "home_visit", "訪問"
    ACCOMPANY = "accompany", "同行"
    MEETING = "meeting", "会議"
    EMAIL = "email", "メール"
    OTHER = "other", "その他"


class Visibility(models.TextChoices):
    SHARED = "shared", "この記録を見られる職員"
    OWN_AGENCY = "own_agency", "自機関の職員のみ"


class Note(models.Model):
    consultation = models.ForeignKey(
        Consultation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notes",
        verbose_name="相談",
    )
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notes",
        verbose_name="ケース",
    )
    on = models.DateField("日付", default=timezone.localdate)
    method = models.CharField("方法", max_length=20, choices=NoteMethod.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="記録者"
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", verbose_name="記録者の機関"
    )
    text = models.TextField("内容", max_length=8000)
    visibility = models.CharField(
        "公開範囲", max_length=20, choices=Visibility.choices, default=Visibility.SHARED
    )
    created_at = models.DateTimeField("記録日時", default=timezone.now)

    class Meta:
        ordering = ["on", "created_at", "pk"]
        verbose_name = "支援経過記録"
        verbose_name_plural = "支援経過記録"
        indexes = [
            models.Index(fields=["consultation", "on"]),
            models.Index(fields=["case", "on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(consultation__isnull=True) | models.Q(case__isnull=True),
                name="note_on_one_record",
            )
        ]

    def __str__(self) -> str:
        return f"{self.on} {self.get_method_display()}"
