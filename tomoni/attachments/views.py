"""Attachments: upload to a person, consultation or case; a page per file with its preview;
the bytes served only through the access policy.

Every response that carries a file's bytes is audited as a read (who looked at which file,
and how: download, inline or preview) and carries ``Cache-Control: no-store`` (the
NoStoreMiddleware) and a ``Content-Disposition`` built by Django from the cleaned name. The
inline response may be framed by our own pages only (the PDF preview).
"""

from __future__ import annotations

from typing import Any

from csp.constants import SELF
from csp.decorators import csp_replace
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tomoni import access
from tomoni.audit.log import Action, record
from tomoni.cases.models import Case
from tomoni.intake.models import Consultation
from tomoni.people.models import Consent, Person
from tomoni.web.viewutils import staff_of

from . import actions
from .forms import AttachmentForm, RemoveForm
from .models import MODELS, Attachment
from .uploads import TOO_LARGE

PARENTS: dict[str, type[Model]] = {"person": Person, "consultation": Consultation, "case": Case}


def _attachment(request: HttpRequest, slug: str, pk: int, action: str = access.VIEW) -> Attachment:
    model = MODELS.get(slug)
    if model is None:
        raise access.NotVisible()
    return access.get_for_user(request.user, model, pk, action)


@require_http_methods(["GET", "POST"])
def new(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    parent_model = PARENTS.get(slug)
    if parent_model is None:
        raise access.NotVisible()
    parent = access.read(request, parent_model, pk)
    access.require(request.user, actions.WRITE_ACTION[slug], parent)
    consents = (
        access.visible(request.user, Consent).filter(person_id=parent.pk).order_by("-pk")
        if slug == "person"
        else None
    )
    form = AttachmentForm(request.POST or None, request.FILES or None, consents=consents)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if getattr(request, TOO_LARGE, False):
            form.add_error("file", _too_large())
        elif upload is None:
            form.add_error("file", "添付するファイルを選んでください。")
        else:
            try:
                actions.attach(
                    staff_of(request),
                    parent,
                    upload.read(),
                    name=upload.name or "",
                    kind=form.cleaned_data["kind"],
                    title=form.cleaned_data["title"],
                    consent=form.cleaned_data.get("consent"),
                    request=request,
                )
            except ValidationError as error:
                form.add_error("file", error)
            else:
                messages.success(request, "ファイルを添付しました。")
                return redirect(_url(parent))
    return render(request, "attachments/new.html", {"form": form, "parent": parent})


def _url(obj: Model) -> str:
    return str(obj.get_absolute_url())  # type: ignore[attr-defined]  # every parent has one


def _too_large() -> str:
    limit = settings.TOMONI_ATTACHMENT_MAX_BYTES // (1024 * 1024)
    return f"ファイルが大きすぎます（上限 {limit}MB）。解像度を下げるか、分けて添付してください。"


@require_GET
def detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    attachment = _attachment(request, slug, pk)
    record(Action.VIEW, request=request, obj=attachment)
    context: dict[str, Any] = {
        "a": attachment,
        "can_remove": access.can(request.user, actions.WRITE_ACTION[slug], attachment.parent),
        "remove_form": RemoveForm(),
    }
    return render(request, "attachments/detail.html", context)


def _serve(request: HttpRequest, attachment: Attachment, how: str) -> FileResponse:
    if attachment.is_removed:
        raise access.NotVisible()
    preview = how == "preview"
    key = attachment.preview_key if preview else attachment.storage_key
    if not key:
        raise access.NotVisible()
    record(Action.VIEW, request=request, obj=attachment, detail={"file": how})
    response = FileResponse(
        actions.storage().open(key, "rb"),
        content_type="image/jpeg" if preview else attachment.content_type,
        as_attachment=how == "download",
        filename=attachment.original_name,
    )
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def download(request: HttpRequest, slug: str, pk: int) -> FileResponse:
    return _serve(request, _attachment(request, slug, pk), "download")


@require_GET
@xframe_options_sameorigin
@csp_replace({"frame-ancestors": [SELF]})  # type: ignore[arg-type]  # typed for 1-arg views
def inline(request: HttpRequest, slug: str, pk: int) -> FileResponse:
    """The file itself, for the browser's viewer (the PDF preview frame on the detail page)."""
    return _serve(request, _attachment(request, slug, pk), "inline")


@require_GET
def preview(request: HttpRequest, slug: str, pk: int) -> FileResponse:
    return _serve(request, _attachment(request, slug, pk), "preview")


@require_POST
def remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    attachment = _attachment(request, slug, pk)
    form = RemoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "削除の理由を入力してください。")
        return redirect(attachment)
    try:
        actions.remove(
            staff_of(request), attachment, reason=form.cleaned_data["reason"], request=request
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(attachment)
    messages.success(request, "ファイルを削除しました（添付の記録は残ります）。")
    return redirect(_url(attachment.parent))
