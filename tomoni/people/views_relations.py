"""Relations (親子, 配偶者, きょうだい …) and the ジェノグラム of a household.

Reads go through ``tomoni.access`` (outsiders get 404); writes through ``people.actions``,
which check CHANGE on both people and audit. The ジェノグラム page is audited as a read of
the household.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from tomoni import access
from tomoni.audit.log import Action, record
from tomoni.web.viewutils import form_page, staff_of

from . import actions
from .family import family_of
from .forms import EndRelationForm, RelationForm
from .genogram import layout
from .models import Household, Person, Relation

GET_POST = ["GET", "POST"]


def _save(request: HttpRequest, form: RelationForm) -> None:
    """Run the action for a valid form (a refusal is shown on the form: nothing saved)."""
    data = form.cleaned_data
    staff = staff_of(request)
    subject = form.subject_person()
    other = form.other_person()
    extra = {"union": data["union"], "start_date": data["start_date"], "note": data["note"]}
    try:
        if other is None:
            actions.register_relative(
                staff,
                subject,
                form.new_person_data(),
                role=data["role"],
                request=request,
                **extra,
            )
        else:
            first, second, kind = actions.relation_for_role(subject, other, data["role"])
            actions.add_relation(staff, first, second, kind, request=request, **extra)
    except PermissionDenied:
        raise ValidationError(
            "この方の情報を変更する権限がないため、関係を登録できません。"
        ) from None


def _others(request: HttpRequest, household: Household | None, person: Person) -> list[Person]:
    data = family_of(staff_of(request), household, subject=person) if household else None
    people = list(data.persons.values()) if data else []
    if household is None:
        # The person's own relatives, as far as the viewer sees them.
        related = access.visible(request.user, Relation).filter(from_person=person)
        back = access.visible(request.user, Relation).filter(to_person=person)
        ids = set(related.values_list("to_person", flat=True)) | set(
            back.values_list("from_person", flat=True)
        )
        people = list(access.visible(request.user, Person).filter(pk__in=ids))
    return sorted((p for p in people if p.pk != person.pk), key=lambda p: (p.kana_key, p.pk))


@require_http_methods(GET_POST)
def household_relation_new(request: HttpRequest, pk: int) -> HttpResponse:
    household = access.read(request, Household, pk, access.CHANGE)
    # Subjects: the members this worker may change (the action checks it again).
    members = [
        access.record_of(m)
        for m in access.members(request.user, household, check=False)
        if m.can_change
    ]
    if not members:
        messages.error(request, "先に世帯員を登録してください。")
        return redirect(household)
    others = _others(request, household, members[0])
    extra = [p for p in members if p.pk not in {o.pk for o in others}]
    form = RelationForm(request.POST or None, subjects=members, others=[*others, *extra])
    return form_page(
        request,
        form,
        lambda: _save(request, form),
        template="people/relation_form.html",
        context={"household": household, "back": household.get_absolute_url()},
        done="関係を登録しました。ジェノグラムに反映されます。",
        to=reverse("people:genogram", kwargs={"pk": household.pk}),
    )


@require_http_methods(GET_POST)
def person_relation_new(request: HttpRequest, pk: int) -> HttpResponse:
    person = access.read(request, Person, pk, access.CHANGE)
    form = RelationForm(
        request.POST or None, subjects=[person], others=_others(request, None, person)
    )
    return form_page(
        request,
        form,
        lambda: _save(request, form),
        template="people/relation_form.html",
        context={"person": person, "back": person.get_absolute_url()},
        done="関係を登録しました。",
        to=person,
    )


@require_http_methods(GET_POST)
def relation_end(request: HttpRequest, pk: int, relation_pk: int) -> HttpResponse:
    person = access.get_for_user(request.user, Person, pk, access.CHANGE)
    relation = access.get_for_user(request.user, Relation, relation_pk)
    if person.pk not in (relation.from_person_id, relation.to_person_id):
        raise access.NotVisible()
    if request.method == "GET":
        record(Action.VIEW, request=request, obj=relation)
    form = EndRelationForm(request.POST or None)

    def run() -> None:
        try:
            actions.end_relation(
                staff_of(request),
                relation,
                reason=form.cleaned_data["reason"],
                on=form.cleaned_data["on"],
                request=request,
            )
        except PermissionDenied:
            raise ValidationError(
                "相手の方の情報を変更する権限がないため、終了できません。"
            ) from None

    other = relation.to_person if relation.from_person_id == person.pk else relation.from_person
    return form_page(
        request,
        form,
        run,
        template="people/relation_end.html",
        context={"person": person, "relation": relation, "other": other},
        done="関係を終了しました（履歴は残ります）。",
        to=person,
    )


@require_GET
def genogram(request: HttpRequest, pk: int) -> HttpResponse:
    household = access.read(request, Household, pk)
    data = family_of(staff_of(request), household)
    drawing = layout(data.people, data.ties, data.labels)
    drawing.title = f"世帯 {household.code} のジェノグラム"
    return render(
        request,
        "people/genogram.html",
        {
            "household": household,
            "g": drawing,
            "family": data,
            "can_change": access.can(request.user, access.CHANGE, household),
        },
    )
