"""Households and the people in them.

Everything here is personal data: read it through ``tomoni.access`` and write it through
``tomoni.people.actions``, which audit.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from tomoni.directory.models import District, Tag
from tomoni.lib.textnorm import digits_only, kana_key, name_key, normalize_text
from tomoni.lib.wareki import age_on


def today() -> date:
    return timezone.localdate()


class Sex(models.TextChoices):
    MALE = "male", "男性"
    FEMALE = "female", "女性"
    OTHER = "other", "その他"
    UNKNOWN = "unknown", "不明"


class Relationship(models.TextChoices):
    """続柄 as the 世帯 record states it (relative to the head of household)."""

    HEAD = "head", "世帯主"
    SPOUSE = "spouse", "配偶者"
    CHILD = "child", "子"
    CHILD_IN_LAW = "child_in_law", "子の配偶者"
    PARENT = "parent", "父母"
    PARENT_IN_LAW = "parent_in_law", "配偶者の父母"
    GRANDCHILD = "grandchild", "孫"
    GRANDPARENT = "grandparent", "祖父母"
    SIBLING = "sibling", "兄弟姉妹"
    OTHER_RELATIVE = "relative", "その他の親族"
    LODGER = "lodger", "同居人"
    UNKNOWN = "unknown", "不明"


class Household(models.Model):
    """世帯: the unit the 重層 work looks at as a whole."""

    code = models.CharField("世帯番号", max_length=20, unique=True)
    postal_code = models.CharField("郵便番号", max_length=8, blank=True)
    address = models.CharField("住所", max_length=200, blank=True)
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="households",
        verbose_name="地区",
    )
    phone = models.CharField("電話(自宅)", max_length=30, blank=True)
    phone_key = models.CharField(max_length=20, blank=True, editable=False, db_index=True)
    phone_rev = models.CharField(max_length=20, blank=True, editable=False, db_index=True)
    tags = models.ManyToManyField(
        Tag, blank=True, related_name="households", verbose_name="横断タグ"
    )
    notes = models.TextField("メモ", blank=True, max_length=2000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="登録者",
    )
    created_at = models.DateTimeField("登録日時", default=timezone.now)
    updated_at = models.DateTimeField("更新日時", default=timezone.now)

    class Meta:
        ordering = ["code"]
        verbose_name = "世帯"
        verbose_name_plural = "世帯"

    def __str__(self) -> str:
        return f"世帯 {self.code}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.refresh_keys()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("people:household", args=[self.pk])

    def refresh_keys(self) -> None:
        self.phone_key = digits_only(self.phone)
        self.phone_rev = self.phone_key[::-1]


class Person(models.Model):
    """本人・世帯員. Never holds a マイナンバー (個人番号)."""

    family_name = models.CharField("姓", max_length=40)
    given_name = models.CharField("名", max_length=40, blank=True)
    family_kana = models.CharField("せい(ふりがな)", max_length=60, blank=True)
    given_kana = models.CharField("めい(ふりがな)", max_length=60, blank=True)
    birth_date = models.DateField("生年月日", null=True, blank=True, db_index=True)
    sex = models.CharField("性別", max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    phone = models.CharField("電話(携帯等)", max_length=30, blank=True)
    notes = models.TextField("メモ", blank=True, max_length=2000)
    # Death belongs to the person, not to a relation: one fact that the ジェノグラム, the ages,
    # a spouse's 死別 and the anonymiser all read. Often the date is not known (a grandfather
    # who died long ago), so the flag stands alone and the date is optional.
    deceased = models.BooleanField("死亡", default=False)
    deceased_on = models.DateField("死亡日", null=True, blank=True)

    # Search keys, kept in step with the fields above by save(); see tomoni.lib.textnorm.
    # Searches match the start of a key (an index range), so each part has its own key:
    # 「見本」 finds the family name, 「太郎」 the given name, 「見本太」 the full name.
    name_key = models.CharField(max_length=100, editable=False, db_index=True)
    family_key = models.CharField(max_length=50, editable=False, db_index=True)
    given_key = models.CharField(max_length=50, editable=False, db_index=True)
    kana_key = models.CharField(max_length=120, editable=False, db_index=True)
    family_kana_key = models.CharField(max_length=60, editable=False, db_index=True)
    given_kana_key = models.CharField(max_length=60, editable=False, db_index=True)
    phone_key = models.CharField(max_length=20, editable=False, db_index=True)
    # Reversed digits: 「2111」 (the end of a number) becomes a prefix search too.
    phone_rev = models.CharField(max_length=20, editable=False, db_index=True)

    # 名寄せ: set when a person confirmed this record is the same person as another and it
    # was merged into that one. The record stays (history, undo) but leaves searches and lists.
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_from",
        verbose_name="統合先",
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="登録者",
    )
    created_at = models.DateTimeField("登録日時", default=timezone.now)
    updated_at = models.DateTimeField("更新日時", default=timezone.now)

    class Meta:
        ordering = ["kana_key", "pk"]
        verbose_name = "本人・世帯員"
        verbose_name_plural = "本人・世帯員"

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.refresh_keys()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("people:person", args=[self.pk])

    def refresh_keys(self) -> None:
        if self.deceased_on is not None:
            self.deceased = True
        self.family_name = normalize_text(self.family_name)
        self.given_name = normalize_text(self.given_name)
        self.family_kana = normalize_text(self.family_kana)
        self.given_kana = normalize_text(self.given_kana)
        self.name_key = name_key(self.family_name + self.given_name)
        self.family_key = name_key(self.family_name)
        self.given_key = name_key(self.given_name)
        self.kana_key = kana_key(self.family_kana + self.given_kana)
        self.family_kana_key = kana_key(self.family_kana)
        self.given_kana_key = kana_key(self.given_kana)
        self.phone_key = digits_only(self.phone)
        self.phone_rev = self.phone_key[::-1]

    @property
    def full_name(self) -> str:
        return f"{self.family_name} {self.given_name}".strip()

    @property
    def full_kana(self) -> str:
        return f"{self.family_kana} {self.given_kana}".strip()

    def age(self, on: date | None = None) -> int | None:
        """Age today (or on ``on``); for a deceased person, the age at death when known."""
        if self.birth_date is None:
            return None
        when = on or today()
        if self.deceased_on is not None and self.deceased_on < when:
            when = self.deceased_on
        elif self.deceased:
            return None
        return age_on(self.birth_date, when)


class CurrentMembershipManager(models.Manager["Membership"]):
    def get_queryset(self) -> models.QuerySet[Membership]:
        return super().get_queryset().filter(end_date__isnull=True)


class Membership(models.Model):
    """A person's place in a household over time: people move out, into care, back home."""

    class EndReason(models.TextChoices):
        MOVED_OUT = "moved_out", "転出・別居"
        FACILITY = "facility", "施設入所"
        HOSPITAL = "hospital", "長期入院"
        DECEASED = "deceased", "死亡"
        OTHER = "other", "その他"

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="memberships", verbose_name="本人"
    )
    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="memberships", verbose_name="世帯"
    )
    relationship = models.CharField(
        "続柄", max_length=20, choices=Relationship.choices, default=Relationship.UNKNOWN
    )
    start_date = models.DateField("開始日", null=True, blank=True)
    end_date = models.DateField("終了日", null=True, blank=True)
    end_reason = models.CharField("終了理由", max_length=20, choices=EndReason.choices, blank=True)

    objects = models.Manager()
    current: ClassVar[CurrentMembershipManager] = CurrentMembershipManager()

    class Meta:
        ordering = ["household", "pk"]
        verbose_name = "世帯員"
        verbose_name_plural = "世帯員"
        indexes = [models.Index(fields=["household", "end_date"])]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "household"],
                condition=models.Q(end_date__isnull=True),
                name="membership_one_current_per_household",
                violation_error_message="この方はすでにこの世帯の世帯員です。",
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="membership_end_after_start",
                violation_error_message="終了日は開始日より後にしてください。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household} / {self.get_relationship_display()}"

    @property
    def is_current(self) -> bool:
        return self.end_date is None


