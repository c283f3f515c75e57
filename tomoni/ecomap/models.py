"""The ties of a household's エコマップ that the register does not already hold.

Agencies on a case team, referrals and 参加支援 places come from their own records; what only
the worker knows is stored here: informal supporters (民生委員, neighbours, friends …) and how
strong or strained each tie is, in which direction support flows. A tie to an agency or a
place stored here gives that agency's or place's line its strength and direction.

Personal data (a neighbour's name, a strained family tie): read through ``tomoni.access``
(the tie follows its household) and write through ``tomoni.ecomap.actions``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from tomoni.directory.models import Agency
from tomoni.participation.models import Place
from tomoni.people.models import Household, Person


class Strength(models.TextChoices):
    STRONG = "strong", "強い"
    NORMAL = "normal", "普通"
    WEAK = "weak", "弱い"
    STRESSFUL = "stressful", "ストレスのある"


class Direction(models.TextChoices):
    """Which way support (or energy, or strain) flows along the tie."""

    TO_FAMILY = "to_family", "相手から世帯へ"
    FROM_FAMILY = "from_family", "世帯から相手へ"
    BOTH = "both", "双方向"
    NONE = "none", "向きなし"


class TieKind(models.TextChoices):
    AGENCY = "agency", "支援機関"
    PLACE = "place", "居場所・社会資源"
    INFORMAL = "informal", "インフォーマルな支援者"


class InformalKind(models.TextChoices):
    WELFARE_COMMISSIONER = "commissioner", "民生委員・児童委員"
    NEIGHBOUR = "neighbour", "近隣住民"
    FRIEND = "friend", "友人・知人"
    RELATIVE = "relative", "親族"
    WORK_SCHOOL = "work_school", "職場・学校"
    DOCTOR = "doctor", "かかりつけ医"
    VOLUNTEER = "volunteer", "ボランティア・自治会"
    OTHER = "other", "その他"


class EcomapTie(models.Model):
    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="ecomap_ties", verbose_name="世帯"
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="ecomap_ties",
        verbose_name="主に関わる世帯員",
    )
    kind = models.CharField("種類", max_length=20, choices=TieKind.choices)
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="機関",
    )
    place = models.ForeignKey(
        Place,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="居場所・社会資源",
    )
    informal_kind = models.CharField(
        "支援者の種類", max_length=20, choices=InformalKind.choices, blank=True
    )
    name = models.CharField("名前・呼び方", max_length=60, blank=True)
    strength = models.CharField(
        "つながりの強さ", max_length=20, choices=Strength.choices, default=Strength.NORMAL
    )
    direction = models.CharField(
        "向き", max_length=20, choices=Direction.choices, default=Direction.BOTH
    )
    note = models.CharField("メモ", max_length=200, blank=True)
    start_on = models.DateField("開始日", default=timezone.localdate)
    end_on = models.DateField("終了日", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["household", "kind", "pk"]
        verbose_name = "エコマップのつながり"
        verbose_name_plural = "エコマップのつながり"
        indexes = [models.Index(fields=["household", "end_on"])]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="agency", agency__isnull=False, place__isnull=True)
                    | models.Q(kind="place", place__isnull=False, agency__isnull=True)
                    | models.Q(kind="informal", agency__isnull=True, place__isnull=True)
                ),
                name="ecomap_tie_target_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.agency is not None:
            return self.agency.short_name or self.agency.name
        if self.place is not None:
            return self.place.name
        return self.name or self.get_informal_kind_display()
