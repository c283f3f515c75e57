"""包括的相談支援: 相談受付, the consultation page, the lists, and つなぎ (referrals).

Reads go through ``tomoni.access``; writes through ``tomoni.intake.actions`` and
``tomoni.notes.actions``. Outsiders get 404 for a record whether or not it exists.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import BooleanField, Case, F, FilteredRelation, Q, QuerySet, Value, When
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tomoni import access
from tomoni.access import candidates
from tomoni.attachments.context import attachments_of
from tomoni.audit.log import Action, record
from tomoni.directory.models import Role, Staff
from tomoni.fulltext.api import count_matching, is_short, matching_ids
from tomoni.fulltext.snippets import contains_all, highlight
from tomoni.lib.wareki import WarekiError, format_date, parse_date_or_none
from tomoni.notes import actions as note_actions
from tomoni.notes.models import Note
from tomoni.people.candidates import Candidate, describe, find_candidates
from tomoni.people.models import Person
from tomoni.web.viewutils import add_form_errors, day_start, staff_of

from . import actions
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
    ReferralFilterForm,
)
from .models import Consultation, Referral

GET_POST = ["GET", "POST"]
PAGE_SIZE = 50
# A word search counts this many hits at most and shows 「1,000 件以上」 past it.
COUNT_CAP = 1000
# A word search first checks the newest consultations, this many per query. Each batch is
# one query with a fixed cost (the access rules, ~0.5-1.5 s for a window worker on
# PostgreSQL at L) plus a small one per consultation, so one batch of 8,000 beat 2,000 + 6,000.
WALK_BATCHES = (8000,)
# The bigram index lists a word's matches in time proportional to their number; the walk
# costs in proportion to the consultations the user sees (up to WALK_BATCHES). So the index
# is asked directly when the user sees more than FEW consultations and the index holds at
# most INDEX_CAP matching documents (bench: docs/performance.md, full-text section).
FEW = 1000
INDEX_CAP = 40_000
SEARCHED_KINDS = ("intake.consultation", "notes.note")
State = Referral.State


def _audit_list(
    request: HttpRequest, object_type: str, page: Page[Any], *, notes: list[int] | None = None
) -> None:
    detail: dict[str, Any] = {"ids": [obj.pk for obj in page.object_list]}
    if notes:
        detail["notes"] = notes  # 支援経過記録 quoted in the hit snippets
    record(Action.LIST, request=request, object_type=object_type, detail=detail)


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
        if data["household_address"] or data["household_district"]:
            new_household = {
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
        record(
            Action.LIST,
            request=request,
            object_type="people.person",
            detail={"ids": ids, "shown_as": "candidates"},
        )
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
    referrals = (
        _with_overdue(access.visible(user, Referral).filter(consultation=obj))
        .select_related("to_agency", "sent_by")
        .order_by("sent_at", "pk")
    )
    notes = (
        access.visible(user, Note)
        .filter(consultation=obj)
        .select_related("author", "agency")
        .order_by("on", "created_at", "pk")
    )
    context: dict[str, Any] = {
        "consultation": obj,
        "route": list(obj.route.select_related("agency")),
        "concern_links": list(obj.concern_links.select_related("concern")),
        "tags": list(obj.tags.all()),
        "referrals": list(referrals),
        "notes": list(notes),
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
                own_agency_id=obj.agency_id, initial={"shared_summary": obj.summary}
            ),
            note_form=NoteForm(),
            due_on=actions.response_due(timezone.localdate()),
            can_take=obj.assignee_id != user.pk and obj.agency_id == user.agency_id,
        )
    return context


@require_POST
def outcome(request: HttpRequest, pk: int) -> HttpResponse:
    obj = access.get_for_user(request.user, Consultation, pk, access.CHANGE)
    form = OutcomeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "対応結果を選んでください。")
        return redirect(obj)
    try:
        actions.set_outcome(staff_of(request), obj, form.cleaned_data["outcome"], request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"対応結果を「{obj.get_outcome_display()}」にしました。")
    return redirect(obj)


@require_POST
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    """担当になる (assignee=me) or 担当を外す (assignee empty)."""
    obj = access.get_for_user(request.user, Consultation, pk, access.CHANGE)
    assignee = staff_of(request) if request.POST.get("assignee") == "me" else None
    try:
        actions.assign(staff_of(request), obj, assignee, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "担当になりました。" if assignee else "担当を外しました。")
    return redirect(obj)


@require_http_methods(GET_POST)
def refer(request: HttpRequest, pk: int) -> HttpResponse:
    """つなぐ: the form is on the consultation page too; this page shows it again with errors."""
    obj = access.read(request, Consultation, pk, access.CHANGE)
    form = ReferForm(
        request.POST or None, own_agency_id=obj.agency_id, initial={"shared_summary": obj.summary}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            referral = actions.refer(
                staff_of(request), obj, data["to_agency"], data["shared_summary"], request=request
            )
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            due = format_date(referral.due_on)
            messages.success(
                request, f"{referral.to_agency.name} へつなぎました（回答期限 {due}）。"
            )
            return redirect(obj)
    context = {
        "form": form,
        "consultation": obj,
        "due_on": actions.response_due(timezone.localdate()),
    }
    return render(request, "intake/refer_form.html", context)


@require_http_methods(GET_POST)
def note_new(request: HttpRequest, pk: int) -> HttpResponse:
    """支援経過記録を追加: posted from the consultation page; shown alone when it has errors."""
    obj = access.read(request, Consultation, pk, access.CHANGE)
    form = NoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            note_actions.add_note(staff_of(request), obj, **form.cleaned_data, request=request)
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, "支援経過記録を追加しました。")
            return redirect(f"{obj.get_absolute_url()}#notes")
    return render(request, "intake/note_form.html", {"form": form, "consultation": obj})


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
    page = _page(user, form.cleaned_data, request.GET.get("page"))
    query = form.cleaned_data.get("q")
    notes_shown = _snippets(user, page, query) if query else []
    _audit_list(request, "intake.consultation", page, notes=notes_shown)
    person_ids = [c.person_id for c in page.object_list if c.person_id]
    shown = access.visible(user, Person).filter(pk__in=person_ids).values_list("pk", flat=True)
    context = {
        "form": form,
        "page_obj": page,
        "visible_people": set(shown) if person_ids else set(),
        "can_take": access.can_create(user, Consultation),
    }
    return render(request, "intake/consultation_list.html", context)


def _page(user: Staff, data: dict[str, Any], number: str | None) -> Page[Any]:
    """The page of the list. The plain list counts exactly (without the joins, which only
    add columns). A word search counts at most COUNT_CAP + 1 hits (「1,000 件以上」): an
    exact count of a common word would read every match."""
    filtered = _filtered(user, data)
    query = data.get("q")
    if not query:
        return CountingPaginator(_listed(filtered), PAGE_SIZE, counted=filtered).get_page(number)
    # Many consultations to walk and rare enough words: the index lists all the matches.
    if (
        not is_short(query)
        and _sees_many(filtered)
        and count_matching(SEARCHED_KINDS, query, cap=INDEX_CAP) <= INDEX_CAP
    ):
        return _indexed_page(user, filtered, query, number)
    newest, complete = _newest_matches(user, filtered, query)
    if not complete and not is_short(query):
        # Few matches among the newest consultations (those the user sees are rare).
        return _indexed_page(user, filtered, query, number)
    # A 1-character query has no index to ask: what the walk found is all it gets, and the
    # page says so (``partial``).
    paginator = CountingPaginator(
        newest[:COUNT_CAP],
        PAGE_SIZE,
        cap=COUNT_CAP,
        more=len(newest) > COUNT_CAP,
        partial=not complete,
    )
    return _with_rows(paginator.get_page(number), filtered)


def _with_rows(page: Page[Any], filtered: QuerySet[Consultation]) -> Page[Any]:
    """The page of ids, as the rows the list shows (one query for the page's rows only: the
    joins and the text would otherwise go into the sort of every match)."""
    ids = list(page.object_list)
    rows = {c.pk: c for c in _listed(filtered).filter(pk__in=ids)}
    page.object_list = [rows[pk] for pk in ids if pk in rows]
    return page


def _sees_many(filtered: QuerySet[Consultation]) -> bool:
    """Whether the list holds more than FEW consultations (one query, reading FEW + 1 rows)."""
    return filtered.order_by().values_list("pk", flat=True)[FEW : FEW + 1].exists()


def _indexed_page(
    user: Staff, filtered: QuerySet[Consultation], query: str, number: str | None
) -> Page[Any]:
    """Every match through the full-text index, counted up to the cap, one page fetched."""
    matched = _matching(user, filtered, query)
    newest = matched.order_by("-received_at", "-pk").values_list("pk", flat=True)
    paginator = CountingPaginator(newest, PAGE_SIZE, counted=matched, cap=COUNT_CAP)
    return _with_rows(paginator.get_page(number), filtered)


def _newest_matches(
    user: Staff, filtered: QuerySet[Consultation], query: str
) -> tuple[list[int], bool]:
    """The ids of the newest COUNT_CAP + 1 matching consultations, newest first, found by
    checking the newest consultations batch by batch (each batch one bounded query that
    reads only its own documents and notes), and whether that is the whole answer: False
    if the batches of WALK_BATCHES hold fewer matches and more consultations remain (the
    words are rare: the index is the faster way; a 1-character word has none)."""
    ordered = filtered.order_by("-received_at", "-pk").values_list("pk", flat=True)
    found: list[int] = []
    start = 0
    for size in WALK_BATCHES:
        batch = list(ordered[start : start + size])
        start += size
        matching = _matching(user, filtered, query, among=batch).order_by()
        hits = set(matching.values_list("pk", flat=True))
        found += [pk for pk in batch if pk in hits]
        if len(found) > COUNT_CAP or len(batch) < size:
            return found, True
    return found, False


def _snippets(user: Staff, page: Page[Any], query: str) -> list[int]:
    """Give each consultation on the page ``snippet``: its hit, marked — from its own text
    if that holds every word, else from its newest matching note the user may read (one
    query for the page). Returns the ids of the notes quoted, for the audit."""
    rows = list(page.object_list)
    page.object_list = rows
    rest = {}
    for row in rows:
        own = f"{row.summary}\n{row.text}"
        if contains_all(own, query):
            row.snippet = highlight(own, query)
        else:
            rest[row.pk] = row
    if not rest:
        return []
    notes = access.visible(user, Note).filter(consultation_id__in=list(rest))
    notes = notes.filter(pk__in=matching_ids("notes.note", query, among=notes.values("pk")))
    quoted = []
    for pk, consultation_id, text in notes.order_by("-on", "-pk").values_list(
        "pk", "consultation_id", "text"
    ):
        row = rest.pop(consultation_id, None)
        if row is not None:
            row.snippet = highlight(text, query)
            quoted.append(pk)
    return quoted


def _filtered(user: Staff, data: dict[str, Any]) -> QuerySet[Consultation]:
    qs = access.visible(user, Consultation)
    if data.get("scope") == "mine":
        qs = qs.filter(assignee=user)
    elif data.get("scope") == "unassigned":
        qs = qs.filter(assignee__isnull=True)
    outcome = data.get("outcome")
    if outcome == ConsultationFilterForm.NO_OUTCOME:
        qs = qs.filter(outcome="")
    elif outcome:
        qs = qs.filter(outcome=outcome)
    if data.get("received_from"):
        qs = qs.filter(received_at__gte=day_start(data["received_from"]))
    if data.get("received_to"):
        qs = qs.filter(received_at__lt=day_start(data["received_to"] + timedelta(days=1)))
    return qs


def _matching(
    user: Staff, qs: QuerySet[Consultation], query: str, among: list[int] | None = None
) -> QuerySet[Consultation]:
    """Its own text, or a note on it that the user may read; ``among``: only these ids."""
    notes = access.visible(user, Note)
    if among is None:
        notes = notes.filter(pk__in=matching_ids("notes.note", query))
        return qs.filter(
            Q(pk__in=matching_ids("intake.consultation", query))
            | Q(pk__in=notes.values("consultation_id"))
        )
    notes = notes.filter(consultation_id__in=among)
    notes = notes.filter(pk__in=matching_ids("notes.note", query, among=notes.values("pk")))
    return qs.filter(pk__in=among).filter(
        Q(pk__in=matching_ids("intake.consultation", query, among=among))
        | Q(pk__in=notes.values("consultation_id"))
    )


def _listed(qs: QuerySet[Consultation]) -> QuerySet[Consultation]:
    """The rows as the list shows them. The joins only add columns (a consultation has at
    most one ◎ concern), so the count is taken on ``qs`` without them."""
    return (
        qs.select_related("person", "household__district", "assignee")
        .annotate(
            primary_link=FilteredRelation(
                "concern_links", condition=Q(concern_links__is_primary=True)
            ),
            primary_concern=F("primary_link__concern__name"),
        )
        .order_by("-received_at", "-pk")
    )


class CountingPaginator(Paginator[Any]):
    """Pages of ``object_list``, counted on ``counted`` (the same rows, cheaper to count).

    With ``cap``, at most ``cap + 1`` rows are counted (the database stops there); when
    there are more, ``more`` is true and only the first ``cap`` rows are paged. A list
    ``object_list`` is counted as it is, with ``more`` given.
    """

    def __init__(
        self,
        object_list: QuerySet[Consultation] | QuerySet[Consultation, int] | list[int],
        per_page: int,
        *,
        counted: QuerySet[Consultation] | None = None,
        cap: int | None = None,
        more: bool = False,
        partial: bool = False,
    ) -> None:
        super().__init__(object_list, per_page)
        self.counted = counted
        self.cap = cap
        self._more = more
        # Only the newest WALK_BATCHES consultations were searched (a 1-character word).
        self.partial = partial
        self.walked = f"{sum(WALK_BATCHES):,}"

    @cached_property
    def count(self) -> int:
        if self.counted is None:
            return len(self.object_list)
        if self.cap is None:
            return self.counted.count()
        found = self.counted.order_by().values("pk")[: self.cap + 1].count()
        self._more = found > self.cap
        return min(found, self.cap)

    @property
    def more(self) -> bool:
        """Whether rows past the cap were left uncounted."""
        return self.count is not None and self._more

    @property
    def cap_label(self) -> str:
        return f"{self.cap or 0:,}"


# --- Referrals -----------------------------------------------------------------------------


@require_GET
def referrals_in(request: HttpRequest) -> HttpResponse:
    user = staff_of(request)
    qs = access.visible(user, Referral).filter(to_agency_id=user.agency_id)
    return _referral_list(request, qs, "in", "受け取ったつなぎ")


@require_GET
def referrals_out(request: HttpRequest) -> HttpResponse:
    user = staff_of(request)
    qs = access.visible(user, Referral).filter(from_agency_id=user.agency_id)
    return _referral_list(request, qs, "out", "送ったつなぎ")


@require_GET
def referrals_overdue(request: HttpRequest) -> HttpResponse:
    # The policy already limits others to their agency's referrals, in or out.
    qs = access.visible(request.user, Referral).filter(
        state=State.SENT, due_on__lt=timezone.localdate()
    )
    return _referral_list(request, qs, "overdue", "回答期限を過ぎたつなぎ")


def _with_overdue(qs: QuerySet[Referral]) -> QuerySet[Referral]:
    """Annotates ``overdue``: still unanswered (依頼中) after its due date."""
    late = Q(state=State.SENT, due_on__lt=timezone.localdate())
    flag = Case(When(late, then=Value(True)), default=Value(False), output_field=BooleanField())
    return qs.annotate(overdue=flag)


def _referral_list(
    request: HttpRequest, qs: QuerySet[Referral], kind: str, title: str
) -> HttpResponse:
    params = request.GET.copy()
    params.setdefault("state", ReferralFilterForm.OPEN)
    form = ReferralFilterForm(params)
    state = form.cleaned_data["state"] if form.is_valid() else ReferralFilterForm.OPEN
    if kind != "overdue":
        if state == ReferralFilterForm.OPEN:
            qs = qs.filter(state__in=[State.SENT, State.ACCEPTED])
        elif state != "all":
            qs = qs.filter(state=state)
    # Overdue first; open work by its due date, closed work newest first.
    then = ("due_on", "-sent_at") if state == ReferralFilterForm.OPEN else ("-sent_at",)
    qs = (
        _with_overdue(qs)
        .select_related("from_agency", "to_agency", "sent_by", "consultation__person")
        .defer("consultation__text")  # only the person's name is shown from it
        .order_by("-overdue", *then, "-pk")
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    _audit_list(request, "intake.referral", page)
    context = {"form": form, "page_obj": page, "kind": kind, "title": title}
    return render(request, "intake/referral_list.html", context)


@require_GET
def referral(request: HttpRequest, pk: int) -> HttpResponse:
    """Only what the referral shares: the receiver cannot open the consultation or the
    person, so the person's basic data is read through the referral itself."""
    found = access.read(request, Referral, pk)
    user = staff_of(request)
    # One query for everything the page and its history name, however far it has moved.
    obj = (
        access.visible(user, Referral)
        .select_related(
            "from_agency",
            "to_agency",
            "sent_by",
            "responded_by",
            "completed_by",
            "withdrawn_by",
            "consultation__person",
            "consultation__household__district",
        )
        .get(pk=found.pk)
    )
    behind = obj.consultation
    context = {
        "referral": obj,
        "person": behind.person,
        "household": behind.household,
        "history": _history(obj),
        "consultation_url": behind.get_absolute_url()
        if access.can(user, access.VIEW, behind)
        else "",
        "can_respond": access.can(user, access.RESPOND, obj),
        "can_withdraw": access.can(user, access.WITHDRAW, obj),
        "overdue": obj.is_overdue(),
    }
    return render(request, "intake/referral.html", context)


