"""Break-glass (緊急閲覧): asking for a grant from the 404 page, the 監査担当's review queue, and
the counts a manager sees for their agency."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from tomoni.directory.models import Role
from tomoni.web.viewutils import audit_page, post_action, staff_of

from . import actions
from .engine import get_for_user, role_of, visible
from .forms import BreakGlassForm, ReviewForm
from .models import BreakGlass
from .policy import BREAK_GLASS_ROLES, CHANGE
from .reports import break_glass_counts

PAGE_SIZE = 50


def offer(request: HttpRequest, object_type: str, object_id: object) -> dict[str, Any] | None:
    """What the 404 page needs to offer 緊急閲覧 for this record, or None if it may not."""
    if object_type not in actions.BREAKABLE_TYPES or role_of(request.user) not in BREAK_GLASS_ROLES:
        return None
    initial = {"object_type": object_type, "object_id": object_id, "next": request.path}
    return {"form": BreakGlassForm(initial=initial), "hours": settings.TOMONI_BREAK_GLASS_HOURS}


@require_POST
def open_grant(request: HttpRequest) -> HttpResponse:
    """緊急閲覧: open one record outside one's scope, with a reason, for a limited time."""
    form = BreakGlassForm(request.POST)
    object_type = request.POST.get("object_type", "")
    object_id = request.POST.get("object_id", "")
    if object_type not in actions.BREAKABLE_TYPES or not (
        object_id.isascii() and object_id.isdigit()
    ):
        raise Http404
    if role_of(request.user) not in BREAK_GLASS_ROLES:
        raise PermissionDenied("この役割では緊急閲覧はできません。")
    errors: list[str] = []
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.open_break_glass(
                staff_of(request),
                object_type,
                int(object_id),
                data["reason"],
                category=data["category"],
                request=request,
            )
        except ValidationError as error:
            errors = error.messages
        else:
            next_url = data.get("next") or ""
            if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
                next_url = reverse("home")
            return redirect(next_url)
    else:
        errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
    context = {
        "break_glass": {"form": form, "hours": settings.TOMONI_BREAK_GLASS_HOURS},
        "errors": errors,
    }
    return render(request, "404.html", context, status=404)


@require_GET
def review_list(request: HttpRequest) -> HttpResponse:
    """The 監査担当's queue: unreviewed grants first, oldest first."""
    grants = visible(request.user, BreakGlass)
    if role_of(request.user) != Role.AUDITOR:
        raise Http404
    tab = "done" if request.GET.get("tab") == "done" else "pending"
    rows = grants.filter(reviewed_at__isnull=(tab == "pending")).select_related(
        "staff__agency", "reviewed_by"
    )
    rows = rows.order_by("created_at", "pk") if tab == "pending" else rows.order_by("-reviewed_at")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    audit_page(request, "access.breakglass", page)
    context = {
        "page_obj": page,
        "tab": tab,
        "form": ReviewForm(),
        "pending": grants.filter(reviewed_at__isnull=True).count(),
    }
    return render(request, "access/review_list.html", context)


@require_POST
def review(request: HttpRequest, pk: int) -> HttpResponse:
    grant = get_for_user(request.user, BreakGlass, pk, CHANGE)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "確認の所見を入力してください。")
        return redirect("access:review_list")
    return post_action(
        request,
        lambda: actions.review_break_glass(
            staff_of(request), grant, form.cleaned_data["comment"], request=request
        ),
        done="緊急閲覧を確認済みにしました。",
        to="access:review_list",
    )


@require_GET
def summary(request: HttpRequest) -> HttpResponse:
    """A manager's view: how often the staff of their agency broke the glass, and how many of
    those grants the 監査担当 has reviewed. Counts only: no record, no reason."""
    user = staff_of(request)
    if user.role != Role.MANAGER or user.agency_id is None:
        raise Http404
    context = {"counts": break_glass_counts(user.agency_id), "agency": user.agency}
    return render(request, "access/summary.html", context)
