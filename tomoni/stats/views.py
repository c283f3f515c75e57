"""統計: the dashboard, targets, the cost sheet (事業費), the printable 年度実績報告 and its
Excel/CSV downloads; the lists behind the figures are ``views_lists``.

Who sees what is ``tomoni.access.policy.STATS_SCOPE``: coordinators every figure with small
numbers shown; managers every figure, small numbers suppressed, no drill-down (404); agency
workers only their own agency's consultations and referrals, suppressed; everyone else 404.
Figures are aggregates (``figures``); a figure's drill-down (``drill``) lists the records its
row counts (``figures.Counted``) among those the user may see (``access.visible``), says how
many it leaves out, and is refused where the figure is suppressed for the viewer or counts
nothing (targets, 事業費, imported figures). Lists, prints and exports are audited.

The dashboard's figures are kept in Django's cache for ``TOMONI_STATS_CACHE_SECONDS`` (10
minutes) per 年度, scope (coordinator / manager / the agency) and day, unsuppressed: the
suppression and the drill-down links are applied per request by the viewer's own scope, and
each scope has its own entry. The 年度's targets are part of the key (see ``_cache_key``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from tomoni import access
from tomoni.access.policy import STATS_SCOPE
from tomoni.audit.log import Action, record
from tomoni.lib.fiscal import fiscal_year, fiscal_year_choices, fiscal_year_label
from tomoni.printing.response import pdf_response
from tomoni.web.viewutils import form_page, spreadsheet, staff_of

from . import actions, exports, figures, tendencies
from .charts import Chart, bar_chart
from .forms import CostSheetForm, TargetForm, cell_name
from .models import Cost, HistoricalFigure, Target

HTML = "html"
DASHBOARD_SOURCE = "dashboard"
REPORT_SOURCE = "report"
PAGE_SIZE = 50
ALL = "all"
AGGREGATE = "aggregate"
OWN_AGENCY = "own_agency"


def _scope(request: HttpRequest) -> str:
    scope = STATS_SCOPE.get(staff_of(request).role)
    if scope is None:
        raise access.NotVisible()
    return scope


def _below(role: str) -> int:
    """Coordinators see every number; everyone else the suppressed ones."""
    return 0 if STATS_SCOPE.get(role) == ALL else exports.threshold()


def _fy(request: HttpRequest, today: date, *, ahead: int = 0) -> int:
    """The 年度 asked for (?fy=2025), from 令和元年度 to this one (targets: ``ahead`` more);
    this one by default."""
    current = fiscal_year(today)
    try:
        fy = int(request.GET.get("fy") or current)
    except ValueError:
        return current
    return fy if actions.FIRST_FY <= fy <= current + ahead else current


@dataclass(frozen=True)
class Link:
    """A figure's link to the list of what it counts, and the link's accessible name."""

    url: str
    name: str


@dataclass
class TableView:
    table: figures.Table
    rows: list[tuple[str, list[exports.Cell]]]
    chart: Chart | None
    # As the table shows them: each cell with whether it is an imported figure (「（取込）」)
    # and its link to the records it counts (None: none, suppressed, or nothing to list).
    shown: list[tuple[str, list[tuple[exports.Cell, bool, Link | None]]]]


@dataclass(frozen=True)
class Drill:
    """Where the figures of a page drill down to: the page's source and 年度."""

    source: str  # DASHBOARD_SOURCE | REPORT_SOURCE
    fy: int


def _link(
    drill: Drill | None,
    report: figures.Report | None,
    table: figures.Table,
    index: int,
    row: figures.Row,
    column: int,
    cell: exports.Cell,
) -> Link | None:
    """A shown, counted, non-zero figure links to its list; a suppressed one (「-」) never."""
    if drill is None or not row.drillable(column) or not isinstance(cell, int | float):
        return None
    count = row.bases[column] if row.bases is not None else row.values[column]
    if not count:
        return None
    url = reverse("stats:drill", args=[drill.source, drill.fy, table.key, index, column])
    shown = f"{cell}{row.unit or ('' if row.is_mean else table.unit)}"
    # A mean (or a rate, or a cost per count) lists the records it is over.
    what = f"もとになった{count}件の記録" if row.is_mean else "一覧"
    # The 目標と実績 grid has no report: each cell is its own period (「5月末」).
    when = report.periods[column].label if report is not None else row.period(column, []).label
    name = f"{when} {table.title} {row.label} {shown}の{what}"
    return Link(url, name)


