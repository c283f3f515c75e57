"""Query budgets: the アウトリーチ list and the engagement page run a fixed number of queries
however many engagements, workers and contacts they show."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from tomoni.directory.models import Role, Staff
from tomoni.outreach import actions
from tomoni.outreach.models import Engagement, Reason

from ..conftest import BrowserClient, Queries, as_seen_now, first_member, register_household

# Measured on SQLite. Every page pays the shell (session, user with agency, the header's
# agency, saving the session: 5) and the audit event (4). The list adds its count, its page
# and the page's workers; the engagement page its record (twice: the policy check, then with
# its names), its workers, contacts, steps and whether the user may change it.
LIST_BUDGET = 14
PAGE_BUDGET = 17


def _engagements(coordinator: Staff, workers: list[Staff], count: int) -> list[Engagement]:
    made = []
    for _ in range(count):
        household = register_household(coordinator)
        made.append(
            actions.open_engagement(
                coordinator,
                household=household,
                person=first_member(household),
                reason=Reason.ISOLATION,
                workers=workers,
                opened_on=timezone.localdate() - timedelta(days=60),
            )
        )
    return made


def test_list_budget(
    personas: dict[str, Staff],
    make_staff: Callable[..., Staff],
    as_user: Callable[..., BrowserClient],
    queries: Queries,
) -> None:
    coordinator, worker = personas["coordinator"], personas["outreach"]
    client = as_user(coordinator)
    url = reverse("outreach:index")
    _engagements(coordinator, [worker], 2)
    few = queries(client, url, tab="all")
    colleague = make_staff(Role.OUTREACH, "shakyo")
    _engagements(coordinator, [worker, colleague, coordinator], 10)
    many = queries(client, url, tab="all")
    assert len(many) == len(few), queries.differ(few, many)
    assert len(many) <= LIST_BUDGET, queries.differ(few, many)
    assert len(queries(client, url, tab="quiet")) <= LIST_BUDGET
    assert len(queries(as_user(worker), url, tab="mine")) <= LIST_BUDGET


def test_engagement_page_budget(
    personas: dict[str, Staff],
    make_staff: Callable[..., Staff],
    as_user: Callable[..., BrowserClient],
    queries: Queries,
) -> None:
    coordinator, worker = personas["coordinator"], personas["outreach"]
    (engagement,) = _engagements(coordinator, [worker], 1)
    url = engagement.get_absolute_url()
    actions.record_contact(
        worker, engagement, on=timezone.localdate(), method="visit", outcome="absent"
    )
    few = queries(as_user(worker), url)
    today = timezone.localdate()
    for i in range(12):
        actions.record_contact(
            worker,
            engagement,
            on=today - timedelta(days=4 * i),
            method="phone" if i % 2 else "visit",
            outcome="talked" if i % 3 else "absent",
            note=f"{i}回目",
        )
    as_seen_now(actions.move_engagement, coordinator, engagement, "attempt")
    as_seen_now(actions.move_engagement, coordinator, engagement, "relate")
    colleague = make_staff(Role.OUTREACH, "shakyo")
    actions.assign_workers(coordinator, engagement, [worker, colleague])
    many = queries(as_user(worker), url)
    assert len(many) == len(few), queries.differ(few, many)
    assert len(many) <= PAGE_BUDGET, queries.differ(few, many)
    assert len(queries(as_user(coordinator), url)) <= PAGE_BUDGET
