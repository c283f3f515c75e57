"""The plan views over HTTP: anonymous → login, outsiders → 404 (as for a missing record),
wrong method → 405; the community coordinator who runs the plan sees it, picks a place and
records a trial, but still cannot open the case it came from; plans written from a case;
conflicts keep what was typed; query budgets for the plan page and the list."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tomoni.cases.models import Case
from tomoni.directory.models import Role, Staff
from tomoni.outreach.actions import open_engagement
from tomoni.participation import actions
from tomoni.participation.models import FollowUp, Match, ParticipationPlan, Place, Trial
from tomoni.people.models import Person

from ..cases.conftest import open_for
from ..conftest import BrowserClient, Queries
from .test_matching import THU, TUE, district, place

MISSING = 10**6
NOT_FOUND = "お探しの記録は存在しないか、閲覧する権限がありません。"
# Measured on SQLite: the shell (session, user, header agency, session save: 6) and the
# audit event (4); the plan page adds its record twice (policy check, then with its names),
# the change check, the matches, trials, follow-ups, places and the case link's check; the list
# its count, page and the page's matches. They must not grow with the number of plans,
# matches, trials, follow-ups or places.
LIST_BUDGET = 14
PLAN_BUDGET = 19


@dataclass
class World:
    case: Case
    person: Person
    plan: ParticipationPlan
    farm: Place
    salon: Place
    match: Match


def _yesterday() -> str:
    return (timezone.localdate() - timedelta(days=1)).isoformat()


@pytest.fixture
def world(personas: dict[str, Staff]) -> World:
    """A case's member has a plan run by the community coordinator (地域福祉コーディネーター,
    another agency than the coordinator's 社協), with the salon already picked."""
    coordinator = personas["coordinator"]
    case = open_for(coordinator)
    person = case.household.memberships.order_by("pk")[0].person
    plan = actions.create_plan(
        coordinator,
        person,
        {
            "interests": ["園芸"],
            "days": [TUE, THU],
            "district": district("oshitate"),
            "goal": "週に一度、家の外で過ごす",
        },
        case=case,
        worker=personas["community"],
    )
    farm = place(coordinator, "押立の畑", days=[TUE], interests=["園芸"])
    salon = place(coordinator, "ふれあいサロン", district=district("hirao"))
    match = actions.pick_place(coordinator, plan, salon)
    return World(case, person, plan, farm, salon, match)


def _urls(w: World) -> dict[str, str]:
    return {
        "plans": reverse("participation:plans"),
        "plan": reverse("participation:plan", args=[w.plan.pk]),
        "plan_edit": reverse("participation:plan_edit", args=[w.plan.pk]),
        "plan_end": reverse("participation:plan_end", args=[w.plan.pk]),
        "plan_pick": reverse("participation:plan_pick", args=[w.plan.pk]),
        "match_trial": reverse("participation:match_trial", args=[w.match.pk]),
        "match_settle": reverse("participation:match_settle", args=[w.match.pk]),
        "match_drop": reverse("participation:match_drop", args=[w.match.pk]),
        "match_follow_up": reverse("participation:match_follow_up", args=[w.match.pk]),
        "participants": reverse("participation:place_participants", args=[w.salon.pk]),
        "new_case": reverse("participation:plan_new") + f"?case={w.case.pk}",
        "new_person": reverse("participation:plan_new") + f"?person={w.person.pk}",
    }


RECORD_VIEWS = [
    "plan",
    "plan_edit",
    "plan_end",
    "plan_pick",
    "match_trial",
    "match_settle",
    "match_drop",
    "match_follow_up",
]


def test_anonymous_is_sent_to_login(world: World, as_user: Callable[..., BrowserClient]) -> None:
    client = as_user(None)
    for name, url in _urls(world).items():
        response = client.get(url)
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("login")), name