class Relation(models.Model):
    """A family tie between two people, drawn in the ジェノグラム.

    Directed kinds read left to right: 親子 is parent → child, 祖父母・孫 grandparent →
    grandchild; the others are symmetric and stored once. Death is not a relation's state but
    the person's (``Person.deceased``): every relation, the ages and the drawing read it there.
    Nothing is deleted: a relation ends (離別, 死別, 解消 or 誤って登録) and keeps its history.
    """

    class Kind(models.TextChoices):
        PARENT_CHILD = "parent_child", "親子（左が親）"
        SPOUSE = "spouse", "配偶者"
        SIBLING = "sibling", "きょうだい"
        GRANDPARENT = "grandparent", "祖父母・孫（左が祖父母）"
        FAMILY_APART = "family_apart", "別居の家族"
        RELATIVE = "relative", "その他の親族"
        CARER = "carer", "介護・世話をしている（左が世話する側）"
        OTHER = "other", "その他"

    class Union(models.TextChoices):
        """配偶者 only: how the two are (or were) partners."""

        MARRIED = "married", "婚姻"
        COMMON_LAW = "common_law", "内縁"
        DIVORCED = "divorced", "離別"
        BEREAVED = "bereaved", "死別"

    class EndReason(models.TextChoices):
        DIVORCED = "divorced", "離別"
        BEREAVED = "bereaved", "死別"
        DISSOLVED = "dissolved", "関係の解消（離縁など）"
        MISTAKE = "mistake", "誤って登録した"

    from_person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="relations_from", verbose_name="本人"
    )
    to_person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="relations_to", verbose_name="相手"
    )
    kind = models.CharField("関係", max_length=20, choices=Kind.choices)
    union = models.CharField("婚姻の状況", max_length=20, choices=Union.choices, blank=True)
    start_date = models.DateField("開始日（婚姻日など）", null=True, blank=True)
    end_date = models.DateField("終了日（離婚日など）", null=True, blank=True)
    end_reason = models.CharField(
        "終了の理由", max_length=20, choices=EndReason.choices, blank=True
    )
    note = models.CharField("備考", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="登録者",
    )
    created_at = models.DateTimeField("登録日時", default=timezone.now)

    class Meta:
        verbose_name = "人と人の関係"
        verbose_name_plural = "人と人の関係"
        constraints = [
            # A dissolved or mistaken relation stays as history and may be entered again.
            models.UniqueConstraint(
                fields=["from_person", "to_person", "kind"],
                condition=~models.Q(end_reason__in=["dissolved", "mistake"]),
                name="relation_unique",
                violation_error_message="この関係はすでに登録されています。",
            ),
            models.CheckConstraint(
                condition=~models.Q(from_person=models.F("to_person")),
                name="relation_not_self",
                violation_error_message="同じ人どうしの関係は登録できません。",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="spouse") | models.Q(union=""),
                name="relation_union_only_for_spouses",
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="relation_end_after_start",
                violation_error_message="終了日は開始日より後にしてください。",
            ),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()

    @property
    def is_drawn(self) -> bool:
        """Whether the ジェノグラム shows it: a divorce or a death still belongs in the family's
        picture; a dissolved or mistaken entry does not."""
        return self.end_reason not in (self.EndReason.DISSOLVED, self.EndReason.MISTAKE)

    @property
    def is_current(self) -> bool:
        return not self.end_reason


