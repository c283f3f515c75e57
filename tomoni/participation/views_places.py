"""居場所・社会資源: the catalog list, a place's page, the editor, and the HSDS 3.0 export and
import.

Every working role reads the catalog; coordinators and community coordinators keep it
(``tomoni.access`` rules). Roles without a rule (auditor, admin) get 404, read-only roles 403
from the editor and the import. Writes go through ``actions.save_place`` and
``hsds.import_places``.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from tomoni import access
from tomoni.directory.models import Staff
from tomoni.web.viewutils import staff_of

from . import actions, hsds
from .forms_places import ImportForm, PlaceFilterForm, PlaceForm
from .models import Place, Welcome

GET_POST = ["GET", "POST"]
PAGE_SIZE = 50


def _catalog(user: Staff) -> QuerySet[Place]:
    """The places the user may see; 404 for roles the catalog is not for."""
    if not access.has_scope(user, Place):
        raise access.NotVisible()
    return access.visible(user, Place)


def _require_keeper(user: Staff) -> None:
    """403 for those who read the catalog but do not keep it; 404 for everyone else."""
    _catalog(user)
    if not access.can_create(user, Place):
        raise PermissionDenied("居場所の登録・変更は地域福祉コーディネーターと調整担当が行います。")


def _filtered(qs: QuerySet[Place], data: dict[str, Any]) -> QuerySet[Place]:
    if data.get("district"):
        qs = qs.filter(district_id=data["district"])
    if data.get("kind"):
        qs = qs.filter(kind=data["kind"])
    if data.get("status"):
        qs = qs.filter(active=data["status"] == "active")
    welcome, day, query = data.get("welcome"), data.get("day"), data.get("q", "").strip()
    if not (welcome or day or query):
        return qs
    text = Q()
    if query:
        for name in ("name", "host", "description", "atmosphere", "address", "schedule_note"):
            text |= Q(**{f"{name}__icontains": query})
    # 対象・曜日・関心 are JSON lists: matched here, the same on SQLite and PostgreSQL.
    ids = [
        pk
        for pk, welcomes, days, interests, by_text in qs.annotate(
            by_text=ExpressionWrapper(text if query else Q(pk__isnull=False), BooleanField())
        ).values_list("pk", "welcomes", "days", "interests", "by_text")
        if (not welcome or welcome in welcomes)
        and (not day or int(day) in days)
        and (not query or by_text or any(query in str(i) for i in interests))
    ]
    return qs.filter(pk__in=ids)


@require_GET
def places(request: HttpRequest) -> HttpResponse:
    user = staff_of(request)
    qs = _catalog(user)
    form = PlaceFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    qs = _filtered(qs, data).select_related("district")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page_obj": page, "can_keep": access.can_create(user, Place)}
    return render(request, "participation/place_list.html", context)


@require_GET
def place(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_of(request)
    obj = _catalog(user).select_related("district").filter(pk=pk).first()
    if obj is None:
        raise access.NotVisible("participation.Place", pk)
    context = {
        "place": obj,
        "can_keep": access.can(user, access.CHANGE, obj),
        "welcome_labels": [dict(Welcome.choices).get(w, w) for w in obj.welcomes],
    }
    return render(request, "participation/place.html", context)


def _edit(request: HttpRequest, obj: Place | None) -> HttpResponse:
    initial = PlaceForm.initial_of(obj) if obj else {"active": True}
    form = PlaceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = actions.save_place(staff_of(request), obj, form.place_data(), request=request)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, f"「{saved.name}」を{'変更' if obj else '登録'}しました。")
            return redirect(saved)
    return render(request, "participation/place_form.html", {"form": form, "place": obj})


@require_http_methods(GET_POST)
def place_new(request: HttpRequest) -> HttpResponse:
    _require_keeper(staff_of(request))
    return _edit(request, None)


@require_http_methods(GET_POST)
def place_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _catalog(staff_of(request))
    return _edit(request, access.get_for_user(request.user, Place, pk, access.CHANGE))


@require_GET
def places_export(request: HttpRequest) -> HttpResponse:
    user = staff_of(request)
    _catalog(user)
    document = hsds.export_places(user, request=request)
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    filename = f"places-hsds-{timezone.localdate():%Y%m%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_http_methods(GET_POST)
def places_import(request: HttpRequest) -> HttpResponse:
    user = staff_of(request)
    _require_keeper(user)
    form = ImportForm(request.POST or None, request.FILES or None)
    problems: list[hsds.ImportProblem] = []
    if request.method == "POST" and form.is_valid():
        try:
            records = hsds.parse_file(form.cleaned_data["file"])
            result = hsds.import_places(user, records, request=request, source=form.filename)
        except hsds.ImportRejected as rejected:
            problems = rejected.problems
        else:
            messages.success(
                request,
                f"取り込みました: 新規 {result.created} 件、更新 {result.changed} 件。",
            )
            return redirect("participation:places")
    status = 400 if problems else 200
    context = {"form": form, "problems": problems}
    return render(request, "participation/place_import.html", context, status=status)
