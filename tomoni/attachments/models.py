"""Files attached to a person, a consultation or a case: scanned 同意書, 診断書, letters,
photos of documents.

Three small models over one abstract base, so that each follows its parent in the access
policy (``DERIVED``): whoever may see the consultation sees its files, and a case's files are
read like its notes. The bytes live in the ``attachments`` storage (outside the web root;
filesystem by default, S3-compatible storage where a city runs one) under a random key; the
name the user's computer gave the file is kept only as display text, cleaned.

Personal data: read through ``tomoni.access``, write through ``tomoni.attachments.actions``.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from tomoni.cases.models import Case
from tomoni.intake.models import Consultation
from tomoni.people.models import Consent, Person


class DocumentKind(models.TextChoices):
    CONSENT_FORM = "consent_form", "同意書"
    MEDICAL = "medical", "診断書・医療の書類"
    LETTER = "letter", "手紙・通知"
    DOCUMENT_PHOTO = "photo", "書類の写真"
    OTHER = "other", "その他"


class Attachment(models.Model):
    kind = models.CharField("書類の種類", max_length=20, choices=DocumentKind.choices)
    title = models.CharField("説明", max_length=120, blank=True)
    original_name = models.CharField("ファイル名", max_length=120)
    content_type = models.CharField("形式", max_length=40)
    size = models.PositiveBigIntegerField("大きさ（バイト）")
    sha256 = models.CharField(max_length=64)
    storage_key = models.CharField(max_length=200, unique=True)
    preview_key = models.CharField(max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="登録者"
    )
    uploaded_at = models.DateTimeField("登録日時", default=timezone.now)
    # Removal deletes the stored file (a file attached to the wrong person must go) and keeps
    # this row: who attached what when, and who removed it and why.
    removed_at = models.DateTimeField("削除日時", null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="削除した職員",
    )
    removed_reason = models.CharField("削除の理由", max_length=200, blank=True)

    slug: ClassVar[str]
    parent_field: ClassVar[str]

    class Meta:
        abstract = True
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("attachments:detail", args=[self.slug, self.pk])

    @property
    def parent(self) -> models.Model:
        value = getattr(self, self.parent_field)
        assert isinstance(value, models.Model)
        return value

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    @property
    def is_pdf(self) -> bool:
        return self.content_type == "application/pdf"

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None


class PersonAttachment(Attachment):
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="attachments", verbose_name="本人"
    )
    # The signed form of a consent. The pointer lives here, not on the consent: a Consent is
    # immutable, and the scan usually arrives after the consent was recorded.
    consent = models.ForeignKey(
        Consent,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signed_forms",
        verbose_name="署名した同意",
    )

    slug = "person"
    parent_field = "person"

    class Meta(Attachment.Meta):
        verbose_name = "本人の添付ファイル"
        verbose_name_plural = "本人の添付ファイル"


class ConsultationAttachment(Attachment):
    consultation = models.ForeignKey(
        Consultation, on_delete=models.PROTECT, related_name="attachments", verbose_name="相談"
    )

    slug = "consultation"
    parent_field = "consultation"

    class Meta(Attachment.Meta):
        verbose_name = "相談の添付ファイル"
        verbose_name_plural = "相談の添付ファイル"


class CaseAttachment(Attachment):
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="attachments", verbose_name="ケース"
    )

    slug = "case"
    parent_field = "case"

    class Meta(Attachment.Meta):
        verbose_name = "ケースの添付ファイル"
        verbose_name_plural = "ケースの添付ファイル"


MODELS: dict[str, type[Attachment]] = {
    m.slug: m for m in (PersonAttachment, ConsultationAttachment, CaseAttachment)
}
