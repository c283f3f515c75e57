"""Every case view over HTTP: anonymous → login, wrong method → 405, an agency not on the
team → the same 404 as for a record that does not exist, a team agency (read-only) → 403 on
the edit views; a case opened from a consultation and driven through its stages over HTTP;
plan conflicts; closed cases refusing edits; and what the timeline shows to whom."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from tomoni.audit.models import AuditEvent
from tomoni.cases import actions
from tomoni.cases.models import (
    Assessment,
    Case,
    CaseConcern,
    GoalTerm,
    Plan,
    Review,
    Stage,
    StageChange,
    Task,
    TeamMember,
)
from tomoni.directory.models import Concern, Staff
from tomoni.intake.actions import take_consultation
from tomoni.intake.models import ConsentVersion, Consultation, Method, Outcome
from tomoni.meetings import actions as meeting_actions
from tomoni.meetings.models import Decision, Kind
from tomoni.notes.actions import add_note
from tomoni.notes.models import Note, Visibility
from tomoni.people.models import Consent, Person

from ..conftest import BrowserClient, as_seen_now
from ..consent import withdraw
from .conftest import agency, held_meeting, household_of, open_for, with_consent

MISSING = 10**6
NOT_FOUND = "お探しの記録は存在しないか、閲覧する権限がありません。"
ENDED = "このケースは終結しています。変更するには先に再開してください。"
NOTE_TEXT = "長男と電話で話し、来週の訪問を約束した。"


@dataclass
class World:
    case: Case
    member: TeamMember
    item: CaseConcern
    task: Task


@pytest.fixture
def world(personas: dict[str, Staff]) -> World:
    """A consented case led by the coordinator, in アセスメント with a first plan; agency A
    (地域包括) is on the team, holds a concern and a task; a shared note is on the case."""
    coordinator = personas["coordinator"]
    case = with_consent(coordinator, open_for(coordinator))
    member = actions.add_team_member(coordinator, case, agency("houkatsu1"), contact="包括 太郎")
    person = case.household.memberships.order_by("pk")[0].person
    item = actions.set_concern(
        coordinator,
        case,
        person=person,
        concern=Concern.objects.get(code="care"),
        agency=agency("houkatsu1"),
    )
    as_seen_now(actions.move_case, coordinator, case, "assess")
    actions.save_assessment(coordinator, case, {"wishes": "母の介護を続けたい"}, version=None)
    actions.save_plan(
        coordinator,
        case,
        base=0,
        summary="母の介護と本人の就労準備を分けて支える",
        goals=[(GoalTerm.LONG, "親子が安心して暮らせる")],
        actions=[actions.PlannedAction("介護保険の申請支援", agency("houkatsu1"))],
    )
    add_note(coordinator, case, text=NOTE_TEXT, method="phone")
    task = actions.add_task(
        coordinator,
        title="介護保険の申請",
        owner_agency=agency("houkatsu1"),
        due_on=timezone.localdate(),
        case=case,
    )
    case.refresh_from_db()
    return World(case, member, item, task)


def _urls(case: int, member: int, item: int, task: int) -> dict[str, str]:
    return {
        "index": reverse("cases:index"),
        "new": reverse("cases:new") + f"?household={case}",  # filled in below
        "case": reverse("cases:case", args=[case]),
        "take_lead": reverse("cases:take_lead", args=[case]),
        "move": reverse("cases:move", args=[case, "draft"]),
        "close": reverse("cases:close", args=[case]),
        "reopen": reverse("cases:reopen", args=[case]),
        "consent": reverse("cases:consent", args=[case]),
        "team_add": reverse("cases:team_add", args=[case]),
        "team_end": reverse("cases:team_end", args=[case, member]),
        "concern_add": reverse("cases:concern_add", args=[case]),
        "concern_remove": reverse("cases:concern_remove", args=[case, item]),
        "tendency": reverse("cases:tendency", args=[case, 1]),
        "note_new": reverse("cases:note_new", args=[case]),
        "assessment": reverse("cases:assessment", args=[case]),
        "assessment_edit": reverse("cases:assessment_edit", args=[case]),
        "plan": reverse("cases:plan", args=[case, 1]),
        "plan_new": reverse("cases:plan_new", args=[case]),
        "review": reverse("cases:review", args=[case]),
        "tasks": reverse("cases:tasks"),
        "task": reverse("cases:task", args=[task]),
        "task_complete": reverse("cases:task_complete", args=[task]),
    }


def _world_urls(world: World, offset: int = 0) -> dict[str, str]:
    urls = _urls(
        world.case.pk + offset,
        world.member.pk + offset,
        world.item.pk + offset,
        world.task.pk + offset,
    )
    urls["new"] = reverse("cases:new") + f"?household={world.case.household_id + offset}"
    return urls


METHODS: dict[str, tuple[str, str]] = {
    "index": ("GET", "POST"),
    "new": ("GET", "PUT"),
    "case": ("GET", "POST"),
    "take_lead": ("POST", "GET"),
    "move": ("POST", "PUT"),
    "close": ("POST", "PUT"),
    "reopen": ("POST", "PUT"),
    "consent": ("POST", "PUT"),
    "team_add": ("POST", "PUT"),
    "team_end": ("POST", "GET"),
    "concern_add": ("POST", "PUT"),
    "concern_remove": ("POST", "GET"),
    "tendency": ("POST", "GET"),
    "note_new": ("POST", "PUT"),
    "assessment": ("GET", "POST"),
    "assessment_edit": ("POST", "PUT"),
    "plan": ("GET", "POST"),
    "plan_new": ("POST", "PUT"),
    "review": ("POST", "PUT"),
    "tasks": ("GET", "POST"),
    "task": ("GET", "POST"),
    "task_complete": ("POST", "GET"),
}
# What an outsider (or a read-only team agency) posts: a valid request for someone who may.
POSTS: dict[str, dict[str, str]] = {
    "new": {"title": "ケースを開く"},
    "take_lead": {},
    "move": {"version": "1", "note": ""},
    "close": {"kind": "suspended", "on": "2026-01-05", "reason": "連絡が取れない"},
    "reopen": {"reason": "再び相談"},
    "consent": {"scope": "share", "status": "refused", "on": "2026-01-05", "method": "oral"},
    "team_add": {"agency": "", "role": "related"},
    "team_end": {},
    "concern_add": {"priority": "1"},
    "concern_remove": {},
    "tendency": {"value": "yes"},
    "note_new": {"on": "2026-01-05", "method": "phone", "visibility": "shared", "text": "書き込み"},
    "assessment_edit": {"version": "1", "wishes": "書き換え"},
    "plan_new": {"base": "1", "goal_term_0": "long", "goal_text_0": "書き換え"},
    "review": {"on": "2026-01-05", "decision": "continue"},
    "task_complete": {},
}
RECORD_VIEWS = [v for v in METHODS if v not in ("index", "tasks")]
# Views a team agency may open but whose action needs CHANGE: 403, nothing changes.
CHANGE_VIEWS = [v for v in POSTS if v not in ("new", "note_new", "task_complete", "reopen")] + [
    "reopen"
]


def _send(client: BrowserClient, method: str, path: str, data: dict[str, str] | None = None) -> Any:
    if method == "GET":
        return client.get(path)
    if method == "POST":
        return client.post(path, data or {})
    client.get("/accounts/login/", follow=True)
    token = client.cookies["csrftoken"].value
    return client.generic(method, path, "", HTTP_X_CSRFTOKEN=token)


def _rows() -> dict[str, int]:
    counted = (
        Case,
        StageChange,
        TeamMember,
        CaseConcern,
        Consent,
        Assessment,
        Plan,
        Review,
        Task,
        Note,
        AuditEvent,
    )
    return {model.__name__: model.objects.count() for model in counted}


def _state(world: World) -> tuple[Any, ...]:
    case = Case.objects.get(pk=world.case.pk)
    task = Task.objects.get(pk=world.task.pk)
    return (case.stage, case.version, case.consent, case.lead_id, task.done_at)


@pytest.mark.parametrize("view", list(METHODS))
def test_anonymous_is_sent_to_login(
    view: str, world: World, as_user: Callable[..., BrowserClient]
) -> None:
    """An anonymous visitor is redirected to the login page, which brings them back."""
    path = _world_urls(world)[view]
    response = _send(as_user(None), METHODS[view][0], path, POSTS.get(view))
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={quote(path)}"


@pytest.mark.parametrize("view", list(METHODS))
def test_wrong_method_is_refused(
    view: str, world: World, personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    """A method the view does not serve gets 405, even for the case's coordinator."""
    allowed, wrong = METHODS[view]
    response = _send(as_user(personas["coordinator"]), wrong, _world_urls(world)[view])
    assert response.status_code == 405
    assert allowed in response["Allow"]


