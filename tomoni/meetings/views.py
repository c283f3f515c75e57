"""会議: the list, scheduling, the meeting page (attendees, 守秘義務の誓約, agenda, minutes,
decisions) and the iCalendar export; the meeting's materials (a snapshot of an agenda item,
議事録, 決定事項) are in ``views_materials``.

Reads go through ``tomoni.access``; writes through ``tomoni.meetings.actions``. A meeting's
materials (agenda, minutes, decisions) need ``MATERIALS``: an attendee of a 支援会議 gets
them only after pledging, so every page that shows them is gated on it — the attendee
without a pledge gets 403 there, an outsider 404 as everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Case as Switch
from django.db.models import Count, DateTimeField, F, Q, QuerySet, Value, When
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tomoni import access
from tomoni.audit.log import Action, record
from tomoni.cases.models import ENDED, Case
from tomoni.directory.models import Staff
from tomoni.web.viewutils import audit_page, day_start, form_page, post_action, staff_of

from . import actions, ical
from .forms import (
    AgendaForm,
    AgendaFromCaseForm,
    AttendeeForm,
    MeetingFilterForm,
    MeetingForm,
    PaperPledgeForm,
)
from .models import AgendaItem, Attendance, Decision, Meeting

GET_POST = ["GET", "POST"]
PAGE_SIZE = 30
ICS_TYPE = "text/calendar; charset=utf-8"
PLEDGE_TEXT = (
    "私は、社会福祉法第106条の6 第5項の規定による守秘義務を負うことを理解し、"
    "この会議の事務に関して知り得た秘密を、正当な理由なく漏らしません。"
    "会議の資料・議事録・決定事項を会議の目的以外に使用せず、出席者以外に提供しません。"
    "この義務は、会議の事務に従事しなくなった後も続きます。"
)


# --- The list -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    meeting: Meeting
    agenda_count: int | None  # None: the user may not see the agenda (not even its size)
    attending: bool
    pledged_on: date | None


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    user = staff_of(request)
    form = MeetingFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    page = Paginator(_meetings(user, data), PAGE_SIZE).get_page(request.GET.get("page"))
    audit_page(request, "meetings.meeting", page)
    context = {
        "form": form,
        "page_obj": page,
        "rows": _rows(user, page),
        "can_schedule": access.can_create(user, Meeting),
    }
    return render(request, "meetings/meeting_list.html", context)


def _meetings(user: Staff, data: dict[str, Any]) -> QuerySet[Meeting]:
    """Today's and later meetings first, soonest first; then the past, latest first."""
    qs = access.visible(user, Meeting)
    if data.get("kind"):
        qs = qs.filter(kind=data["kind"])
    today = day_start(timezone.localdate())
    if data.get("when") == "upcoming":
        qs = qs.filter(starts_at__gte=today)
    elif data.get("when") == "past":
        qs = qs.filter(starts_at__lt=today)
    coming = Q(starts_at__gte=today)
    return qs.annotate(
        upcoming=Switch(When(coming, then=Value(True)), default=Value(False)),
        coming_at=Switch(When(coming, then=F("starts_at")), output_field=DateTimeField()),
        past_at=Switch(When(~coming, then=F("starts_at")), output_field=DateTimeField()),
    ).order_by("-upcoming", "coming_at", "-past_at", "-pk")


def _rows(user: Staff, page: Page[Meeting]) -> list[Row]:
    """What the list says about each meeting of the page, in three queries for the page."""
    ids = [m.pk for m in page.object_list]
    if not ids:
        return []
    # Each count comes only from the agenda items the user may see (pledged, or open).
    counts = dict(
        access.visible(user, AgendaItem)
        .filter(meeting_id__in=ids)
        .order_by()
        .values("meeting_id")
        .annotate(n=Count("pk"))
        .values_list("meeting_id", "n")
    )
    with_materials = set(
        access.for_action(user, Meeting, access.MATERIALS)
        .filter(pk__in=ids)
        .values_list("pk", flat=True)
    )
    mine = dict(
        access.visible(user, Attendance)
        .filter(meeting_id__in=ids, staff=user)
        .values_list("meeting_id", "pledge__signed_on")
    )
    return [
        Row(
            meeting=m,
            agenda_count=counts.get(m.pk, 0) if m.pk in with_materials else None,
            attending=m.pk in mine,
            pledged_on=mine.get(m.pk),
        )
        for m in page.object_list
    ]


# --- Scheduling ------------------------------------------------------------------------------


