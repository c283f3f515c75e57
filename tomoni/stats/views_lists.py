"""統計: the lists behind the figures — a figure's drill-down (the records its row counts,
``figures.Counted``, among those the user may see) and the cases of one tendency.

Who gets them is ``tomoni.access.policy.STATS_SCOPE`` as for the dashboard (``views``):
coordinators and agency workers (their own agency's, unsuppressed figures); managers read
aggregates only and get 404, as does anyone for a figure that counts nothing (targets, 事業費,
an imported figure) or that is suppressed for them. Every list is audited.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from tomoni import access
from tomoni.audit.log import Action, record
from tomoni.cases.models import Case
from tomoni.directory.models import Agency
from tomoni.lib.fiscal import fiscal_year, fiscal_year_label
from tomoni.web.viewutils import audit_page, staff_of

from . import actions, exports, figures, tendencies
from .drill import columns as drill_columns
from .views import (
    AGGREGATE,
    ALL,
    DASHBOARD_SOURCE,
    OWN_AGENCY,
    REPORT_SOURCE,
    _annual_figures,
    _dashboard_figures,
    _report_key,
    _scope,
    cache_seconds,
)

PAGE_SIZE = 50


@require_GET
def tendency_cases(request: HttpRequest, fy: int, number: int) -> HttpResponse:
    """The cases of one tendency in a 年度, among those the user may see. Managers: 404."""
    if _scope(request) != ALL or number not in tendencies.NUMBERS:
        raise access.NotVisible()
    user = staff_of(request)
    if not actions.FIRST_FY <= fy <= fiscal_year(timezone.localdate()):
        raise Http404()
    period = figures.fiscal_period(fy)
    cases = figures.active_cases([period], access.visible(user, Case))
    found = tendencies.stored_many(cases)  # as the figure reads them, with the reasons
    hits = [(pk, ts[number - 1]) for pk, ts in found.items() if ts[number - 1].value]
    listed = {c.pk: c for c in access.visible(user, Case).filter(pk__in=[pk for pk, _ in hits])}
    rows = sorted(
        ((listed[pk], t) for pk, t in hits), key=lambda r: (r[0].opened_on, r[0].pk), reverse=True
    )
    record(
        Action.LIST,
        request=request,
        object_type="cases.case",
        detail={"stats": "tendency", "fy": fy, "number": number, "count": len(rows)},
    )
    context = {
        "fy": fy,
        "fy_label": fiscal_year_label(fy),
        "number": number,
        "mark": "①②③④⑤"[number - 1],
        "label": tendencies.LABELS[number],
        "rows": rows,
    }
    return render(request, "stats/tendency_cases.html", context)


def _visible(user: Any) -> Any:
    """The user's view of a model: the policy's, or the whole master list of agencies (not
    personal data, named on every referral)."""

    def visible(model: type[Model]) -> QuerySet[Any]:
        if model is Agency:
            return Agency.objects.all()
        return access.visible(user, model)

    return visible


def _drilled_report(request: HttpRequest, source: str, fy: int, scope: str) -> figures.Report:
    """The report whose figure is drilled, as its page showed it (the dashboard's from the
    same cache entry, its 目標と実績 as the table ``figures.PROGRESS``)."""
    user = staff_of(request)
    today = timezone.localdate()
    if source == DASHBOARD_SOURCE:
        agency = user.agency if scope == OWN_AGENCY else None
        agency_id = user.agency_id if scope == OWN_AGENCY else None
        report, progress = _dashboard_figures(fy, scope, agency_id, agency, today)
        if not progress or scope != ALL:
            return report
        table = figures.progress_table(progress)
        extra = figures.Section(figures.PROGRESS, table.title, [table])
        return figures.Report(report.periods, [*report.sections, extra], report.scope)
    if source == REPORT_SOURCE and scope == ALL:
        key = _report_key(fy, today) if cache_seconds() > 0 else ""
        hit = cache.get(key) if key else None
        if hit is not None:
            cached: figures.Report = hit
            return cached
        return _annual_figures(fy, today)
    raise access.NotVisible()


def _drilled_cell(
    request: HttpRequest, source: str, fy: int, table: str, row: int, column: int
) -> tuple[figures.Report, figures.Table, figures.Row]:
    """The report, table and row of the figure asked for, if this viewer may open its list."""
    scope = _scope(request)
    if scope == AGGREGATE or not actions.FIRST_FY <= fy <= fiscal_year(timezone.localdate()):
        raise access.NotVisible()
    report = _drilled_report(request, source, fy, scope)
    try:
        found = report.table(table)
        counted_row = found.rows[row]
    except (KeyError, IndexError):
        raise access.NotVisible() from None
    below = 0 if scope == ALL else exports.threshold()
    if not counted_row.drillable(column):
        raise access.NotVisible()
    if exports.cells(counted_row, below, found.people)[column] == exports.DASH:
        raise access.NotVisible()  # suppressed for this viewer: no list gives it away
    return report, found, counted_row


def _figure_context(
    report: figures.Report, table: figures.Table, row: figures.Row, column: int
) -> dict[str, Any]:
    """How the drilled figure is named on its list: table, row, column, value and unit."""
    value = row.values[column]
    return {
        "table": table,
        "row": row,
        "column_label": (
            row.period(column, report.periods).label
            if row.spans is not None
            else report.periods[column].label
        ),
        "value": value,
        "figure": row.bases[column] if row.bases is not None else value,
        "unit": row.unit or ("" if row.is_mean else table.unit),
    }


@require_GET
def drill(
    request: HttpRequest, source: str, fy: int, table: str, row: int, column: int
) -> HttpResponse:
    """The records one figure counts, among those the user may see; the page says how many
    there are for anyone. Managers (aggregates only), a figure that counts nothing (targets,
    事業費, an imported figure) and a suppressed figure (「-」 for this viewer): 404."""
    report, found, counted_row = _drilled_cell(request, source, fy, table, row, column)
    assert counted_row.counted is not None
    period = counted_row.period(column, report.periods)
    result = figures.listed(counted_row.counted, period, _visible(staff_of(request)))
    how = drill_columns(result.model)
    records = result.records.select_related(*how.related) if how.related else result.records
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    audit_page(
        request,
        result.model._meta.label_lower,
        page,
        stats="drill",
        fy=fy,
        table=table,
        row=row,
        column=column,
    )
    context = {
        **_figure_context(report, found, counted_row, column),
        "fy": fy,
        "fy_label": fiscal_year_label(fy),
        "source": source,
        "back": reverse("stats:report" if source == REPORT_SOURCE else "stats:dashboard"),
        "period": period,
        "result": result,
        "headers": how.headers,
        "page_obj": page,
        "rows": [how.cells(obj) for obj in page.object_list],
        "noun": how.noun,
        "hidden": result.total - page.paginator.count,
        "cache_minutes": cache_seconds() // 60 if source == DASHBOARD_SOURCE else 0,
    }
    return render(request, "stats/drill.html", context)
