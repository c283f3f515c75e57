"""生活困窮 at the window: the 自立相談支援 record of a consultation, the monthly sheet (月次)
with its drill-down lists and downloads, and the 目安値 per 年度.

Who sees the sheet (``scope``): the 自立相談支援機関's own staff and the city's coordinators
every number, each figure linked to the list of its records (``access.visible``: they see all
of them, so a list is as long as its figure); a 委託先 coordinator every number, no lists;
the manager every number with small counts hidden (統計's rule: the figures count people), no
lists; everyone else 404.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from tomoni import access
from tomoni.access.policy import STATS_SCOPE
from tomoni.audit.log import Action, record
from tomoni.directory.models import Staff
from tomoni.intake.models import Consultation
from tomoni.lib.fiscal import fiscal_year, fiscal_year_choices, fiscal_year_label
from tomoni.lib.wareki import format_date
from tomoni.stats import exports as stats_exports
from tomoni.web.viewutils import form_page, spreadsheet, staff_of

from . import actions, exports, figures
from .forms import BenchmarkForm, SupportForm
from .models import Benchmark, Support, label_of
from .window import AGGREGATE, CITY, OWN, scope_of


def _scope(request: HttpRequest) -> str:
    scope = scope_of(staff_of(request))
    if scope is None:
        raise access.NotVisible()
    return scope


def _fy_month(request: HttpRequest, today: date) -> tuple[int, int]:
    current = fiscal_year(today)
    try:
        fy = int(request.GET.get("fy") or current)
        month = int(request.GET.get("month") or today.month)
    except ValueError:
        return current, today.month
    if not actions.FIRST_FY <= fy <= current:
        fy = current
    return fy, month if month in figures.MONTHS else figures.MONTHS[0]


def _support_of(consultation: Consultation) -> Support | None:
    """The consultation's record, read through the consultation (``policy.DERIVED``)."""
    try:
        return consultation.jiritsu
    except Support.DoesNotExist:
        return None


@require_http_methods(["GET", "POST"])
def support(request: HttpRequest, pk: int) -> HttpResponse:
    """The 自立相談支援 items of one consultation: its 自立相談支援機関 records them; whoever
    may read the consultation reads them."""
    user = staff_of(request)
    consultation = access.read(
        request, Consultation, pk, queryset=Consultation.objects.select_related("agency")
    )
    existing = _support_of(consultation)
    may = actions.may_record(user, consultation)
    initial: dict[str, Any] = {"started_on": timezone.localdate(consultation.received_at)}
    if existing is not None:
        initial = {name: getattr(existing, name) for name in SupportForm.base_fields}
    # Dates as people read them (令和8年5月8日); the field reads them back.
    initial = {k: format_date(v) if isinstance(v, date) else v for k, v in initial.items()}
    form = SupportForm(request.POST or None, initial=initial)
    person = access.names(user, [consultation.person_id]).get(consultation.person_id or 0, "")
    return form_page(
        request,
        form,
        lambda: actions.record_support(
            user, consultation, form.items(), version=form.shown_version(), request=request
        ),
        template="jiritsu/support.html",
        context={
            "consultation": consultation,
            "support": existing,
            "may_record": may,
            "person": person,
        },
        done="自立相談支援の記録を保存しました。",
        to=reverse("jiritsu:support", args=[consultation.pk]),
    )


def _sheet(request: HttpRequest) -> dict[str, Any]:
    scope = _scope(request)
    today = timezone.localdate()
    fy, month = _fy_month(request, today)
    rows = figures.count(fy)
    below = stats_exports.threshold() if scope == AGGREGATE else 0
    benchmark = Benchmark.objects.filter(fy=fy).first()
    elapsed = figures.months_elapsed(fy, today)
    return {
        "scope": scope,
        "fy": fy,
        "month": month,
        "fy_label": fiscal_year_label(fy),
        "rows": rows,
        "below": below,
        "benchmark": benchmark,
        "elapsed": elapsed,
        "progress": figures.progress(benchmark, rows, month, elapsed),
        "today": today,
        # The window has no 統計 menu: its crumbs lead home, others' through 統計.
        "stats_link": scope != OWN or staff_of(request).role in STATS_SCOPE,
        "population": f"{benchmark.population:,}" if benchmark else "",
    }


@require_GET
def monthly(request: HttpRequest) -> HttpResponse:
    context = _sheet(request)
    fy, month, below = context["fy"], context["month"], context["below"]
    drill = context["scope"] in (OWN, CITY)
    not_begun = figures.MONTHS.index(month) >= context["elapsed"]
    context.update(
        years=fiscal_year_choices(fiscal_year(context["today"]), actions.FIRST_FY),
        months=[(m, f"{m}月") for m in figures.MONTHS],
        table=exports.shown_rows(context["rows"], below, month, context["elapsed"]),
        grid=exports.shown_grid(context["rows"], below, context["elapsed"]),
        drill=drill,
        suppression=stats_exports.suppression_note(below),
        can_set=access.can_create(staff_of(request), Benchmark),
        can_see_targets=access.has_scope(staff_of(request), Benchmark),
        columns=[*(f"{m}月" for m in figures.MONTHS), "年度計"],
        column_keys=[*figures.MONTHS, figures.YEAR],
        progress_rows=[
            {
                "figure": cells.figure,
                "cells": cells.cells,
                "month": None if not_begun else exports.shown(p.month_actual, below),
            }
            for p, cells in zip(
                context["progress"], exports.progress_cells(context["progress"], below), strict=True
            )
        ],
    )
    record(
        Action.LIST,
        request=request,
        object_type="jiritsu.sheet",
        object_id=str(fy),
        detail={"month": month, "suppressed_below": below},
    )
    return render(request, "jiritsu/monthly.html", context)


