"""参加支援プラン: the plan list, writing a plan (from a person, a case or an engagement), the
plan page with the suggested places, and the small forms of a match (体験, 定着, 見送り,
フォロー); and the host side's page of a place (受け入れ先への連絡).

Reads go through ``tomoni.access``; writes through ``tomoni.participation.actions``. The
community coordinator runs plans and matches but never reads case notes: the plan shows the
person's name through the plan, and links to a case or engagement only for those who may open
them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tomoni import access
from tomoni.access.members import as_member, household_of
from tomoni.cases.models import Case
from tomoni.outreach.models import Engagement
from tomoni.people.models import Household, Person
from tomoni.web.viewutils import audit_list, audit_page, form_page, post_action, staff_of

from . import actions, matching
from .forms_plans import (
    DropForm,
    EditPlanForm,
    FollowUpForm,
    NewPlanForm,
    SettleForm,
    TrialForm,
    eligible_workers,
)
from .models import WEEKDAYS, FollowUp, Match, ParticipationPlan, Place, Trial

GET_POST = ["GET", "POST"]
PAGE_SIZE = 50
SUGGESTIONS = 10
PLAN_RELATED = ("person", "district__area", "worker__agency", "case", "engagement")


def _url_or_blank(obj: Model | None) -> str:
    """A link where the target app has its pages (some are built separately)."""
    if obj is None:
        return ""
    try:
        return str(obj.get_absolute_url())  # type: ignore[attr-defined]
    except (NoReverseMatch, AttributeError):
        return ""


# --- the list --------------------------------------------------------------------------------


@require_GET
def plans(request: HttpRequest) -> HttpResponse:
    user = staff_of(request)
    tab = request.GET.get("tab", "mine")
    if tab not in ("mine", "all"):
        tab = "mine"
    qs = access.visible(user, ParticipationPlan)
    if tab == "mine":
        qs = qs.filter(worker=user)
    qs = qs.select_related("person", "worker").order_by("-created_at", "-pk")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    # The current match state of each plan on the page: the newest pick, one query.
    newest: dict[int, Match] = {}
    matches = access.visible(user, Match).filter(plan__in=[p.pk for p in page.object_list])
    for match in matches.select_related("place").order_by("plan", "-picked_at", "-pk"):
        newest.setdefault(match.plan_id, match)
    rows = [(plan, newest.get(plan.pk)) for plan in page.object_list]
    audit_page(request, "participation.participationplan", page)
    context = {
        "tab": tab,
        "tabs": [("mine", "担当しているプラン"), ("all", "すべて")],
        "page_obj": page,
        "rows": rows,
        "can_create": access.can_create(user, ParticipationPlan),
    }
    return render(request, "participation/plan_list.html", context)


# --- a new plan ----------------------------------------------------------------------------


def _origin(
    request: HttpRequest,
) -> tuple[Model, list[access.Member], Person | None, Household | None]:
    """Where the plan comes from (?person=, ?case=, ?engagement=), checked as the action will
    check it: a record the user may not see is a 404. The members offered are those the
    origin shows (access.members)."""
    params = request.GET
    user = request.user
    if "case" in params:
        case = access.read(request, Case, params["case"])
        return case, access.members(user, case, check=False), case.person, case.household
    if "engagement" in params:
        engagement = access.read(request, Engagement, params["engagement"])
        members = access.members(user, engagement, check=False)
        return engagement, members, engagement.person, engagement.household
    if "person" in params:
        person = access.read(request, Person, params["person"])
        return person, [as_member(user, person)], person, household_of(person)
    raise Http404("本人・ケース・アウトリーチのいずれかから参加支援プランを作成してください。")


@require_http_methods(GET_POST)
def plan_new(request: HttpRequest) -> HttpResponse:
    user = staff_of(request)
    access.require_create(user, ParticipationPlan)
    origin, members, person, household = _origin(request)
    workers = eligible_workers()
    initial: dict[str, Any] = {
        "person": person.pk if person else "",
        "worker": user.pk if user in workers else "",
        "district": household.district_id if household else None,
    }
    form = NewPlanForm(request.POST or None, members=members, workers=workers, initial=initial)

    def run() -> tuple[ParticipationPlan, bool]:
        plan = actions.create_plan(
            user,
            form.cleaned_data["person"],
            form.plan_data(),
            case=origin if isinstance(origin, Case) else None,
            engagement=origin if isinstance(origin, Engagement) else None,
            worker=form.cleaned_data["worker"],
            request=request,
        )
        return plan, access.can(user, access.VIEW, plan)

    return form_page(
        request,
        form,
        run,
        template="participation/plan_form.html",
        context={"origin": origin, "origin_url": _url_or_blank(origin)},
        done=lambda made: (
            f"参加支援プラン {made[0].code} を作成しました。"
            if made[1]
            else f"参加支援プラン {made[0].code} を作成しました（担当: {made[0].worker}）。"
        ),
        # To the plan, or (handed to a worker elsewhere) back where it was made.
        to=lambda made: (
            made[0] if made[1] else _url_or_blank(origin) or reverse("participation:plans")
        ),
    )


# --- the plan page -------------------------------------------------------------------------


def _plan(request: HttpRequest, pk: int) -> ParticipationPlan:
    return access.read(
        request,
        ParticipationPlan,
        pk,
        queryset=ParticipationPlan.objects.select_related(*PLAN_RELATED),
    )


@require_GET
def plan(request: HttpRequest, pk: int) -> HttpResponse:
    obj = _plan(request, pk)
    return render(request, "participation/plan.html", _plan_context(request, obj))


def _plan_context(request: HttpRequest, plan: ParticipationPlan) -> dict[str, Any]:
    user = staff_of(request)
    can_change = access.can(user, access.CHANGE, plan)
    is_open = plan.status != ParticipationPlan.Status.ENDED
    matches = list(
        access.visible(user, Match)
        .filter(plan=plan)
        .select_related("place__district")
        .order_by("-picked_at", "-pk")
    )
    trials: dict[int, list[Trial]] = defaultdict(list)
    for trial in access.visible(user, Trial).filter(match__plan=plan).select_related("by"):
        trials[trial.match_id].append(trial)
    follow_ups: dict[int, list[FollowUp]] = defaultdict(list)
    for item in access.visible(user, FollowUp).filter(match__plan=plan).select_related("by"):
        follow_ups[item.match_id].append(item)
    suggestions: list[matching.Ranked] = []
    if can_change and is_open:
        picked = {m.place_id for m in matches}
        places = (
            access.visible(user, Place).filter(active=True).exclude(pk__in=picked)
        ).select_related("district")
        suggestions = matching.rank(plan, places)[:SUGGESTIONS]
    return {
        "plan": plan,
        "can_change": can_change,
        "is_open": is_open,
        "case_url": _url_or_blank(plan.case)
        if plan.case is not None and access.can(user, access.VIEW, plan.case)
        else "",
        "engagement_url": _url_or_blank(plan.engagement)
        if plan.engagement is not None and access.can(user, access.VIEW, plan.engagement)
        else "",
        "matches": [
            (m, _url_or_blank(m.place), trials[m.pk], follow_ups[m.pk], _forms(m)) for m in matches
        ],
        "suggestions": [(r, _url_or_blank(r.place)) for r in suggestions],
        "days": "・".join(WEEKDAYS[d] for d in sorted(plan.days) if 0 <= d <= 6),
    }


def _forms(match: Match) -> dict[str, Any]:
    """The empty forms of one match row (ids unique on the page)."""
    auto_id = f"id_m{match.pk}_%s"
    return {
        "trial": TrialForm(auto_id=auto_id),
        "settle": SettleForm(auto_id=auto_id),
        "drop": DropForm(auto_id=auto_id),
        "follow_up": FollowUpForm(auto_id=auto_id),
    }


@require_http_methods(GET_POST)
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = access.read(request, ParticipationPlan, pk, access.CHANGE)
    form = EditPlanForm(request.POST or None, initial=EditPlanForm.initial_from(plan))
    return form_page(
        request,
        form,
        lambda: actions.update_plan(
            staff_of(request),
            plan,
            form.plan_data(),
            version=form.cleaned_data["version"],
            request=request,
        ),
        template="participation/plan_edit.html",
        context={"plan": plan},
        done="参加支援プランを更新しました。",
        to=plan,
    )


@require_POST
def plan_end(request: HttpRequest, pk: int) -> HttpResponse:
    plan = access.get_for_user(request.user, ParticipationPlan, pk, access.CHANGE)
    return post_action(
        request,
        lambda: actions.end_plan(staff_of(request), plan, request=request),
        done="参加支援プランを終了しました。",
        to=plan,
    )


@require_POST
def plan_pick(request: HttpRequest, pk: int) -> HttpResponse:
    plan = access.get_for_user(request.user, ParticipationPlan, pk, access.CHANGE)
    place = access.get_for_user(request.user, Place, request.POST.get("place"))
    return post_action(
        request,
        lambda: actions.pick_place(staff_of(request), plan, place, request=request),
        done=f"{place.name} を候補にしました。",
        to=f"{plan.get_absolute_url()}#matches",
    )


# --- the small forms of a match --------------------------------------------------------------


def _match_page(
    request: HttpRequest,
    match: Match,
    form: Any,
    run: Callable[[], str],
    *,
    heading: str,
    submit: str,
) -> HttpResponse:
    """A small form of a match (``run`` returns what it did): posted from the plan page; shown
    alone (keeping what was typed) when it has errors, or when opened directly."""
    return form_page(
        request,
        form,
        run,
        template="participation/match_form.html",
        context={"match": match, "plan": match.plan, "heading": heading, "submit": submit},
        done=lambda message: message,
        to=f"{match.plan.get_absolute_url()}#match-{match.pk}",
    )


def _match(request: HttpRequest, pk: int) -> Match:
    return access.read(request, Match, pk, access.CHANGE)


@require_http_methods(GET_POST)
def match_trial(request: HttpRequest, pk: int) -> HttpResponse:
    match = _match(request, pk)
    form = TrialForm(request.POST or None)

    def run() -> str:
        actions.record_trial(staff_of(request), match, request=request, **form.cleaned_data)
        return f"{match.place.name} の体験を記録しました。"

    return _match_page(request, match, form, run, heading="体験を記録", submit="記録する")


@require_http_methods(GET_POST)
def match_settle(request: HttpRequest, pk: int) -> HttpResponse:
    match = _match(request, pk)
    form = SettleForm(request.POST or None)

    def run() -> str:
        actions.settle(staff_of(request), match, on=form.cleaned_data["on"], request=request)
        return f"{match.place.name} への参加を定着として記録しました。"

    return _match_page(request, match, form, run, heading="定着を記録", submit="定着にする")


@require_http_methods(GET_POST)
def match_drop(request: HttpRequest, pk: int) -> HttpResponse:
    match = _match(request, pk)
    form = DropForm(request.POST or None)

    def run() -> str:
        reason = form.cleaned_data["reason"]
        actions.drop_match(staff_of(request), match, reason=reason, request=request)
        return f"{match.place.name} を見送りました。"

    return _match_page(request, match, form, run, heading="候補を見送る", submit="見送る")


@require_http_methods(GET_POST)
def match_follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    match = _match(request, pk)
    form = FollowUpForm(request.POST or None)

    def run() -> str:
        item = actions.add_follow_up(staff_of(request), match, request=request, **form.cleaned_data)
        return f"{item.get_kind_display()}を記録しました。"

    return _match_page(request, match, form, run, heading="フォローを記録", submit="記録する")


# --- the host side of a place ----------------------------------------------------------------


@require_http_methods(GET_POST)
def place_participants(request: HttpRequest, place_pk: int) -> HttpResponse:
    """受け入れ先への連絡: the matches at this place the user may see, with the contacts
    with the host; and a form to add one to a match the user runs."""
    user = staff_of(request)
    place = access.get_for_user(user, Place, place_pk)
    runnable = {
        m.pk: m
        for m in access.for_action(user, Match, access.CHANGE)
        .exclude(plan__status=ParticipationPlan.Status.ENDED)
        .filter(place=place)
        .select_related("plan__person")
    }
    form = FollowUpForm(request.POST or None, kind=FollowUp.Kind.HOST)
    key = request.POST.get("match", "")
    chosen = runnable.get(int(key)) if key.isdigit() else None
    if request.method == "POST" and chosen is None:
        form.add_error(None, "連絡を記録する参加者を選んでください。")

    def run() -> FollowUp:
        assert chosen is not None  # the form is invalid without it
        return actions.add_follow_up(user, chosen, request=request, **form.cleaned_data)

    def page(form: FollowUpForm) -> HttpResponse:
        context = {"runnable": list(runnable.values()), "chosen": chosen.pk if chosen else None}
        return _host_page(request, place, form, context)

    return form_page(
        request,
        form,
        run,
        page=page,
        done="受け入れ先への連絡を記録しました。",
        to=reverse("participation:place_participants", kwargs={"place_pk": place.pk}),
    )


def _host_page(
    request: HttpRequest, place: Place, form: FollowUpForm, context: dict[str, Any]
) -> HttpResponse:
    """The matches at the place the user may see, each with its contacts with the host."""
    user = staff_of(request)
    matches = list(
        access.visible(user, Match)
        .filter(place=place)
        .select_related("plan__person", "plan__worker")
        .order_by("-picked_at", "-pk")
    )
    host_items: dict[int, list[FollowUp]] = defaultdict(list)
    for item in (
        access.visible(user, FollowUp)
        .filter(match__place=place, kind=FollowUp.Kind.HOST)
        .select_related("by")
    ):
        host_items[item.match_id].append(item)
    audit_list(request, "participation.match", [m.pk for m in matches])
    context = {
        "place": place,
        "place_url": _url_or_blank(place),
        "rows": [(m, host_items[m.pk]) for m in matches],
        **context,
        "form": form,
    }
    return render(request, "participation/match_host.html", context)
