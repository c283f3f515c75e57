"""多機関協働: the case list, opening a case, the case page with its small forms, the
assessment, plan versions, 評価 and the task lists.

Reads go through ``tomoni.access``; writes through ``tomoni.cases.actions`` and
``tomoni.notes.actions``. Outsiders get 404 for a case whether or not it exists; those who
may see a case but not change it get 403 from its edit views.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tomoni import access
from tomoni.access.relations import few_candidates
from tomoni.attachments.context import attachments_of
from tomoni.audit.log import Action, record
from tomoni.directory.models import Role, Staff
from tomoni.fulltext.api import is_short, matching_ids
from tomoni.fulltext.snippets import highlight
from tomoni.intake.actions import ConflictError
from tomoni.intake.models import Consultation, Referral
from tomoni.lib.wareki import format_date
from tomoni.meetings.models import Decision, Meeting
from tomoni.notes import actions as note_actions
from tomoni.notes.models import Note, Visibility
from tomoni.people.models import Consent, Household
from tomoni.web.viewutils import add_form_errors, staff_of

from . import actions
from . import consent as case_consent
from .forms import (
    AssessmentForm,
    CaseFilterForm,
    CaseNoteForm,
    CaseOpenForm,
    CloseForm,
    ConcernForm,
    ConsentForm,
    MoveForm,
    PlanForm,
    ReopenForm,
    ReviewForm,
    TeamForm,
    TendencyForm,
    WithdrawConsentForm,
    active_agencies,
    assessment_rows,
)
from .models import (
    ENDED,
    Assessment,
    Case,
    CaseConcern,
    Plan,
    Review,
    Stage,
    StageChange,
    Task,
    TeamMember,
)
from .tendencies import evaluate

GET_POST = ["GET", "POST"]
PAGE_SIZE = 50
# What the case page names of the case itself: one query instead of one per name.
CASE_RELATED = ("household__district", "person", "lead", "requested_by", "consultation__agency")


def _audit_list(
    request: HttpRequest, object_type: str, page: Page[Any], *, notes: list[int] | None = None
) -> None:
    detail: dict[str, Any] = {"ids": [obj.pk for obj in page.object_list]}
    if notes:
        detail["notes"] = notes  # 支援経過記録 quoted in the hit snippets
    record(Action.LIST, request=request, object_type=object_type, detail=detail)


# --- the list --------------------------------------------------------------------------------


def _note_snippets(user: Staff, page: Page[Any], query: str) -> list[int]:
    """Give each case on the page whose newest matching note the user may read ``snippet``:
    that note's hit, marked (one query for the page). Returns the notes quoted (audit)."""
    rows = {case.pk: case for case in page.object_list}
    page.object_list = list(rows.values())
    notes = access.visible(user, Note).filter(case_id__in=list(rows))
    notes = notes.filter(pk__in=matching_ids("notes.note", query, among=notes.values("pk")))
    quoted = []
    for pk, case_id, text in notes.order_by("-on", "-pk").values_list("pk", "case_id", "text"):
        case = rows.pop(case_id, None)
        if case is not None:
            case.snippet = highlight(text, query)
            quoted.append(pk)
    return quoted


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    user = staff_of(request)
    params = request.GET.copy()
    if "tab" not in params:
        params["tab"] = "mine" if user.role == Role.COORDINATOR else "all"
    form = CaseFilterForm(params, stages=Stage.choices)
    data = form.cleaned_data if form.is_valid() else {"tab": "all", "stage": "", "q": ""}
    qs = access.visible(user, Case)
    if data["tab"] == "mine":
        qs = qs.filter(lead=user)
    elif data["tab"] == "unassigned":
        qs = qs.filter(lead__isnull=True).exclude(stage__in=ENDED)
    if data["stage"] == "open":
        qs = qs.exclude(stage__in=ENDED)
    elif data["stage"]:
        qs = qs.filter(stage=data["stage"])
    query = data.get("q", "").strip()
    # A 1-character word has no full-text index: only the cases' own titles are searched.
    titles_only = bool(query) and is_short(query)
    if titles_only:
        qs = qs.filter(title__contains=query)
    elif query:
        # The case's own summary, or a case note the user may read (full-text, 2+ characters).
        notes = access.visible(user, Note).filter(pk__in=matching_ids("notes.note", query))
        qs = qs.filter(Q(title__contains=query) | Q(pk__in=notes.values("case_id")))
    qs = qs.select_related("household__district", "lead").order_by("-opened_on", "-pk")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    quoted = _note_snippets(user, page, query) if query and not titles_only else []
    _audit_list(request, "cases.case", page, notes=quoted)
    context = {
        "form": form,
        "tab": data["tab"],
        "tabs": CaseFilterForm.TABS,
        "page_obj": page,
        "can_take_lead": user.role == Role.COORDINATOR,
        "titles_only": titles_only,
    }
    return render(request, "cases/case_list.html", context)


