"""Search, households and people. Reads go through ``tomoni.access``; writes through
``actions``. Outsiders get 404 for a record whether or not it exists."""

from __future__ import annotations

import copy

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.middleware import HtmxDetails

from tomoni import access
from tomoni.attachments.context import attachments_of
from tomoni.audit.log import Action, record
from tomoni.web.viewutils import audit_page, form_page, staff_of

from . import actions, postal
from .forms import ConsentForm, EndMembershipForm, HouseholdForm, MemberForm, PersonEditForm
from .models import Consent, Household, MatchReview, Membership, Person, Relation
from .search import search_people

GET_POST = ["GET", "POST"]


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    # A NUL character is no search word, and PostgreSQL refuses it in a query (a 500).
    query = request.GET.get("q", "").replace("\x00", "").strip()[:60]
    page = None
    if query:
        results = search_people(staff_of(request), query)
        size = settings.TOMONI_SEARCH_PAGE_SIZE
        number = request.GET.get("page")
        first: list[Person] | None = None
        paged: QuerySet[Person] | list[Person] = results
        if number in (None, "", "1"):
            # The first page and one row past it: when that is all there is, the page knows
            # its count and the COUNT(*) — as dear as the search itself at a city's scale,
            # every candidate row checked against the access rules again — is not run.
            first = list(results[: size + 1])
            if len(first) <= size:
                paged = first
        page = Paginator(paged, size).get_page(number)
        if first is not None and page.number == 1:
            page.object_list = first[:size]  # already fetched, with its households
        audit_page(request, "people.person", page)
    htmx: HtmxDetails | None = getattr(request, "htmx", None)
    template = "people/search.html#results" if htmx else "people/search.html"
    return render(
        request,
        template,
        {
            "search_query": query,
            "page_obj": page,
            "can_register": access.can_create(request.user, Household),
            "can_review": access.has_scope(request.user, MatchReview),
        },
    )


@require_GET
def household(request: HttpRequest, pk: int) -> HttpResponse:
    obj = access.read(request, Household, pk)
    members = access.members(request.user, obj, include_past=True, check=False)
    return render(
        request,
        "people/household.html",
        {
            "household": obj,
            "name": access.household_name(members),
            "current": [m for m in members if m.current],
            "past": [m for m in members if not m.current],
            "limited": any(not m.can_open for m in members),
            "tags": list(obj.tags.all()),
            "can_change": access.can(request.user, access.CHANGE, obj),
        },
    )


@require_http_methods(GET_POST)
def household_new(request: HttpRequest) -> HttpResponse:
    access.require_create(request.user, Household)
    form = HouseholdForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        obj = actions.register_household(
            staff_of(request),
            address=data["address"],
            district=data["district"],
            postal_code=data["postal_code"],
            phone=data["phone"],
            notes=data["notes"],
            tags=data["tags"],
            request=request,
        )
        messages.success(
            request,
            f"{obj.code} を登録しました。{_suggested(form)}続けて世帯員を登録してください。",
        )
        return redirect("people:member_new", pk=obj.pk)
    return render(request, "people/household_form.html", {"form": form})


