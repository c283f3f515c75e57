"""The demo city reads like a city's year and a half (issue 18, demo realism): meetings on the
days the city office is open, each household's own 圏域's 地域包括支援センター, plans written
for the case they belong to, and dates that follow one another. Built once for the module
(tests/democity.py), as `tomoni demo` builds it; the tests only read it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.utils import timezone

from tomoni.cases.models import Case, Closure, Plan, Review, Task
from tomoni.community.models import CouncilMeeting
from tomoni.demo.city import TOWNS
from tomoni.demo.intake import story_of
from tomoni.directory.models import Agency
from tomoni.intake.models import Consultation, Referral, RouteStep
from tomoni.lib.bizdays import is_business_day
from tomoni.meetings.models import Kind, Meeting, Pledge
from tomoni.outreach.models import Engagement
from tomoni.participation.models import Place
from tomoni.people import postal
from tomoni.people.models import Household

from . import democity

pytestmark = [pytest.mark.demo, pytest.mark.xdist_group(democity.GROUP)]


@pytest.fixture(scope="module")
def city(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, int]]:
    # As `tomoni demo` serves it: the 社協 a 委託先.
    as_served = democity.Variant(contractors=democity.AS_SERVED)
    yield from democity.city_for_module(django_db_blocker, as_served)


def _day(moment: Any) -> date:
    return timezone.localdate(moment)


def test_meetings_are_on_business_days(db: None, city: dict[str, int]) -> None:
    """No 支援会議, 重層的支援会議, 全体会 or 協議体 on a weekend, a holiday or 年末年始."""
    meetings = list(Meeting.objects.all())
    assert {m.kind for m in meetings} >= {Kind.SUPPORT, Kind.JUSOU, Kind.PLENARY}
    for meeting in meetings:
        assert is_business_day(_day(meeting.starts_at)), (meeting.title, _day(meeting.starts_at))
    councils = list(CouncilMeeting.objects.select_related("council"))
    assert councils
    for council in councils:
        assert is_business_day(council.held_on), (council.council.name, council.held_on)


def _mismatch(agency: Agency | None, household: Household | None) -> bool:
    """An agency of one 圏域 (a 地域包括支援センター) serving a household of another."""
    if agency is None or agency.area_id is None or household is None:
        return False
    if household.district is None:
        return False
    return agency.area_id != household.district.area_id


def test_houkatsu_is_the_households_own(db: None, city: dict[str, int]) -> None:
    """Every 地域包括支援センター that receives, refers, asks for a case, holds a concern,
    joins a team, carries a planned action or a task is the one of the household's 圏域."""
    assert Agency.objects.filter(area__isnull=False).count() >= 4
    wrong: list[str] = []
    for c in Consultation.objects.select_related("agency", "household__district"):
        if _mismatch(c.agency, c.household):
            wrong.append(f"受付 {c.code} {c.agency.code}")
    for r in Referral.objects.select_related("to_agency", "consultation__household__district"):
        if _mismatch(r.to_agency, r.consultation.household):
            wrong.append(f"つなぎ {r.consultation.code} → {r.to_agency.code}")
    for step in RouteStep.objects.select_related("agency", "consultation__household__district"):
        if _mismatch(step.agency, step.consultation.household):
            wrong.append(f"経路 {step.consultation.code} {step.agency}")
    houkatsu_cases = 0
    for case in Case.objects.select_related("requested_by", "household__district"):
        household = case.household
        houkatsu_cases += case.requested_by is not None and case.requested_by.area_id is not None
        agencies = [
            ("依頼元", case.requested_by),
            *(("課題", x.agency) for x in case.concerns.select_related("agency")),
            *(("チーム", x.agency) for x in case.team.select_related("agency")),
            *(
                ("プラン", x.agency)
                for p in case.plans.all()
                for x in p.actions.select_related("agency")
            ),
            *(("タスク", t.owner_agency) for t in Task.objects.filter(case=case)),
        ]
        wrong += [f"{case.code} {what} {a}" for what, a in agencies if _mismatch(a, household)]
    assert houkatsu_cases >= 1
    for e in Engagement.objects.select_related("requested_by", "household__district"):
        if _mismatch(e.requested_by, e.household):
            wrong.append(f"アウトリーチ {e.pk} {e.requested_by.code}")
    assert wrong == []


def _plan_text(plan: Plan) -> str:
    goals = [g.text for g in plan.goals.all()]
    actions = [a.what for a in plan.actions.all()]
    return "\n".join([plan.summary, plan.wishes, *goals, *actions])