@require_http_methods(GET_POST)
def new(request: HttpRequest) -> HttpResponse:
    access.require_create(request.user, Meeting)
    form = MeetingForm(request.POST or None)

    def run() -> Meeting:
        data = form.cleaned_data
        return actions.schedule_meeting(
            staff_of(request),
            kind=data["kind"],
            title=data["title"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            place=data["place"],
            request=request,
        )

    return form_page(
        request,
        form,
        run,
        template="meetings/meeting_form.html",
        done=lambda meeting: f"「{meeting.title}」を登録しました。出席者を追加してください。",
    )


# --- The meeting -----------------------------------------------------------------------------


@require_GET
def meeting(request: HttpRequest, pk: int) -> HttpResponse:
    obj = access.read(request, Meeting, pk)
    return _meeting_page(request, obj)


def _meeting_page(request: HttpRequest, obj: Meeting, **bound: Form) -> HttpResponse:
    """The page, with any form the user just posted shown again with its errors."""
    context = _meeting_context(request, obj)
    context.update(bound)
    return render(request, "meetings/meeting.html", context)


def _attendances(user: Staff, obj: Meeting) -> QuerySet[Attendance]:
    return (
        access.visible(user, Attendance)
        .filter(meeting=obj)
        .select_related("agency", "staff")
        .annotate(pledged_on=F("pledge__signed_on"))
        .order_by("agency__order", "agency__pk", "pk")
    )


def _meeting_context(request: HttpRequest, obj: Meeting) -> dict[str, Any]:
    user = staff_of(request)
    attendances = list(_attendances(user, obj))
    mine = next((a for a in attendances if a.staff_id == user.pk), None)
    can_materials = access.can(user, access.MATERIALS, obj)
    can_change = access.can(user, access.CHANGE, obj)
    context: dict[str, Any] = {
        "meeting": obj,
        "attendances": attendances,
        "agency_count": len({a.agency_id for a in attendances}),
        "mine": mine,
        "needs_pledge": obj.is_confidential and mine is not None and not _pledged(mine),
        "pledge_text": PLEDGE_TEXT,
        "today": timezone.localdate(),
        "can_materials": can_materials,
        "can_change": can_change,
        "share_until": share_until(obj),
    }
    if can_materials:
        context.update(materials(user, obj))
    if can_change:
        context.update(
            agenda_form=AgendaForm(user=user, meeting=obj, cases=_agenda_candidates(user, obj)),
            attendee_form=AttendeeForm(),
            paper_pledge_form=PaperPledgeForm(unpledged=_unpledged(user, obj))
            if obj.is_confidential and not all(_pledged(a) for a in attendances)
            else None,
        )
    return context


def share_until(meeting: Meeting) -> date | None:
    """The last day pledged attendees read a 支援会議's materials (None: not limited)."""
    if not meeting.is_confidential:
        return None
    days = settings.TOMONI_MEETING_SHARE_DAYS
    return timezone.localdate(meeting.starts_at) + timedelta(days=days)


def _pledged(attendance: Attendance) -> bool:
    # Annotated by _attendances(); django-stubs does not know annotations.
    return getattr(attendance, "pledged_on", None) is not None


def materials(user: Staff, obj: Meeting) -> dict[str, Any]:
    """Agenda, decisions (with the tasks they handed out) and which cases the user may open."""
    agenda = list(
        access.visible(user, AgendaItem).filter(meeting=obj).select_related("case").order_by()
    )
    agenda.sort(key=lambda item: (item.order, item.pk))
    decisions = list(
        access.visible(user, Decision)
        .filter(meeting=obj)
        .select_related("case", "by")
        .prefetch_related("tasks__owner_agency", "tasks__owner")
        .order_by("created_at", "pk")
    )
    case_ids = {item.case_id for item in agenda} | {d.case_id for d in decisions}
    openable = (
        set(access.visible(user, Case).filter(pk__in=case_ids).values_list("pk", flat=True))
        if case_ids
        else set()
    )
    return {"agenda": agenda, "decisions": decisions, "openable_cases": openable}


def _agenda_candidates(user: Staff, obj: Meeting) -> QuerySet[Case]:
    # No-consent cases stay in the list: at a 重層的支援会議 the action refuses them and says
    # why (第106条の6 — take them to a 支援会議).
    return (
        access.visible(user, Case)
        .exclude(stage__in=ENDED)
        .exclude(agenda_items__meeting=obj)
        .select_related("household__district")  # named in each option
        .order_by("code")
    )


def _unpledged(user: Staff, obj: Meeting) -> QuerySet[Attendance]:
    return (
        access.visible(user, Attendance)
        .filter(meeting=obj, pledge__isnull=True)
        .select_related("agency", "staff")
        .order_by("agency__order", "agency__pk", "pk")
    )


@require_POST
def pledge(request: HttpRequest, pk: int) -> HttpResponse:
    """守秘義務の誓約, signed by the attendee themself, dated today."""
    user = staff_of(request)
    obj = access.get_for_user(user, Meeting, pk)
    mine = access.visible(user, Attendance).filter(meeting=obj, staff=user).first()
    if mine is None:
        raise PermissionDenied("誓約できるのは、この会議の出席者本人です。")
    if request.POST.get("agree") != "1":
        messages.error(
            request, "誓約の内容を確認し、「内容を確認しました」にチェックしてください。"
        )
        return redirect(obj)
    return post_action(
        request,
        lambda: actions.record_pledge(user, mine, request=request),
        done="守秘義務の誓約を記録しました。会議の資料を閲覧できます。",
        to=obj,
    )


@require_POST
def paper_pledge(request: HttpRequest, pk: int) -> HttpResponse:
    """A pledge signed on paper, recorded by the convener for an attendee."""
    user = staff_of(request)
    obj = access.get_for_user(user, Meeting, pk, access.CHANGE)
    form = PaperPledgeForm(request.POST, unpledged=_unpledged(user, obj))
    return form_page(
        request,
        form,
        lambda: actions.record_pledge(
            user,
            form.cleaned_data["attendance"],
            signed_on=form.cleaned_data["signed_on"],
            request=request,
        ),
        page=lambda form: _meeting_page(request, obj, paper_pledge_form=form),
        done="誓約書の提出を記録しました。",
        to=f"{obj.get_absolute_url()}#attendees",
    )


@require_POST
def attendee_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_of(request)
    obj = access.get_for_user(user, Meeting, pk, access.CHANGE)
    form = AttendeeForm(request.POST)

    def run() -> None:
        data = form.cleaned_data
        actions.add_attendee(
            user,
            obj,
            agency=data["agency"],
            staff=data["staff"],
            name=data["name"],
            request=request,
        )

    return form_page(
        request,
        form,
        run,
        page=lambda form: _meeting_page(request, obj, attendee_form=form),
        done="出席者を追加しました。",
        to=f"{obj.get_absolute_url()}#attendees",
    )


@require_POST
def agenda_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_of(request)
    obj = access.get_for_user(user, Meeting, pk, access.CHANGE)
    form = AgendaForm(request.POST, user=user, meeting=obj, cases=_agenda_candidates(user, obj))
    return form_page(
        request,
        form,
        lambda: actions.add_agenda_item(
            user,
            obj,
            form.cleaned_data["case"],
            purpose=form.cleaned_data["purpose"],
            request=request,
        ),
        page=lambda form: _meeting_page(request, obj, agenda_form=form),
        done=lambda _: f"{form.cleaned_data['case'].code} を議題に追加しました。",
        to=f"{obj.get_absolute_url()}#agenda",
    )


@require_GET
def agenda_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The case chosen in the 議題 list, with its household as the case lets it be shown, so
    the worker sees whose family it is before adding it (htmx swaps it under the list)."""
    user = staff_of(request)
    obj = access.get_for_user(user, Meeting, pk, access.CHANGE)
    chosen = request.GET.get("agenda-case", "")
    if not chosen:
        return render(request, "meetings/_agenda_preview.html", {})
    case = access.read(request, Case, chosen, queryset=_agenda_candidates(user, obj))
    members = access.members(user, case, check=False)
    context = {"case": case, "members": members, "name": access.household_name(members)}
    return render(request, "meetings/_agenda_preview.html", context)


@require_POST
def agenda_from_case(request: HttpRequest, pk: int) -> HttpResponse:
    """「会議の議題に追加」 on the case page: this case on an upcoming meeting's agenda."""
    user = staff_of(request)
    case = access.get_for_user(user, Case, pk, access.CHANGE)
    form = AgendaFromCaseForm(request.POST, user=user, case=case)
    back = f"{case.get_absolute_url()}#agenda"
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(back)
    meeting = form.cleaned_data["meeting"]
    try:
        actions.add_agenda_item(
            user, meeting, case, purpose=form.cleaned_data["purpose"], request=request
        )
    except ValidationError as error:  # e.g. no consent for a 重層的支援会議: nothing changed
        messages.error(request, " ".join(error.messages))
        return redirect(back)
    messages.success(request, f"{case.code} を「{meeting.title}」の議題に追加しました。")
    return redirect(f"{meeting.get_absolute_url()}#agenda")


# --- iCalendar ---------------------------------------------------------------------------------


def _ics(request: HttpRequest, meetings: list[Meeting], filename: str, name: str) -> HttpResponse:
    record(
        Action.EXPORT,
        request=request,
        object_type="meetings.meeting",
        detail={"format": "ics", "ids": [m.pk for m in meetings]},
    )
    response = HttpResponse(ical.calendar(meetings, name=name), content_type=ICS_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def meeting_ics(request: HttpRequest, pk: int) -> HttpResponse:
    obj = access.get_for_user(request.user, Meeting, pk)
    return _ics(request, [obj], f"meeting-{obj.pk}.ics", obj.title)


@require_GET
def calendar_ics(request: HttpRequest) -> HttpResponse:
    """The user's meetings from three months back to a year ahead."""
    start, end = ical.feed_window()
    meetings = list(
        access.visible(request.user, Meeting)
        .filter(starts_at__gte=start, starts_at__lt=end)
        .order_by("starts_at", "pk")
    )
    return _ics(request, meetings, "tomoni-meetings.ics", "ともに 会議")
