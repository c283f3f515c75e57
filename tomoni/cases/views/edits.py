"""The small forms of the case page: stage moves, 終結・中断, 再開, the team, 課題, the
tendency judgements, 関係機関との連携 and 支援経過記録. Each is posted from the case page and
shown alone (keeping what was typed) when it has errors."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_POST

from tomoni import access
from tomoni.notes import actions as note_actions
from tomoni.web.viewutils import post_action, staff_of

from .. import actions
from ..forms import (
    CaseNoteForm,
    CloseForm,
    ConcernForm,
    CooperationForm,
    MoveForm,
    ReopenForm,
    TeamForm,
    TendencyForm,
    active_agencies,
)
from ..models import Case, CaseConcern, TeamMember
from .base import GET_POST, case_form, changeable


@require_http_methods(GET_POST)
def move(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    chosen = actions.MOVES.get(name)
    if chosen is None:
        raise Http404
    case = changeable(request, pk)
    form = MoveForm(request.POST or None, initial={"version": case.version})

    def run() -> str:
        data = form.cleaned_data
        moved = actions.move_case(
            staff_of(request),
            case,
            name,
            note=data["note"],
            version=data["version"],
            request=request,
        )
        return f"段階を「{moved.get_stage_display()}」にしました（{chosen.label}）。"

    return case_form(request, case, form, run, heading=chosen.label, submit=chosen.label)


@require_http_methods(GET_POST)
def close(request: HttpRequest, pk: int) -> HttpResponse:
    case = changeable(request, pk)
    form = CloseForm(request.POST or None, agencies=active_agencies())

    def run() -> str:
        closure = actions.close_case(staff_of(request), case, request=request, **form.cleaned_data)
        return f"ケースを{closure.get_kind_display()}しました。"

    return case_form(request, case, form, run, heading="終結・中断", submit="記録する")


@require_http_methods(GET_POST)
def reopen(request: HttpRequest, pk: int) -> HttpResponse:
    case = changeable(request, pk)
    form = ReopenForm(request.POST or None)

    def run() -> str:
        reason = form.cleaned_data["reason"]
        actions.reopen_case(staff_of(request), case, reason=reason, request=request)
        return "ケースを再開しました（アセスメントの段階）。"

    return case_form(request, case, form, run, heading="ケースを再開", submit="再開する")


@require_http_methods(GET_POST)
def team_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = changeable(request, pk)
    form = TeamForm(request.POST or None, agencies=active_agencies())

    def run() -> str:
        data = form.cleaned_data
        member = actions.add_team_member(
            staff_of(request),
            case,
            data["agency"],
            role=data["role"],
            contact=data["contact"],
            start_on=data["start_on"],
            request=request,
        )
        return f"{member.agency.name} をチームに加えました。"

    heading = "チームに機関を加える"
    return case_form(request, case, form, run, heading=heading, submit="加える", anchor="team")


@require_POST
def team_end(request: HttpRequest, pk: int, member: int) -> HttpResponse:
    case = access.get_for_user(request.user, Case, pk, access.CHANGE)
    item = access.visible(request.user, TeamMember).filter(case=case, pk=member).first()
    if item is None:
        raise access.NotVisible("cases.TeamMember", member)
    return post_action(
        request,
        lambda: actions.end_team_member(staff_of(request), item, request=request),
        done=f"{item.agency.name} のチーム参加を終了しました。",
        to=f"{case.get_absolute_url()}#team",
    )


@require_http_methods(GET_POST)
def concern_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = changeable(request, pk)
    members = access.members(request.user, case, check=False)
    form = ConcernForm(request.POST or None, members=members, agencies=active_agencies())

    def run() -> str:
        item = actions.set_concern(staff_of(request), case, request=request, **form.cleaned_data)
        return f"{item.person.full_name} さんの課題「{item.concern.name}」を記録しました。"

    return case_form(
        request, case, form, run, heading="課題を記録", submit="記録する", anchor="concerns"
    )


@require_POST
def concern_remove(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    case = access.get_for_user(request.user, Case, pk, access.CHANGE)
    found = access.visible(request.user, CaseConcern).filter(case=case, pk=item).first()
    if found is None:
        raise access.NotVisible("cases.CaseConcern", item)
    return post_action(
        request,
        lambda: actions.remove_concern(staff_of(request), found, request=request),
        done="課題を削除しました。",
        to=f"{case.get_absolute_url()}#concerns",
    )


@require_POST
def tendency(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    case = access.get_for_user(request.user, Case, pk, access.CHANGE)
    form = TendencyForm(request.POST)
    if not form.is_valid():
        messages.error(request, "判断を選んでください。")
        return redirect(f"{case.get_absolute_url()}#tendencies")
    return post_action(
        request,
        lambda: actions.set_tendency_override(
            staff_of(request), case, number, form.as_override(), request=request
        ),
        done="支援傾向の判断を記録しました。",
        to=f"{case.get_absolute_url()}#tendencies",
    )


@require_http_methods(GET_POST)
def cooperation_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = access.read(request, Case, pk, access.NOTE)  # kept like notes (access/policy.py)
    form = CooperationForm(request.POST or None, agencies=active_agencies())

    def run() -> str:
        done = actions.record_cooperation(
            staff_of(request), case, request=request, **form.cleaned_data
        )
        return f"{done.agency.name}との連携（{done.get_kind_display()}）を記録しました。"

    return case_form(
        request,
        case,
        form,
        run,
        heading="関係機関との連携を記録",
        submit="記録する",
        anchor="cooperation",
    )


@require_http_methods(GET_POST)
def note_new(request: HttpRequest, pk: int) -> HttpResponse:
    case = access.read(request, Case, pk, access.NOTE)
    form = CaseNoteForm(request.POST or None)

    def run() -> str:
        note_actions.add_note(staff_of(request), case, request=request, **form.cleaned_data)
        return "支援経過記録を追加しました。"

    return case_form(
        request,
        case,
        form,
        run,
        heading="支援経過記録を追加",
        submit="記録を追加",
        anchor="timeline",
    )
