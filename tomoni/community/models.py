"""地域づくり: the 協議体 of each 地区 (members and meetings), 地域の取組 with their dated
participation records, and events such as the 地域のつながりフォーラム.

These are community records, not personal data: no resident, case or consultation is linked
here. 協議体 members are named because they act in a public role (自治会, 民生委員 …).
Reads go through ``tomoni.access`` (roles), writes through ``tomoni.community.actions``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from tomoni.directory.models import District
from tomoni.participation.models import Place, PlaceKind


class Generation(models.TextChoices):
    """The three generations participation is counted in."""

    CHILDREN = "children", "子ども（18歳未満）"
    ADULTS = "adults", "現役世代（18〜64歳）"
    ELDERLY = "elderly", "高齢者（65歳以上）"


class Council(models.Model):
    """協議体 (生活支援・介護予防サービス協議体) of one 地区."""

    district = models.OneToOneField(
        District, on_delete=models.PROTECT, related_name="council", verbose_name="地区"
    )
    name = models.CharField("名称", max_length=120)
    established_on = models.DateField("設置日", null=True, blank=True)
    purpose = models.TextField("目的・進め方", max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["district__order", "pk"]
        verbose_name = "協議体"
        verbose_name_plural = "協議体"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("community:district", args=[self.district.code])


class CouncilMember(models.Model):
    """A member of a 協議体, named with the body they come from."""

    class Position(models.TextChoices):
        CHAIR = "chair", "会長"
        VICE_CHAIR = "vice_chair", "副会長"
        MEMBER = "member", "委員"
        SECRETARIAT = "secretariat", "事務局"

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="members")
    name = models.CharField("氏名", max_length=60)
    affiliation = models.CharField("所属・立場", max_length=120)
    position = models.CharField(
        "役割", max_length=12, choices=Position.choices, default=Position.MEMBER
    )
    joined_on = models.DateField("就任日", null=True, blank=True)
    left_on = models.DateField("退任日", null=True, blank=True)

    class Meta:
        ordering = ["council", "left_on", "position", "pk"]
        verbose_name = "協議体の委員"
        verbose_name_plural = "協議体の委員"

    def __str__(self) -> str:
        return f"{self.name}（{self.affiliation}）"


class CouncilMeeting(models.Model):
    """One meeting of a 協議体: who came, what was discussed, decided and taken home."""

    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="meetings")
    held_on = models.DateField("開催日")
    venue = models.CharField("会場", max_length=120, blank=True)
    attendees = models.ManyToManyField(
        CouncilMember, blank=True, related_name="meetings", verbose_name="出席した委員"
    )
    other_attendees = models.CharField("その他の出席者", max_length=300, blank=True)
    topics = models.TextField("議題", max_length=2000)
    minutes = models.TextField("議事の要旨", max_length=8000, blank=True)
    decisions = models.TextField("決定事項", max_length=4000, blank=True)
    follow_ups = models.TextField("今後の取組・宿題", max_length=4000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = "協議体の会議"
        verbose_name_plural = "協議体の会議"
        indexes = [models.Index(fields=["council", "held_on"])]

    def __str__(self) -> str:
        return f"{self.council} {self.held_on}"

    def get_absolute_url(self) -> str:
        return reverse("community:meeting", args=[self.pk])

    @property
    def decision_list(self) -> list[str]:
        return lines(self.decisions)

    @property
    def follow_up_list(self) -> list[str]:
        return lines(self.follow_ups)


def lines(text: str) -> list[str]:
    """A text field written one item per line, as a list (decisions, follow-ups)."""
    return [line.strip().lstrip("・-　 ") for line in text.splitlines() if line.strip()]


class Activity(models.Model):
    """地域の取組: a 朝市, a サロン, a 多世代の居場所 … and how it came about."""

    class Origin(models.TextChoices):
        COUNCIL = "council", "協議体がきっかけ"
        RESIDENTS = "residents", "住民の発意"
        GROUP = "group", "団体・事業者の提案"
        PUBLIC = "public", "市・社協の働きかけ"

    name = models.CharField("名称", max_length=120)
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="activities", verbose_name="地区"
    )
    place = models.ForeignKey(
        Place,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="community_activities",
        verbose_name="居場所（一覧の項目）",
    )
    kind = models.CharField("種類", max_length=20, choices=PlaceKind.choices)
    host = models.CharField("運営", max_length=120)
    started_on = models.DateField("開始日")
    frequency = models.CharField("頻度", max_length=100)
    origin = models.CharField("きっかけ", max_length=12, choices=Origin.choices)
    council_meeting = models.ForeignKey(
        CouncilMeeting,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name="きっかけになった協議体の会議",
    )
    story = models.TextField("経緯・ストーリー", max_length=4000, blank=True)
    active = models.BooleanField("活動中", default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["district__order", "started_on", "pk"]
        verbose_name = "地域の取組"
        verbose_name_plural = "地域の取組"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("community:activity", args=[self.pk])


class ActivitySession(models.Model):
    """One day the activity ran, with how many came from each generation (counts only)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="sessions")
    held_on = models.DateField("実施日")
    children = models.PositiveIntegerField("子ども（18歳未満）", default=0)
    adults = models.PositiveIntegerField("現役世代（18〜64歳）", default=0)
    elderly = models.PositiveIntegerField("高齢者（65歳以上）", default=0)
    note = models.CharField("メモ", max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["activity", "-held_on", "-pk"]
        verbose_name = "取組の実施記録"
        verbose_name_plural = "取組の実施記録"
        indexes = [models.Index(fields=["held_on", "activity"])]

    def __str__(self) -> str:
        return f"{self.activity} {self.held_on}"

    @property
    def total(self) -> int:
        return self.children + self.adults + self.elderly


class Event(models.Model):
    """An event: the 地域のつながりフォーラム and the like."""

    class Kind(models.TextChoices):
        FORUM = "forum", "地域のつながりフォーラム"
        OTHER = "other", "その他の催し"

    name = models.CharField("名称", max_length=120)
    kind = models.CharField("種類", max_length=10, choices=Kind.choices, default=Kind.FORUM)
    held_on = models.DateField("開催日")
    opens_at = models.TimeField("開始時刻", null=True, blank=True)
    closes_at = models.TimeField("終了時刻", null=True, blank=True)
    venue = models.CharField("会場", max_length=120)
    description = models.TextField("内容", max_length=4000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = "催し"
        verbose_name_plural = "催し"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("community:event", args=[self.pk])


class ProgrammeItem(models.Model):
    """One item of the programme; with a 地区, it is that 地区's 活動報告."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="programme")
    starts_at = models.TimeField("開始時刻")
    title = models.CharField("内容", max_length=120)
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="活動報告の地区",
    )
    presenter = models.CharField("発表者・団体", max_length=120, blank=True)

    class Meta:
        ordering = ["event", "starts_at", "pk"]
        verbose_name = "プログラム"
        verbose_name_plural = "プログラム"

    def __str__(self) -> str:
        return self.title


class EventGroup(models.Model):
    """A group registered to take part: a panel exhibition, a report, or both."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField("団体名", max_length=120)
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="地区",
    )
    panel = models.BooleanField("パネル展示", default=False)
    report = models.BooleanField("活動報告", default=False)
    panel_title = models.CharField("展示のテーマ", max_length=120, blank=True)
    headcount = models.PositiveSmallIntegerField("参加人数", default=1)
    contact = models.CharField("連絡先（団体の代表窓口）", max_length=120, blank=True)
    registered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["event", "district__order", "name", "pk"]
        verbose_name = "参加団体"
        verbose_name_plural = "参加団体"
        constraints = [
            models.UniqueConstraint(fields=["event", "name"], name="event_group_once"),
        ]

    def __str__(self) -> str:
        return self.name
