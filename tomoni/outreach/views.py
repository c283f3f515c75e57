"""アウトリーチ: the engagement list (担当 / すべて / 接触が途絶えている), opening an engagement
from a household, the engagement page with its rhythm of contacts, the phone form for a visit,
stage moves and the workers.

Reads go through ``tomoni.access``; writes through ``tomoni.outreach.actions``. Outsiders get
404 for an engagement whether or not it exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from tomoni import access
from tomoni.directory.models import Role
from tomoni.lib.concurrency import ConflictError
from tomoni.lib.wareki import format_month
from tomoni.people.models import Household
from tomoni.web.viewutils import audit_page, form_page, set_hidden, staff_of

from . import actions
from .forms import TABS, ContactForm, EngagementOpenForm, MoveForm, WorkersForm, eligible_workers
from .models import FINISHED, REACHED, Contact, Engagement, EngagementStep

GET_POST = ["GET", "POST"]
PAGE_SIZE = 50
# What the engagement page names of the engagement itself, in one query.
ENGAGEMENT_RELATED = ("person", "household__district", "requested_by", "case", "created_by")
RHYTHM_MONTHS = 12


def quiet_days() -> int:
    return int(settings.TOMONI_OUTREACH_QUIET_DAYS)


def _quiet(qs: QuerySet[Engagement], today: date) -> QuerySet[Engagement]:
    """Open engagements whose last contact — or opening, when there has been none — is at
    least TOMONI_OUTREACH_QUIET_DAYS days ago."""
    since = today - timedelta(days=quiet_days())
    touched_long_ago = Q(last_contact_on__lte=since)
    never_touched = Q(last_contact_on__isnull=True, opened_on__lte=since)
    return qs.exclude(stage__in=FINISHED).filter(touched_long_ago | never_touched)


@dataclass(frozen=True)
class Row:
    engagement: Engagement
    days: int
    quiet: bool


def _row(engagement: Engagement, today: date) -> Row:
    days = actions.days_since_contact(engagement, today)
    return Row(engagement, days, not engagement.is_finished and days >= quiet_days())


# --- the list --------------------------------------------------------------------------------


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    user = staff_of(request)
    tab = request.GET.get("tab") or ("mine" if user.role == Role.OUTREACH else "all")
    if tab not in dict(TABS):
        tab = "all"
    today = timezone.localdate()
    qs = access.visible(user, Engagement)
    if tab == "mine":
        qs = qs.filter(workers=user)
    elif tab == "quiet":
        qs = _quiet(qs, today)
    qs = qs.select_related("person", "household__district").prefetch_related("workers")
    if tab == "quiet":  # the longest silence first
        qs = qs.order_by(Coalesce(F("last_contact_on"), F("opened_on")).asc(), "pk")
    else:
        qs = qs.order_by("-opened_on", "-pk")
    page: Page[Engagement] = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    audit_page(request, "outreach.engagement", page)
    context = {
        "tab": tab,
        "tabs": TABS,
        "page_obj": page,
        "rows": [_row(e, today) for e in page.object_list],
        "quiet_days": quiet_days(),
        "can_create": access.can_create(user, Engagement),
    }
    return render(request, "outreach/engagement_list.html", context)


# --- opening ---------------------------------------------------------------------------------


@require_http_methods(GET_POST)
def new(request: HttpRequest) -> HttpResponse:
    user = staff_of(request)
    access.require_create(user, Engagement)
    if "household" not in request.GET:
        raise Http404("世帯を選んでからアウトリーチを開始してください。")
    household = access.read(request, Household, request.GET["household"])
    members = access.members(user, household, check=False)
    form = EngagementOpenForm(request.POST or None, members=members, staff=eligible_workers())
    if request.method == "GET":
        form.initial.setdefault("workers", [str(user.pk)])

    def run() -> tuple[Engagement, bool]:
        data = form.cleaned_data
        engagement = actions.open_engagement(
            user,
            household=household,
            person=data["person"],
            reason=data["reason"],
            workers=data["workers"],
            request_text=data["request_text"],
            opened_on=data["opened_on"],
            request=request,
        )
        return engagement, access.can(user, access.VIEW, engagement)

    return form_page(
        request,
        form,
        run,
        template="outreach/engagement_form.html",
        context={"household": household},
        done=lambda opened: (
            f"アウトリーチ {opened[0].code} を開始しました。"
            if opened[1]
            else f"アウトリーチ {opened[0].code} を開始しました（担当支援員に引き継ぎました）。"
        ),
        # To the engagement, or (handed to workers the user is not among) the household.
        to=lambda opened: opened[0] if opened[1] else household,
    )


# --- the engagement page ---------------------------------------------------------------------


@dataclass(frozen=True)
class Month:
    start: date
    attempts: int
    reached: int

    @property
    def label(self) -> str:
        return format_month(self.start)


def _months_back(today: date, count: int) -> list[date]:
    first = today.replace(day=1)
    months = []
    year, month = first.year, first.month
    for _ in range(count):
        months.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return list(reversed(months))


def rhythm(contacts: list[Contact], today: date, count: int = RHYTHM_MONTHS) -> list[Month]:
    """Attempts and reached contacts per month, for the last ``count`` months (oldest first)."""
    starts = _months_back(today, count)
    attempts = dict.fromkeys(starts, 0)
    reached = dict.fromkeys(starts, 0)
    for c in contacts:
        key = c.on.replace(day=1)
        if key in attempts:
            attempts[key] += 1
            if c.outcome in REACHED:
                reached[key] += 1
    return [Month(s, attempts[s], reached[s]) for s in starts]


@require_GET
def engagement(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_of(request)
    obj = access.read(
        request,
        Engagement,
        pk,
        queryset=Engagement.objects.select_related(*ENGAGEMENT_RELATED).prefetch_related("workers"),
    )
    today = timezone.localdate()
    contacts = list(access.visible(user, Contact).filter(engagement=obj).select_related("by"))
    steps = list(access.visible(user, EngagementStep).filter(engagement=obj).select_related("by"))
    can_change = access.can(user, access.CHANGE, obj)
    person = obj.person
    months = rhythm(contacts, today)
    context: dict[str, Any] = {
        "engagement": obj,
        "person": person,
        "age": person.age() if person is not None else None,
        "household": obj.household,
        "workers": list(obj.workers.all()),
        "contacts": contacts,
        "steps": steps,
        "months": months,
        "months_newest_first": months[::-1],  # a phone lists them down the screen
        "reached_values": sorted(REACHED),
        "row": _row(obj, today),
        "quiet_days": quiet_days(),
        "case_visible": obj.case is not None and access.can(user, access.VIEW, obj.case),
        "can_change": can_change,
        "is_coordinator": user.role == Role.COORDINATOR,
    }
    if can_change:
        context["moves"] = [
            (name, move, MoveForm(initial={"version": obj.version}))
            for name, move in actions.available_moves(obj)
        ]
    return render(request, "outreach/engagement.html", context)


def _changeable(request: HttpRequest, pk: int) -> Engagement:
    return access.read(request, Engagement, pk, access.CHANGE)


def _page(engagement: Engagement, *, heading: str, submit: str) -> dict[str, Any]:
    """The context of a small form of the engagement page shown alone."""
    return {"engagement": engagement, "heading": heading, "submit": submit}


# --- the phone form --------------------------------------------------------------------------


@require_http_methods(GET_POST)
def contact(request: HttpRequest, pk: int) -> HttpResponse:
    # The form names whom the visit is for, as the engagement page does: its person.
    obj = access.read(
        request,
        Engagement,
        pk,
        access.CHANGE,
        queryset=Engagement.objects.select_related("person", "household"),
    )
    form = ContactForm(request.POST or None)

    def run() -> None:
        data = form.cleaned_data
        actions.record_contact(
            staff_of(request),
            obj,
            on=data["on"],
            method=data["method"],
            outcome=data["outcome"],
            accompaniment=data["accompaniment"],
            note=data["note"],
            request=request,
        )

    return form_page(
        request,
        form,
        run,
        template="outreach/contact_form.html",
        context={"engagement": obj},
        done="接触を記録しました。",
        to=f"{obj.get_absolute_url()}#contacts",
    )


# --- stage moves and workers -----------------------------------------------------------------


@require_http_methods(GET_POST)
def move(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    chosen = actions.MOVES.get(name)
    if chosen is None:
        raise Http404
    obj = _changeable(request, pk)
    form = MoveForm(request.POST or None, initial={"version": obj.version})

    def refused(error: ValidationError) -> None:
        if isinstance(error, ConflictError):
            # Nothing changed; the form now stands on the newest version, so sending it again
            # (after reading the page) is a deliberate move of that newer state.
            current = access.get_for_user(request.user, Engagement, obj.pk)
            set_hidden(form, "version", current.version)

    return form_page(
        request,
        form,
        lambda: actions.move_engagement(
            staff_of(request),
            obj,
            name,
            note=form.cleaned_data["note"],
            version=form.cleaned_data["version"],
            request=request,
        ),
        template="outreach/form_page.html",
        context=_page(obj, heading=chosen.label, submit=chosen.label),
        done=lambda moved: f"段階を「{moved.get_stage_display()}」にしました（{chosen.label}）。",
        to=f"{obj.get_absolute_url()}#stage",
        refused=refused,
    )


@require_http_methods(GET_POST)
def workers(request: HttpRequest, pk: int) -> HttpResponse:
    obj = _changeable(request, pk)
    user = staff_of(request)
    if user.role != Role.COORDINATOR:
        raise PermissionDenied("担当の変更はコーディネーターが行います。")
    current = [str(w.pk) for w in obj.workers.all()]
    form = WorkersForm(request.POST or None, staff=eligible_workers(), initial={"workers": current})
    return form_page(
        request,
        form,
        lambda: actions.assign_workers(user, obj, form.cleaned_data["workers"], request=request),
        template="outreach/form_page.html",
        context=_page(obj, heading="担当支援員の変更", submit="変更する"),
        done="担当支援員を変更しました。",
        to=obj,
    )