class ImmutableError(Exception):
    """Raised when code tries to change or delete a record that must never change."""


class Consent(models.Model):
    """A dated consent statement of one person for one purpose — the only consent record in
    Tomoni. The intake's 同意あり, the case page and the person page all write here; a case
    reads its main person's (``cases.Case.consent`` keeps that answer for list filters).
    Never changed: a withdrawal is a new record. No record for a purpose: never asked."""

    class Scope(models.TextChoices):
        SHARE_WITH_AGENCIES = "share", "関係機関との情報共有"
        JUSOU_MEETING = "jusou", "重層的支援会議での検討"
        PARTICIPATION = "participation", "参加支援先への情報提供"

    class Status(models.TextChoices):
        GIVEN = "given", "同意あり"
        REFUSED = "refused", "同意なし"
        PENDING = "pending", "確認中"
        WITHDRAWN = "withdrawn", "同意撤回"

    class Method(models.TextChoices):
        WRITTEN = "written", "書面（署名）"
        ORAL = "oral", "口頭"
        PROXY = "proxy", "代理人"
        # Rows carried over from the case-level consent of earlier versions, which did not
        # record how consent was obtained.
        UNRECORDED = "unrecorded", "記録なし（移行前の記録）"

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="consents", verbose_name="本人"
    )
    scope = models.CharField("範囲", max_length=20, choices=Scope.choices)
    status = models.CharField("状態", max_length=20, choices=Status.choices)
    on = models.DateField("同意日・撤回日")
    method = models.CharField("方法", max_length=20, choices=Method.choices)
    note = models.CharField("備考・同意の範囲", max_length=300, blank=True)
    # Where it was recorded: 「相談 S0000012」, 「ケース K000008」 (the person page: blank).
    context = models.CharField("記録した場面", max_length=40, blank=True)
    withdraws = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="withdrawal",
        verbose_name="撤回する同意",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="記録者"
    )
    recorded_at = models.DateTimeField("記録日時", default=timezone.now)

    class Meta:
        ordering = ["person", "scope", "recorded_at", "pk"]
        verbose_name = "同意"
        verbose_name_plural = "同意"
        indexes = [models.Index(fields=["person", "scope", "recorded_at"])]

    def __str__(self) -> str:
        return f"{self.get_scope_display()}: {self.get_status_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ImmutableError("同意の記録は変更できません。撤回は新しい記録として登録します。")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ImmutableError("同意の記録は削除できません。")


