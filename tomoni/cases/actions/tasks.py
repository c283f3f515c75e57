"""役割分担の作業: handed out on a case (or by a meeting's decision) and completed."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from tomoni import access
from tomoni.audit.log import Action, record
from tomoni.cases.models import Case, Task
from tomoni.directory.merged import refuse_merged
from tomoni.directory.models import Agency, Staff
from tomoni.lib.concurrency import lock

from ._common import _ensure_open, _is_coordinator


@transaction.atomic
def add_task(
    actor: Staff,
    *,
    title: str,
    owner_agency: Agency,
    due_on: date,
    owner: Staff | None = None,
    case: Case | None = None,
    decision: Any = None,
    request: HttpRequest | None = None,
) -> Task:
    """役割分担の作業. On a case, only its coordinators hand work out."""
    if case is not None:
        access.require(actor, access.CHANGE, case)
        case = lock(case)
        if decision is None:  # a meeting's 終結 decision may still hand out hand-off work
            _ensure_open(case)
    elif not _is_coordinator(actor):
        raise ValidationError("作業を割り当てられるのは多機関協働のコーディネーターです。")
    title = title.strip()
    if not title:
        raise ValidationError("作業の内容を入力してください。")
    if len(title) > 200:
        raise ValidationError("作業の内容は200文字以内で入力してください。")
    refuse_merged(owner_agency)  # the window is the 自立相談支援機関 (directory.merged)
    if owner is not None and owner.agency_id != owner_agency.pk:
        raise ValidationError("担当者は担当機関の職員から選んでください。")
    task = Task.objects.create(
        case=case,
        decision=decision,
        title=title,
        owner_agency=owner_agency,
        owner=owner,
        due_on=due_on,
        created_by=actor,
    )
    record(Action.CREATE, actor=actor, request=request, obj=task)
    return task


@transaction.atomic
def complete_task(actor: Staff, task: Task, *, request: HttpRequest | None = None) -> Task:
    access.require(actor, access.CHANGE, task)
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.done_at is not None:
        raise ValidationError("この作業は既に完了しています。")
    task.done_at = timezone.now()
    task.done_by = actor
    task.save(update_fields=["done_at", "done_by"])
    record(Action.CHANGE, actor=actor, request=request, obj=task, detail={"done": True})
    return task
