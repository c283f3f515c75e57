"""The assessment, plan versions and 評価 of a case."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from tomoni import access
from tomoni.lib.concurrency import ConflictError
from tomoni.web.viewutils import form_page, set_hidden, staff_of

from .. import actions
from ..forms import AssessmentForm, PlanForm, ReviewForm, active_agencies, assessment_rows
from ..models import Assessment, Case, Plan, Review
from .base import GET_POST, changeable


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
    case = changeable(request, pk)
    sheet = access.visible(request.user, Assessment).filter(case=case).first()
    version = sheet.version if sheet else 0
    form = AssessmentForm(request.POST or None, instance=sheet, initial={"version": version})
    context: dict[str, Any] = {"case": case, "current": None, "current_rows": []}

    def refused(error: ValidationError) -> None:
        if isinstance(error, ConflictError):
            # Show what the other person saved beside what was typed; saving again (after
            # reading it) is then a deliberate update of that newer sheet.
            current = access.visible(request.user, Assessment).filter(case=case).first()
            set_hidden(form, "version", current.version if current else 0)
            context.update(
                current=current, current_rows=assessment_rows(current) if current else []
            )

    return form_page(
        request,
        form,
        lambda: actions.save_assessment(
            staff_of(request),
            case,
            form.data_for_action(),
            version=form.cleaned_data["version"] or None,
            assessed_on=form.cleaned_data["assessed_on"],
            request=request,
        ),
        template="cases/assessment_form.html",
        context=context,
        done="アセスメントを保存しました。",
        to=reverse("cases:assessment", kwargs={"pk": case.pk}),
        refused=refused,
    )


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
    case = changeable(request, pk)
    latest = access.visible(request.user, Plan).filter(case=case).order_by("-number").first()
    # A plan carried forward keeps the agencies its actions name, even one no longer offered.
    named = latest.actions.values_list("agency_id", flat=True) if latest else []
    agencies = active_agencies(keep=named)
    form = PlanForm(request.POST or None, agencies=agencies, initial=PlanForm.initial_from(latest))
    context: dict[str, Any] = {"case": case, "latest": latest, "conflict": False}

    def run() -> Plan:
        data = form.cleaned_data
        return actions.save_plan(
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

    def refused(error: ValidationError) -> None:
        if isinstance(error, ConflictError):
            newest = access.visible(request.user, Plan).filter(case=case).order_by("-number")[0]
            set_hidden(form, "base", newest.number)
            context.update(latest=newest, conflict=True)

    return form_page(
        request,
        form,
        run,
        template="cases/plan_form.html",
        context=context,
        done=lambda saved: f"プランを第{saved.number}版として保存しました。",
        refused=refused,
    )


# --- 評価 ----------------------------------------------------------------------------------


@require_http_methods(GET_POST)
def review(request: HttpRequest, pk: int) -> HttpResponse:
    case = changeable(request, pk)
    plans = access.visible(request.user, Plan).filter(case=case).order_by("-number")
    target = plans.filter(approved_at__isnull=False).first() or plans.first()
    goals = list(target.goals.all()) if target else []
    form = ReviewForm(request.POST or None, goals=goals)

    def run() -> Review:
        data = form.cleaned_data
        return actions.review_case(
            staff_of(request),
            case,
            on=data["on"],
            decision=data["decision"],
            attainments=form.attainments(),
            changes=data["changes"],
            request=request,
        )

    return form_page(
        request,
        form,
        run,
        template="cases/review_form.html",
        context={"case": case, "plan": target},
        done=lambda done: (
            f"評価を記録しました（判定: {done.get_decision_display()}）。"
            "判定に沿って段階を進めてください。"
        ),
        to=f"{case.get_absolute_url()}#reviews",
    )
