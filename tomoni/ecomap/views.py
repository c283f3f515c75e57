"""The エコマップ of a household, and the ties the worker adds or ends.

Reads through ``tomoni.access`` (outsiders get 404 for the household and for its ties);
writes through ``ecomap.actions``. The page is audited as a read of the household.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tomoni import access
from tomoni.directory.merged import pickable
from tomoni.directory.models import Agency
from tomoni.participation.models import Place
from tomoni.people.family import family_of
from tomoni.people.models import Household, Person
from tomoni.web.viewutils import form_page, post_action, staff_of

from . import actions
from .data import centre_of, nodes_of
from .forms import TieForm
from .layout import EcoDrawing, layout
from .models import EcomapTie


def drawing_for(
    request: HttpRequest, household: Household, subject: Person | None = None
) -> EcoDrawing:
    family = family_of(staff_of(request), household, subject=subject)
    drawing = layout(centre_of(family), nodes_of(staff_of(request), family))
    drawing.title = f"世帯 {household.code} のエコマップ"
    return drawing


@require_GET
def household(request: HttpRequest, pk: int) -> HttpResponse:
    obj = access.read(request, Household, pk)
    ties = (
        access.visible(request.user, EcomapTie)
        .filter(household=obj, end_on__isnull=True)
        .select_related("agency", "place", "person")
    )
    return render(
        request,
        "ecomap/household.html",
        {
            "household": obj,
            "e": drawing_for(request, obj),
            "ties": ties,
            "can_change": access.can(request.user, access.CHANGE, obj),
        },
    )


@require_http_methods(["GET", "POST"])
def tie_new(request: HttpRequest, pk: int) -> HttpResponse:
    obj = access.read(request, Household, pk, access.CHANGE)
    members = access.visible(request.user, Person).filter(
        memberships__household=obj, memberships__end_date__isnull=True
    )
    form = TieForm(
        request.POST or None,
        agencies=pickable(Agency.objects.order_by("order", "pk")),
        places=access.visible(request.user, Place).filter(active=True).order_by("name"),
        members=members,
    )
    return form_page(
        request,
        form,
        lambda: actions.add_tie(staff_of(request), obj, form.cleaned_data, request=request),
        template="ecomap/tie_form.html",
        context={"household": obj},
        done="つながりを登録しました。",
        to=reverse("ecomap:household", kwargs={"pk": obj.pk}),
    )


@require_POST
def tie_end(request: HttpRequest, pk: int, tie_pk: int) -> HttpResponse:
    obj = access.get_for_user(request.user, Household, pk, access.CHANGE)
    tie = access.get_for_user(request.user, EcomapTie, tie_pk, access.CHANGE)
    if tie.household_id != obj.pk:
        raise access.NotVisible()
    return post_action(
        request,
        lambda: actions.end_tie(staff_of(request), tie, request=request),
        done="つながりを終了しました（記録は残ります）。",
        to=reverse("ecomap:household", kwargs={"pk": obj.pk}),
    )
