"""地域づくり pages: the map and figures of the 10 地区, 圏域 and 地区 pages with their 協議体,
地域の取組, events (つながりフォーラム) with a printable programme, and the agency network
(業務紹介).

Nothing here is personal data. Every working role reads (``tomoni.access`` rules on Council,
Activity and Event); community coordinators and 多機関協働 coordinators keep the records.
Read-only roles get 403 from the editors, roles without a rule (auditor, admin) 404. Writes
go through ``tomoni.community.actions``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from tomoni import access
from tomoni.audit.log import Action, record
from tomoni.directory import network
from tomoni.directory.models import Area, District, Staff
from tomoni.lib.fiscal import fiscal_year, fiscal_year_choices, fiscal_year_label
from tomoni.participation.models import Place
from tomoni.printing.response import pdf_response
from tomoni.web.viewutils import form_page, staff_of

from . import actions, figures, geo
from .forms import (
    ActivityForm,
    CouncilForm,
    EventForm,
    GroupForm,
    MeetingForm,
    MemberForm,
    ProgrammeForm,
    SessionForm,
    YearForm,
)
from .models import Activity, Council, CouncilMeeting, CouncilMember, Event

GET_POST = ["GET", "POST"]
KEEPERS_ONLY = "地域づくりの記録の登録・変更は地域福祉コーディネーターと調整担当が行います。"


def _reader(request: HttpRequest) -> Staff:
    """The signed-in user, if 地域づくり is for their role; 404 otherwise."""
    user = staff_of(request)
    if not access.has_scope(user, Council):
        raise access.NotVisible()
    return user


def _keeper(request: HttpRequest) -> Staff:
    """403 for those who read but do not keep these records; 404 for everyone else."""
    user = _reader(request)
    if not access.can_create(user, Council):
        raise PermissionDenied(KEEPERS_ONLY)
    return user


def _district(code: str) -> District:
    district = District.objects.select_related("area").filter(code=code).first()
    if district is None:
        raise access.NotVisible()
    return district


def _year(request: HttpRequest) -> tuple[int, dict[str, Any]]:
    """The 年度 asked for (?fy=), this one by default; and what the page says of it."""
    this_year = fiscal_year(timezone.localdate())
    # This 年度 and the three before it.
    form = YearForm(request.GET, years=fiscal_year_choices(this_year, this_year - 3))
    fy = form.cleaned_data.get("fy") if form.is_valid() else None
    fy = fy or this_year
    return fy, {"fy": fy, "fy_label": fiscal_year_label(fy), "year_form": form}


# --- the map, 圏域 and 地区 --------------------------------------------------------------


def _map(districts: list[District], places: list[Place], here: District | None = None) -> Any:
    shapes = geo.geometry().shapes
    return {
        "geometry": geo.geometry(),
        "districts": [(d, shapes[d.code]) for d in districts if d.code in shapes],
        "points": [
            (p, geo.point_for(shapes[p.district.code], str(p.uid)))
            for p in places
            if p.district and p.district.code in shapes
        ],
        "here": here,
    }


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    fy, year = _year(request)
    rows = figures.district_figures(fy)
    places = list(Place.objects.filter(active=True).select_related("district"))
    areas = [
        (area, [f for f in rows if f.district.area_id == area.pk])
        for area in Area.objects.order_by("order", "pk")
    ]
    context = {
        **year,
        "areas": areas,
        "city": figures.total(rows) if rows else None,
        "map": _map([f.district for f in rows], places),
        "can_keep": access.can_create(user, Council),
    }
    return render(request, "community/index.html", context)


@require_GET
def area(request: HttpRequest, code: str) -> HttpResponse:
    _reader(request)
    obj = Area.objects.filter(code=code).first()
    if obj is None:
        raise access.NotVisible()
    fy, year = _year(request)
    districts = list(obj.districts.select_related("area").order_by("order", "pk"))
    rows = figures.district_figures(fy, districts)
    councils = {c.district_id: c for c in Council.objects.filter(district__area=obj)}
    context = {
        "area": obj,
        **year,
        "rows": [(f, councils.get(f.district.pk)) for f in rows],
        "sum": figures.total(rows) if rows else None,
        "agencies": obj.agencies.filter(active=True),
    }
    return render(request, "community/area.html", context)


@require_GET
def district(request: HttpRequest, code: str) -> HttpResponse:
    user = _reader(request)
    here = _district(code)
    fy, year = _year(request)
    council = (
        access.visible(user, Council)
        .filter(district=here)
        .prefetch_related(
            Prefetch("members", CouncilMember.objects.order_by("left_on", "position", "pk"))
        )
        .first()
    )
    meetings = (
        CouncilMeeting.objects.filter(council=council)
        .annotate(present=Count("attendees"))
        .order_by("-held_on", "-pk")  # a GROUP BY drops the model's ordering: say it again
        if council
        else CouncilMeeting.objects.none()
    )
    places = list(Place.objects.filter(district=here, active=True).select_related("district"))
    activities = (
        access.visible(user, Activity)
        .filter(district=here)
        .annotate(ran=Count("sessions", filter=figures.ran_in(fy)))
        .order_by("-active", "started_on", "pk")
    )
    context = {
        "district": here,
        **year,
        "council": council,
        "meetings": meetings,
        "places": places,
        "activities": activities,
        "figures": figures.district_figures(fy, [here])[0],
        "map": _map(list(District.objects.order_by("order", "pk")), places, here),
        "can_keep": access.can_create(user, Council),
    }
    return render(request, "community/district.html", context)


# --- 協議体 --------------------------------------------------------------------------------


@require_http_methods(GET_POST)
def council_edit(request: HttpRequest, code: str) -> HttpResponse:
    user = _keeper(request)
    here = _district(code)
    council = Council.objects.filter(district=here).first()
    initial = (
        CouncilForm.initial_of(council)
        if council
        else {"name": f"{here.name}地区 生活支援・介護予防サービス協議体"}
    )
    form = CouncilForm(request.POST or None, initial=initial)
    return form_page(
        request,
        form,
        lambda: actions.save_council(user, here, form.data_for_action(), request=request),
        template="community/council_form.html",
        context={"district": here, "council": council},
        done="協議体の情報を保存しました。",
    )


@require_http_methods(GET_POST)
def member_new(request: HttpRequest, code: str) -> HttpResponse:
    user = _keeper(request)
    council = _council_of(user, _district(code))
    form = MemberForm(request.POST or None)
    return form_page(
        request,
        form,
        lambda: actions.save_member(user, council, None, form.data_for_action(), request=request),
        template="community/member_form.html",
        context={"council": council, "member": None},
        done="委員を追加しました。",
        to=lambda _: council.get_absolute_url(),
    )


@require_http_methods(GET_POST)
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _reader(request)
    member = access.get_for_user(user, CouncilMember, pk, access.CHANGE)
    council = member.council
    form = MemberForm(request.POST or None, initial=MemberForm.initial_of(member))
    return form_page(
        request,
        form,
        lambda: actions.save_member(user, council, member, form.data_for_action(), request=request),
        template="community/member_form.html",
        context={"council": council, "member": member},
        done="委員の情報を変更しました。",
        to=lambda _: council.get_absolute_url(),
    )


def _council_of(user: Staff, here: District) -> Council:
    council = access.visible(user, Council).filter(district=here).first()
    if council is None:
        raise access.NotVisible()
    return council


@require_GET
def meeting(request: HttpRequest, pk: int) -> HttpResponse:
    user = _reader(request)
    obj = access.get_for_user(user, CouncilMeeting, pk)
    context = {
        "meeting": obj,
        "council": obj.council,
        "attendees": obj.attendees.all(),
        "activities": obj.activities.all(),
        "can_keep": access.can(user, access.CHANGE, obj),
    }
    return render(request, "community/meeting.html", context)


@require_http_methods(GET_POST)
def meeting_new(request: HttpRequest, code: str) -> HttpResponse:
    user = _keeper(request)
    council = _council_of(user, _district(code))
    form = MeetingForm(request.POST or None, council=council)
    return form_page(
        request,
        form,
        lambda: actions.save_meeting(user, council, None, form.data_for_action(), request=request),
        template="community/meeting_form.html",
        context={"council": council, "meeting": None},
        done="協議体の会議を記録しました。",
    )


@require_http_methods(GET_POST)
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _reader(request)
    obj = access.get_for_user(user, CouncilMeeting, pk, access.CHANGE)
    form = MeetingForm(
        request.POST or None, council=obj.council, initial=MeetingForm.initial_of(obj)
    )
    return form_page(
        request,
        form,
        lambda: actions.save_meeting(
            user, obj.council, obj, form.data_for_action(), request=request
        ),
        template="community/meeting_form.html",
        context={"council": obj.council, "meeting": obj},
        done="協議体の会議の記録を変更しました。",
    )


# --- 地域の取組 --------------------------------------------------------------------------


@require_GET
def activities(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    fy, year = _year(request)
    in_fy = figures.ran_in(fy)
    rows = (
        access.visible(user, Activity)
        .select_related("district", "place")
        .annotate(ran=Count("sessions", filter=in_fy))
        .order_by("district__order", "-active", "started_on", "pk")
    )
    totals = figures.activity_totals(fy)
    context = {
        **year,
        "rows": [(a, totals.get(a.pk)) for a in rows],
        "can_keep": access.can_create(user, Activity),
    }
    return render(request, "community/activity_list.html", context)


@require_GET
def activity(request: HttpRequest, pk: int) -> HttpResponse:
    user = _reader(request)
    obj = access.get_for_user(user, Activity, pk)
    context = {
        "activity": obj,
        "years": [
            {**row, "label": fiscal_year_label(row["fy"])} for row in figures.activity_years(obj.pk)
        ],
        "sessions": obj.sessions.all()[:20],
        "can_keep": access.can(user, access.CHANGE, obj),
        "this_fy": fiscal_year(timezone.localdate()),
    }
    return render(request, "community/activity.html", context)


@require_http_methods(GET_POST)
def activity_new(request: HttpRequest) -> HttpResponse:
    user = _keeper(request)
    initial: dict[str, Any] = {"active": True}
    if request.GET.get("district"):
        initial["district"] = District.objects.filter(code=request.GET["district"]).first()
    form = ActivityForm(request.POST or None, initial=initial)
    return form_page(
        request,
        form,
        lambda: actions.save_activity(user, None, form.data_for_action(), request=request),
        template="community/activity_form.html",
        context={"activity": None},
        done="地域の取組を登録しました。",
    )


@require_http_methods(GET_POST)
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _reader(request)
    obj = access.get_for_user(user, Activity, pk, access.CHANGE)
    form = ActivityForm(request.POST or None, initial=ActivityForm.initial_of(obj))
    return form_page(
        request,
        form,
        lambda: actions.save_activity(user, obj, form.data_for_action(), request=request),
        template="community/activity_form.html",
        context={"activity": obj},
        done="地域の取組を変更しました。",
    )


@require_http_methods(GET_POST)
def session_new(request: HttpRequest, pk: int) -> HttpResponse:
    user = _reader(request)
    obj = access.get_for_user(user, Activity, pk, access.CHANGE)
    form = SessionForm(request.POST or None)
    return form_page(
        request,
        form,
        lambda: actions.record_session(user, obj, form.data_for_action(), request=request),
        template="community/session_form.html",
        context={"activity": obj},
        done="実施記録を追加しました。",
        to=lambda _: obj.get_absolute_url(),
    )


# --- 催し (つながりフォーラム) -----------------------------------------------------------


@require_GET
def events(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    rows = access.visible(user, Event).annotate(
        group_count=Count("groups", distinct=True),
        panels=Count("groups", filter=Q(groups__panel=True), distinct=True),
    )
    context = {"events": rows, "can_keep": access.can_create(user, Event)}
    return render(request, "community/event_list.html", context)


def _event_context(obj: Event) -> dict[str, Any]:
    groups = list(obj.groups.select_related("district"))
    return {
        "event": obj,
        "programme": obj.programme.select_related("district"),
        "groups": groups,
        "panels": [g for g in groups if g.panel],
        "headcount": sum(g.headcount for g in groups),
    }


@require_GET
def event(request: HttpRequest, pk: int) -> HttpResponse:
    user = _reader(request)
    obj = access.get_for_user(user, Event, pk)
    context = _event_context(obj) | {"can_keep": access.can(user, access.CHANGE, obj)}
    return render(request, "community/event.html", context)


@require_http_methods(GET_POST)
def event_new(request: HttpRequest) -> HttpResponse:
    user = _keeper(request)
    form = EventForm(request.POST or None, initial={"kind": Event.Kind.FORUM})
    return form_page(
        request,
        form,
        lambda: actions.save_event(user, None, form.data_for_action(), request=request),
        template="community/event_form.html",
        context={"event": None},
        done="催しを登録しました。",
    )


@require_http_methods(GET_POST)
def event_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _reader(request)
    obj = access.get_for_user(user, Event, pk, access.CHANGE)
    form = EventForm(request.POST or None, initial=EventForm.initial_of(obj))
    return form_page(
        request,
        form,
        lambda: actions.save_event(user, obj, form.data_for_action(), request=request),
        template="community/event_form.html",
        context={"event": obj},
        done="催しを変更しました。",
    )


@require_http_methods(GET_POST)
def programme_new(request: HttpRequest, pk: int) -> HttpResponse:
    user = _reader(request)
    obj = access.get_for_user(user, Event, pk, access.CHANGE)
    form = ProgrammeForm(request.POST or None)
    return form_page(
        request,
        form,
        lambda: actions.add_programme_item(user, obj, form.data_for_action(), request=request),
        template="community/programme_form.html",
        context={"event": obj},
        done="プログラムに追加しました。",
        to=lambda item: obj.get_absolute_url(),
    )


@require_http_methods(GET_POST)
def group_new(request: HttpRequest, pk: int) -> HttpResponse:
    user = _reader(request)
    obj = access.get_for_user(user, Event, pk, access.CHANGE)
    form = GroupForm(request.POST or None)
    return form_page(
        request,
        form,
        lambda: actions.register_group(user, obj, form.data_for_action(), request=request),
        template="community/group_form.html",
        context={"event": obj},
        done="参加団体を登録しました。",
        to=lambda group: obj.get_absolute_url(),
    )


@require_GET
def programme_print(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The programme on A4: the page prints from the browser, the PDF is the same HTML."""
    user = _reader(request)
    obj = access.get_for_user(user, Event, pk)
    record(Action.PRINT, request=request, obj=obj, detail={"format": fmt, "document": "programme"})
    context = _event_context(obj) | {"printed_at": timezone.now()}
    template = "community/programme_print.html"
    if fmt == "html":
        return render(request, template, context)
    html = render_to_string(template, context, request=request)
    return pdf_response(html, f"programme-{obj.pk}.pdf")


# --- 業務紹介 (the agency network) -------------------------------------------------------


@require_GET
def agencies(request: HttpRequest) -> HttpResponse:
    _reader(request)
    rows = network.listed()
    groups = network.by_field(rows)
    plenary = [a for a in rows if a.attends_plenary]
    context = {"groups": groups, "plenary": plenary, "count": len(rows)}
    return render(request, "community/agencies.html", context)
