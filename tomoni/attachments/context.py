"""What a parent's page needs to list its attachments: the files the viewer may open and,
if they may attach, the upload URL. One query."""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.urls import reverse

from tomoni import access
from tomoni.directory.models import Staff

from .actions import WRITE_ACTION
from .models import MODELS


def attachments_of(user: Staff, parent: Model, *, can_attach: bool | None = None) -> dict[str, Any]:
    """``can_attach``: what the page already knows of the right to attach (CHANGE on a person
    or a consultation, NOTE on a case), to save the query."""
    slug = next(
        s
        for s, m in MODELS.items()
        if m._meta.get_field(m.parent_field).related_model is type(parent)
    )
    model = MODELS[slug]
    files = list(
        access.visible(user, model)
        .filter(**{f"{model.parent_field}_id": parent.pk})
        .select_related("uploaded_by")
    )
    if can_attach is None:
        can_attach = access.can(user, WRITE_ACTION[slug], parent)
    return {
        "attachments": files,
        "attachment_new_url": reverse("attachments:new", args=[slug, parent.pk])
        if can_attach
        else "",
    }
