"""A household's members, as far as the record the viewer opened allows.

A case, an engagement, a participation plan or a household page shows the people of the
household. The viewer may open some of them on their own (their person record is visible); the
others are shown only with the fields ``policy.MEMBER_FIELDS`` lets that record show — the
household's composition (世帯構成), never a birth date, phone or note, never a link or an edit.
Views and print pages take members from here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, cast

from django.apps import apps
from django.db.models import BooleanField, ExpressionWrapper, Model, Q, QuerySet, Value

from .engine import NotVisible, Viewer, for_action, grant_filter, label_of, visible
from .policy import CHANGE, MEMBER_FIELDS, VIEW

if TYPE_CHECKING:
    from tomoni.people.models import Household, Membership, Person


def _household_model() -> type[Household]:
    return cast("type[Household]", apps.get_model("people", "Household"))


def _membership_model() -> type[Membership]:
    return cast("type[Membership]", apps.get_model("people", "Membership"))


def _person_model() -> type[Person]:
    return cast("type[Person]", apps.get_model("people", "Person"))


@dataclass(frozen=True)
class Member:
    """One member as a page may show them. ``person`` is the full record, set only when the
    viewer may open it; every other field is empty unless the relation allows it."""

    membership_id: int
    person_id: int
    relationship: str  # 続柄, as displayed
    relationship_code: str
    start_date: date | None
    end_date: date | None
    end_reason: str  # as displayed
    name: str
    age: int | None
    sex: str  # as displayed
    sex_code: str
    deceased: bool
    person: Person | None
    can_change: bool
    # The record itself, for forms handing a chosen member to an action (which checks its own
    # rights). Templates cannot reach a name starting with "_", so no page can show it.
    _record: Person = field(repr=False, compare=False)

    @property
    def can_open(self) -> bool:
        return self.person is not None

    @property
    def current(self) -> bool:
        return self.end_date is None

    @property
    def label(self) -> str:
        """What a choice list or a caption calls this member: the name where it may be shown,
        otherwise the 続柄 and age (「長男（52歳）」)."""
        if self.name:
            return self.name
        age = f"（{self.age}歳）" if self.age is not None else ""
        return f"{self.relationship}{age}"


def household_name(members: list[Member]) -> str:
    """What a page calls a household: after the member it may name, the 世帯主 first
    (「見本 太郎さんの世帯」); empty when it may name no one (the page shows the 世帯番号)."""
    named = [m for m in members if m.current and m.name]
    named.sort(key=lambda m: m.relationship_code != "head")
    return f"{named[0].name}さんの世帯" if named else ""


def names(user: Viewer | None, person_ids: Iterable[int | None] | QuerySet[Any]) -> dict[int, str]:
    """The full names of those of these persons the user may see, by id: one query (the ids
    may be a ``values("person_id")`` queryset, used as a subquery)."""
    ids = person_ids if isinstance(person_ids, QuerySet) else {p for p in person_ids if p}
    if not isinstance(ids, QuerySet) and not ids:
        return {}
    people = visible(user, _person_model()).filter(pk__in=ids)
    return {p.pk: p.full_name for p in people.only("family_name", "given_name")}


def household_of(via: Model) -> Household | None:
    """The household a record is about (for a person or a participation plan: the person's
    current home)."""
    if isinstance(via, _household_model()):
        return via
    household = getattr(via, "household", None)
    if household is not None:
        return cast("Household", household)
    person = via if isinstance(via, _person_model()) else getattr(via, "person", None)
    if person is None:
        return None
    current = _membership_model().current.filter(person=person).select_related("household").first()
    return current.household if current else None


def members(
    user: Viewer | None, via: Model, *, include_past: bool = False, check: bool = True
) -> list[Member]:
    """The members of ``via``'s household (current ones, or all with ``include_past``), each
    with what ``policy.MEMBER_FIELDS`` allows for ``via``'s kind of record.

    ``via`` must be a record the user may view (checked unless the caller has just loaded it
    through the policy and says ``check=False``): otherwise NotVisible.
    """
    label = label_of(type(via))
    if label not in MEMBER_FIELDS:
        raise ValueError(f"members are not shown through {label}")
    if check and not visible(user, type(via)).filter(pk=via.pk).exists():
        raise NotVisible(label, via.pk)
    household = household_of(via)
    if household is None:
        return []
    rows = _membership_model().objects.filter(household=household)
    if not include_past:
        rows = rows.filter(end_date__isnull=True)
    memberships: list[Membership] = list(
        rows.select_related("person").order_by("end_date", "start_date", "pk")
    )
    openable, changeable = _rights(user, [m.person_id for m in memberships])
    allowed = MEMBER_FIELDS[label]
    return [
        _member(m, allowed, m.person_id in openable, m.person_id in changeable) for m in memberships
    ]


def _rights(user: Viewer | None, ids: list[int]) -> tuple[set[int], set[int]]:
    """Which of these persons the user may open, and change: one query at most (none for a
    role that sees every person)."""
    Person = _person_model()
    view, change = grant_filter(user, Person, VIEW), grant_filter(user, Person, CHANGE)
    if view is None or not ids:
        return set(), set()
    if not view and (change is not None and not change):
        return set(ids), set(ids)
    rows = Person.objects.filter(pk__in=ids).annotate(
        may_open=_flag(view), may_change=_flag(change)
    )
    found = list(rows.values_list("pk", "may_open", "may_change"))
    return {pk for pk, o, _c in found if o}, {pk for pk, o, c in found if o and c}


def _flag(q: Q | None) -> ExpressionWrapper[Any]:
    if q is None:
        return ExpressionWrapper(Value(False), output_field=BooleanField())
    if not q:
        return ExpressionWrapper(Value(True), output_field=BooleanField())
    return ExpressionWrapper(q, output_field=BooleanField())


def _member(m: Membership, allowed: frozenset[str], openable: bool, changeable: bool) -> Member:
    person: Person = m.person
    shows = (lambda field: True) if openable else allowed.__contains__
    return Member(
        membership_id=m.pk,
        person_id=person.pk,
        relationship=m.get_relationship_display() if shows("relationship") else "",
        relationship_code=m.relationship if shows("relationship") else "",
        start_date=m.start_date if shows("dates") else None,
        end_date=m.end_date,
        end_reason=m.get_end_reason_display() if shows("dates") else "",
        name=person.full_name if shows("name") else "",
        age=person.age() if shows("age") else None,
        sex=person.get_sex_display() if shows("sex") else "",
        sex_code=person.sex if shows("sex") else "",
        deceased=(person.deceased or bool(person.deceased_on)) if shows("dates") else False,
        person=person if openable else None,
        can_change=changeable,
        _record=person,
    )


def record_of(member: Member) -> Person:
    """The person behind a member, to pass to an action (never to a template)."""
    return member._record


def as_member(user: Viewer | None, person: Person) -> Member:
    """A person the viewer may open, as a member of their current household (for a choice
    list that offers only them)."""
    Person = _person_model()
    if not visible(user, Person).filter(pk=person.pk).exists():
        raise NotVisible("people.Person", person.pk)
    Membership = _membership_model()
    membership = Membership.current.filter(person=person).order_by("pk").first()
    if membership is None:
        membership = Membership(person=person, relationship="")
    changeable = for_action(user, Person, CHANGE).filter(pk=person.pk).exists()
    return _member(membership, frozenset(), True, changeable)


def member_or_404(user: Viewer | None, via: Model, person_id: Any) -> Member:
    """One member of ``via``'s household (current), or NotVisible."""
    for member in members(user, via):
        if str(member.person_id) == str(person_id):
            return member
    raise NotVisible("people.Person", person_id)
