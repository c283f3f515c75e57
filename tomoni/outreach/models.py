"""アウトリーチ等を通じた継続的支援: engagements with people who do not come to a window, and
every attempt to reach them.

Personal data: read through ``tomoni.access``, write through ``tomoni.outreach.actions``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from tomoni.directory.models import Agency
from tomoni.lib.concurrency import Versioned
from tomoni.people.models import Household, Person


class Stage(models.TextChoices):
    NOTICED = "noticed", "把握"
    ATTEMPTING = "attempting", "接触の試み"
    RELATING = "relating", "関係づくり"
    CONTINUING = "continuing", "継続支援"
    CONNECTED = "connected", "つながった"
    ENDED = "ended", "終了"


FINISHED = frozenset({Stage.CONNECTED, Stage.ENDED})


class Reason(models.TextChoices):
    HIKIKOMORI = "hikikomori", "長期のひきこもり"
    SELF_NEGLECT = "self_neglect", "セルフネグレクト・ごみ屋敷"
    REFUSAL = "refusal", "支援拒否"
    ISOLATION = "isolation", "社会的孤立"
    OTHER = "other", "その他"


class Engagement(Versioned):
    code = models.CharField("番号", max_length=20, unique=True)
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="engagements",
        verbose_name="対象者",
    )
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        related_name="engagements",
        verbose_name="世帯",
    )
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="engagements",
        verbose_name="多機関協働ケース",
    )
    reason = models.CharField("理由", max_length=20, choices=Reason.choices)
    requested_by = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", verbose_name="依頼元の機関"
    )
    request_text = models.TextField("依頼の内容", max_length=4000, blank=True)
    workers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="engagements", verbose_name="担当支援員"
    )
    stage = models.CharField(
        "段階", max_length=20, choices=Stage.choices, default=Stage.NOTICED, db_index=True
    )
    stage_changed_at = models.DateTimeField(default=timezone.now)
    opened_on = models.DateField("開始日", default=timezone.localdate)
    ended_on = models.DateField("終了日", null=True, blank=True)
    last_contact_on = models.DateField("最後の接触", null=True, blank=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-opened_on", "-pk"]
        verbose_name = "アウトリーチ"
        verbose_name_plural = "アウトリーチ"

    def __str__(self) -> str:
        return f"アウトリーチ {self.code}"

    def get_absolute_url(self) -> str:
        return reverse("outreach:engagement", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.stage in FINISHED


class EngagementStep(models.Model):
    """Who moved the engagement, when, and why."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="steps")
    from_stage = models.CharField(max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=20, choices=Stage.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    note = models.CharField("理由・メモ", max_length=300, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_from_stage_display()}→{self.get_to_stage_display()}"


class ContactMethod(models.TextChoices):
    VISIT = "visit", "訪問"
    LETTER = "letter", "手紙"
    PHONE = "phone", "電話"
    VIA = "via", "関係者経由"
    ACCOMPANY = "accompany", "同行"


class ContactOutcome(models.TextChoices):
    ABSENT = "absent", "不在"
    REFUSED = "refused", "拒否"
    NO_REPLY = "no_reply", "反応なし"
    MET = "met", "会えた"
    TALKED = "talked", "話せた"
    REPLIED = "replied", "返事があった"


REACHED = frozenset({ContactOutcome.MET, ContactOutcome.TALKED, ContactOutcome.REPLIED})


class Accompaniment(models.TextChoices):
    NONE = "", "なし"
    MEDICAL = "medical", "受診同行"
    PROCEDURES = "procedures", "手続き支援"
    DISCHARGE = "discharge", "退院支援"


class Contact(models.Model):
    """One attempt to reach the person, whatever came of it."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="contacts")
    on = models.DateField("日付")
    method = models.CharField("方法", max_length=20, choices=ContactMethod.choices)
    outcome = models.CharField("結果", max_length=20, choices=ContactOutcome.choices)
    accompaniment = models.CharField(
        "同行支援", max_length=20, choices=Accompaniment.choices, blank=True, default=""
    )
    note = models.TextField("メモ", max_length=4000, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-on", "-pk"]
        verbose_name = "接触・訪問"
        verbose_name_plural = "接触・訪問"
        indexes = [models.Index(fields=["engagement", "on"])]

    def __str__(self) -> str:
        return f"{self.on} {self.get_method_display()} {self.get_outcome_display()}"
