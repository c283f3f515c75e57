"""Finding people: kanji, kana (any width), partial names, birthdates (和暦/西暦), phones.

The query is split on spaces; every word must match (AND). Each word is read as a date if
it parses as one, as a phone number if it is mostly digits, else as a name or ふりがな.
Only the user's visible records are searched (``tomoni.access``).
"""

from __future__ import annotations

import re

from django.db.models import Prefetch, Q, QuerySet

from tomoni import access
from tomoni.directory.models import Staff
from tomoni.lib.textnorm import digits_only, is_kana, kana_key, name_key, normalize_text
from tomoni.lib.wareki import WarekiError, parse_date

from .models import Membership, Person

_DATEISH = re.compile(r"^([MTSHRmtshr]\d|明治|大正|昭和|平成|令和|\d{4}[-/.年]|\d{8}$)")


def _word_filter(word: str) -> Q:
    if _DATEISH.match(word):
        try:
            return Q(birth_date=parse_date(word))
        except WarekiError:
            pass
    digits = digits_only(word)
    if len(digits) >= 4 and len(digits) >= len(word.replace("-", "")) - 1:
        return Q(phone_key__contains=digits) | Q(memberships__household__phone_key__contains=digits)
    if is_kana(word):
        return Q(kana_key__contains=kana_key(word)) | Q(name_key__contains=name_key(word))
    return Q(name_key__contains=name_key(word))


def search_people(user: Staff, query: str) -> QuerySet[Person]:
    words = normalize_text(query).split()
    people = access.visible(user, Person)
    if not words:
        return people.none()
    for word in words[:5]:
        people = people.filter(_word_filter(word))
    return people.distinct().prefetch_related(current_households()).order_by("kana_key", "pk")


def current_households() -> Prefetch[str, QuerySet[Membership], str]:
    return Prefetch(
        "memberships",
        queryset=Membership.current.select_related("household__district"),
        to_attr="current_memberships",
    )
