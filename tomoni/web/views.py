from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from tomoni import access
from tomoni.access.models import BreakGlass
from tomoni.access.reports import break_glass_counts
from tomoni.access.views import offer
from tomoni.directory.roles import Role
from tomoni.lib.forms import name_required_fields
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
        name_required_fields(self.fields.values())  # after the labels it names


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
    from tomoni.intake.models import Referral, overdue_q
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
        # Sent or received: the overdue list's own rows (one condition, overdue_q).
        late_referrals = access.visible(user, Referral).filter(overdue_q()).count()
        rows.append(("回答期限を過ぎたつなぎ", late_referrals, reverse("intake:referrals_overdue")))
    role = access.role_of(user)
    if role == Role.AUDITOR:
        pending = access.visible(user, BreakGlass).filter(reviewed_at__isnull=True).count()
        rows.append(("確認待ちの緊急閲覧", pending, reverse("access:review_list")))
    if role == Role.MANAGER and user.agency_id:
        counts = break_glass_counts(user.agency_id)
        rows.append(("自機関の緊急閲覧（12か月）", counts.total, reverse("access:summary")))
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


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The same page for 'missing' and 'not yours'; staff who do casework may ask for
    緊急閲覧."""
    context: dict[str, Any] = {}
    if isinstance(exception, access.NotVisible) and exception.pk is not None:
        context["break_glass"] = offer(request, exception.label.lower(), exception.pk)
    return render(request, "404.html", context, status=404)