@require_POST
def take_lead(request: HttpRequest, pk: int) -> HttpResponse:
    case = access.get_for_user(request.user, Case, pk, access.CHANGE)
    try:
        actions.take_lead(staff_of(request), case, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{case.code} の担当になりました。")
    return redirect(case)


# --- opening a case ------------------------------------------------------------------------


@require_http_methods(GET_POST)
def new(request: HttpRequest) -> HttpResponse:
    """ケースを開く: from a consultation (多機関協働へ) or a household (支援機関向けの相談)."""
    user = staff_of(request)
    access.require_create(user, Case)
    consultation: Consultation | None = None
    if "consultation" in request.GET:
        consultation = access.read(
            request, Consultation, request.GET["consultation"], access.CHANGE
        )
        household = consultation.household
        if household is None:
            messages.error(request, "相談に世帯が登録されていません。先に世帯を登録してください。")
            return redirect(consultation)
    elif "household" in request.GET:
        household = access.read(request, Household, request.GET["household"])
    else:
        raise Http404("相談か世帯を選んでからケースを開いてください。")
    members = access.members(user, household, check=False)
    initial: dict[str, Any] = {}
    if consultation is not None:
        initial = {
            "title": consultation.summary,
            "person": consultation.person_id,
            "request_text": consultation.text,
            "tags": list(consultation.tags.all()),
        }
    form = CaseOpenForm(request.POST or None, members=members, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            case = actions.open_case(
                user,
                household=household,
                consultation=consultation,
                **form.cleaned_data,
                request=request,
            )
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            return _opened(request, case, consultation or household)
    context = {"form": form, "household": household, "consultation": consultation}
    return render(request, "cases/case_form.html", context)


def _opened(request: HttpRequest, case: Case, came_from: Consultation | Household) -> HttpResponse:
    """To the new case, or — for a requester who may not see it until the person consents —
    back where the request was made, saying so."""
    if access.can(request.user, access.VIEW, case):
        messages.success(request, f"ケース {case.code} を開きました。")
        return redirect(case)
    messages.success(
        request,
        f"多機関協働へ依頼しました（ケース {case.code}）。コーディネーターが担当を決めます。"
        "本人同意が記録されるまで、ケースの内容は多機関協働の担当者だけが見られます。",
    )
    return redirect(came_from)


# --- the case page -------------------------------------------------------------------------


@require_GET
def case(request: HttpRequest, pk: int) -> HttpResponse:
    obj = access.read(request, Case, pk, queryset=Case.objects.select_related(*CASE_RELATED))
    return render(request, "cases/case.html", _case_context(request, obj))


def _case_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    user = staff_of(request)
    can_change = access.can(user, access.CHANGE, case)
    members = access.members(user, case, check=False)
    context: dict[str, Any] = {
        "case": case,
        "members": members,
        "household_url": case.household.get_absolute_url()
        if access.can(user, access.VIEW, case.household)
        else "",
        "concerns": list(
            access.visible(user, CaseConcern)
            .filter(case=case)
            .select_related("person", "concern", "agency")
        ),
        "team": list(
            access.visible(user, TeamMember)
            .filter(case=case)
            .select_related("agency")
            .order_by("end_on", "role", "start_on", "pk")
        ),
        "closures": list(case.closures.select_related("handoff_agency", "by")),
        "tendencies": evaluate(case),
        "plans": list(
            access.visible(user, Plan)
            .filter(case=case)
            .select_related("approved_meeting")
            .order_by("-number")
        ),
        "has_assessment": access.visible(user, Assessment).filter(case=case).exists(),
        "reviews": list(
            access.visible(user, Review).filter(case=case).select_related("plan", "by")
        ),
        "timeline": _timeline(user, case),
        "can_change": can_change,
        "can_note": not case.is_ended and access.can(user, access.NOTE, case),
        "is_coordinator": user.role == Role.COORDINATOR,
    }
    context.update(_consents(user, case, members, context["team"], can_change))
    if context["can_note"]:
        context["note_form"] = CaseNoteForm()
    context.update(attachments_of(user, case, can_attach=context["can_note"]))  # issue 19
    if can_change:
        agencies = active_agencies()
        context.update(
            moves=[
                (name, move, MoveForm(initial={"version": case.version}))
                for name, move in actions.available_moves(case)
            ],
            close_form=CloseForm(agencies=agencies),
            reopen_form=ReopenForm(),
            consent_form=ConsentForm(members=members),
            team_form=TeamForm(agencies=agencies),
            concern_form=ConcernForm(members=members, agencies=agencies),
            tendency_choices=TendencyForm.CHOICES,
        )
    return context


@dataclass(frozen=True)
class ConsentRow:
    """One member's consents on the case page: the current statement per purpose."""

    member: access.Member
    is_main: bool
    by_scope: list[Consent | None]


def _consents(
    user: Staff, case: Case, members: list[access.Member], team: list[TeamMember], can_change: bool
) -> dict[str, Any]:
    """Every current member's consent per purpose, as far as the user may read consents
    (those who may change the case: the coordinators). The team sees only the case's own
    同意あり／同意なし tag. Without the sharing consent, which team agencies cannot open it."""
    shut_out = [m.agency for m in team if m.end_on is None] if case.consent != "given" else []
    if not can_change:
        return {"consent_rows": [], "shut_out": shut_out}
    ids = [m.person_id for m in members if m.current]
    latest = case_consent.latest(access.visible(user, Consent).filter(person_id__in=ids))
    rows = [
        ConsentRow(
            member=m,
            is_main=m.person_id == case.person_id,
            by_scope=[latest.get((m.person_id, scope)) for scope in case_consent.SCOPES],
        )
        for m in members
        if m.current
    ]
    given = [c for c in latest.values() if c.status == Consent.Status.GIVEN]
    for consent in given:
        consent.person = next(
            access.record_of(m) for m in members if m.person_id == consent.person_id
        )
    return {
        "consent_rows": rows,
        "consent_scopes": Consent.Scope.choices,
        "shut_out": shut_out,
        "withdraw_form": WithdrawConsentForm(given=given) if given else None,
        "given_consents": given,
    }


@dataclass(frozen=True)
class Entry:
    """One line of the case timeline."""

    day: date
    at: datetime | None
    kind: str
    title: str
    text: str = ""
    who: str = ""
    url: str = ""
    note: str = ""

    @property
    def sort_key(self) -> tuple[date, datetime]:
        moment = self.at or timezone.make_aware(datetime.combine(self.day, time.min))
        return (self.day, moment)


def _local(moment: datetime) -> date:
    return timezone.localdate(moment)


def _timeline(user: Staff, case: Case) -> list[Entry]:
    """The household's consultations and referrals, the case's notes, stage changes,
    meetings, decisions and tasks — each source filtered by the policy for this user, so an
    item appears only if the user could open it on its own."""
    consultations = (
        access.visible(user, Consultation)
        .filter(Q(household_id=case.household_id) | Q(pk=case.consultation_id))
        .select_related("receiver", "agency")
    )
    # Which consultations, as a subquery of their keys (the referrals themselves are still
    # filtered by the policy): an OR across the join made PostgreSQL scan every consultation
    # (0.27 s at 300,000, bench/load.py).
    which = Q(consultation__in=case.household.consultations.values("pk"))
    if case.consultation is not None and case.consultation.household_id != case.household_id:
        which |= Q(consultation_id=case.consultation_id)
    referrals = (
        access.visible(user, Referral)
        .filter(which)
        .select_related("from_agency", "to_agency", "sent_by")
    )
    with few_candidates():  # a case's few notes: EXISTS per note, not every visible parent
        notes = access.visible(user, Note).filter(case=case).select_related("author", "agency")
    changes = access.visible(user, StageChange).filter(case=case).select_related("by")
    meetings = access.visible(user, Meeting).filter(agenda__case=case)
    decisions = access.visible(user, Decision).filter(case=case).select_related("meeting", "by")
    tasks = access.visible(user, Task).filter(case=case).select_related("owner_agency", "owner")
    entries = [
        *(
            Entry(
                _local(c.received_at),
                c.received_at,
                "相談受付",
                f"相談 {c.code}",
                c.summary,
                f"{c.receiver}（{c.agency.name}）",
                c.get_absolute_url(),
            )
            for c in consultations
        ),
        *(
            Entry(
                _local(r.sent_at),
                r.sent_at,
                "つなぎ",
                f"{r.from_agency.name} → {r.to_agency.name}",
                r.get_state_display(),
                str(r.sent_by),
                r.get_absolute_url(),
            )
            for r in referrals
        ),
        *(
            Entry(
                n.on,
                n.created_at,
                f"経過記録（{n.get_method_display()}）",
                "",
                n.text,
                f"{n.author}（{n.agency.name}）",
                note="自機関の職員のみ" if n.visibility == Visibility.OWN_AGENCY else "",
            )
            for n in notes
        ),
        *(
            Entry(
                _local(s.at),
                s.at,
                "段階",
                f"{s.get_from_stage_display() or '開始'} → {s.get_to_stage_display()}",
                s.note,
                str(s.by),
            )
            for s in changes
        ),
        *(
            Entry(
                _local(m.starts_at),
                m.starts_at,
                m.get_kind_display(),
                m.title,
                url=m.get_absolute_url(),
            )
            for m in meetings
        ),
        *(
            Entry(
                _local(d.meeting.starts_at),
                d.created_at,
                f"決定（{d.get_kind_display()}）",
                d.meeting.title,
                d.text,
                str(d.by),
            )
            for d in decisions
        ),
        *(
            Entry(
                _local(t.created_at),
                t.created_at,
                "作業",
                t.title,
                f"期限 {format_date(t.due_on)}" + ("・完了" if t.done_at else ""),
                t.owner_agency.name + (f"・{t.owner}" if t.owner else ""),
                t.get_absolute_url(),
            )
            for t in tasks
        ),
    ]
    return sorted(entries, key=lambda e: e.sort_key)


# --- the small forms of the case page ------------------------------------------------------


def _form_page(
    request: HttpRequest,
    case: Case,
    form: Any,
    *,
    heading: str,
    submit: str,
    run: Callable[[dict[str, Any]], str],
    anchor: str = "",
) -> HttpResponse:
    """Posted from the case page; shown alone (keeping what was typed) when it has errors,
    or when opened directly."""
    if request.method == "POST" and form.is_valid():
        try:
            message = run(form.cleaned_data)
        except ValidationError as error:  # ConflictError included: nothing was changed
            add_form_errors(form, error)
        else:
            messages.success(request, message)
            return redirect(f"{case.get_absolute_url()}#{anchor}" if anchor else case)
    context = {"case": case, "form": form, "heading": heading, "submit": submit}
    return render(request, "cases/form_page.html", context)


def _changeable(request: HttpRequest, pk: int) -> Case:
    return access.read(request, Case, pk, access.CHANGE)


@require_http_methods(GET_POST)
def move(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    chosen = actions.MOVES.get(name)
    if chosen is None:
        raise Http404
    case = _changeable(request, pk)
    form = MoveForm(request.POST or None, initial={"version": case.version})

    def run(data: dict[str, Any]) -> str:
        moved = actions.move_case(
            staff_of(request),
            case,
            name,
            note=data["note"],
            version=data["version"],
            request=request,
        )
        return f"「{chosen.label}」: {moved.get_stage_display()}にしました。"

    return _form_page(request, case, form, heading=chosen.label, submit=chosen.label, run=run)


@require_http_methods(GET_POST)
def close(request: HttpRequest, pk: int) -> HttpResponse:
    case = _changeable(request, pk)
    form = CloseForm(request.POST or None, agencies=active_agencies())

    def run(data: dict[str, Any]) -> str:
        closure = actions.close_case(staff_of(request), case, request=request, **data)
        return f"ケースを{closure.get_kind_display()}しました。"

    return _form_page(request, case, form, heading="終結・中断", submit="記録する", run=run)


@require_http_methods(GET_POST)
def reopen(request: HttpRequest, pk: int) -> HttpResponse:
    case = _changeable(request, pk)
    form = ReopenForm(request.POST or None)

    def run(data: dict[str, Any]) -> str:
        actions.reopen_case(staff_of(request), case, reason=data["reason"], request=request)
        return "ケースを再開しました（アセスメントの段階）。"

    return _form_page(request, case, form, heading="ケースを再開", submit="再開する", run=run)


@require_http_methods(GET_POST)
def consent(request: HttpRequest, pk: int) -> HttpResponse:
    case = _changeable(request, pk)
    members = access.members(staff_of(request), case, check=False)
    form = ConsentForm(request.POST or None, members=members)

    def run(data: dict[str, Any]) -> str:
        item = actions.record_consent(
            staff_of(request),
            case,
            data["person"],
            scope=data["scope"],
            status=data["status"],
            on=data["on"],
            method=data["method"],
            note=data["note"],
            request=request,
        )
        return f"{item.get_scope_display()}: {item.get_status_display()} を記録しました。"

    return _form_page(
        request,
        case,
        form,
        heading="同意を記録",
        submit="記録する",
        run=run,
        anchor="consent",
    )


@require_http_methods(GET_POST)
def consent_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """撤回: the coordinator sees, in the message, which agencies can no longer open the case."""
    case = _changeable(request, pk)
    user = staff_of(request)
    members = access.members(user, case, check=False)
    given = _consents(user, case, members, [], True)["given_consents"]
    form = WithdrawConsentForm(request.POST or None, given=given)

    def run(data: dict[str, Any]) -> str:
        lost = actions.withdraw_consent(
            user,
            case,
            data["consent"],
            on=data["on"],
            method=data["method"],
            note=data["note"],
            request=request,
        )
        message = "同意の撤回を記録しました。"
        if lost:
            names = "、".join(agency.name for agency in lost)
            message += (
                f"主な本人の情報共有の同意がなくなったため、{names} はこのケースを開けなく"
                "なりました（コーディネーターは引き続き担当します。共有が必要なときは"
                "支援会議（第106条の6）で）。"
            )
        return message

    return _form_page(
        request,
        case,
        form,
        heading="同意の撤回を記録",
        submit="撤回を記録する",
        run=run,
        anchor="consent",
    )


@require_http_methods(GET_POST)
def team_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = _changeable(request, pk)
    form = TeamForm(request.POST or None, agencies=active_agencies())

    def run(data: dict[str, Any]) -> str:
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

    return _form_page(
        request,
        case,
        form,
        heading="チームに機関を加える",
        submit="加える",
        run=run,
        anchor="team",
    )


@require_POST
def team_end(request: HttpRequest, pk: int, member: int) -> HttpResponse:
    case = access.get_for_user(request.user, Case, pk, access.CHANGE)
    item = access.visible(request.user, TeamMember).filter(case=case, pk=member).first()
    if item is None:
        raise access.NotVisible("cases.TeamMember", member)
    try:
        actions.end_team_member(staff_of(request), item, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{item.agency.name} のチーム参加を終了しました。")
    return redirect(f"{case.get_absolute_url()}#team")


@require_http_methods(GET_POST)
def concern_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = _changeable(request, pk)
    members = access.members(request.user, case, check=False)
    form = ConcernForm(request.POST or None, members=members, agencies=active_agencies())

    def run(data: dict[str, Any]) -> str:
        item = actions.set_concern(staff_of(request), case, request=request, **data)
        return f"{item.person.full_name} さんの課題「{item.concern.name}」を記録しました。"

    return _form_page(
        request, case, form, heading="課題を記録", submit="記録する", run=run, anchor="concerns"
    )


@require_POST
def concern_remove(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    case = access.get_for_user(request.user, Case, pk, access.CHANGE)
    found = access.visible(request.user, CaseConcern).filter(case=case, pk=item).first()
    if found is None:
        raise access.NotVisible("cases.CaseConcern", item)
    try:
        actions.remove_concern(staff_of(request), found, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "課題を削除しました。")
    return redirect(f"{case.get_absolute_url()}#concerns")


@require_POST
def tendency(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    case = access.get_for_user(request.user, Case, pk, access.CHANGE)
    form = TendencyForm(request.POST)
    if not form.is_valid():
        messages.error(request, "判断を選んでください。")
        return redirect(f"{case.get_absolute_url()}#tendencies")
    try:
        actions.set_tendency_override(
            staff_of(request), case, number, form.as_override(), request=request
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "支援傾向の判断を記録しました。")
    return redirect(f"{case.get_absolute_url()}#tendencies")


@require_http_methods(GET_POST)
def note_new(request: HttpRequest, pk: int) -> HttpResponse:
    case = access.read(request, Case, pk, access.NOTE)
    form = CaseNoteForm(request.POST or None)

    def run(data: dict[str, Any]) -> str:
        note_actions.add_note(staff_of(request), case, request=request, **data)
        return "支援経過記録を追加しました。"

    return _form_page(
        request,
        case,
        form,
        heading="支援経過記録を追加",
        submit="記録を追加",
        run=run,
        anchor="timeline",
    )


# --- assessment ----------------------------------------------------------------------------


@require_GET
def assessment(request: HttpRequest, pk: int) -> HttpResponse:
    case = access.read(request, Case, pk)
    sheet = access.visible(request.user, Assessment).filter(case=case).first()
    context = {
        "case": case,
        "sheet": sheet,
        "rows": assessment_rows(sheet) if sheet else [],
        "can_change": access.can(request.user, access.CHANGE, case),
    }
    return render(request, "cases/assessment.html", context)


@require_http_methods(GET_POST)
def assessment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    case = _changeable(request, pk)
    sheet = access.visible(request.user, Assessment).filter(case=case).first()
    version = sheet.version if sheet else 0
    form = AssessmentForm(request.POST or None, instance=sheet, initial={"version": version})
    current: Assessment | None = None
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_assessment(
                staff_of(request),
                case,
                form.data_for_action(),
                version=form.cleaned_data["version"] or None,
                request=request,
            )
        except ConflictError as error:
            add_form_errors(form, error)
            # Show what the other person saved beside what was typed; saving again (after
            # reading it) is then a deliberate update of that newer sheet.
            current = access.visible(request.user, Assessment).filter(case=case).first()
            _set_hidden(form, "version", current.version if current else 0)
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, "アセスメントを保存しました。")
            return redirect("cases:assessment", pk=case.pk)
    context = {
        "case": case,
        "form": form,
        "current": current,
        "current_rows": assessment_rows(current) if current else [],
    }
    return render(request, "cases/assessment_form.html", context)


def _set_hidden(form: Any, name: str, value: int) -> None:
    """After a conflict: the form now stands on the newest saved version."""
    form.data = form.data.copy()
    form.data[name] = str(value)


# --- plans ---------------------------------------------------------------------------------


@require_GET
def plan(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    case = access.read(request, Case, pk)
    plans = access.visible(request.user, Plan).filter(case=case)
    found = plans.select_related("approved_meeting", "created_by").filter(number=number).first()
    if found is None:
        raise access.NotVisible("cases.Plan", number)
    context = {
        "case": case,
        "plan": found,
        "goals": list(found.goals.all()),
        "actions": list(found.actions.select_related("agency")),
        "numbers": list(plans.order_by("-number").values_list("number", flat=True)),
        "meeting_url": found.approved_meeting.get_absolute_url() if found.approved_meeting else "",
    }
    return render(request, "cases/plan.html", context)


@require_http_methods(GET_POST)
def plan_new(request: HttpRequest, pk: int) -> HttpResponse:
    case = _changeable(request, pk)
    latest = access.visible(request.user, Plan).filter(case=case).order_by("-number").first()
    agencies = active_agencies()
    form = PlanForm(request.POST or None, agencies=agencies, initial=PlanForm.initial_from(latest))
    conflict = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = actions.save_plan(
                staff_of(request),
                case,
                base=data["base"],
                summary=data["summary"],
                goals=form.goals(),
                actions=form.planned_actions(),
                refer_outreach=data["refer_outreach"],
                refer_participation=data["refer_participation"],
                review_on=data["review_on"],
                terms=form.terms(),
                request=request,
            )
        except ConflictError as error:
            add_form_errors(form, error)
            latest = access.visible(request.user, Plan).filter(case=case).order_by("-number")[0]
            _set_hidden(form, "base", latest.number)
            conflict = True
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, f"プランを第{saved.number}版として保存しました。")
            return redirect(saved)
    context = {"case": case, "form": form, "latest": latest, "conflict": conflict}
    return render(request, "cases/plan_form.html", context)


# --- 評価 ----------------------------------------------------------------------------------


@require_http_methods(GET_POST)
def review(request: HttpRequest, pk: int) -> HttpResponse:
    case = _changeable(request, pk)
    plans = access.visible(request.user, Plan).filter(case=case).order_by("-number")
    target = plans.filter(approved_at__isnull=False).first() or plans.first()
    goals = list(target.goals.all()) if target else []
    form = ReviewForm(request.POST or None, goals=goals)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            done = actions.review_case(
                staff_of(request),
                case,
                on=data["on"],
                decision=data["decision"],
                attainments=form.attainments(),
                changes=data["changes"],
                request=request,
            )
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(
                request,
                f"評価を記録しました（判定: {done.get_decision_display()}）。"
                "判定に沿って段階を進めてください。",
            )
            return redirect(f"{case.get_absolute_url()}#reviews")
    context = {"case": case, "form": form, "plan": target}
    return render(request, "cases/review_form.html", context)


# --- tasks ---------------------------------------------------------------------------------

TASK_TABS = [("mine", "自分の作業"), ("agency", "自機関の作業"), ("overdue", "期限切れ")]


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
    _audit_list(request, "cases.task", page)
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
    found = access.read(request, Task, pk)
    user = staff_of(request)
    obj = (
        access.visible(user, Task)
        .select_related("case", "owner_agency", "owner", "done_by", "decision__meeting")
        .get(pk=found.pk)
    )
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
    try:
        actions.complete_task(staff_of(request), obj, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"「{obj.title}」を完了にしました。")
    back = request.POST.get("next", "")
    if back.startswith(reverse("cases:tasks")):  # only our own list, never an outside URL
        return redirect(back)
    return redirect(obj)