def _history(obj: Referral) -> list[dict[str, Any]]:
    events = [{"at": obj.sent_at, "label": "依頼", "who": obj.sent_by, "text": ""}]
    if obj.responded_at:
        declined = bool(obj.decline_reason)
        events.append(
            {
                "at": obj.responded_at,
                "label": "辞退" if declined else "受諾",
                "who": obj.responded_by,
                "text": obj.decline_reason,
            }
        )
    if obj.completed_at:
        events.append(
            {
                "at": obj.completed_at,
                "label": "完了",
                "who": obj.completed_by,
                "text": obj.outcome_note,
            }
        )
    if obj.withdrawn_at:
        events.append(
            {
                "at": obj.withdrawn_at,
                "label": "取り下げ",
                "who": obj.withdrawn_by,
                "text": obj.withdraw_reason,
            }
        )
    return events


@require_POST
def referral_move(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """受諾・辞退・完了・取り下げ, from the version the worker saw."""
    if action not in actions.TRANSITIONS:
        raise Http404
    permission = actions.TRANSITIONS[action][2]
    obj = access.get_for_user(request.user, Referral, pk, permission)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        messages.error(request, "画面を更新してから、もう一度操作してください。")
        return redirect(obj)
    try:
        actions.move_referral(
            staff_of(request),
            obj,
            action,
            note=request.POST.get("note", ""),
            version=version,
            request=request,
        )
    except ValidationError as error:  # ConflictError included: nothing was changed
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"つなぎを{actions.ACTION_LABELS[action]}しました。")
    return redirect(obj)
