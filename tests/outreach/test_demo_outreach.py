"""The demo's アウトリーチ and 参加支援: places across the 10 地区 (the 押立朝市 among them),
engagements in every stage with two gone quiet on the demo's "today", settled
participations — and the same records for the same seed."""

from __future__ import annotations

from collections import Counter

import pytest
from django.conf import settings

from tomoni.audit.log import verify
from tomoni.audit.models import AuditEvent
from tomoni.cases.models import Case
from tomoni.demo.city import ensure_staff, load_city
from tomoni.demo.intake import UNTIL
from tomoni.demo.outreach import load_outreach
from tomoni.directory.models import District
from tomoni.outreach.actions import days_since_contact
from tomoni.outreach.models import (
    FINISHED,
    Accompaniment,
    Contact,
    ContactMethod,
    Engagement,
    EngagementStep,
    Stage,
)
from tomoni.participation.models import (
    FollowUp,
    Match,
    ParticipationPlan,
    Place,
    PlaceKind,
    Trial,
)

from .. import democity

pytestmark = pytest.mark.demo


def _districts(kind: str) -> set[str]:
    return set(
        Place.objects.filter(kind=kind, active=True).values_list("district__code", flat=True)
    )


def _snapshot() -> list[tuple[object, ...]]:
    places = [
        (p.name, p.kind, p.district_id, p.address, p.phone, p.cost, tuple(p.days), p.active)
        for p in Place.objects.order_by("pk")
    ]
    engagements = [
        (
            e.household.code,
            e.person_id,
            e.case_id,
            e.stage,
            e.opened_on,
            e.ended_on,
            e.last_contact_on,
            tuple(e.contacts.order_by("pk").values_list("on", "method", "outcome", "note")),
            tuple(e.steps.order_by("pk").values_list("to_stage", "at")),
        )
        for e in Engagement.objects.select_related("household").order_by("pk")
    ]
    plans = [
        (
            p.person_id,
            p.case_id,
            p.worker.username,
            p.status,
            tuple(p.matches.order_by("pk").values_list("place__name", "state", "score")),
        )
        for p in ParticipationPlan.objects.select_related("worker").order_by("pk")
    ]
    return [*places, *engagements, *plans]


def _delete_outreach() -> None:
    FollowUp.objects.all().delete()
    Trial.objects.all().delete()
    Match.objects.all().delete()
    ParticipationPlan.objects.all().delete()
    Contact.objects.all().delete()
    EngagementStep.objects.all().delete()
    Engagement.objects.all().delete()
    Place.objects.all().delete()


@pytest.mark.xdist_group(democity.GROUP)
def test_demo_city_has_places_engagements_and_participation(demo_city: dict[str, int]) -> None:
    totals = demo_city
    assert totals["places"] == Place.objects.count() >= 35
    assert totals["engagements"] == Engagement.objects.count()
    assert totals["participation_plans"] == ParticipationPlan.objects.count() >= 6

    # Places: the 押立朝市, a ふれあいセンター activity in 8 地区, サロン everywhere.
    market = Place.objects.get(name="押立朝市")
    assert (market.kind, market.district, market.days) == (
        PlaceKind.MARKET,
        District.objects.get(code="oshitate"),
        [6],
    )
    assert "第1日曜" in market.schedule_note and "協議体" in market.atmosphere
    every = set(District.objects.values_list("code", flat=True))
    assert len(every) == 10
    assert set(Place.objects.values_list("district__code", flat=True)) == every
    assert _districts(PlaceKind.SALON) == every
    assert len(_districts(PlaceKind.KODOMO_SHOKUDO)) >= 5
    centres = Place.objects.filter(host__endswith="ふれあいセンター")
    assert centres.values("host").distinct().count() == 8
    assert centres.values("district").distinct().count() == 8
    assert 2 <= Place.objects.filter(active=False).count() <= 3
    assert {0, 100, 300, 500} <= set(Place.objects.values_list("cost", flat=True))

    # Engagements: every stage, believable rhythms, two gone quiet on the demo's today.
    engagements = list(Engagement.objects.all())
    assert {e.stage for e in engagements} == set(Stage.values)
    quiet = [
        e
        for e in engagements
        if not e.is_finished
        and days_since_contact(e, today=UNTIL) > settings.TOMONI_OUTREACH_QUIET_DAYS
    ]
    assert len(quiet) >= 2
    for e in engagements:
        assert e.opened_on <= UNTIL
        assert (e.ended_on is not None) == (e.stage in FINISHED)
        days = list(e.contacts.values_list("on", flat=True))
        assert all(e.opened_on <= d <= UNTIL for d in days)
        assert e.last_contact_on == (max(days) if days else None)
        steps = list(e.steps.order_by("pk"))
        assert steps[0].at.date() == e.opened_on and steps[-1].to_stage == e.stage
        assert [s.at for s in steps] == sorted(s.at for s in steps)
    kinds = set(Contact.objects.values_list("accompaniment", flat=True))
    assert {Accompaniment.MEDICAL, Accompaniment.PROCEDURES, Accompaniment.DISCHARGE} <= kinds
    assert (
        Contact.objects.exclude(accompaniment="").exclude(method=ContactMethod.ACCOMPANY).count()
        == 0
    )
    eight_fifty = Case.objects.filter(household__tags__code="8050").order_by("pk").first()
    assert eight_fifty is not None
    assert Engagement.objects.filter(case=eight_fifty).exists()

    # 参加支援: from engagements and from cases, run by both sides; two settled, one dropped.
    plans = ParticipationPlan.objects.all()
    assert plans.filter(engagement__isnull=False).exists()
    assert plans.filter(case__isnull=False).exists()
    assert set(plans.values_list("worker__username", flat=True)) == {"chiiki", "outreach"}
    settled = Match.objects.filter(state=Match.State.SETTLED)
    assert settled.count() >= 2
    for match in settled:
        assert match.follow_ups.filter(kind=FollowUp.Kind.HOST).exists()
        assert match.follow_ups.filter(kind=FollowUp.Kind.FOLLOW_UP).exists()
        assert match.plan.status == ParticipationPlan.Status.SETTLED
    assert Match.objects.filter(state=Match.State.DROPPED).exists()
    assert len(set(Trial.objects.values_list("outcome", flat=True))) == 4
    # Picks keep the ranking's reasons.
    assert all(m.reasons for m in Match.objects.all())

    event = AuditEvent.objects.get(
        action=AuditEvent.Action.BULK_LOAD, object_type="outreach.engagement"
    )
    assert event.detail["engagements"] == len(engagements)
    assert event.detail["places"] == totals["places"]
    assert list(verify()) == []


def test_same_seed_same_outreach(db: None) -> None:
    """Loaded again on the same city with the same seed, the records are the same."""
    load_city(40, seed=7)
    first = _snapshot()
    assert Engagement.objects.exists() and Place.objects.exists()
    assert Counter(e.stage for e in Engagement.objects.all())[Stage.CONTINUING] >= 1
    _delete_outreach()
    load_outreach(ensure_staff(), seed=7)
    assert _snapshot() == first
