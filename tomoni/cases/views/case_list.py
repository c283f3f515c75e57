"""The case list, with its word search, and 担当になる."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from tomoni import access
from tomoni.directory.models import Role, Staff
from tomoni.fulltext.api import is_short, matching_ids
from tomoni.fulltext.snippets import highlight
from tomoni.notes.models import Note
from tomoni.web.viewutils import audit_page, post_action, staff_of

from .. import actions
from ..forms import CaseFilterForm
from ..models import ENDED, Case, Stage
from .base import PAGE_SIZE


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    user = staff_of(request)
    params = request.GET.copy()
    if "tab" not in params:
        params["tab"] = "mine" if user.role == Role.COORDINATOR else "all"
    form = CaseFilterForm(params, stages=Stage.choices)
    data = form.cleaned_data if form.is_valid() else {"tab": "all", "stage": "", "q": ""}
    query = data.get("q", "").strip()
    # A 1-character word has no full-text index: only the cases' own titles are searched.
    titles_only = bool(query) and is_short(query)
    qs = _searched(user, _filtered(user, data), query, titles_only)
    qs = qs.select_related("household__district", "lead").order_by("-opened_on", "-pk")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    quoted = _note_snippets(user, page, query) if query and not titles_only else []
    audit_page(request, "cases.case", page, **({"notes": quoted} if quoted else {}))
    context = {
        "form": form,
        "tab": data["tab"],
        "tabs": CaseFilterForm.TABS,
        "page_obj": page,
        "names": access.names(user, (case.person_id for case in page.object_list)),
        "can_take_lead": user.role == Role.COORDINATOR,
        "titles_only": titles_only,
    }
    return render(request, "cases/case_list.html", context)


def _filtered(user: Staff, data: dict[str, Any]) -> QuerySet[Case]:
    qs = access.visible(user, Case)
    if data["tab"] == "mine":
        qs = qs.filter(lead=user)
    elif data["tab"] == "unassigned":
        qs = qs.filter(lead__isnull=True).exclude(stage__in=ENDED)
    if data["stage"] == "open":
        qs = qs.exclude(stage__in=ENDED)
    elif data["stage"]:
        qs = qs.filter(stage=data["stage"])
    return qs


def _searched(user: Staff, qs: QuerySet[Case], query: str, titles_only: bool) -> QuerySet[Case]:
    if titles_only:
        return qs.filter(title__contains=query)
    if query:
        # The case's own summary, or a case note the user may read (full-text, 2+ characters).
        notes = access.visible(user, Note).filter(pk__in=matching_ids("notes.note", query))
        return qs.filter(Q(title__contains=query) | Q(pk__in=notes.values("case_id")))
    return qs


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


@require_POST
def take_lead(request: HttpRequest, pk: int) -> HttpResponse:
    case = access.get_for_user(request.user, Case, pk, access.CHANGE)
    return post_action(
        request,
        lambda: actions.take_lead(staff_of(request), case, request=request),
        done=f"{case.code} の担当になりました。",
        to=case,
    )
