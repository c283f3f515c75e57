from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from tomoni import access
from tomoni.access.actions import BREAKABLE, open_break_glass
from tomoni.people.models import Household

from .nav import PROGRAMS, PROGRAMS_BY_SLUG


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "職員IDまたはパスワードが正しくありません。",
        "inactive": "このアカウントは利用停止中です。",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "職員ID"
        self.fields["password"].label = "パスワード"
        self.fields["username"].widget.attrs.update({"autocomplete": "username"})


login = auth_views.LoginView.as_view(form_class=LoginForm, redirect_authenticated_user=True)


@login_not_required
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitoring: the app answers and the database does too."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        db = "ok"
    except Exception:  # any failure means "not healthy"
        db = "error"
    status = 200 if db == "ok" else 503
    return JsonResponse({"status": "ok" if db == "ok" else "error", "database": db}, status=status)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    role = getattr(request.user, "role", "")
    programs = [p for p in PROGRAMS if role in p.roles]
    return render(
        request,
        "web/home.html",
        {
            "programs": programs,
            "can_register": access.can_create(request.user, Household),
            "today": _today(request.user),
        },
    )


def _today(user: Any) -> list[tuple[str, int, str]]:
    """今日の仕事: what is waiting for this user, one count query each, only where the role
    has such records at all."""
    from tomoni.cases.models import Task
    from tomoni.intake.models import Referral
    from tomoni.meetings.models import Meeting

    today = timezone.localdate()
    rows: list[tuple[str, int, str]] = []
    if access.has_scope(user, Task):
        # The same three sets as the tabs of the task list.
        open_tasks = access.visible(user, Task).filter(done_at__isnull=True)
        url = reverse("cases:tasks")
        rows.append(("自分の作業", open_tasks.filter(owner=user).count(), f"{url}?tab=mine"))
        ours = open_tasks.filter(owner_agency_id=user.agency_id).count()
        rows.append(("自機関の作業", ours, f"{url}?tab=agency"))
        late = open_tasks.filter(due_on__lt=today).count()
        rows.append(("期限切れの作業", late, f"{url}?tab=overdue"))
    if access.has_scope(user, Referral) and user.agency_id:
        waiting = access.visible(user, Referral).filter(
            to_agency_id=user.agency_id, state=Referral.State.SENT
        )
        rows.append(("回答待ちのつなぎ", waiting.count(), reverse("intake:referrals_in")))
    if access.has_scope(user, Meeting):
        soon = access.visible(user, Meeting).filter(
            starts_at__date__gte=today, starts_at__date__lte=today + timedelta(days=7)
        )
        rows.append(("7日以内の会議", soon.count(), reverse("meetings:index")))
    return rows


@require_GET
def program(request: HttpRequest, slug: str) -> HttpResponse:
    item = PROGRAMS_BY_SLUG.get(slug)
    if item is None or getattr(request.user, "role", "") not in item.roles:
        raise Http404
    return render(request, "web/program.html", {"program": item})


@require_POST
def break_glass(request: HttpRequest) -> HttpResponse:
    """緊急閲覧: open one record outside one's scope, with a reason, for a limited time."""
    object_type = request.POST.get("object_type", "")
    object_id = request.POST.get("object_id", "")
    next_url = request.POST.get("next", "")
    if object_type not in BREAKABLE or not object_id.isdigit():
        raise Http404
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
        next_url = reverse("home")
    try:
        open_break_glass(
            request.user,  # type: ignore[arg-type]
            object_type,
            int(object_id),
            request.POST.get("reason", ""),
            request=request,
        )
    except ValidationError as error:
        return render(
            request,
            "404.html",
            {"break_glass": _offer(object_type, object_id, next_url), "errors": error.messages},
            status=404,
        )
    return redirect(next_url)


def _offer(object_type: str, object_id: object, next_url: str) -> dict[str, Any]:
    return {
        "object_type": object_type,
        "object_id": object_id,
        "next": next_url,
        "minutes": settings.TOMONI_BREAK_GLASS_MINUTES,
    }


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The same page for 'missing' and 'not yours'; signed-in staff may ask for 緊急閲覧."""
    context: dict[str, Any] = {}
    if (
        isinstance(exception, access.NotVisible)
        and exception.label.lower() in BREAKABLE
        and request.user.is_authenticated
    ):
        context["break_glass"] = _offer(exception.label.lower(), exception.pk, request.path)
    return render(request, "404.html", context, status=404)
