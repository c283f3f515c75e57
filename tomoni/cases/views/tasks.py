"""The task lists (自分の作業, 自機関の作業, 期限切れ), a task, and marking it done."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from tomoni import access
from tomoni.directory.models import Staff
from tomoni.web.viewutils import audit_page, post_action, staff_of

from .. import actions
from ..models import Case, Task
from .base import PAGE_SIZE

TASK_TABS = [("mine", "自分の作業"), ("agency", "自機関の作業"), ("overdue", "期限切れ")]
# What a task's page names: one query with the task itself.
TASK_RELATED = ("case", "owner_agency", "owner", "done_by", "decision__meeting")


def _tasks(user: Staff, tab: str) -> QuerySet[Task]:
    qs = access.visible(user, Task).filter(done_at__isnull=True)
    if tab == "mine":
        qs = qs.filter(owner=user)
    elif tab == "agency":
        qs = qs.filter(owner_agency_id=user.agency_id)
    else:
        qs = qs.filter(due_on__lt=timezone.localdate())
    return qs.select_related("case", "owner_agency", "owner").order_by("due_on", "pk")


@require_GET
def tasks(request: HttpRequest) -> HttpResponse:
    user = staff_of(request)
    tab = request.GET.get("tab", "mine")
    if tab not in dict(TASK_TABS):
        tab = "mine"
    page = Paginator(_tasks(user, tab), PAGE_SIZE).get_page(request.GET.get("page"))
    audit_page(request, "cases.task", page)
    case_ids = {t.case_id for t in page.object_list if t.case_id}
    shown = access.visible(user, Case).filter(pk__in=case_ids).values_list("pk", flat=True)
    context = {
        "tab": tab,
        "tabs": TASK_TABS,
        "page_obj": page,
        "visible_cases": set(shown) if case_ids else set(),
        "today": timezone.localdate(),
    }
    return render(request, "cases/task_list.html", context)


@require_GET
def task(request: HttpRequest, pk: int) -> HttpResponse:
    obj = access.read(request, Task, pk, queryset=Task.objects.select_related(*TASK_RELATED))
    user = staff_of(request)
    case_visible = obj.case is not None and access.can(user, access.VIEW, obj.case)
    meeting = obj.decision.meeting if obj.decision is not None else None
    decision_visible = meeting is not None and access.can(user, access.MATERIALS, meeting)
    context = {
        "task": obj,
        "case_visible": case_visible,
        "decision_visible": decision_visible,
        "meeting_url": meeting.get_absolute_url()
        if meeting is not None and decision_visible
        else "",
        "can_complete": obj.done_at is None and access.can(user, access.CHANGE, obj),
    }
    return render(request, "cases/task.html", context)


@require_POST
def task_complete(request: HttpRequest, pk: int) -> HttpResponse:
    obj = access.get_for_user(request.user, Task, pk, access.CHANGE)
    back = request.POST.get("next", "")
    return post_action(
        request,
        lambda: actions.complete_task(staff_of(request), obj, request=request),
        done=f"「{obj.title}」を完了にしました。",
        # Back to our own list, never to an outside URL.
        to=back if back.startswith(reverse("cases:tasks")) else obj,
    )