@pytest.mark.parametrize("outsider", ["agency_b", "manager", "outreach"])
def test_outsiders_get_the_same_404_as_for_a_missing_plan(
    world: World,
    personas: dict[str, Staff],
    as_user: Callable[..., BrowserClient],
    outsider: str,
) -> None:
    """agency B and the manager have no plans at all; the 社協 outreach worker shares the
    coordinator's agency, not the community coordinator's who runs this plan."""
    client = as_user(personas[outsider])
    missing = reverse("participation:plan", args=[MISSING])
    assert client.get(missing).status_code == 404
    for name in RECORD_VIEWS:
        url = _urls(world)[name]
        if name == "plan":
            response = client.get(url)
        else:
            response = client.post(url, {"place": world.farm.pk, "reason": "x", "goal": "x"})
        assert response.status_code == 404, (outsider, name)
        assert NOT_FOUND in response.content.decode()
    assert Match.objects.count() == 1 and not Trial.objects.exists()
    assert ParticipationPlan.objects.get().status == ParticipationPlan.Status.ACTIVE


def test_outsiders_do_not_see_the_plan_in_lists(
    world: World, personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    for outsider in ("agency_b", "outreach"):
        page = as_user(personas[outsider]).get(reverse("participation:plans"), {"tab": "all"})
        assert page.status_code == 200
        assert world.plan.code not in page.content.decode()
        host = as_user(personas[outsider]).get(_urls(world)["participants"])
        assert world.person.full_name not in host.content.decode()


def test_wrong_method_is_405(
    world: World, personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    client = as_user(personas["community"])
    urls = _urls(world)
    assert client.get(urls["plan_end"]).status_code == 405
    assert client.get(urls["plan_pick"]).status_code == 405
    assert client.post(urls["plans"]).status_code == 405
    assert client.post(urls["plan"]).status_code == 405
    assert client.post(urls["plans"] + "?tab=all").status_code == 405


def test_community_coordinator_runs_the_plan_but_never_sees_case_notes(
    world: World, personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    client = as_user(personas["community"])
    urls = _urls(world)
    page = client.get(urls["plan"])
    assert page.status_code == 200
    text = page.content.decode()
    assert world.person.full_name in text
    assert "押立の畑" in text and "この場所を候補にする" in text
    assert "地区が同じ（押立）" in text and "曜日が合う（火）" in text and "興味: 園芸" in text
    assert reverse("cases:case", args=[world.case.pk]) not in text

    response = client.post(urls["plan_pick"], {"place": world.farm.pk})
    assert response.status_code == 302
    picked = Match.objects.get(plan=world.plan, place=world.farm)
    assert picked.picked_by == personas["community"]

    trial = reverse("participation:match_trial", args=[picked.pk])
    response = client.post(trial, {"on": _yesterday(), "outcome": "good", "note": "楽しそうだった"})
    assert response.status_code == 302
    picked.refresh_from_db()
    assert picked.state == Match.State.TRIAL

    # "Community coordinators see places and matches, never case notes."
    case_page = client.get(reverse("cases:case", args=[world.case.pk]))
    assert case_page.status_code == 404


def test_the_plan_list_shows_mine_and_the_match_state(
    world: World, personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    mine = as_user(personas["community"]).get(reverse("participation:plans"))
    text = mine.content.decode()
    assert world.plan.code in text and world.person.full_name in text
    assert "ふれあいサロン（候補）" in text
    coordinator_mine = as_user(personas["coordinator"]).get(reverse("participation:plans"))
    assert world.plan.code not in coordinator_mine.content.decode()
    everything = as_user(personas["coordinator"]).get(
        reverse("participation:plans"), {"tab": "all"}
    )
    assert world.plan.code in everything.content.decode()


def test_a_plan_is_written_from_a_case(
    world: World, personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    coordinator = personas["coordinator"]
    client = as_user(coordinator)
    url = _urls(world)["new_case"]
    form = client.get(url)
    assert form.status_code == 200
    assert world.person.full_name in form.content.decode()
    data = {
        "person": world.person.pk,
        "worker": coordinator.pk,
        "interests": "料理、散歩, 園芸",
        "constraints": ["mobility"],
        "days": ["1", "3"],
        "max_cost": "",
        "district": "",
        "goal": "",
    }
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "目標を入力してください。" in refused.content.decode()
    assert "料理、散歩, 園芸" in refused.content.decode()  # what was typed is kept
    assert ParticipationPlan.objects.count() == 1

    response = client.post(url, {**data, "goal": "料理教室に通う"})
    plan = ParticipationPlan.objects.exclude(pk=world.plan.pk).get()
    assert response.status_code == 302 and response["Location"] == plan.get_absolute_url()
    assert plan.case == world.case and plan.worker == coordinator
    assert plan.interests == ["園芸", "散歩", "料理"]
    assert plan.days == [1, 3] and plan.constraints == ["mobility"]


def test_plan_new_checks_where_it_comes_from(
    world: World, personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    """A case or person the user may not see is a 404; a role that may not write plans, 403."""
    new = reverse("participation:plan_new")
    community = as_user(personas["community"])
    assert community.get(_urls(world)["new_case"]).status_code == 404
    assert community.get(_urls(world)["new_person"]).status_code == 404
    assert community.get(new).status_code == 404
    assert as_user(personas["coordinator"]).get(f"{new}?case={MISSING}").status_code == 404
    assert as_user(personas["agency_b"]).get(_urls(world)["new_case"]).status_code == 403


def test_editing_with_a_stale_version_keeps_what_was_typed(
    world: World, personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    client = as_user(personas["community"])
    url = _urls(world)["plan_edit"]
    stale = world.plan.version
    actions.update_plan(
        personas["coordinator"], world.plan, {"goal": "先に保存された目標"}, version=stale
    )
    response = client.post(url, {"version": stale, "goal": "古い画面で書いた目標"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "他の職員がこのプランを更新しました" in text
    assert "古い画面で書いた目標" in text
    world.plan.refresh_from_db()
    assert world.plan.goal == "先に保存された目標"


def test_bad_input_and_refusals_change_nothing(
    world: World, personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    client = as_user(personas["community"])
    urls = _urls(world)
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = client.post(urls["match_trial"], {"on": future, "outcome": "good"})
    assert response.status_code == 200
    assert "未来の日付の体験は記録できません。" in response.content.decode()
    response = client.post(urls["match_settle"], {"on": _yesterday()})
    assert response.status_code == 200
    assert "定着は体験の後に記録してください。" in response.content.decode()
    response = client.post(
        urls["match_follow_up"], {"kind": "follow_up", "on": _yesterday(), "note": "様子"}
    )
    assert "本人へのフォローは定着の後に記録します。" in response.content.decode()
    response = client.post(urls["plan_pick"], {"place": world.salon.pk}, follow=True)
    assert "既に候補に入っています" in response.content.decode()
    world.match.refresh_from_db()
    assert world.match.state == Match.State.PICKED
    assert not Trial.objects.exists() and not FollowUp.objects.exists()


def test_trial_settle_and_follow_up_over_http(
    world: World, personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    client = as_user(personas["community"])
    urls = _urls(world)
    assert client.post(urls["match_trial"], {"on": "R7.4.1", "outcome": "good"}).status_code == 302
    assert client.post(urls["match_settle"], {"on": _yesterday()}).status_code == 302
    response = client.post(
        urls["match_follow_up"], {"kind": "follow_up", "on": _yesterday(), "note": "続いている"}
    )
    assert response.status_code == 302
    world.match.refresh_from_db()
    assert world.match.state == Match.State.SETTLED
    assert Trial.objects.get().on.isoformat() == "2025-04-01"
    page = client.get(urls["plan"]).content.decode()
    assert "続いている" in page and "定着" in page


def test_ending_the_plan_hides_the_forms(
    world: World, personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    client = as_user(personas["community"])
    urls = _urls(world)
    assert client.post(urls["plan_end"]).status_code == 302
    page = client.get(urls["plan"]).content.decode()
    assert "この参加支援は終了しています" in page
    assert "この場所を候補にする" not in page and "体験を記録" not in page
    response = client.post(urls["match_drop"], {"reason": "終了後"})
    assert "この参加支援は終了しています。" in response.content.decode()
    world.match.refresh_from_db()
    assert world.match.state == Match.State.PICKED


def test_host_side_lists_participants_and_records_a_contact(
    world: World, personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    client = as_user(personas["community"])
    url = _urls(world)["participants"]
    page = client.get(url).content.decode()
    assert world.person.full_name in page and "候補" in page
    refused = client.post(url, {"on": _yesterday(), "note": "見学をお願いした"})
    assert "連絡を記録する参加者を選んでください。" in refused.content.decode()
    assert "見学をお願いした" in refused.content.decode()
    response = client.post(
        url,
        {"match": world.match.pk, "kind": "host", "on": _yesterday(), "note": "見学をお願いした"},
    )
    assert response.status_code == 302
    item = FollowUp.objects.get()
    assert item.kind == FollowUp.Kind.HOST and item.match == world.match
    assert "見学をお願いした" in client.get(url).content.decode()
    # The plan page links its match rows to this page.
    assert url in client.get(_urls(world)["plan"]).content.decode()


# --- query budgets -------------------------------------------------------------------------


def _grow(coordinator: Staff, plan: ParticipationPlan, size: int, start: int) -> None:
    """More places, picked, tried and followed up."""
    yesterday = timezone.localdate() - timedelta(days=1)
    for i in range(start, start + size):
        spot = place(coordinator, f"場所{i:02d}", days=[TUE], interests=["園芸"])
        place(coordinator, f"候補外{i:02d}", district=district("hirao"))
        match = actions.pick_place(coordinator, plan, spot)
        actions.record_trial(coordinator, match, on=yesterday, outcome=Trial.Outcome.GOOD)
        actions.add_follow_up(
            coordinator, match, kind=FollowUp.Kind.HOST, on=yesterday, note="連絡"
        )


def test_plan_page_budget(
    world: World,
    personas: dict[str, Staff],
    as_user: Callable[..., BrowserClient],
    queries: Queries,
) -> None:
    coordinator = personas["coordinator"]
    for user in (personas["community"], coordinator):
        client = as_user(user)
        url = _urls(world)["plan"]
        _grow(coordinator, world.plan, 1, start=len(Place.objects.all()))
        few = queries(client, url)
        _grow(coordinator, world.plan, 6, start=len(Place.objects.all()))
        many = queries(client, url)
        assert len(many) == len(few), queries.differ(few, many)
        assert len(many) <= PLAN_BUDGET, queries.differ(few, many)


def test_plan_list_budget(
    personas: dict[str, Staff], as_user: Callable[..., BrowserClient], queries: Queries
) -> None:
    coordinator, community = personas["coordinator"], personas["community"]
    salon = place(coordinator, "ふれあいサロン")

    def plans(count: int) -> None:
        for _ in range(count):
            case = open_for(coordinator)
            person = case.household.memberships.order_by("pk")[0].person
            plan = actions.create_plan(
                coordinator, person, {"goal": "外に出る"}, case=case, worker=community
            )
            actions.pick_place(coordinator, plan, salon)

    url = reverse("participation:plans")
    for user in (community, coordinator):
        client = as_user(user)
        plans(2)
        few = queries(client, url, tab="all")
        plans(8)
        many = queries(client, url, tab="all")
        assert len(many) == len(few), queries.differ(few, many)
        assert len(many) <= LIST_BUDGET, queries.differ(few, many)
    assert community.role == Role.COMMUNITY


def test_an_outreach_worker_writes_a_plan_from_their_engagement(
    world: World, personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    """?engagement= offers the engagement's household; the worker assigned to it writes the
    plan and runs it; the 社協 coordinator sees it too, agency B does not."""
    coordinator, outreach = personas["coordinator"], personas["outreach"]
    engagement = open_engagement(
        coordinator,
        household=world.case.household,
        reason="hikikomori",
        workers=[outreach],
        person=world.person,
    )
    client = as_user(outreach)
    url = reverse("participation:plan_new") + f"?engagement={engagement.pk}"
    assert as_user(personas["community"]).get(url).status_code == 404
    form = client.get(url)
    assert form.status_code == 200 and world.person.full_name in form.content.decode()
    response = client.post(
        url,
        {"person": world.person.pk, "worker": outreach.pk, "goal": "朝市に一緒に行く"},
    )
    plan = ParticipationPlan.objects.get(engagement=engagement)
    assert response.status_code == 302 and response["Location"] == plan.get_absolute_url()
    assert plan.worker == outreach and plan.person == world.person
    assert client.get(plan.get_absolute_url()).status_code == 200
    assert as_user(personas["agency_b"]).get(plan.get_absolute_url()).status_code == 404