def _drill_rows(
    user: Staff, figure: figures.Figure, fy: int, month: int
) -> list[tuple[Consultation, date]]:
    """(consultation, the figure's date) of each record behind the figure that ``user`` may
    see, in the order of that date."""
    if figure.on == "consultation":
        found = figures.consultation_records(
            figure, fy, month, access.visible(user, Consultation)
        ).select_related("agency")
        return [(c, timezone.localdate(c.received_at)) for c in found.order_by("received_at", "pk")]
    supports = figures.support_records(figure, fy, month, access.visible(user, Support))
    ordered = supports.select_related("consultation").order_by(figure.date_field, "pk")
    return [(s.consultation, getattr(s, figure.date_field)) for s in ordered]


@require_GET
def drill(request: HttpRequest, fy: int, month: int, key: str) -> HttpResponse:
    """The records behind one figure of the sheet, among those the user may see."""
    user = staff_of(request)
    if _scope(request) not in (OWN, CITY) or key not in figures.FIGURES:
        raise access.NotVisible()
    if month != figures.YEAR and month not in figures.MONTHS:
        raise Http404()
    if not actions.FIRST_FY <= fy <= fiscal_year(timezone.localdate()):
        raise Http404()
    figure = figures.FIGURES[key]
    rows = _drill_rows(user, figure, fy, month)
    names = access.names(user, [c.person_id for c, _ in rows])
    record(
        Action.LIST,
        request=request,
        object_type="intake.consultation",
        detail={"ids": [c.pk for c, _ in rows], "jiritsu": key, "fy": fy, "month": month},
    )
    context = {
        "fy": fy,
        "fy_label": fiscal_year_label(fy),
        "month": month,
        "period": "年度計" if month == figures.YEAR else f"{month}月",
        "figure": figure,
        "rows": rows,
        "names": names,
        "stats_link": _scope(request) != OWN or user.role in STATS_SCOPE,
        "date_label": (
            "受付日" if figure.on == "consultation" else label_of(Support, figure.date_field)
        ),
    }
    return render(request, "jiritsu/drill.html", context)


def _asked_fy(data: Any, current: int) -> int:
    try:
        return int(data.get("fy") or current)
    except ValueError:
        return current


def _benchmark_initial(existing: Benchmark | None) -> dict[str, Any]:
    if existing is None:
        return {}
    names = ("version", "population", "new_rate", "plan_rate", "employment_rate", "gain_rate")
    return {name: getattr(existing, name) for name in names}


@require_http_methods(["GET", "POST"])
def benchmarks(request: HttpRequest) -> HttpResponse:
    """人口 and 目安値 per 年度: the manager sets them; coordinators and the window read."""
    user = staff_of(request)
    if not access.has_scope(user, Benchmark):
        raise access.NotVisible()
    today = timezone.localdate()
    current = fiscal_year(today)
    if request.method == "POST":
        access.require_create(user, Benchmark)
    fy = _asked_fy(request.POST if request.method == "POST" else request.GET, current)
    existing = Benchmark.objects.filter(fy=fy).first()
    form = BenchmarkForm(request.POST or None, initial=_benchmark_initial(existing))
    context = {
        "fy": fy,
        "fy_label": fiscal_year_label(fy),
        "years": [(y, fiscal_year_label(y)) for y in range(current + 1, actions.FIRST_FY - 1, -1)],
        "benchmark": existing,
        "can_set": access.can_create(user, Benchmark),
        "stats_link": user.role in STATS_SCOPE,
        "population": f"{existing.population:,}" if existing else "",
    }
    return form_page(
        request,
        form,
        lambda: actions.set_benchmark(
            user,
            fy=fy,
            population=form.cleaned_data["population"],
            rates=form.rates(),
            version=form.shown_version(),
            request=request,
        ),
        template="jiritsu/benchmarks.html",
        context=context,
        done=f"{fiscal_year_label(fy)}の人口と目安値を保存しました。",
        to=f"{reverse('jiritsu:benchmarks')}?fy={fy}",
    )


@require_GET
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The monthly sheet of a 年度 as CSV (?encoding=cp932 for Shift_JIS) or Excel."""
    if fmt not in ("csv", "xlsx"):
        raise Http404()
    context = _sheet(request)
    fy, below = context["fy"], context["below"]
    figures_of = (context["rows"], context["progress"], below, context["elapsed"])
    title = f"{fiscal_year_label(fy)} 生活困窮者自立支援 月次集計"
    return spreadsheet(
        request,
        fmt,
        f"seikatsukonkyu-{fy}",
        xlsx=lambda note: exports.to_xlsx(*figures_of, title, note),
        csv=lambda encoding: exports.to_csv(*figures_of, encoding),
        object_type="jiritsu.sheet",
        object_id=str(fy),
        suppressed_below=below,
    )
