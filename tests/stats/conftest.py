"""A small, fully known city across 令和6年度 (FY2024) and 令和7年度 (FY2025) for the 統計 tests.

Built with small factories (the statistics read what any action would have written), with
dates placed on purpose at the 年度 boundary: 2025-03-31 23:30 belongs to FY2024 and
2025-04-01 00:10 to FY2025 (Asia/Tokyo). The expected figures are written next to the data.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import count
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache

from tomoni.cases.models import Case, Closure, Origin, Plan
from tomoni.community.models import Activity, ActivitySession
from tomoni.directory.models import Agency, Concern, District, Staff
from tomoni.intake.models import (
    Consultation,
    ConsultationConcern,
    Referral,
    RouteStep,
)
from tomoni.meetings.models import Attendance, Kind, Meeting
from tomoni.outreach.models import Contact, Engagement
from tomoni.participation.models import FollowUp, Match, ParticipationPlan, Place, Trial
from tomoni.people.models import Person

from ..conftest import agency_of, register_household

JST = ZoneInfo("Asia/Tokyo")
FY = 2025
_seq = count(1)


def at(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=JST)


@dataclass
class City:
    actor: Staff
    people: list[Person]
    cases: dict[str, Case] = field(default_factory=dict)


def person(actor: Staff, birth: date | None, sex: str) -> Person:
    household = register_household(actor, members=1)
    p = household.memberships.get().person
    Person.objects.filter(pk=p.pk).update(birth_date=birth, sex=sex)
    p.refresh_from_db()
    return p


def consultation(
    actor: Staff,
    when: datetime,
    method: str,
    who: Person | None,
    *,
    new: bool = True,
    route: tuple[str, ...] = (),
    concerns: tuple[str, ...] = (),
    agency: Agency | None = None,
) -> Consultation:
    c = Consultation.objects.create(
        code=f"C{next(_seq):06d}",
        received_at=when,
        receiver=actor,
        agency=agency or agency_of(actor),
        method=method,
        is_new=new,
        person=who,
        summary="統計の試験",
        consent="given",
    )
    for order, kind in enumerate(route, start=1):
        RouteStep.objects.create(consultation=c, order=order, kind=kind)
    for index, code in enumerate(concerns):
        ConsultationConcern.objects.create(
            consultation=c, concern=Concern.objects.get(code=code), is_primary=index == 0
        )
    return c


def referral(
    actor: Staff,
    c: Consultation,
    sent: datetime,
    due: date,
    *,
    to: str = "houkatsu1",
    responded: datetime | None = None,
    state: str = "sent",
) -> Referral:
    return Referral.objects.create(
        consultation=c,
        from_agency=c.agency,
        to_agency=Agency.objects.get(code=to),
        sent_by=actor,
        sent_at=sent,
        shared_summary="試験",
        state=state,
        due_on=due,
        responded_at=responded,
    )


def case(actor: Staff, opened: date, **fields: Any) -> Case:
    household = register_household(actor, members=1)
    return Case.objects.create(
        code=f"K{next(_seq):06d}",
        household=household,
        title="統計の試験",
        origin=Origin.CONSULTATION,
        created_by=actor,
        opened_on=opened,
        **fields,
    )


def close(actor: Staff, c: Case, on: date, kind: str = "closed") -> None:
    Closure.objects.create(case=c, kind=kind, on=on, reason="試験", by=actor)
    Case.objects.filter(pk=c.pk).update(stage=kind, closed_on=on)


def build_city(actor: Staff) -> City:
    p1 = person(actor, date(1960, 4, 1), "male")  # 64 on 2025-03-31, 65 on 2025-04-01
    p2 = person(actor, date(2008, 6, 2), "female")  # 16 on 2025-06-01 (17 the next day)
    p3 = person(actor, date(1950, 1, 1), "female")  # 74 on 2024-04-01
    city = City(actor, [p1, p2, p3])

    # --- consultations -------------------------------------------------------------------
    # FY2025: new 3, continuing 1; visit 3, phone 1; ages 65-74 ×1, 0-17 ×2, unknown ×1.
    a = consultation(
        actor, at(2025, 4, 1, 0, 10), "visit", p1, route=("self",), concerns=("income", "debt")
    )
    consultation(
        actor, at(2025, 6, 1), "visit", p2, route=("family", "minsei"), concerns=("income",)
    )
    consultation(actor, at(2025, 6, 1, 11), "visit", p2, new=False)
    consultation(actor, at(2026, 3, 31, 23, 59), "phone", None, route=("neighbour",))
    # FY2024: new 2 (phone 1, email 1); ages 40-64 ×1, 65-74 ×1.
    e = consultation(actor, at(2025, 3, 31, 23, 30), "phone", p1, route=("self",))
    consultation(actor, at(2024, 4, 1, 0, 0), "email", p3)
    # FY2026 and FY2023: in neither year.
    consultation(actor, at(2026, 4, 1, 0, 0), "phone", None)
    consultation(actor, at(2024, 3, 31, 23, 59), "phone", None)

    # --- referrals: FY2025 in time (24 h), late (120 h), unanswered; FY2024 unanswered ------
    referral(actor, a, at(2025, 5, 1), date(2025, 5, 8), responded=at(2025, 5, 2), state="accepted")
    referral(
        actor,
        a,
        at(2025, 5, 1),
        date(2025, 5, 2),
        to="shogai-soudan",
        responded=at(2025, 5, 6),
        state="declined",
    )
    referral(actor, a, at(2025, 6, 1), date(2025, 6, 3), to="shakyo")
    referral(actor, e, at(2025, 3, 31, 23), date(2025, 4, 2))

    # --- cases ---------------------------------------------------------------------------
    k1 = case(actor, date(2024, 10, 1), tendency_overrides={"4": True})
    close(actor, k1, date(2025, 5, 1))  # FY2024 new; FY2025 continuing, closed after 212 days
    k2 = case(actor, date(2025, 4, 1), tendency_overrides={"1": True})  # FY2025 new
    k3 = case(actor, date(2025, 3, 31))  # FY2024 new; FY2025 continuing, then suspended
    close(actor, k3, date(2025, 4, 15), "suspended")
    k4 = case(actor, date(2023, 5, 1))
    close(actor, k4, date(2024, 3, 31))  # ended before FY2024
    city.cases = {"k1": k1, "k2": k2, "k3": k3, "k4": k4}
    # Written (作成日) on 2 April 2025, whenever it was saved: figures count the entered date.
    Plan.objects.create(case=k2, number=1, created_by=actor, written_on=date(2025, 4, 2))

    # --- meetings: FY2025 全体会 ×2 (3 agencies: A twice, B twice, C once), 支援会議 ×1 -------
    agencies = [Agency.objects.get(code=c) for c in ("houkatsu1", "shogai-soudan", "shakyo")]
    for when, present in ((at(2025, 6, 10), agencies), (at(2025, 9, 10), agencies[:2])):
        m = Meeting.objects.create(
            kind=Kind.PLENARY, title="全体会", starts_at=when, convened_by=actor, held=True
        )
        for ag in present:
            Attendance.objects.create(meeting=m, agency=ag, name="試験")
    Meeting.objects.create(
        kind=Kind.SUPPORT, title="支援会議", starts_at=at(2025, 4, 1), convened_by=actor, held=True
    )
    Meeting.objects.create(  # not held: not counted
        kind=Kind.JUSOU, title="重層", starts_at=at(2025, 5, 1), convened_by=actor
    )

    # --- outreach: FY2025 new 1, continuing 1 (connected in July) --------------------------
    e1 = Engagement.objects.create(
        code=f"E{next(_seq)}",
        household=p1.memberships.get().household,
        reason="hikikomori",
        requested_by=agencies[0],
        opened_on=date(2025, 4, 1),
        created_by=actor,
    )
    Engagement.objects.create(
        code=f"E{next(_seq)}",
        household=p2.memberships.get().household,
        reason="isolation",
        requested_by=agencies[0],
        opened_on=date(2025, 3, 31),
        created_by=actor,
        stage="connected",
        ended_on=date(2025, 7, 1),
    )
    for on, method, accompaniment in (
        (date(2025, 4, 2), "visit", "medical"),
        (date(2025, 5, 2), "phone", ""),
        (date(2025, 3, 31), "phone", ""),
    ):
        Contact.objects.create(
            engagement=e1,
            on=on,
            method=method,
            outcome="met",
            accompaniment=accompaniment,
            by=actor,
        )

    # --- participation and places -------------------------------------------------------
    d1, d2 = District.objects.order_by("order", "code")[:2]
    place = Place.objects.create(name="試験サロン", kind="salon", host="試験", district=d1)
    Place.objects.filter(pk=place.pk).update(created_at=at(2024, 5, 1))
    newer = Place.objects.create(name="試験食堂", kind="kodomo_shokudo", host="試験", district=d1)
    Place.objects.filter(pk=newer.pk).update(created_at=at(2025, 5, 1))
    Place.objects.create(name="休止中", kind="salon", host="試験", district=d2, active=False)
    pp = ParticipationPlan.objects.create(
        code=f"P{next(_seq)}", person=p2, worker=actor, goal="週1回出かける", created_by=actor
    )
    ParticipationPlan.objects.filter(pk=pp.pk).update(created_at=at(2025, 4, 10))
    match = Match.objects.create(
        plan=pp,
        place=place,
        picked_by=actor,
        picked_at=at(2025, 4, 10),
        state="settled",
        settled_on=date(2025, 5, 1),
    )
    Trial.objects.create(match=match, on=date(2025, 4, 20), outcome="good", by=actor)
    FollowUp.objects.create(
        match=match, kind="follow_up", on=date(2025, 6, 1) + timedelta(0), note="試験", by=actor
    )
    # --- 地域の取組: in the first 地区, one activity ran twice in FY2025 (2 + 3 + 4 people,
    # then 1 child) and once on 2025-03-31 (FY2024).
    activity = Activity.objects.create(
        name="試験の朝市",
        district=d1,
        kind="market",
        host="試験",
        started_on=date(2024, 4, 1),
        frequency="月1回",
        origin="council",
    )
    for on, people in (
        (date(2025, 4, 1), (2, 3, 4)),
        (date(2025, 5, 1), (1, 0, 0)),
        (date(2025, 3, 31), (0, 1, 0)),
    ):
        ActivitySession.objects.create(
            activity=activity,
            held_on=on,
            children=people[0],
            adults=people[1],
            elderly=people[2],
        )
    return city


@pytest.fixture(autouse=True)
def _fresh_stats_cache() -> Iterator[None]:
    """The dashboard keeps its figures in Django's cache (per process): every test starts and
    ends without another test's figures."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def city(personas: dict[str, Staff]) -> City:
    return build_city(personas["coordinator"])