def test_plans_belong_to_their_case_story(db: None, city: dict[str, int]) -> None:
    """A plan's direction, wishes, goals and actions come from its case's own story, so a
    ごみ屋敷 case gets no 就労 plan, and different stories get different plans."""
    plans = list(Plan.objects.select_related("case__household"))
    assert len(plans) >= 10
    summaries: dict[str, set[str]] = {}
    for plan in plans:
        story = story_of(plan.case.household)
        assert story is not None and story.plan is not None, plan.case.title
        assert plan.summary == story.plan.summary, plan.case.title
        assert plan.wishes == story.plan.wishes
        assert [(g.term, g.text) for g in plan.goals.order_by("order", "pk")] == list(
            story.plan.goals
        )
        assert [a.what for a in plan.actions.order_by("order", "pk")] == [
            a.what for a in story.plan.actions
        ]
        summaries.setdefault(story.summary, set()).add(plan.summary)
    assert len({s for texts in summaries.values() for s in texts}) == len(summaries) >= 4
    for plan in plans:
        tags = set(plan.case.tags.values_list("code", flat=True))
        if "self-neglect" in tags:
            assert "就労" not in _plan_text(plan), plan.case.title
        if "8050" not in tags and "double-care" not in tags:
            assert "母の介護" not in _plan_text(plan), plan.case.title


def test_case_dates_follow_one_another(db: None, city: dict[str, int]) -> None:
    """相談 ≤ 開始 ≤ アセスメント ≤ プラン作成 ≤ 会議 = 承認 ≤ 評価 ≤ 終結; stage changes in order;
    pledges on or before their meeting; nothing done after today."""
    today = timezone.localdate()
    cases = list(Case.objects.select_related("consultation", "household"))
    assert cases
    for case in cases:
        label = f"{case.code} {case.title}"
        if case.consultation is not None:
            assert _day(case.consultation.received_at) <= case.opened_on, label
        assert case.opened_on <= today, label
        changes = [_day(c.at) for c in case.stage_changes.order_by("pk")]
        assert changes == sorted(changes), (label, changes)
        assert case.opened_on <= changes[0] and changes[-1] <= today, label
        assessment = getattr(case, "assessment", None)
        if assessment is not None:
            assert case.opened_on <= _day(assessment.updated_at) <= today, label
        for plan in case.plans.select_related("approved_meeting"):
            written = _day(plan.created_at)
            assert assessment is not None, label
            assert _day(assessment.updated_at) <= written <= today, label
            if plan.consented_on is not None:
                assert written <= plan.consented_on <= today, label
            if plan.approved_at is not None:
                assert plan.approved_meeting is not None
                meeting_day = _day(plan.approved_meeting.starts_at)
                assert written <= _day(plan.approved_at) == meeting_day <= today, label
                assert plan.consented_on is None or plan.consented_on <= meeting_day, label
                assert plan.period_start is None or meeting_day <= plan.period_start, label
        for item in case.agenda_items.select_related("meeting"):
            meeting_day = _day(item.meeting.starts_at)
            assert case.opened_on <= meeting_day, label
            if item.meeting.kind != Kind.PLENARY and item.meeting.starts_at <= timezone.now():
                # The case went to the meeting before the meeting discussed it.
                to_meeting = case.stage_changes.filter(to_stage="meeting").first()
                assert to_meeting is not None and _day(to_meeting.at) <= meeting_day, label
        for decision in case.decisions.select_related("meeting"):
            for task in decision.tasks.all():
                assert _day(decision.meeting.starts_at) <= task.due_on, label
                if task.done_at is not None:
                    assert _day(decision.meeting.starts_at) <= _day(task.done_at) <= today
        for review in Review.objects.filter(case=case):
            approved = [p.approved_at for p in case.plans.all() if p.approved_at is not None]
            assert approved and max(_day(a) for a in approved) <= review.on <= today, label
        for closure in Closure.objects.filter(case=case):
            assert case.opened_on <= closure.on <= today, label
            assert closure.on == case.closed_on == changes[-1], label
            assert all(r.on <= closure.on for r in Review.objects.filter(case=case)), label
        for note in case.notes.all():
            assert case.opened_on <= note.on <= today, label
    for pledge in Pledge.objects.select_related("attendance__meeting"):
        assert pledge.signed_on <= _day(pledge.attendance.meeting.starts_at)
        assert pledge.signed_on <= today
    for meeting in Meeting.objects.filter(starts_at__gt=timezone.now()):
        # Only meetings still ahead may be in the future, and they are not yet held.
        assert not meeting.held and not meeting.decisions.exists(), meeting.title


def test_places_are_written_as_their_town_is(db: None, city: dict[str, int]) -> None:
    """A 居場所's address, like a household's (tests/people/test_demo_addresses.py): its 地区's
    real 町名, 丁目 only where the 町 has them (押立, 大丸, 矢野口 … are 大字 with a 番地), and
    the 地区 the postal data set reads from it is the place's own. (Before, every place had
    「稲城市{地区}{n}丁目」, 「押立3丁目」 too.)"""
    places = list(Place.objects.select_related("district"))
    assert places
    towns = []
    for place in places:
        assert place.district is not None
        town = place.district.name
        towns.append(town)
        if TOWNS[town][1]:
            assert re.fullmatch(rf"稲城市{town}[1-3]丁目\d+番\d+号", place.address), place.address
        else:
            assert re.fullmatch(rf"稲城市{town}[1-9]\d*番地\d+", place.address), place.address
        found = postal.district_in(place.address)
        assert found is not None and found.pk == place.district_id
    assert {TOWNS[town][1] for town in towns} == {True, False}  # both kinds are there