def _view(
    report: figures.Report, below: int, drill: Drill | None = None
) -> list[tuple[figures.Section, list[TableView]]]:
    sections = []
    for section in report.sections:
        tables = []
        for table in section.tables:
            rows = [(row.label, exports.cells(row, below, table.people)) for row in table.rows]
            drawn = [
                (row.label, cells)
                for row, (_, cells) in zip(table.rows, rows, strict=True)
                if not row.is_mean and row.label != "合計"
            ]
            chart = bar_chart(drawn, len(report.periods)) if table.chart else None
            shown = [
                (
                    label,
                    [
                        (c, i in row.imported, _link(drill, report, table, j, row, i, c))
                        for i, c in enumerate(cells)
                    ],
                )
                for j, (row, (label, cells)) in enumerate(zip(table.rows, rows, strict=True))
            ]
            tables.append(TableView(table, rows, chart, shown))
        sections.append((section, tables))
    return sections


def _progress(
    fy: int,
    today: date,
    below: int,
    found: list[figures.TargetProgress] | None = None,
    drill: Drill | None = None,
) -> list[dict[str, Any]]:
    progress = figures.kpi_progress(fy, today) if found is None else found
    table = figures.progress_table(progress)
    out = []
    for index, (p, row) in enumerate(zip(progress, table.rows, strict=True)):
        rate = figures.Row("", [p.rate], bases=[p.latest])
        actual = exports.cells(row, below)
        out.append(
            {
                "target": p.target,
                "months": p.months,
                "actual": actual,
                "cells": [
                    (a, _link(drill, None, table, index, row, k, a)) for k, a in enumerate(actual)
                ],
                "rate": exports.cells(rate, below)[0],
            }
        )
    return out


def cache_seconds() -> int:
    """How long the dashboard's figures are kept (``TOMONI_STATS_CACHE_SECONDS``, 10 minutes
    by default; 0 computes them on every request)."""
    return max(0, int(getattr(settings, "TOMONI_STATS_CACHE_SECONDS", 600)))


def _cache_key(fy: int, scope: str, agency_id: int | None, today: date) -> str:
    """One entry per 年度, viewer's scope (coordinator / manager / that agency) and day. The
    targets of the 年度 and the figures imported for it and the year before are part of the
    key (two small queries), so a target set, changed or removed, or a file imported — in this
    process or any other — is never answered from a stale entry."""
    targets = Target.objects.filter(fy=fy).aggregate(
        n=Count("pk"), last=Max("set_at"), total=Sum("value")
    )
    last = targets["last"].timestamp() if targets["last"] else 0
    imported = HistoricalFigure.objects.filter(fy__in=(fy, fy - 1)).aggregate(
        n=Count("pk"), last=Max("imported_at")
    )
    when = imported["last"].timestamp() if imported["last"] else 0
    who = f"agency-{agency_id}" if scope == OWN_AGENCY else scope
    # v2: rows carry what they count (figures.Counted); an entry pickled before has none.
    return (
        f"tomoni:stats:dashboard:v2:{fy}:{who}:{today.isoformat()}:"
        f"{targets['n']}:{last}:{targets['total'] or 0}:{imported['n']}:{when}"
    )