@require_http_methods(GET_POST)
def household_edit(request: HttpRequest, pk: int) -> HttpResponse:
    obj = access.read(request, Household, pk, access.CHANGE)
    # A ModelForm writes the posted values into its instance while validating: give it a copy,
    # so that the action compares against the stored values and sees what changed.
    form = HouseholdForm(
        request.POST or None, instance=copy.copy(obj), initial={"tags": list(obj.tags.all())}
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        actions.update_household(
            staff_of(request), obj, data, tags=data.pop("tags"), request=request
        )
        messages.success(request, f"世帯の情報を更新しました。{_suggested(form)}")
        return redirect(obj)
    return render(request, "people/household_form.html", {"form": form, "household": obj})


def _suggested(form: HouseholdForm) -> str:
    district = form.suggested_district
    if district is None:
        return ""
    return f"地区は住所から「{district.name}」としました（違うときは編集してください）。"


@require_GET
def postal_lookup(request: HttpRequest) -> JsonResponse:
    """郵便番号 → 住所 and the 地区 to propose (static/tomoni/js/postal.js asks). No personal
    data, but behind the sign-in like every page; nothing is audited."""
    typed = request.GET.get("code", "")[:30]
    code = postal.normalize_code(typed)
    if code is None:
        return JsonResponse({"error": "郵便番号は7桁の数字で入力してください。"}, status=400)
    place = postal.lookup(code)
    if place is None:
        message = f"郵便番号 {code[:3]}-{code[3:]} は見つかりませんでした。住所を入力してください。"
        return JsonResponse({"error": message}, status=404)
    district = postal.district_in(place.text) if place.town else None
    return JsonResponse(
        {
            "code": place.code,
            "prefecture": place.prefecture,
            "city": place.city,
            "town": place.town,
            "towns": list(place.towns),
            "address": place.text,
            "district": {"id": district.pk, "name": district.name} if district else None,
        }
    )


@require_http_methods(GET_POST)
def member_new(request: HttpRequest, pk: int) -> HttpResponse:
    obj = access.read(request, Household, pk, access.CHANGE)
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = actions.register_person(
            staff_of(request),
            data,
            household=obj,
            relationship=data["relationship"],
            start_date=data["start_date"],
            request=request,
        )
        messages.success(request, f"{person.full_name} さんを世帯員に登録しました。")
        return redirect(obj)
    return render(request, "people/member_form.html", {"form": form, "household": obj})


@require_http_methods(GET_POST)
def membership_end(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    obj = access.get_for_user(request.user, Household, pk, access.CHANGE)
    membership = access.get_for_user(request.user, Membership, membership_pk, access.CHANGE)
    if membership.household_id != obj.pk:
        raise access.NotVisible()
    # A write on a member needs CHANGE on that member, not only on the household.
    access.get_for_user(request.user, Person, membership.person_id, access.CHANGE)
    if request.method == "GET":
        record(Action.VIEW, request=request, obj=membership)
    form = EndMembershipForm(request.POST or None)
    return form_page(
        request,
        form,
        lambda: actions.end_membership(
            staff_of(request),
            membership,
            form.cleaned_data["end_date"],
            form.cleaned_data["end_reason"],
            request=request,
        ),
        template="people/membership_end.html",
        context={"household": obj, "membership": membership},
        done="世帯員の記録を終了しました（履歴は残ります）。",
        to=obj,
    )


@require_GET
def person(request: HttpRequest, pk: int) -> HttpResponse:
    obj = access.read(request, Person, pk)
    if obj.merged_into_id is not None:  # 名寄せ: the record lives on in its survivor
        survivor = access.visible(request.user, Person).filter(pk=obj.merged_into_id).first()
        return render(request, "people/person_merged.html", {"person": obj, "survivor": survivor})
    # Households and relatives are listed only where the viewer may open them too: a person
    # known to two agencies must not reveal the other agency's household or family.
    user = request.user
    memberships = list(
        access.visible(user, Membership)
        .filter(person=obj)
        .select_related("household__district")
        .order_by("end_date", "-pk")
    )
    consents = list(obj.consents.select_related("recorded_by", "withdraws").order_by("-pk"))
    people = access.visible(user, Person).values("pk")
    relations = list(
        obj.relations_from.filter(to_person__in=people).select_related("to_person")
    ) + list(access.visible(user, Relation).filter(to_person=obj).select_related("from_person"))
    withdrawn = {c.withdraws_id for c in consents if c.withdraws_id}
    can_change = access.can(request.user, access.CHANGE, obj)
    return render(
        request,
        "people/person.html",
        {
            "person": obj,
            "memberships": memberships,
            "consents": consents,
            "withdrawn_ids": withdrawn,
            "relations": relations,
            "can_change": can_change,
            # issue 19: files on the person
            **attachments_of(staff_of(request), obj, can_attach=can_change),
        },
    )


@require_http_methods(GET_POST)
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    obj = access.read(request, Person, pk, access.CHANGE)
    form = PersonEditForm(request.POST or None, instance=copy.copy(obj))  # see household_edit
    if request.method == "POST" and form.is_valid():
        actions.update_person(staff_of(request), obj, form.cleaned_data, request=request)
        messages.success(request, "本人の情報を更新しました。")
        return redirect(obj)
    return render(request, "people/person_form.html", {"form": form, "person": obj})


@require_http_methods(GET_POST)
def consent_new(request: HttpRequest, pk: int) -> HttpResponse:
    obj = access.read(request, Person, pk, access.CHANGE)
    form = ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.record_consent(staff_of(request), obj, **form.cleaned_data, request=request)
        messages.success(request, "同意の状況を記録しました。")
        return redirect(obj)
    return render(request, "people/consent_form.html", {"form": form, "person": obj})


@require_POST
def consent_withdraw(request: HttpRequest, pk: int, consent_pk: int) -> HttpResponse:
    obj = access.read(request, Person, pk, access.CHANGE)
    consent = access.get_for_user(request.user, Consent, consent_pk)
    if consent.person_id != obj.pk:
        raise access.NotVisible()
    form = ConsentForm(
        {**request.POST.dict(), "scope": consent.scope, "status": Consent.Status.GIVEN}
    )
    if form.is_valid():
        try:
            actions.withdraw_consent(
                staff_of(request),
                consent,
                on=form.cleaned_data["on"],
                method=form.cleaned_data["method"],
                note=form.cleaned_data["note"],
                request=request,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "同意の撤回を記録しました。")
    else:
        messages.error(request, "撤回日と方法を正しく入力してください。")
    return redirect(obj)
