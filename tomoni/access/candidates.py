"""Persons shown to a worker as possible matches at intake (名寄せ candidates).

The matches panel searches the whole register, so that the household another agency already
knows is found; it shows only name, kana, age and 地区. A person from that panel may then be
picked for the consultation — which opens the person to the worker — only if this worker was
shown them, in this session, a short while ago. The record of what was shown lives on the
server (the session store), never in the form, so an id typed into a request picks nobody.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, cast

from django.apps import apps
from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from .engine import Viewer, grant_filter
from .policy import VIEW

if TYPE_CHECKING:
    from tomoni.people.models import Person

SESSION_KEY = "tomoni.shown_candidates"
# A worker looks through a few dozen candidates per call at most; keep the newest.
KEEP = 200


def _lifetime() -> float:
    return float(settings.TOMONI_CANDIDATE_MINUTES) * 60


def remember(request: HttpRequest, ids: Iterable[int]) -> None:
    """Note that the matches panel showed these persons to this worker just now."""
    now = time.time()
    kept = {pk: at for pk, at in _stored(request).items() if now - at < _lifetime()}
    kept.update({int(pk): now for pk in ids})
    newest = sorted(kept.items(), key=lambda item: item[1], reverse=True)[:KEEP]
    request.session[SESSION_KEY] = {str(pk): at for pk, at in newest}


def shown(request: HttpRequest | None) -> frozenset[int]:
    """The persons shown to this worker as candidates and not yet expired."""
    if request is None:
        return frozenset()
    now = time.time()
    return frozenset(pk for pk, at in _stored(request).items() if now - at < _lifetime())


def _stored(request: HttpRequest) -> dict[int, float]:
    raw = request.session.get(SESSION_KEY, {}) if hasattr(request, "session") else {}
    stored: dict[int, float] = {}
    if isinstance(raw, dict):
        for key, at in raw.items():
            if str(key).isdigit() and isinstance(at, int | float):
                stored[int(key)] = float(at)
    return stored


def pickable(user: Viewer | None, shown_ids: Iterable[int]) -> QuerySet[Person]:
    """The persons this worker may link to a consultation: those they may already see, and
    those just shown to them as candidates."""
    Person = cast("type[Person]", apps.get_model("people", "Person"))
    seen = grant_filter(user, Person, VIEW)
    if seen is None:
        return Person.objects.none()
    ids = list(shown_ids)
    return Person.objects.filter(seen | Q(pk__in=ids)) if seen else Person.objects.all()
