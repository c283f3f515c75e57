"""A meeting's materials: the dated snapshot of an agenda item (事例共有), 議事録 and 決定事項.

Read by whoever has ``MATERIALS`` (pledged attendees of a 支援会議, for the sharing period);
prepared by the convener. Writes go through ``tomoni.meetings.actions``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from tomoni import access
from tomoni.cases import casestudy
from tomoni.cases.models import Case
from tomoni.directory.models import Staff
from tomoni.lib.concurrency import ConflictError
from tomoni.web.viewutils import form_page, set_hidden, staff_of

from . import actions
from .forms import DecisionForm, MinutesForm, SnapshotForm
from .models import AgendaItem, Decision, Meeting
from .views import GET_POST, materials, share_until


@require_http_methods(GET_POST)
def snapshot(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    """The dated snapshot of one agenda item: read by whoever sees the meeting's materials
    (pledged attendees, for the sharing period), prepared by those who may change the meeting;
    printed for a paper meeting."""
    user = staff_of(request)
    agenda_item = _agenda_item(user, pk, item)
    obj = agenda_item.meeting
    can_change = access.can(user, access.CHANGE, obj) and access.can(
        user, access.CHANGE, agenda_item.case
    )
    context: dict[str, Any] = {"meeting": obj, "item": agenda_item, "drafted": False}
    if not can_change:
        if request.method == "POST":
            raise PermissionDenied
        context.update(form=None, share_until=share_until(obj))
        return render(request, "meetings/snapshot.html", context)
    initial, context["drafted"] = _snapshot_initial(request, user, agenda_item)
    context["share_until"] = share_until(obj)
    form = SnapshotForm(request.POST or None, initial=initial)
    return form_page(
        request,
        form,
        lambda: actions.prepare_snapshot(user, agenda_item, **form.cleaned_data, request=request),
        template="meetings/snapshot.html",
        context=context,
        done="会議で共有する内容を保存しました。",
        to=f"{obj.get_absolute_url()}#agenda",
    )


def _agenda_item(user: Staff, pk: int, item: int) -> AgendaItem:
    # The item first: after the sharing period it is gone for the attendee (404), even though
    # the meeting itself stays on their list.
    return access.get_for_user(
        user,
        AgendaItem,
        item,
        queryset=AgendaItem.objects.filter(meeting_id=access.parse_pk(pk)).select_related(
            "meeting", "case", "prepared_by"
        ),
    )


def _snapshot_initial(
    request: HttpRequest, user: Staff, agenda_item: AgendaItem
) -> tuple[dict[str, str], bool]:
    """What the snapshot form starts from, and whether that is an anonymised draft."""
    if request.method == "GET" and request.GET.get("draft") == "anonymised":
        # 事例共有: an anonymised draft to read and edit; nothing is saved until posted.
        made = casestudy.draft(user, agenda_item.case, question=agenda_item.purpose)
        return {
            "summary": made.summary,
            "household_note": made.household_note,
            "question": made.question,
        }, True
    return {
        "summary": agenda_item.summary,
        "household_note": agenda_item.household_note,
        "question": agenda_item.question,
    }, False


@require_http_methods(GET_POST)
def minutes(request: HttpRequest, pk: int) -> HttpResponse:
    """議事録: read by whoever has the materials; edited by the convener from the version
    they opened (a save by somebody else in between is a conflict, and the typed text stays)."""
    user = staff_of(request)
    if request.method == "GET":
        obj = access.read(request, Meeting, pk, access.MATERIALS)
        can_change = access.can(user, access.CHANGE, obj)
        initial = {"minutes": obj.minutes, "version": obj.version}
        form = MinutesForm(initial=initial) if can_change else None
        return _minutes_page(request, obj, form, can_change=can_change)
    obj = access.get_for_user(user, Meeting, pk, access.CHANGE)
    form = MinutesForm(request.POST)
    conflict: list[bool] = []

    def refused(error: ValidationError) -> None:
        if isinstance(error, ConflictError):
            # Keep what was typed, now based on the version just read, beside the other save.
            set_hidden(form, "version", obj.version)
            conflict.append(True)

    return form_page(
        request,
        form,
        lambda: actions.save_minutes(
            user,
            obj,
            form.cleaned_data["minutes"],
            version=form.cleaned_data["version"],
            request=request,
        ),
        page=lambda form: _minutes_page(
            request, obj, form, can_change=True, conflict=bool(conflict)
        ),
        done="議事録を保存しました。",
        to=f"{obj.get_absolute_url()}#minutes",
        refused=refused,
    )


def _minutes_page(
    request: HttpRequest,
    obj: Meeting,
    form: MinutesForm | None,
    *,
    can_change: bool,
    conflict: bool = False,
) -> HttpResponse:
    context = {"meeting": obj, "form": form, "can_change": can_change, "conflict": conflict}
    return render(request, "meetings/minutes.html", context)


def _agenda_cases(user: Staff, obj: Meeting) -> Any:
    return access.visible(user, Case).filter(agenda_items__meeting=obj).order_by("code")


@require_http_methods(GET_POST)
def decisions(request: HttpRequest, pk: int) -> HttpResponse:
    """決定事項: the list for whoever has the materials, and the form for the convener."""
    user = staff_of(request)
    if request.method == "GET":
        obj = access.read(request, Meeting, pk, access.MATERIALS)
        can_change = access.can(user, access.CHANGE, obj)
        form = DecisionForm(cases=_agenda_cases(user, obj)) if can_change else None
        return _decisions_page(request, obj, form, can_change=can_change)
    obj = access.get_for_user(user, Meeting, pk, access.CHANGE)
    form = DecisionForm(request.POST, cases=_agenda_cases(user, obj))

    def run() -> Decision:
        data = form.cleaned_data
        return actions.decide(
            user,
            obj,
            data["case"],
            kind=data["kind"],
            text=data["text"],
            tasks=data["tasks"],
            handoff_agency=data["handoff_agency"],
            request=request,
        )

    return form_page(
        request,
        form,
        run,
        page=lambda form: _decisions_page(request, obj, form, can_change=True),
        done=lambda decision: _decided(decision, len(form.cleaned_data["tasks"])),
        to=f"{obj.get_absolute_url()}#decisions",
    )


def _decided(decision: Decision, tasks: int) -> str:
    done = f"{decision.case.code} の決定事項（{decision.get_kind_display()}）を記録しました。"
    if tasks:
        done += f"作業 {tasks} 件を割り当てました。"
    return done


def _decisions_page(
    request: HttpRequest, obj: Meeting, form: DecisionForm | None, *, can_change: bool
) -> HttpResponse:
    context = {
        "meeting": obj,
        "form": form,
        "can_change": can_change,
        **materials(staff_of(request), obj),
    }
    return render(request, "meetings/decisions.html", context)
