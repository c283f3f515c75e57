"""Query budgets: the consultation list, the three referral lists, the consultation page and
the referral page use a fixed number of queries however much they show (no N+1)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tomoni.directory.models import Agency, Concern, Role, Staff, Tag
from tomoni.intake import actions
from tomoni.intake.actions import Route
from tomoni.intake.models import Consultation, Referral
from tomoni.notes.actions import add_note
from tomoni.notes.models import Visibility

from ..conftest import BrowserClient, Queries, agency_of, first_member, register_household
from .conftest import take

State = Referral.State

# Measured on SQLite and PostgreSQL (the same on both). Every page pays 11 fixed queries: the
# session, the user and the user's agency (page header); saving the session (3, in a
# savepoint); the audit event (5). The lists add 3 (count, page, and the people shown for the
# consultation list; the referral lists 2); the consultation page adds its record, route,
# concerns, tags, referrals, notes and the permission checks; the referral page its record,
# the consultation, person and household behind it, three permission checks and the names.
INDEX_BUDGET = 14
REFERRALS_IN_BUDGET = 13
REFERRALS_OUT_BUDGET = 13
OVERDUE_BUDGET = 13
CONSULTATION_BUDGET = 27  # + the consultation's attachments (issue 19)
REFERRAL_BUDGET = 16


def _consultations(window: Staff, receiver: Staff, count: int) -> list[Referral]:
    """``count`` consultations by the window, each about a person in a household of its own,
    with two concerns (one ◎), a note and a referral to ``receiver``'s agency, in turn left
    依頼中, accepted, completed or overdue."""
    assert receiver.agency is not None
    checklist = list(Concern.objects.filter(on_checklist=True, active=True).order_by("pk"))
    referrals = []
    for index in range(count):
        person = first_member(register_household(window, members=1))
        picked = [checklist[index % len(checklist)], checklist[(index + 1) % len(checklist)]]
        consultation = take(
            window, person=person, concerns=picked, primary=picked[index % 2], text="本文"
        )
        add_note(window, consultation, text="電話で状況を確認した。", method="phone")
        referral = actions.refer(window, consultation, receiver.agency, "面談をお願いします。")
        step = index % 4
        if step in (1, 2):
            referral = actions.move_referral(receiver, referral, "accept", version=referral.version)
        if step == 2:
            referral = actions.move_referral(
                receiver, referral, "complete", version=referral.version, note="面談した。"
            )
        if step == 3:
            yesterday = timezone.localdate() - timedelta(days=1)
            Referral.objects.filter(pk=referral.pk).update(due_on=yesterday)
        referrals.append(referral)
    return referrals


@pytest.mark.parametrize(
    ("persona", "view", "params", "budget"),
    [
        ("window", "intake:index", {"scope": "all"}, INDEX_BUDGET),
        ("agency_a", "intake:referrals_in", {"state": "all"}, REFERRALS_IN_BUDGET),
        ("window", "intake:referrals_out", {"state": "all"}, REFERRALS_OUT_BUDGET),
        ("window", "intake:referrals_overdue", {}, OVERDUE_BUDGET),
    ],
)
def test_list_queries_do_not_grow_with_rows(
    persona: str,
    view: str,
    params: dict[str, str],
    budget: int,
    personas: dict[str, Staff],
    as_user: Callable[..., BrowserClient],
    queries: Queries,
) -> None:
    """4 consultations with their referrals and 32 cost the same queries."""
    window, agency_a = personas["window"], personas["agency_a"]
    client = as_user(personas[persona])
    url = reverse(view)
    _consultations(window, agency_a, 4)
    client.get(url, params)  # warm-up: nothing first-time-only is counted
    few = queries(client, url, **params)
    _consultations(window, agency_a, 28)
    assert Consultation.objects.count() == 32
    many = queries(client, url, **params)
    assert len(many) == len(few), queries.differ(few, many)
    assert len(many) <= budget


def test_consultation_page_queries_do_not_grow_with_its_history(
    personas: dict[str, Staff],
    make_staff: Callable[..., Staff],
    as_user: Callable[..., BrowserClient],
    queries: Queries,
) -> None:
    """A bare consultation and one with many concerns, tags, route steps, notes by several
    authors and referrals to several agencies cost the same queries."""
    window = personas["window"]
    client = as_user(window)
    person = first_member(register_household(window, members=2))
    simple = take(window, person=person)
    concerns = list(Concern.objects.filter(active=True).order_by("pk")[:8])
    agencies = list(
        Agency.objects.filter(active=True).exclude(pk=agency_of(window).pk).order_by("pk")[:6]
    )
    busy = take(
        window,
        person=person,
        concerns=concerns,
        primary=concerns[0],
        tags=Tag.objects.all(),
        route=[Route(kind="minsei"), Route(kind="agency", agency=agencies[0]), Route("self")],
        text="長い相談内容",
    )
    colleague = make_staff(Role.WINDOW, "window")
    for index in range(6):
        author = window if index % 2 else colleague
        if author is colleague and index == 0:
            actions.assign(window, busy, None)  # unassigned: the colleague may write too
        visibility = Visibility.OWN_AGENCY if index % 3 == 0 else Visibility.SHARED
        add_note(author, busy, text=f"記録{index}", method="visit", visibility=visibility)
    actions.assign(window, busy, window)
    for index, agency in enumerate(agencies):
        referral = actions.refer(window, busy, agency, f"依頼{index}")
        if index % 2:
            actions.move_referral(
                window, referral, "withdraw", version=referral.version, note="取り下げ"
            )
    client.get(simple.get_absolute_url())
    few = queries(client, simple.get_absolute_url())
    many = queries(client, busy.get_absolute_url())
    assert len(many) == len(few), queries.differ(few, many)
    assert len(many) <= CONSULTATION_BUDGET


def test_referral_page_queries_do_not_grow_with_the_data(
    personas: dict[str, Staff], as_user: Callable[..., BrowserClient], queries: Queries
) -> None:
    """A referral just sent costs the same queries among 3 referrals as among 30."""
    window, agency_a = personas["window"], personas["agency_a"]
    client = as_user(agency_a)
    first = _consultations(window, agency_a, 1)[0]
    client.get(first.get_absolute_url())
    few = queries(client, first.get_absolute_url())
    _consultations(window, agency_a, 2)
    last = _consultations(window, agency_a, 28)[-4]
    assert (first.state, last.state) == (State.SENT, State.SENT)
    many = queries(client, last.get_absolute_url())
    assert len(many) == len(few), queries.differ(few, many)
    assert len(many) <= REFERRAL_BUDGET


def test_referral_page_queries_do_not_grow_with_its_history(
    personas: dict[str, Staff], as_user: Callable[..., BrowserClient], queries: Queries
) -> None:
    """A referral just sent and one accepted and completed (three staff named in its
    history) cost the same queries."""
    window, agency_a = personas["window"], personas["agency_a"]
    fresh, done = _consultations(window, agency_a, 3)[:3:2]
    assert (fresh.state, done.state) == (State.SENT, State.COMPLETED)
    client = as_user(agency_a)
    client.get(fresh.get_absolute_url())
    few = queries(client, fresh.get_absolute_url())
    many = queries(client, done.get_absolute_url())
    assert len(many) == len(few), queries.differ(few, many)
    assert len(many) <= REFERRAL_BUDGET
