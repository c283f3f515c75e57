"""Finding people: kanji, kana (any width), the start of a family, given or full name,
birthdates (和暦/西暦), the start or end of a phone number.

The query is split on spaces; every word must match (AND). Each word is read as a date if
it parses as one, as a phone number if it is mostly digits, else as a name or ふりがな.
Words match the *start* of a stored key, so every lookup is an index range scan and the
page stays fast at a city's scale; substring search inside long texts is the job of the
full-text search. Only the user's visible records are searched (``tomoni.access``).
"""

from __future__ import annotations

import re

from django.db.models import Prefetch, Q, QuerySet

from tomoni import access
from tomoni.directory.models import Staff
from tomoni.lib.textnorm import (
    digits_only,
    is_kana,
    kana_key,
    name_key,
    normalize_text,
    unify_dashes,
)
from tomoni.lib.wareki import WarekiError, parse_date

from .models import Household, Membership, Person

_DATEISH = re.compile(r"^([MTSHRmtshr]\d|明治|大正|昭和|平成|令和|\d{4}[-/.年]|\d{8}$)")
# Past every character that can follow a prefix: key >= p AND key < p + _TOP.
_TOP = "\U0010ffff"
MAX_WORDS = 5


def prefix_q(field: str, value: str) -> Q:
    """``field`` starts with ``value``, as a range an index can serve on any database."""
    return Q(**{f"{field}__gte": value, f"{field}__lt": value + _TOP})


def _anyprefix_q(fields: tuple[str, ...], value: str) -> Q:
    q = Q()
    for field in fields:
        q |= prefix_q(field, value)
    return q


def _phone_filter(digits: str) -> Q:
    """The start or the end of the person's own number or of their household's."""
    numbers = prefix_q("phone_key", digits) | prefix_q("phone_rev", digits[::-1])
    households = Household.objects.filter(numbers).values("pk")
    members = Membership.current.filter(household__in=households).values("person_id")
    return numbers | Q(pk__in=members)


def _word_filter(word: str) -> Q:
    dashed = unify_dashes(word)  # for the date and phone checks; kana keep their "ー"
    if _DATEISH.match(dashed):
        try:
            return Q(birth_date=parse_date(word))
        except WarekiError:
            pass
    digits = digits_only(word)
    if len(digits) >= 4 and len(digits) >= len(dashed.replace("-", "")) - 1:
        return _phone_filter(digits)
    names = _anyprefix_q(("name_key", "family_key", "given_key"), name_key(word))
    if is_kana(word):
        kana = kana_key(word)
        return names | _anyprefix_q(("kana_key", "family_kana_key", "given_kana_key"), kana)
    return names


def search_people(user: Staff, query: str) -> QuerySet[Person]:
    words = normalize_text(query).split()
    # A record merged into another (名寄せ) is history: it is found through its survivor.
    people = access.visible(user, Person).filter(merged_into__isnull=True)
    if not words:
        return people.none()
    for word in words[:MAX_WORDS]:
        people = people.filter(_word_filter(word))
    return people.prefetch_related(current_households(user)).order_by("kana_key", "pk")


def current_households(user: Staff) -> Prefetch[str, QuerySet[Membership], str]:
    """Each person's current households — only those the user may open (a person seen through
    a consultation does not reveal a household the user cannot see)."""
    households = access.visible(user, Membership).filter(end_date__isnull=True)
    return Prefetch(
        "memberships",
        queryset=households.select_related("household__district"),
        to_attr="current_memberships",
    )