def _dashboard_figures(
    fy: int, scope: str, agency_id: int | None, agency: Any, today: date
) -> tuple[figures.Report, list[figures.TargetProgress]]:
    """The dashboard's figures, unsuppressed (suppression is applied per request, by scope),
    from the cache when computed for the same key within ``cache_seconds()``."""
    seconds = cache_seconds()
    key = _cache_key(fy, scope, agency_id, today) if seconds > 0 else ""
    if key:
        hit = cache.get(key)
        if hit is not None:
            report, progress = hit
            return report, progress
    periods = figures.dashboard_periods(fy, today)
    report = figures.build(periods, agency=agency, today=today)
    progress = figures.kpi_progress(fy, today) if scope != OWN_AGENCY else []
    if key:
        cache.set(key, (report, progress), seconds)
    return report, progress


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    user = staff_of(request)
    today = timezone.localdate()
    fy = _fy(request, today)
    agency = user.agency if scope == OWN_AGENCY else None
    agency_id = user.agency_id if scope == OWN_AGENCY else None
    report, progress = _dashboard_figures(fy, scope, agency_id, agency, today)
    below = 0 if scope == ALL else exports.threshold()
    # Records open from the figures for those who see records: not managers.
    drill = Drill(DASHBOARD_SOURCE, fy) if scope != AGGREGATE else None
    context = {
        "fy": fy,
        "fy_label": fiscal_year_label(fy),
        "years": fiscal_year_choices(fiscal_year(today), actions.FIRST_FY),
        "report": report,
        # Records open from the figures for those who see records: not managers.
        "sections": _view(
            report, below, Drill(DASHBOARD_SOURCE, fy) if scope != AGGREGATE else None
        ),
        "scope": scope,
        "below": below,
        "suppression": exports.suppression_note(below),
        "progress": (
            _progress(fy, today, below, progress, drill if scope == ALL else None)
            if scope != OWN_AGENCY
            else []
        ),
        # The city's targets are not an agency's: its own-agency view says nothing of them.
        "show_targets": scope != OWN_AGENCY,
        "can_drill": scope == ALL,
        "marks": list(zip(tendencies.NUMBERS, "①②③④⑤", strict=True)),
        "can_set_targets": access.can_create(user, Target),
        "can_see_costs": access.has_scope(user, Cost),
        "can_set_costs": access.can_create(user, Cost),
    }
    return render(request, "stats/dashboard.html", context)


def _report_key(fy: int, today: date) -> str:
    """The annual report's figures as its page last showed them (no query: the page sets it
    each time it is shown, so its links and this entry are of the same figures)."""
    return f"tomoni:stats:report:v1:{fy}:{today.isoformat()}"


def _annual_figures(fy: int, today: date) -> figures.Report:
    return exports.add_costs(figures.annual(fy, today), fy)


@require_http_methods(["GET", "POST"])
def targets(request: HttpRequest) -> HttpResponse:
    """Targets per 年度: managers set them; coordinators read them (others 404)."""
    user = staff_of(request)
    if not access.has_scope(user, Target):
        raise access.NotVisible()
    today = timezone.localdate()
    current = fiscal_year(today)
    fy = _fy(request, today, ahead=1)
    if request.method == "POST":
        if not access.can_create(user, Target):
            raise PermissionDenied("目標値は管理職が設定します。")
        try:
            fy = int(request.POST.get("fy", ""))
        except ValueError:
            fy = current
    form = TargetForm(request.POST or None)
    return form_page(
        request,
        form,
        lambda: actions.set_target(
            user,
            fy=fy,
            kpi=form.cleaned_data["kpi"],
            district=form.cleaned_data["district"],
            value=form.cleaned_data["value"],
            request=request,
        ),
        page=lambda form: _targets_page(request, form, fy),
        done=f"{fiscal_year_label(fy)}の目標値を保存しました。",
        to=f"{reverse('stats:targets')}?fy={fy}",
    )


