"""包括的相談支援: 相談受付, the consultation page, the lists, and つなぎ (referrals).

Reads go through ``tomoni.access``; writes through ``tomoni.intake.actions`` and
``tomoni.notes.actions``. Outsiders get 404 for a record whether or not it exists.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tomoni import access
from tomoni.access import candidates
from tomoni.attachments.context import attachments_of
from tomoni.audit.log import Action, record
from tomoni.directory.models import Role, Staff
from tomoni.lib.wareki import WarekiError, format_date, parse_date_or_none
from tomoni.notes import actions as note_actions
from tomoni.notes.models import Note
from tomoni.people.candidates import Candidate, describe, find_candidates
from tomoni.people.models import Person
from tomoni.web.viewutils import (
    add_form_errors,
    audit_list,
    audit_page,
    form_page,
    post_action,
    staff_of,
)

from . import actions, listing
from .forms import (
    MATCH_FIELDS,
    PERSON_PREFIX,
    PICK_REFUSED,
    ChooseForm,
    ConsultationFilterForm,
    ConsultationForm,
    NewPersonForm,
    NoteForm,
    OutcomeForm,
    ReferForm,
)
from .models import Consultation, Referral
from .views_referrals import with_overdue

GET_POST = ["GET", "POST"]


# --- 相談受付 ----------------------------------------------------------------------------


@require_http_methods(GET_POST)
def new(request: HttpRequest) -> HttpResponse:
    access.require_create(request.user, Consultation)
    form = ConsultationForm(request.POST or None, pickable=_pickable(request))
    person_form = NewPersonForm(request.POST or None)
    if request.method == "POST":
        consultation = _take(request, form, person_form)
        if consultation is not None:
            messages.success(request, f"相談 {consultation.code} を受け付けました。")
            if request.POST.get("next") == "refer":  # 「受け付けて、つなぎ先を選ぶ」
                return redirect("intake:refer", consultation.pk)
            return redirect(consultation)
    chosen = _chosen(request, form)
    context: dict[str, Any] = {"form": form, "person_form": person_form, "chosen": chosen}
    if form.is_bound and context["chosen"] is None and person_form.has_input():
        # Shown again with the errors: the matches the worker may not have looked at yet.
        context.update(candidates=_candidates(request, _typed_person(request.POST)), typed=True)
    return render(request, "intake/consultation_form.html", context)


def _take(
    request: HttpRequest, form: ConsultationForm, person_form: NewPersonForm
) -> Consultation | None:
    """The consultation, or None with the errors on the forms. A person picked from the
    matches wins over the typed fields (those were typed to find them)."""
    valid = form.is_valid()
    data = form.cleaned_data
    new_person = new_household = None
    if data.get("person") is None and person_form.has_input():
        if not person_form.is_valid() or not valid:
            return None
        new_person = person_form.cleaned_data
        if data["household_address"] or data["household_district"] or data["household_postal_code"]:
            new_household = {
                "postal_code": data["household_postal_code"],
                "address": data["household_address"],
                "district": data["household_district"],
            }
    if not valid:
        return None
    try:
        return actions.take_consultation(
            staff_of(request),
            **{name: data[name] for name in ConsultationForm.ACTION_FIELDS},
            concerns=data["all_concerns"],
            new_person=new_person,
            new_household=new_household,
            shown=candidates.shown(request),
            request=request,
        )
    except ValidationError as error:
        # Not form_page: two forms (the consultation and a new person) make one action.
        add_form_errors(form, error)
        return None


def _pickable(request: HttpRequest) -> QuerySet[Person]:
    return candidates.pickable(request.user, candidates.shown(request))


def _chosen(request: HttpRequest, form: ConsultationForm | ChooseForm) -> Candidate | None:
    """The person picked for the consultation, as the matches panel showed them (a display
    of a person the worker may not open yet: audited like the panel)."""
    if not form.is_bound:
        return None
    try:
        person = form.fields["person"].clean(form["person"].value())
    except ValidationError:
        return None
    if person is None:
        return None
    record(Action.VIEW, request=request, obj=person, detail={"shown_as": "candidate"})
    return describe(person)


@require_GET
def matches(request: HttpRequest) -> HttpResponse:
    """Possible matches for the person being typed on the 相談受付 form (htmx)."""
    typed = _typed_person(request.GET)
    context = {"candidates": _candidates(request, typed), "typed": any(typed.values())}
    return render(request, "intake/consultation_form.html#matches", context)


def _typed_person(data: QueryDict) -> dict[str, str]:
    # A NUL character is nothing a name holds, and PostgreSQL refuses it in a query (a 500).
    return {
        name: str(data.get(f"{PERSON_PREFIX}-{name}", "")).replace("\x00", "").strip()[:60]
        for name in MATCH_FIELDS
    }


def _candidates(request: HttpRequest, typed: dict[str, str]) -> list[Candidate]:
    """find_candidates() for what was typed; the persons offered are audited as a list."""
    try:
        birth = parse_date_or_none(typed["birth_date"])
    except WarekiError:
        birth = None
    found = find_candidates(
        request.user,
        family_name=typed["family_name"],
        given_name=typed["given_name"],
        kana=typed["family_kana"] + typed["given_kana"],
        birth_date=birth,
    )
    if found:
        ids = [c.pk for c in found]
        candidates.remember(request, ids)
        audit_list(request, "people.person", ids, shown_as="candidates")
    return found


@require_GET
def choose(request: HttpRequest) -> HttpResponse:
    """「この方で受け付ける」/「選択を解除」: swaps the chosen person into the form (htmx). Only
    a person this worker may pick (just shown as a candidate, or already theirs to see); any
    other id answers exactly like a missing one: 404, with a word on what to do."""
    access.require_create(request.user, Consultation)
    cleared = not request.GET.get("person")
    form = ChooseForm(request.GET, pickable=_pickable(request))
    chosen = _chosen(request, form)
    if not cleared and chosen is None:
        context = {"refused": PICK_REFUSED, "oob": True}
        return render(request, "intake/consultation_form.html#chosen", context, status=404)
    context = {"chosen": chosen, "oob": True, "cleared": cleared}
    return render(request, "intake/consultation_form.html#chosen", context)


# --- The consultation ----------------------------------------------------------------------


@require_GET
def consultation(request: HttpRequest, pk: int) -> HttpResponse:
    obj = access.read(request, Consultation, pk)
    return render(request, "intake/consultation.html", _consultation_context(request, obj))


def _consultation_context(request: HttpRequest, obj: Consultation) -> dict[str, Any]:
    user = staff_of(request)
    person, household = obj.person, obj.household
    can_change = access.can(user, access.CHANGE, obj)
    context: dict[str, Any] = {
        "consultation": obj,
        "route": list(obj.route.select_related("agency")),
        "concern_links": list(obj.concern_links.select_related("concern")),
        "tags": list(obj.tags.all()),
        **_referrals_and_notes(user, obj),
        "person_url": person.get_absolute_url()
        if person and access.can(user, access.VIEW, person)
        else "",
        "household_url": household.get_absolute_url()
        if household and access.can(user, access.VIEW, household)
        else "",
        "can_change": can_change,
    }
    # issue 19: files on the consultation
    context.update(attachments_of(user, obj, can_attach=can_change))
    if can_change:
        context.update(
            outcome_form=OutcomeForm(initial={"outcome": obj.outcome}),
            refer_form=ReferForm(
                own_agency_id=obj.agency_id,
                district=household.district if household else None,
                initial={"shared_summary": obj.summary},
            ),
            note_form=NoteForm(),
            due_on=actions.response_due(timezone.localdate()),
            can_take=obj.assignee_id != user.pk and obj.agency_id == user.agency_id,
        )
    return context


def _referrals_and_notes(user: Staff, obj: Consultation) -> dict[str, Any]:
    referrals = (
        with_overdue(access.visible(user, Referral).filter(consultation=obj))
        .select_related("to_agency", "sent_by")
        .order_by("sent_at", "pk")
    )
    notes = (
        access.visible(user, Note)
        .filter(consultation=obj)
        .select_related("author", "agency")
        .order_by("on", "created_at", "pk")
    )
    return {"referrals": list(referrals), "notes": list(notes)}


@require_POST
def outcome(request: HttpRequest, pk: int) -> HttpResponse:
    obj = access.get_for_user(request.user, Consultation, pk, access.CHANGE)
    form = OutcomeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "対応結果を選んでください。")
        return redirect(obj)
    return post_action(
        request,
        lambda: actions.set_outcome(
            staff_of(request), obj, form.cleaned_data["outcome"], request=request
        ),
        done=lambda _: f"対応結果を「{obj.get_outcome_display()}」にしました。",
        to=obj,
    )


@require_POST
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    """担当になる (assignee=me) or 担当を外す (assignee empty)."""
    obj = access.get_for_user(request.user, Consultation, pk, access.CHANGE)
    assignee = staff_of(request) if request.POST.get("assignee") == "me" else None
    return post_action(
        request,
        lambda: actions.assign(staff_of(request), obj, assignee, request=request),
        done="担当になりました。" if assignee else "担当を外しました。",
        to=obj,
    )


@require_http_methods(GET_POST)
def refer(request: HttpRequest, pk: int) -> HttpResponse:
    """つなぐ: the form is on the consultation page too; this page shows it again with errors."""
    obj = access.read(request, Consultation, pk, access.CHANGE)
    form = ReferForm(
        request.POST or None,
        own_agency_id=obj.agency_id,
        district=obj.household.district if obj.household else None,
        initial={"shared_summary": obj.summary},
    )
    if not form.is_bound:
        # Straight from 「受け付けて、つなぎ先を選ぶ」: the keyboard starts at the choice.
        form.fields["to_agency"].widget.attrs["autofocus"] = True

    def run() -> Referral:
        data = form.cleaned_data
        return actions.refer(
            staff_of(request), obj, data["to_agency"], data["shared_summary"], request=request
        )

    return form_page(
        request,
        form,
        run,
        template="intake/refer_form.html",
        context={"consultation": obj, "due_on": actions.response_due(timezone.localdate())},
        done=lambda referral: (
            f"{referral.to_agency.name} へつなぎました（回答期限 {format_date(referral.due_on)}）。"
        ),
        to=obj,
    )


@require_http_methods(GET_POST)
def note_new(request: HttpRequest, pk: int) -> HttpResponse:
    """支援経過記録を追加: posted from the consultation page; shown alone when it has errors."""
    obj = access.read(request, Consultation, pk, access.CHANGE)
    form = NoteForm(request.POST or None)
    return form_page(
        request,
        form,
        lambda: note_actions.add_note(staff_of(request), obj, **form.cleaned_data, request=request),
        template="intake/note_form.html",
        context={"consultation": obj},
        done="支援経過記録を追加しました。",
        to=f"{obj.get_absolute_url()}#notes",
    )


# --- Consultation list ---------------------------------------------------------------------


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    user = staff_of(request)
    params = request.GET.copy()
    if "scope" not in params:
        # The window works from its own consultations; others start from everything.
        params["scope"] = "mine" if user.role == Role.WINDOW else "all"
    form = ConsultationFilterForm(params)
    form.is_valid()  # a mistyped date shows its error; the other filters still apply
    page = listing.page(user, form.cleaned_data, request.GET.get("page"))
    query = form.cleaned_data.get("q")
    notes_shown = listing.snippets(user, page, query) if query else []
    audit_page(
        request, "intake.consultation", page, **({"notes": notes_shown} if notes_shown else {})
    )
    person_ids = [c.person_id for c in page.object_list if c.person_id]
    shown = access.visible(user, Person).filter(pk__in=person_ids).values_list("pk", flat=True)
    context = {
        "form": form,
        "page_obj": page,
        "visible_people": set(shown) if person_ids else set(),
        "can_take": access.can_create(user, Consultation),
    }
    return render(request, "intake/consultation_list.html", context)


# --- Referrals -----------------------------------------------------------------------------
