"""Print pages and PDFs (A4) of the assessment, a plan, a 評価シート and a meeting's minutes.

One template per document serves both: the browser prints the HTML page, and
:func:`tomoni.printing.pdf.render_pdf` turns the very same HTML into the PDF. Reads go
through ``tomoni.access`` (outsiders get 404 for the case, the plan and the meeting alike;
a 支援会議 attendee without a 守秘義務 pledge gets 403 for the minutes), and every print or
PDF is audited as 印刷.
"""

from __future__ import annotations

import re
from typing import Any

from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET

from tomoni import access
from tomoni.audit.log import Action, record
from tomoni.cases.forms import assessment_checks, assessment_texts
from tomoni.cases.models import (
    Assessment,
    Attainment,
    Case,
    CaseConcern,
    GoalReview,
    GoalTerm,
    Plan,
    Review,
    ReviewDecision,
)
from tomoni.ecomap.data import centre_of, nodes_of
from tomoni.ecomap.layout import layout as ecomap_layout
from tomoni.meetings.models import AgendaItem, Attendance, Decision, Meeting
from tomoni.people.family import family_of
from tomoni.people.genogram import layout as genogram_layout
from tomoni.web.viewutils import staff_of

from .response import pdf_response

HTML = "html"
PDF = "pdf"


def _respond(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    obj: Model,
    document: str,
    filename: str,
    fmt: str,
) -> HttpResponse:
    record(Action.PRINT, request=request, obj=obj, detail={"format": fmt, "document": document})
    context["printed_at"] = timezone.now()
    if fmt == HTML:
        return render(request, template, context)
    return pdf_response(render_to_string(template, context, request=request), filename)


def _ascii(code: str, fallback: str) -> str:
    """A file name part browsers take as is: the case code is ASCII, but be sure."""
    return re.sub(r"[^A-Za-z0-9_-]", "", code) or fallback


def _case(request: HttpRequest, pk: int) -> dict[str, Any]:
    """The case (404 for outsiders) and what every case document shows, fetched once."""
    case = access.read(
        request,
        Case,
        pk,
        queryset=Case.objects.select_related("household", "person", "lead").prefetch_related(
            "team__agency"
        ),
    )
    return {"case": case, "members": access.members(request.user, case, check=False)}


def _glance(request: HttpRequest, case: Case) -> dict[str, Any]:
    """The ジェノグラム and エコマップ of the case's household, 本人 = the case's person."""
    staff = staff_of(request)
    family = family_of(staff, case.household, subject=case.person, via=case)
    genogram = genogram_layout(family.people, family.ties, family.labels)
    ecomap = ecomap_layout(centre_of(family), nodes_of(staff, family))
    return {"g": genogram, "e": ecomap}


@require_GET
def glance(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """ジェノグラムとエコマップ: one A4 sheet each, for the case file or a meeting."""
    context = _case(request, pk)
    case = context["case"]
    context.update(_glance(request, case))
    return _respond(
        request,
        "printing/glance.html",
        context,
        obj=case,
        document="glance",
        filename=f"{_ascii(case.code, f'case-{case.pk}')}-genogram-ecomap.pdf",
        fmt=fmt,
    )


@require_GET
def assessment(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    context = _case(request, pk)
    case = context["case"]
    sheet = access.visible(request.user, Assessment).filter(case=case).first()
    concerns = (
        access.visible(request.user, CaseConcern)
        .filter(case=case)
        .select_related("person", "concern", "agency")
        .order_by("person_id", "priority", "pk")
    )
    context.update(
        sheet=sheet,
        checks=assessment_checks(sheet),
        items=assessment_texts(sheet),
        concerns=concerns,
    )
    context.update(_glance(request, case))
    return _respond(
        request,
        "printing/assessment.html",
        context,
        obj=sheet or case,
        document="assessment",
        filename=f"{_ascii(case.code, f'case-{case.pk}')}-assessment.pdf",
        fmt=fmt,
    )


@require_GET
def plan(request: HttpRequest, pk: int, number: int, fmt: str) -> HttpResponse:
    context = _case(request, pk)
    case = context["case"]
    version = (
        access.visible(request.user, Plan)
        .filter(case=case, number=number)
        .select_related("created_by", "approved_meeting")
        .prefetch_related("goals", "actions__agency")
        .first()
    )
    if version is None:
        raise access.NotVisible()
    goals = list(version.goals.all())
    context.update(
        plan=version,
        long_goals=[g for g in goals if g.term == GoalTerm.LONG],
        short_goals=[g for g in goals if g.term == GoalTerm.SHORT],
    )
    return _respond(
        request,
        "printing/plan.html",
        context,
        obj=version,
        document="plan",
        filename=f"{_ascii(case.code, f'case-{case.pk}')}-plan-{version.number}.pdf",
        fmt=fmt,
    )


@require_GET
def review(request: HttpRequest, pk: int, review: int, fmt: str) -> HttpResponse:
    """評価シート: attainment per goal of the plan reviewed, the changes seen, the decision."""
    context = _case(request, pk)
    case = context["case"]
    found = (
        access.visible(request.user, Review)
        .filter(case=case, pk=review)
        .select_related("plan", "by")
        .first()
    )
    if found is None:
        raise access.NotVisible()
    goals = access.visible(request.user, GoalReview).filter(review=found).select_related("goal")
    context.update(
        review=found,
        goals=[
            (g, [(str(label), key == g.attainment) for key, label in Attainment.choices])
            for g in goals
        ],
        decisions=[(str(label), key == found.decision) for key, label in ReviewDecision.choices],
    )
    return _respond(
        request,
        "printing/review.html",
        context,
        obj=found,
        document="review",
        filename=f"{_ascii(case.code, f'case-{case.pk}')}-review-{found.pk}.pdf",
        fmt=fmt,
    )


@require_GET
def minutes(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    meeting = access.read(request, Meeting, pk)
    # The agenda, minutes and decisions are the materials: pledge first (第106条の6).
    access.require(request.user, access.MATERIALS, meeting)
    attendances = (
        access.visible(request.user, Attendance)
        .filter(meeting=meeting)
        .select_related("agency", "staff", "pledge")
        .order_by("agency__order", "agency_id", "pk")
    )
    decisions = (
        access.visible(request.user, Decision)
        .filter(meeting=meeting)
        .select_related("case")
        .prefetch_related("tasks__owner_agency", "tasks__owner")
    )
    context = {
        "meeting": meeting,
        "attendances": attendances,
        "agenda": access.visible(request.user, AgendaItem)
        .filter(meeting=meeting)
        .select_related("case"),
        "decisions": decisions,
    }
    return _respond(
        request,
        "printing/minutes.html",
        context,
        obj=meeting,
        document="minutes",
        filename=f"meeting-{meeting.pk}-minutes.pdf",
        fmt=fmt,
    )