def _targets_page(request: HttpRequest, form: TargetForm, fy: int) -> HttpResponse:
    user = staff_of(request)
    today = timezone.localdate()
    current = fiscal_year(today)
    context = {
        "fy": fy,
        "fy_label": fiscal_year_label(fy),
        "years": [(y, fiscal_year_label(y)) for y in range(current + 1, actions.FIRST_FY - 1, -1)],
        "form": form,
        "can_set": access.can_create(user, Target),
        "progress": _progress(fy, today, _below(user.role)),
    }
    return render(request, "stats/targets.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def costs(request: HttpRequest) -> HttpResponse:
    """事業費 per 年度 (事業 × 分野, 円): the manager enters the whole grid at once (all cells
    or none); coordinators read it (others 404)."""
    user = staff_of(request)
    if not access.has_scope(user, Cost):
        raise access.NotVisible()
    today = timezone.localdate()
    fy = _fy(request, today, ahead=1)
    if request.method == "POST":
        if not access.can_create(user, Cost):
            raise PermissionDenied("事業費は管理職が入力します。")
        try:
            fy = int(request.POST.get("fy", ""))
        except ValueError:
            fy = fiscal_year(today)
    sheet = exports.cost_sheet(fy)
    form = CostSheetForm(request.POST or None, initial_amounts=sheet.amounts)
    return form_page(
        request,
        form,
        lambda: actions.set_costs(user, fy, form.amounts(), request=request),
        page=lambda form: _costs_page(request, form, sheet),
        done=f"{fiscal_year_label(fy)}の事業費を保存しました。",
        to=f"{reverse('stats:costs')}?fy={fy}",
    )


def _costs_page(
    request: HttpRequest, form: CostSheetForm, sheet: exports.CostSheet
) -> HttpResponse:
    user = staff_of(request)
    current = fiscal_year(timezone.localdate())
    fy = sheet.fy
    rows = [
        {
            "label": row.label,
            "cells": [
                (amount, form[cell_name(row.business, where)])
                for amount, (where, _) in zip(row.amounts, sheet.fields, strict=True)
            ],
            "total": row.total,
        }
        for row in sheet.rows
    ]
    context = {
        "fy": fy,
        "fy_label": fiscal_year_label(fy),
        "years": [(y, fiscal_year_label(y)) for y in range(current + 1, actions.FIRST_FY - 1, -1)],
        "form": form,
        "sheet": sheet,
        "rows": rows,
        "can_set": access.can_create(user, Cost),
    }
    return render(request, "stats/costs.html", context, status=400 if form.errors else 200)


def _annual(request: HttpRequest) -> tuple[int, figures.Report, int, str]:
    scope = _scope(request)
    if scope == OWN_AGENCY:
        raise access.NotVisible()
    today = timezone.localdate()
    fy = _fy(request, today)
    below = 0 if scope == ALL else exports.threshold()
    return (
        fy,
        _annual_figures(fy, today),
        below,
        f"{fiscal_year_label(fy)} 重層的支援体制整備事業 実績報告",
    )


@require_GET
def report(request: HttpRequest) -> HttpResponse:
    """The 年度実績報告 as one A4 page for the browser to print."""
    return _report(request, HTML)


def _report(request: HttpRequest, fmt: str) -> HttpResponse:
    fy, annual, below, title = _annual(request)
    record(
        Action.PRINT,
        request=request,
        object_type="stats.report",
        object_id=str(fy),
        detail={"format": fmt, "suppressed_below": below},
    )
    # On screen a coordinator's figures open their lists; on paper (PDF) nothing links. The
    # figures the page shows are kept for those lists (the page itself always computes).
    drill = Drill(REPORT_SOURCE, fy) if fmt == HTML and _scope(request) == ALL else None
    if drill is not None and cache_seconds() > 0:
        cache.set(_report_key(fy, timezone.localdate()), annual, cache_seconds())
    view = _view(annual, below, drill)
    context = {
        "fy": fy,
        "title": title,
        "report": annual,
        # 事業費 is printed as its grid (this 年度) and its table beside the activity figures.
        "sections": [(s, t) for s, t in view if s.key != "costs"],
        "cost_sections": [(s, t) for s, t in view if s.key == "costs"],
        "costs": exports.cost_sheet(fy),
        "suppression": exports.suppression_note(below),
        "printed_at": timezone.now(),
    }
    if fmt == HTML:
        return render(request, "stats/report.html", context)
    html = render_to_string("stats/report.html", context, request=request)
    return pdf_response(html, f"jisseki-{fy}.pdf")


@require_GET
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The 年度実績報告 as Excel, CSV (?encoding=cp932 for Shift_JIS) or PDF (WeasyPrint, from
    the print page's HTML)."""
    if fmt == "pdf":
        return _report(request, fmt)
    fy, annual, below, title = _annual(request)
    return spreadsheet(
        request,
        fmt,
        f"jisseki-{fy}",
        xlsx=lambda note: exports.to_xlsx(annual, below, title, note),
        csv=lambda encoding: exports.to_csv(annual, below, encoding),
        object_type="stats.report",
        object_id=str(fy),
        suppressed_below=below,
    )
