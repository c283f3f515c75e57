"""Attaching and removing files: check the policy, store, write, audit.

Nothing is stored until the file has passed every check (:mod:`.filecheck`); if writing the
row or its audit event fails after the bytes were stored, the bytes are deleted again.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from tomoni import access
from tomoni.audit.log import Action, record
from tomoni.directory.models import Staff
from tomoni.people.models import Consent

from .filecheck import EXTENSIONS, check
from .models import MODELS, Attachment, DocumentKind

# Who may attach to (and remove from) each kind of parent: those who may change a person or
# a consultation; on a case, those who may write its notes.
WRITE_ACTION = {"person": access.CHANGE, "consultation": access.CHANGE, "case": access.NOTE}


def storage() -> Storage:
    return storages["attachments"]


def _key(slug: str, content_type: str, suffix: str = "") -> str:
    token = uuid.uuid4().hex
    return f"{slug}/{token[:2]}/{token}{suffix}{EXTENSIONS[content_type][0]}"


@transaction.atomic
def attach(
    actor: Staff,
    parent: models.Model,
    data: bytes,
    *,
    name: str,
    kind: str,
    title: str = "",
    consent: Consent | None = None,
    request: HttpRequest | None = None,
) -> Attachment:
    slug = next((s for s, m in MODELS.items() if isinstance(parent, _parent_model(m))), None)
    if slug is None:
        raise ValidationError("この記録にはファイルを添付できません。")
    model = MODELS[slug]
    access.require(actor, WRITE_ACTION[slug], parent)
    if kind not in DocumentKind.values:
        raise ValidationError("書類の種類を選んでください。")
    if consent is not None and (slug != "person" or consent.person_id != parent.pk):
        raise ValidationError("同意書は、その同意を記録した本人に添付してください。")
    checked = check(data, name, settings.TOMONI_ATTACHMENT_MAX_BYTES)
    files = storage()
    stored: list[str] = []
    try:
        key = files.save(_key(slug, checked.content_type), ContentFile(data))
        stored.append(key)
        preview_key = ""
        if checked.preview is not None:
            preview_key = files.save(
                _key(slug, "image/jpeg", "-preview"), ContentFile(checked.preview)
            )
            stored.append(preview_key)
        fields: dict[str, Any] = {model.parent_field: parent}
        if consent is not None:
            fields["consent"] = consent
        attachment = model._default_manager.create(
            kind=kind,
            title=title[:120],
            original_name=checked.name,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            storage_key=key,
            preview_key=preview_key,
            uploaded_by=actor,
            **fields,
        )
        record(
            Action.CREATE,
            actor=actor,
            request=request,
            obj=attachment,
            detail={"parent": parent.pk, "type": checked.content_type, "size": checked.size},
        )
    except BaseException:
        for key in stored:
            files.delete(key)
        raise
    return attachment


def _parent_model(model: type[Attachment]) -> type[models.Model]:
    related = model._meta.get_field(model.parent_field).related_model
    assert isinstance(related, type) and issubclass(related, models.Model)
    return related


@transaction.atomic
def remove(
    actor: Staff, attachment: Attachment, *, reason: str, request: HttpRequest | None = None
) -> Attachment:
    """Delete the stored bytes (e.g. a file attached to the wrong person) and keep the row as
    the record of what was attached and removed, by whom and why."""
    access.require(actor, WRITE_ACTION[attachment.slug], attachment.parent)
    attachment = type(attachment)._default_manager.select_for_update().get(pk=attachment.pk)
    if attachment.is_removed:
        raise ValidationError("このファイルはすでに削除されています。")
    reason = " ".join(reason.split())
    if len(reason) < 2:
        raise ValidationError("削除の理由を入力してください（例: 別の方の書類だった）。")
    keys = [k for k in (attachment.storage_key, attachment.preview_key) if k]
    attachment.removed_at = timezone.now()
    attachment.removed_by = actor
    attachment.removed_reason = reason[:200]
    attachment.save(update_fields=["removed_at", "removed_by", "removed_reason"])
    record(Action.CHANGE, actor=actor, request=request, obj=attachment, detail={"removed": True})

    # Only once the removal is committed: a rolled-back removal must still find its file.
    def delete_files() -> None:
        for key in keys:
            storage().delete(key)

    transaction.on_commit(delete_files)
    return attachment