@pytest.mark.parametrize("view", RECORD_VIEWS)
def test_outsider_gets_the_same_404_as_for_a_missing_record(
    view: str, world: World, personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    """Agency B (not on the team) cannot tell the case, its plan, its task or its household
    from ones that do not exist, by GET or POST, and its posts change nothing."""
    client = as_user(personas["agency_b"])
    before, state = _rows(), _state(world)
    for method in ("GET", "POST") if view in POSTS else ("GET",):
        real_path = _world_urls(world)[view]
        missing_path = _world_urls(world, MISSING)[view]
        real = _send(client, method, real_path, POSTS.get(view))
        missing = _send(client, method, missing_path, POSTS.get(view))
        if real.status_code == 405:  # the view does not serve this method at all
            assert missing.status_code == 405
            continue
        assert real.status_code == missing.status_code == 404, (method, real.status_code)
        assert strip_tags(real.content.decode()).replace(real_path, "") == strip_tags(
            missing.content.decode()
        ).replace(missing_path, "")
        assert NOT_FOUND in real.content.decode()
    after = _rows()
    # Only the 404s' own audit trail (none) and nothing else may have changed.
    assert after == before
    assert _state(world) == state


@pytest.mark.parametrize("view", CHANGE_VIEWS)
def test_team_agency_may_read_but_not_change(
    view: str, world: World, personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    """Agency A sees the case (it is on the team, with consent) but its edit requests get
    403 and change nothing."""
    client = as_user(personas["agency_a"])
    assert client.get(_world_urls(world)["case"]).status_code == 200
    before = {k: v for k, v in _rows().items() if k != "AuditEvent"}
    state = _state(world)
    response = client.post(_world_urls(world)[view], POSTS[view])
    assert response.status_code == 403
    assert {k: v for k, v in _rows().items() if k != "AuditEvent"} == before
    assert _state(world) == state


def test_team_agency_reads_the_case_and_writes_notes(
    world: World, personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    """Agency A opens the case page, the assessment, the plan and its task, may add a
    note, and sees no edit buttons."""
    client = as_user(personas["agency_a"])
    urls = _world_urls(world)
    page = client.get(urls["case"]).content.decode()
    assert world.case.title in page and NOTE_TEXT in page
    assert "段階を進める" not in page and "支援経過記録を追加" in page
    for view in ("assessment", "plan", "task", "tasks"):
        assert client.get(urls[view]).status_code == 200, view
    for view in ("assessment_edit", "plan_new", "review", "close", "consent"):
        assert client.get(urls[view]).status_code == 403, view
    response = client.post(
        urls["note_new"],
        {"on": "", "method": "visit", "visibility": "shared", "text": "自宅を訪問した。"},
    )
    assert response.status_code == 200  # the date is required: shown again, nothing saved
    assert "自宅を訪問した。" in response.content.decode()
    assert not Note.objects.filter(text="自宅を訪問した。").exists()
    today = timezone.localdate().isoformat()
    response = client.post(
        urls["note_new"],
        {"on": today, "method": "visit", "visibility": "shared", "text": "自宅を訪問した。"},
    )
    assert response.status_code == 302
    assert Note.objects.filter(case=world.case, text="自宅を訪問した。").exists()


def _version(case: Case) -> str:
    return str(Case.objects.get(pk=case.pk).version)


def _move(client: BrowserClient, case: Case, name: str, note: str = "") -> Any:
    url = reverse("cases:move", args=[case.pk, name])
    return client.post(url, {"version": _version(case), "note": note})


def test_coordinator_drives_a_case_from_consultation_to_closure_over_http(
    personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    """The coordinator opens a case from a consultation, records consent, the assessment and
    a plan, moves it to a meeting; after the 重層的支援会議 approves the plan it is decided,
    supported, evaluated and closed with a hand-off — every step a POST."""
    coordinator = personas["coordinator"]
    household = household_of(
        coordinator, ("見本", "花子", "1948-05-01", "head"), ("見本", "太郎", "1976-09-10", "child")
    )
    son = household.memberships.order_by("pk")[1].person
    consultation = take_consultation(
        coordinator,
        method=Method.PHONE,
        summary="母の介護と長男の仕事",
        consent=ConsentVersion.GIVEN,
        person=son,
        household=household,
    )
    client = as_user(coordinator)
    page = client.get(reverse("intake:consultation", args=[consultation.pk])).content.decode()
    assert f"{reverse('cases:new')}?consultation={consultation.pk}" in page
    url = reverse("cases:new") + f"?consultation={consultation.pk}"
    form = client.get(url)
    assert form.status_code == 200 and "母の介護と長男の仕事" in form.content.decode()
    response = client.post(
        url, {"title": "8050世帯の支援", "person": str(son.pk), "request_text": "整理したい"}
    )
    case = Case.objects.get(consultation=consultation)
    assert response["Location"] == case.get_absolute_url()
    assert (case.lead, case.person, case.stage) == (coordinator, son, Stage.RECEIVED)
    assert Consultation.objects.get(pk=consultation.pk).outcome == Outcome.COLLABORATION

    today = timezone.localdate().isoformat()
    # 【本人同意あり】 at the window is the son's consent to sharing: the case has it already;
    # the 重層的支援会議 needs his consent to that purpose too.
    assert case.consent == "given"
    consent = reverse("cases:consent", args=[case.pk])
    jusou = {"person": str(son.pk), "scope": "jusou", "status": "given", "on": today}
    assert client.post(consent, {**jusou, "method": "written"}).status_code == 302
    assert _move(client, case, "assess").status_code == 302
    edit = reverse("cases:assessment_edit", args=[case.pk])
    response = client.post(
        edit, {"version": "0", "wishes": "母と暮らし続けたい", "housing": "owned"}
    )
    assert response.status_code == 302
    assert _move(client, case, "draft").status_code == 302
    response = client.post(
        reverse("cases:plan_new", args=[case.pk]),
        {
            "base": "0",
            "summary": "役割を分けて支える",
            "goal_term_0": "long",
            "goal_text_0": "親子が安心して暮らせる",
            "goal_term_1": "short",
            "goal_text_1": "介護サービスにつながる",
            "action_agency_0": str(agency("houkatsu1").pk),
            "action_what_0": "介護保険の申請支援",
            "action_due_0": "令和9年1月31日",
            "refer_outreach": "on",
        },
    )
    plan = Plan.objects.get(case=case)
    assert response["Location"] == plan.get_absolute_url()
    assert plan.refer_outreach and plan.goals.count() == 2 and plan.actions.count() == 1
    assert "介護保険の申請支援" in client.get(plan.get_absolute_url()).content.decode()
    assert _move(client, case, "to_meeting").status_code == 302

    case.refresh_from_db()
    meeting = held_meeting(coordinator, Kind.JUSOU)
    meeting_actions.add_agenda_item(coordinator, meeting, case)
    meeting_actions.decide(
        coordinator, meeting, case, kind=Decision.Kind.PLAN_APPROVAL, text="プランを承認"
    )
    for name in ("decide", "start", "evaluate"):
        assert _move(client, case, name).status_code == 302, name
    goals = list(plan.goals.all())
    data = {"on": today, "decision": "close", "changes": "介護サービスが始まった"}
    data.update({f"attainment_{g.pk}": "achieved" for g in goals})
    response = client.post(reverse("cases:review", args=[case.pk]), data)
    assert response.status_code == 302
    assert Review.objects.get(case=case).goals.count() == 2
    close = reverse("cases:close", args=[case.pk])
    response = client.post(
        close, {"kind": "closed", "on": today, "reason": "役割分担が定着", "handoff_agency": ""}
    )
    assert response.status_code == 200
    assert "引き続き支援する主担当機関を選んでください" in response.content.decode()
    assert "役割分担が定着" in response.content.decode()  # what was typed is kept
    data = {"kind": "closed", "on": today, "reason": "役割分担が定着"}
    data["handoff_agency"] = str(agency("houkatsu1").pk)
    assert client.post(close, data).status_code == 302
    case.refresh_from_db()
    assert case.stage == Stage.CLOSED
    stages = list(StageChange.objects.filter(case=case).values_list("to_stage", flat=True))
    assert stages == [
        "received", "assessment", "draft_plan", "meeting", "decided", "in_support",
        "evaluation", "closed",
    ]  # fmt: skip
    page = client.get(case.get_absolute_url()).content.decode()
    assert "再開する" in page and "終結" in page


def test_agency_asks_for_collaboration_from_a_household(
    personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    """Agency A asks for 多機関協働 on a household it registered: the case waits unassigned
    in the coordinators' list, where one takes the lead with a POST."""
    worker = personas["agency_a"]
    household = household_of(worker, ("見本", "一郎", "1950-01-01", "head"))
    client = as_user(worker)
    page = client.get(household.get_absolute_url()).content.decode()
    assert "支援機関向けの相談（多機関協働を依頼）" in page
    url = reverse("cases:new") + f"?household={household.pk}"
    assert client.post(url, {"title": ""}).status_code == 200
    assert not Case.objects.exists()
    response = client.post(url, {"title": "独居高齢者の生活再建"}, follow=True)
    case = Case.objects.get()
    # Until the person consents the requester cannot open the case: back to the household.
    assert response.redirect_chain[-1][0] == household.get_absolute_url()
    assert f"多機関協働へ依頼しました（ケース {case.code}）" in response.content.decode()
    assert case.lead is None
    assert list(case.team.values_list("agency__code", flat=True)) == ["houkatsu1"]

    coordinator = as_user(personas["coordinator"])
    listing = coordinator.get(reverse("cases:index"), {"tab": "unassigned"}).content.decode()
    assert "独居高齢者の生活再建" in listing
    assert "独居高齢者の生活再建" not in coordinator.get(reverse("cases:index")).content.decode()
    response = coordinator.post(reverse("cases:take_lead", args=[case.pk]))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.lead == personas["coordinator"]
    assert "独居高齢者の生活再建" in coordinator.get(reverse("cases:index")).content.decode()


def test_opening_from_a_consultation_the_user_cannot_see_is_404(
    personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    """Agency B cannot open a case from the window's consultation: 404, nothing created."""
    window = personas["window"]
    household = household_of(window, ("見本", "一郎", "1950-01-01", "head"))
    consultation = take_consultation(
        window,
        method=Method.PHONE,
        summary="相談",
        consent=ConsentVersion.GIVEN,
        household=household,
    )
    url = reverse("cases:new") + f"?consultation={consultation.pk}"
    client = as_user(personas["agency_b"])
    assert client.get(url).status_code == 404
    assert client.post(url, {"title": "横取り"}).status_code == 404
    assert as_user(personas["outreach"]).get(url).status_code == 403
    assert not Case.objects.exists()
    assert as_user(window).get(url).status_code == 200


def test_plan_conflict_over_http_keeps_the_typed_plan_and_saves_nothing(
    world: World, personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    """Two coordinators edit the plan from 第1版; the second save is told that 第2版 exists,
    sees what they typed, and no third version is made."""
    coordinator = personas["coordinator"]
    client = as_user(coordinator)
    url = reverse("cases:plan_new", args=[world.case.pk])
    editor = client.get(url).content.decode()
    assert 'name="base" value="1"' in editor and "親子が安心して暮らせる" in editor
    actions.save_plan(
        coordinator,
        world.case,
        base=1,
        summary="別の職員",
        goals=[(GoalTerm.LONG, "先に保存")],
        actions=[],
    )
    response = client.post(
        url, {"base": "1", "goal_term_0": "long", "goal_text_0": "私が入力した目標"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "他の職員がプランを第2版として保存しました" in body
    assert "私が入力した目標" in body
    assert sorted(Plan.objects.filter(case=world.case).values_list("number", flat=True)) == [1, 2]
    # Having read 第2版, saving again is deliberate: it becomes 第3版, and 第2版 stays.
    assert 'name="base" value="2"' in body
    data = {"base": "2", "goal_term_0": "long", "goal_text_0": "私が入力した目標"}
    assert client.post(url, data).status_code == 302
    newest = Plan.objects.filter(case=world.case).order_by("-number")[0]
    assert (newest.number, newest.goals.get().text) == (3, "私が入力した目標")


def test_assessment_conflict_keeps_the_typed_data(
    world: World, personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    coordinator = personas["coordinator"]
    client = as_user(coordinator)
    url = reverse("cases:assessment_edit", args=[world.case.pk])
    assert 'name="version" value="1"' in client.get(url).content.decode()
    actions.save_assessment(coordinator, world.case, {"debts": "消費者金融"}, version=1)
    response = client.post(url, {"version": "1", "wishes": "私の入力"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "他の職員がアセスメントを更新しました" in body and "私の入力" in body
    assert "消費者金融" in body  # what the other person saved, shown beside the typed data
    sheet = Assessment.objects.get(case=world.case)
    assert (sheet.version, sheet.wishes, sheet.debts) == (2, "母の介護を続けたい", "消費者金融")
    read = client.get(reverse("cases:assessment", args=[world.case.pk])).content.decode()
    assert "消費者金融" in read


def test_a_closed_case_refuses_every_edit_with_the_reason(
    world: World, personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    """Suspended (中断) — no: closed. Every edit form answers with the Japanese reason and
    nothing changes until the case is reopened."""
    coordinator = personas["coordinator"]
    case = world.case
    for name in ("draft", "to_meeting"):
        as_seen_now(actions.move_case, coordinator, case, name)
    meeting = held_meeting(coordinator, Kind.JUSOU)
    meeting_actions.add_agenda_item(coordinator, meeting, case)
    meeting_actions.decide(
        coordinator, meeting, case, kind=Decision.Kind.PLAN_APPROVAL, text="承認"
    )
    for name in ("decide", "start"):
        as_seen_now(actions.move_case, coordinator, case, name)
    actions.close_case(
        coordinator, case, kind="closed", reason="定着", handoff_agency=agency("houkatsu1")
    )
    client = as_user(coordinator)
    urls = _world_urls(world)
    today = timezone.localdate().isoformat()
    posts = {
        "assessment_edit": {"version": "1", "wishes": "書き換え"},
        "plan_new": {"base": "1", "goal_term_0": "long", "goal_text_0": "書き換え"},
        "consent": {
            "person": str(world.item.person_id),
            "scope": "share",
            "status": "refused",
            "on": today,
            "method": "oral",
        },
        "team_add": {"agency": str(agency("shogai-soudan").pk), "role": "related"},
        "concern_add": {
            "person": str(world.item.person_id),
            "concern": str(Concern.objects.get(code="debt").pk),
            "priority": "1",
        },
        "move": {"version": _version(case), "note": ""},
        "close": {"kind": "suspended", "on": today, "reason": "再度"},
        "note_new": {"on": today, "method": "phone", "visibility": "shared", "text": "書き込み"},
    }
    before = {k: v for k, v in _rows().items() if k != "AuditEvent"}
    state = _state(world)
    for view, data in posts.items():
        response = client.post(urls[view], data)
        assert response.status_code == 200, view
        body = response.content.decode()
        assert ENDED in body or "終結・中断したケースには記録できません" in body, view
    for view in ("team_end", "concern_remove"):
        response = client.post(urls[view], follow=True)
        assert ENDED in response.content.decode(), view
    assert {k: v for k, v in _rows().items() if k != "AuditEvent"} == before
    assert _state(world) == state
    page = client.get(urls["case"]).content.decode()
    assert "課題を記録" not in page and "機関を加える" not in page
    assert client.post(urls["reopen"], {"reason": "再び困りごと"}).status_code == 302
    assert Case.objects.get(pk=case.pk).stage == Stage.ASSESSMENT


def test_a_move_that_needs_a_reason_keeps_the_page_and_asks_for_it(
    world: World, personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    coordinator = personas["coordinator"]
    as_seen_now(actions.move_case, coordinator, world.case, "draft")
    client = as_user(coordinator)
    response = _move(client, world.case, "reassess")
    assert response.status_code == 200
    assert "「アセスメントに戻す」の理由を入力してください。" in response.content.decode()
    assert Case.objects.get(pk=world.case.pk).stage == Stage.DRAFT_PLAN
    # A page opened before somebody else moved the case: a conflict, not a double step.
    stale = reverse("cases:move", args=[world.case.pk, "to_meeting"])
    response = client.post(stale, {"version": "1", "note": ""})
    assert "他の職員がこのケースを更新しました" in response.content.decode()
    assert Case.objects.get(pk=world.case.pk).stage == Stage.DRAFT_PLAN
    assert client.post(reverse("cases:move", args=[world.case.pk, "fly"])).status_code == 404


def test_tendency_override_and_concerns_over_http(
    world: World, personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    client = as_user(personas["coordinator"])
    case = world.case
    response = client.post(reverse("cases:tendency", args=[case.pk, 4]), {"value": "yes"})
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).tendency_overrides == {"4": True}
    page = client.get(case.get_absolute_url()).content.decode()
    assert "福祉分野以外との連携が必要なケース" in page and "手動" in page
    client.post(reverse("cases:tendency", args=[case.pk, 4]), {"value": "rule"})
    assert Case.objects.get(pk=case.pk).tendency_overrides == {}

    response = client.post(reverse("cases:concern_remove", args=[case.pk, world.item.pk]))
    assert response.status_code == 302
    assert not CaseConcern.objects.filter(pk=world.item.pk).exists()
    other = household_of(personas["coordinator"], ("他人", "次郎", "1980-01-01", "head"))
    stranger = other.memberships.get().person
    response = client.post(
        reverse("cases:concern_add", args=[case.pk]),
        {"person": str(stranger.pk), "concern": str(Concern.objects.get(code="debt").pk)},
    )
    assert response.status_code == 200  # not a member of this household: not a choice
    assert not CaseConcern.objects.filter(case=case).exists()
    assert Person.objects.filter(pk=stranger.pk).exists()


def test_timeline_hides_own_agency_notes_and_unpledged_decisions(
    world: World, personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    """Agency A sees the shared note but not the coordinator's own-agency note; it sees the
    支援会議 it attends on the timeline, and that meeting's decision only after pledging."""
    coordinator, worker = personas["coordinator"], personas["agency_a"]
    add_note(
        coordinator,
        world.case,
        text="社協内の検討メモ",
        method="other",
        visibility=Visibility.OWN_AGENCY,
    )
    meeting = held_meeting(coordinator, Kind.SUPPORT)
    meeting_actions.add_agenda_item(coordinator, meeting, world.case)
    attendance = meeting_actions.add_attendee(
        coordinator, meeting, agency=agency("houkatsu1"), staff=worker
    )
    meeting_actions.decide(
        coordinator, meeting, world.case, kind=Decision.Kind.ROLE_SPLIT, text="包括が母を担当"
    )
    url = world.case.get_absolute_url()
    own = as_user(coordinator).get(url).content.decode()
    assert "社協内の検討メモ" in own and "包括が母を担当" in own
    page = as_user(worker).get(url).content.decode()
    assert NOTE_TEXT in page
    assert "社協内の検討メモ" not in page
    assert meeting.title in page
    assert "包括が母を担当" not in page
    meeting_actions.record_pledge(worker, attendance)
    assert "包括が母を担当" in as_user(worker).get(url).content.decode()


def test_a_case_without_consent_is_hidden_from_its_team(
    world: World, personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    """When consent is withdrawn the team agency gets 404 for the case and its pages, and
    its task no longer links to the case."""
    coordinator = personas["coordinator"]
    withdraw(coordinator, world.case, on=timezone.localdate())
    client = as_user(personas["agency_a"])
    urls = _world_urls(world)
    for view in ("case", "assessment", "plan", "note_new"):
        assert client.get(urls[view]).status_code == 404, view
    tasks = client.get(urls["tasks"], {"tab": "agency"}).content.decode()
    assert "介護保険の申請" in tasks
    assert world.case.get_absolute_url() not in tasks
    listing = client.get(urls["index"]).content.decode()
    assert world.case.code not in listing


def test_case_list_filters_by_stage_and_shows_wareki(
    world: World, personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    client = as_user(personas["coordinator"])
    body = client.get(reverse("cases:index")).content.decode()
    assert world.case.code in body and "令和" in body
    assert (
        world.case.code
        not in client.get(reverse("cases:index"), {"stage": "closed"}).content.decode()
    )
    assert (
        world.case.code
        in client.get(
            reverse("cases:index"), {"stage": "assessment", "tab": "all"}
        ).content.decode()
    )
    assert client.get(reverse("cases:index"), {"stage": "nonsense"}).status_code == 200


def test_case_page_reading_is_audited(
    world: World, personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    before = AuditEvent.objects.filter(action="view", object_type="cases.case").count()
    as_user(personas["coordinator"]).get(world.case.get_absolute_url())
    after = AuditEvent.objects.filter(action="view", object_type="cases.case").count()
    assert after == before + 1


def test_pages_have_no_inline_styles(
    world: World, personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    client = as_user(personas["coordinator"])
    for view in ("case", "assessment_edit", "plan_new", "review", "close", "tasks", "index"):
        body = client.get(_world_urls(world)[view]).content.decode()
        assert not re.search(r"\sstyle=", body), view