class MatchReview(models.Model):
    """A pair of persons the 名寄せ engine thinks may be one person, waiting for a person to
    decide. Nothing merges without that decision (a false merge is worse than a missed one).

    Each pair is stored once, lower key first, so a decided pair is never queued again.
    Persons are never deleted in daily work; if the admin deletes one, its pairs go too."""

    class Status(models.TextChoices):
        PENDING = "pending", "確認待ち"
        CONFIRMED = "confirmed", "同一人物（統合済み）"
        REJECTED = "rejected", "別人"

    person_a = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="+", verbose_name="本人A"
    )
    person_b = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="+", verbose_name="本人B"
    )
    probability = models.FloatField("一致の確率")
    match_weight = models.FloatField("一致の重み", default=0.0)
    # field -> Japanese explanation, as the scorer gave it (e.g. {"生年月日": "一致"}).
    reasons = models.JSONField("判断の根拠", default=dict)
    status = models.CharField(
        "状態", max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    found_at = models.DateTimeField("検出日時", default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="判断した職員",
    )
    decided_at = models.DateTimeField("判断日時", null=True, blank=True)

    class Meta:
        ordering = ["-probability", "pk"]
        verbose_name = "名寄せの確認"
        verbose_name_plural = "名寄せの確認"
        constraints = [
            models.UniqueConstraint(fields=["person_a", "person_b"], name="match_review_pair"),
            models.CheckConstraint(
                condition=models.Q(person_a__lt=models.F("person_b")),
                name="match_review_ordered_pair",
            ),
        ]

    def __str__(self) -> str:
        return f"名寄せ候補 {self.person_a_id}・{self.person_b_id}"

    def get_absolute_url(self) -> str:
        return reverse("people:match_review", args=[self.pk])


class Merge(models.Model):
    """One merge of ``merged`` into ``survivor``, with every row it re-pointed, so that
    ``unmerge`` can put each one back exactly. Never deleted: an undo is recorded on it."""

    survivor = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name="残す記録"
    )
    merged = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name="統合した記録"
    )
    review = models.ForeignKey(
        MatchReview,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merges",
        verbose_name="名寄せの確認",
    )
    # [{"model": "intake.consultation", "pk": 3, "field": "person", "changes": {"person": 9}}]
    # — the old value of every field the merge changed on each row.
    moves = models.JSONField("移した記録", default=list)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="統合した職員",
    )
    merged_at = models.DateTimeField("統合日時", default=timezone.now)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="取り消した職員",
    )
    undone_at = models.DateTimeField("取消日時", null=True, blank=True)

    class Meta:
        ordering = ["-merged_at", "-pk"]
        verbose_name = "統合"
        verbose_name_plural = "統合"

    def __str__(self) -> str:
        return f"統合 {self.merged_id} → {self.survivor_id}"

    @property
    def is_undone(self) -> bool:
        return self.undone_at is not None
