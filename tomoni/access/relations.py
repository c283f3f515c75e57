"""The relations named in the policy table, one queryset filter each."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from tomoni.directory.models import Staff
from tomoni.people.models import Household, Membership

from .models import BreakGlass

RelationFilter = Callable[[Staff], Q]
RELATIONS: dict[tuple[str, str], RelationFilter] = {}


def relation(model: str, name: str) -> Callable[[RelationFilter], RelationFilter]:
    def register(fn: RelationFilter) -> RelationFilter:
        RELATIONS[(model, name)] = fn
        return fn

    return register


@relation("people.Household", "any")
@relation("people.Person", "any")
def _everything(user: Staff) -> Q:
    return Q()


@relation("people.Household", "registered_by_me")
def _household_registered_by_me(user: Staff) -> Q:
    return Q(created_by=user)


@relation("people.Person", "registered_by_me")
def _person_registered_by_me(user: Staff) -> Q:
    # A person the window registered, or anybody who lives in a household it registered.
    # EXISTS, not IN: checked per candidate row, so a search stays an index range scan
    # however many households the user registered.
    members = Membership.objects.filter(person=OuterRef("pk"), household__created_by=user)
    return Q(created_by=user) | Q(Exists(members))


@relation("people.Household", "registered_by_my_agency")
def _household_registered_by_my_agency(user: Staff) -> Q:
    if user.agency_id is None:
        return Q(pk__in=[])
    return Q(created_by__agency_id=user.agency_id)


@relation("people.Person", "registered_by_my_agency")
def _person_registered_by_my_agency(user: Staff) -> Q:
    if user.agency_id is None:
        return Q(pk__in=[])
    members = Membership.objects.filter(
        person=OuterRef("pk"), household__created_by__agency_id=user.agency_id
    )
    return Q(created_by__agency_id=user.agency_id) | Q(Exists(members))


def _granted(user: Staff, object_type: str) -> Q:
    grants = BreakGlass.objects.filter(
        staff=user, object_type=object_type, expires_at__gt=timezone.now()
    )
    return Q(pk__in=grants.values("object_id"))


@relation("people.Household", "break_glass")
def _household_break_glass(user: Staff) -> Q:
    return _granted(user, "people.household")


@relation("people.Person", "break_glass")
def _person_break_glass(user: Staff) -> Q:
    # Opening a household in an emergency shows its members too.
    households = Household.objects.filter(_granted(user, "people.household"))
    members = Membership.objects.filter(household__in=households.values("pk"))
    return _granted(user, "people.person") | Q(pk__in=members.values("person_id"))
