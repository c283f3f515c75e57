"""The meeting screens over HTTP: anonymous → login, wrong method → 405, outsider → 404,
read-only attendee → 403; scheduling with a 和暦 date; attendees and agenda; the minutes with
a version conflict; decisions that hand out tasks, approve a plan at a 重層的支援会議 and
decide a no-consent case at a 支援会議; and query budgets for the list and the page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tomoni import access
from tomoni.cases import actions as case_actions
from tomoni.cases.models import Stage, Task
from tomoni.directory.models import Agency, Staff
from tomoni.lib.wareki import format_date
from tomoni.meetings import actions
from tomoni.meetings.models import AgendaItem, Attendance, Decision, Kind, Meeting

from ..cases.conftest import agency, to_meeting, with_consent
from ..conftest import BrowserClient, Queries, as_seen_now
from .conftest import MINUTES, World, attend, case_of, meeting_of, no_consent_case

Client = Callable[[Staff | None], BrowserClient]
MISSING = 10**6
# Every page pays 11 fixed queries (session, user and agency for the header; saving the
# session; the audit event). The list adds its count and page, then the agenda sizes, the
# meetings with materials and my attendances; the meeting page adds the meeting, attendees,
# three permission checks, agenda, decisions with their tasks, the openable cases and, for
# the coordinator, the choices of its forms.
LIST_BUDGET = 16
MEETING_BUDGET = 24


def _urls(pk: int) -> dict[str, str]:
    return {
        "index": reverse("meetings:index"),
        "new": reverse("meetings:new"),
        "calendar_ics": reverse("meetings:calendar_ics"),
        "meeting": reverse("meetings:meeting", args=[pk]),
        "meeting_ics": reverse("meetings:meeting_ics", args=[pk]),
        "pledge": reverse("meetings:pledge", args=[pk]),
        "paper_pledge": reverse("meetings:paper_pledge", args=[pk]),
        "attendee_add": reverse("meetings:attendee_add", args=[pk]),
        "agenda_add": reverse("meetings:agenda_add", args=[pk]),
        "minutes": reverse("meetings:minutes", args=[pk]),
        "decisions": reverse("meetings:decisions", args=[pk]),
    }


# The method each view answers, and one it refuses.
METHODS: dict[str, tuple[str, str]] = {
    "index": ("GET", "POST"),
    "new": ("GET", "PUT"),
    "calendar_ics": ("GET", "POST"),
    "meeting": ("GET", "POST"),
    "meeting_ics": ("GET", "POST"),
    "pledge": ("POST", "GET"),
    "paper_pledge": ("POST", "GET"),
    "attendee_add": ("POST", "GET"),
    "agenda_add": ("POST", "GET"),
    "minutes": ("GET", "PUT"),
    "decisions": ("GET", "PUT"),
}
RECORD_VIEWS = [name for name in METHODS if name not in ("index", "new", "calendar_ics")]


def _send(client: BrowserClient, method: str, path: str, data: dict[str, Any] | None = None) -> Any:
    if method == "GET":
        return client.get(path)
    if method == "POST":
        return client.post(path, data or {})
    client.get("/accounts/login/", follow=True)
    token = client.cookies["csrftoken"].value
    return client.generic(method, path, "", HTTP_X_CSRFTOKEN=token)


def _counts() -> dict[str, int]:
    models = (Meeting, Attendance, AgendaItem, Decision, Task)
    return {m.__name__: m._default_manager.count() for m in models}


# --- Guards -----------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_login(world: World, as_user: Client) -> None:
    client = as_user(None)
    for name, url in _urls(world.meeting.pk).items():
        response = _send(client, METHODS[name][0], url)
        assert response.status_code == 302, name
        assert response["Location"].startswith("/accounts/login/"), name


def test_wrong_methods_are_refused_with_405(world: World, as_user: Client) -> None:
    client = as_user(world.coordinator)
    before = _counts()
    for name, url in _urls(world.meeting.pk).items():
        assert _send(client, METHODS[name][1], url).status_code == 405, name
    assert _counts() == before


def test_an_outsider_gets_the_same_404_as_for_a_missing_meeting(
    world: World, as_user: Client
) -> None:
    client = as_user(world.outsider)
    before = _counts()
    for offset in (0, MISSING):
        urls = _urls(world.meeting.pk + offset)
        for name in RECORD_VIEWS:
            response = _send(client, METHODS[name][0], urls[name], {"agree": "1"})
            assert response.status_code == 404, (name, offset)
    # Even the coordinator gets 404 for a meeting that does not exist.
    coordinator = as_user(world.coordinator)
    for name in RECORD_VIEWS:
        url = _urls(world.meeting.pk + MISSING)[name]
        assert _send(coordinator, METHODS[name][0], url).status_code == 404, name
    assert _counts() == before


def test_a_pledged_attendee_may_read_but_not_change(world: World, as_user: Client) -> None:
    actions.record_pledge(world.attendee, world.attendance)
    client = as_user(world.attendee)
    urls = _urls(world.meeting.pk)
    agency_b = world.outsider.agency
    assert agency_b is not None
    posts: dict[str, dict[str, Any]] = {
        "paper_pledge": {"pledge-attendance": world.attendance.pk, "pledge-signed_on": "R8.1.5"},
        "attendee_add": {"attendee-agency": agency_b.pk, "attendee-name": "外部 太郎"},
        "agenda_add": {"agenda-case": world.case.pk},
        "minutes": {"minutes": "書き換え", "version": world.meeting.version},
        "decisions": {"case": world.case.pk, "kind": "other", "text": "書き込み"},
    }
    before = _counts()
    for name, data in posts.items():
        assert client.post(urls[name], data).status_code == 403, name
    assert _counts() == before
    world.meeting.refresh_from_db()
    assert world.meeting.minutes == MINUTES
    assert client.get(urls["new"]).status_code == 403  # only coordinators convene


# --- Scheduling -------------------------------------------------------------------------------


def test_the_coordinator_schedules_a_meeting_with_a_wareki_date(
    coordinator: Staff, as_user: Client
) -> None:
    client = as_user(coordinator)
    assert client.get(reverse("meetings:new")).status_code == 200
    data = {
        "kind": Kind.JUSOU,
        "title": "重層的支援会議（１月）",
        "starts_on": "令和9年1月20日",
        "starts_time": "14:00",
        "ends_time": "15:30",
        "place": "ふれあいセンター",
    }
    response = client.post(reverse("meetings:new"), data)
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == meeting.get_absolute_url()
    local = timezone.localtime(meeting.starts_at)
    assert (local.date().isoformat(), local.hour, local.minute) == ("2027-01-20", 14, 0)
    assert meeting.ends_at is not None and timezone.localtime(meeting.ends_at).hour == 15
    assert meeting.title == "重層的支援会議(1月)"  # normalised like every typed text
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "令和9年1月20日 14:00" in page and "ふれあいセンター" in page


def test_bad_scheduling_input_changes_nothing_and_keeps_what_was_typed(
    coordinator: Staff, as_user: Client
) -> None:
    client = as_user(coordinator)
    data = {
        "kind": Kind.SUPPORT,
        "title": "入力途中の支援会議",
        "starts_on": "R9.2.30",
        "starts_time": "14:00",
        "ends_time": "13:00",
        "place": "",
    }
    response = client.post(reverse("meetings:new"), data)
    text = response.content.decode()
    assert response.status_code == 200 and "入力途中の支援会議" in text and "R9.2.30" in text
    assert "入力内容を確認してください" in text
    data["starts_on"] = "R9.2.3"
    text = client.post(reverse("meetings:new"), data).content.decode()
    assert "終了時刻は開始時刻より後にしてください" in text
    assert not Meeting.objects.exists()


# --- The list ---------------------------------------------------------------------------------


def test_the_list_shows_what_the_user_may_see(
    world: World, personas: dict[str, Staff], as_user: Client
) -> None:
    coordinator = world.coordinator
    now = timezone.now()
    past = meeting_of(coordinator, title="先月の支援会議", starts_at=now - timedelta(days=30))
    later = meeting_of(
        coordinator, Kind.JUSOU, title="来月の重層的支援会議", starts_at=now + timedelta(days=30)
    )
    soon = meeting_of(
        coordinator, Kind.JUSOU, title="来週の重層的支援会議", starts_at=now + timedelta(days=7)
    )
    text = as_user(coordinator).get(reverse("meetings:index")).content.decode()
    # The coming ones first, soonest first; then the past.
    assert text.index(soon.title) < text.index(later.title) < text.index(past.title)
    assert "1 件" in text  # the coordinator sees the agenda's size
    # The unpledged attendee sees the meeting, not how many cases it discusses.
    client = as_user(world.attendee)
    text = client.get(reverse("meetings:index")).content.decode()
    assert world.meeting.title in text and "未誓約" in text
    assert "1 件</td>" not in text and later.title not in text and past.title not in text
    for meeting in (past, later):
        attend(coordinator, meeting, world.attendee)
    filtered = client.get(reverse("meetings:index"), {"kind": Kind.JUSOU}).content.decode()
    assert later.title in filtered and world.meeting.title not in filtered
    gone = client.get(reverse("meetings:index"), {"when": "past"}).content.decode()
    assert past.title in gone and later.title not in gone
    coming = client.get(reverse("meetings:index"), {"when": "upcoming"}).content.decode()
    assert later.title in coming and past.title not in coming


# --- Attendees and agenda ---------------------------------------------------------------------


def test_the_coordinator_adds_attendees_by_account_or_by_name(
    world: World, personas: dict[str, Staff], as_user: Client
) -> None:
    client = as_user(world.coordinator)
    url = reverse("meetings:attendee_add", args=[world.meeting.pk])
    nobody = client.post(url, {"attendee-agency": "", "attendee-staff": "", "attendee-name": ""})
    assert "出席者の職員か氏名を入力してください" in nobody.content.decode()
    hospital = Agency.objects.exclude(pk__in=[world.attendee.agency_id]).first()
    assert hospital is not None
    no_agency = client.post(url, {"attendee-name": "医療 相談員"})
    assert "機関を選んでください" in no_agency.content.decode()
    assert "医療 相談員" in no_agency.content.decode()  # kept
    assert client.post(url, {"attendee-staff": world.outsider.pk}).status_code == 302
    named = {"attendee-agency": hospital.pk, "attendee-name": "医療 相談員"}
    assert client.post(url, named).status_code == 302
    twice = client.post(url, {"attendee-staff": world.outsider.pk})
    assert "既に出席者にいます" in twice.content.decode()
    rows = world.meeting.attendances.order_by("pk")
    assert [(a.staff_id, a.name) for a in rows] == [
        (world.attendee.pk, ""),
        (world.outsider.pk, ""),
        (None, "医療 相談員"),
    ]
    assert access.can(world.outsider, access.VIEW, world.meeting)


def test_a_jusou_meeting_refuses_a_no_consent_case(coordinator: Staff, as_user: Client) -> None:
    meeting = meeting_of(coordinator, Kind.JUSOU, title="重層的支援会議")
    case = no_consent_case(coordinator)
    response = as_user(coordinator).post(
        reverse("meetings:agenda_add", args=[meeting.pk]),
        {"agenda-case": case.pk, "agenda-purpose": "方針の確認"},
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "本人同意のないケースは重層的支援会議では扱えません" in text
    assert "方針の確認" in text
    assert not AgendaItem.objects.exists()


# --- Minutes ----------------------------------------------------------------------------------


def test_minutes_saved_meanwhile_are_a_conflict_and_the_typed_text_stays(
    world: World, make_staff: Callable[..., Staff], as_user: Client
) -> None:
    client = as_user(world.coordinator)
    url = reverse("meetings:minutes", args=[world.meeting.pk])
    page = client.get(url).content.decode()
    opened = world.meeting.version
    assert f'value="{opened}"' in page and MINUTES in page
    colleague = make_staff("coordinator", "shakyo")
    actions.save_minutes(colleague, world.meeting, "同僚の議事録", version=opened)
    mine = "私が入力した議事録の追記"
    response = client.post(url, {"minutes": mine, "version": opened})
    text = response.content.decode()
    assert response.status_code == 200
    assert "他の職員が議事録を更新しました" in text
    assert mine in text and "同僚の議事録" in text
    world.meeting.refresh_from_db()
    assert world.meeting.minutes == "同僚の議事録"
    # The form now carries the version just read: saving again goes through.
    assert f'value="{world.meeting.version}"' in text
    again = client.post(url, {"minutes": mine, "version": world.meeting.version})
    assert again.status_code == 302
    world.meeting.refresh_from_db()
    assert world.meeting.minutes == mine and world.meeting.minutes_by == world.coordinator


# --- Decisions --------------------------------------------------------------------------------


def _decision(case_pk: int, kind: str, text: str, **tasks: Any) -> dict[str, Any]:
    return {"case": case_pk, "kind": kind, "text": text, "handoff_agency": "", **tasks}


def test_a_decision_hands_out_its_tasks(
    world: World, personas: dict[str, Staff], as_user: Client
) -> None:
    client = as_user(world.coordinator)
    url = reverse("meetings:decisions", args=[world.meeting.pk])
    due = timezone.localdate() + timedelta(days=7)
    houkatsu, shogai = agency("houkatsu1"), agency("shogai-soudan")
    incomplete = _decision(
        world.case.pk,
        "role_split",
        "役割を分担する",
        task_title_1="家主との面談",
        task_agency_1=houkatsu.pk,
    )
    response = client.post(url, incomplete)
    assert response.status_code == 200 and "期限を入力してください" in response.content.decode()
    assert "役割を分担する" in response.content.decode()
    assert not Task.objects.exists()
    complete = _decision(
        world.case.pk,
        "role_split",
        "役割を分担する",
        task_title_1="家主との面談",
        task_agency_1=houkatsu.pk,
        task_owner_1=world.attendee.pk,
        task_due_1=format_date(due),
        task_title_2="障害福祉サービスの案内",
        task_agency_2=shogai.pk,
        task_due_2=due.isoformat(),
    )
    assert client.post(url, complete).status_code == 302
    decision = Decision.objects.filter(meeting=world.meeting).latest("pk")
    tasks = list(decision.tasks.order_by("pk"))
    assert [(t.title, t.owner_agency, t.owner, t.due_on, t.case_id) for t in tasks] == [
        ("家主との面談", houkatsu, world.attendee, due, world.case.pk),
        ("障害福祉サービスの案内", shogai, None, due, world.case.pk),
    ]
    page = client.get(world.meeting.get_absolute_url()).content.decode()
    assert "家主との面談" in page and "障害福祉サービスの案内" in page


def test_a_plan_is_approved_at_a_jusou_meeting_over_http(
    coordinator: Staff, personas: dict[str, Staff], as_user: Client
) -> None:
    case = to_meeting(
        coordinator, with_consent(coordinator, case_of(coordinator, "ダブルケア世帯"))
    )
    support = meeting_of(coordinator, Kind.SUPPORT, title="支援会議")
    jusou = meeting_of(coordinator, Kind.JUSOU, title="重層的支援会議")
    client = as_user(coordinator)
    for meeting in (support, jusou):
        added = client.post(
            reverse("meetings:agenda_add", args=[meeting.pk]), {"agenda-case": case.pk}
        )
        assert added.status_code == 302
    at_support = client.post(
        reverse("meetings:decisions", args=[support.pk]),
        _decision(case.pk, "plan_approval", "プランを承認する"),
    )
    assert "プランの承認は重層的支援会議で行います" in at_support.content.decode()
    assert case.plans.get().approved_at is None
    response = client.post(
        reverse("meetings:decisions", args=[jusou.pk]),
        _decision(case.pk, "plan_approval", "プランを承認する"),
    )
    assert response.status_code == 302
    plan = case.plans.get()
    assert plan.approved_at is not None and plan.approved_meeting == jusou
    case = as_seen_now(case_actions.move_case, coordinator, case, "decide")
    assert case.stage == Stage.DECIDED


def test_a_no_consent_case_goes_to_a_support_meeting_which_agrees_an_approach(
    coordinator: Staff, personas: dict[str, Staff], as_user: Client
) -> None:
    """第106条の6: without consent the case goes to a 支援会議; its pledged attendees read
    the agenda item's snapshot and the decisions, never the case; the meeting agrees how to
    approach the family and decides no support (issue 15)."""
    case = no_consent_case(coordinator, title="同意のないひきこもりの世帯")
    case = to_meeting(coordinator, case)
    meeting = meeting_of(coordinator)
    attendee = personas["agency_b"]
    client = as_user(coordinator)
    assert (
        client.post(
            reverse("meetings:agenda_add", args=[meeting.pk]), {"agenda-case": case.pk}
        ).status_code
        == 302
    )
    assert (
        client.post(
            reverse("meetings:attendee_add", args=[meeting.pk]), {"attendee-staff": attendee.pk}
        ).status_code
        == 302
    )
    assert not access.can(attendee, access.VIEW, case)
    refused = client.post(
        reverse("meetings:decisions", args=[meeting.pk]),
        _decision(case.pk, "support_decision", "支援を決定する"),
    )
    assert "関わり方の決定だけ" in refused.content.decode()
    decided = client.post(
        reverse("meetings:decisions", args=[meeting.pk]),
        _decision(case.pk, "outreach", "アウトリーチで関係づくりから始める"),
    )
    assert decided.status_code == 302
    with pytest.raises(ValidationError, match="支援決定できません"):
        as_seen_now(case_actions.move_case, coordinator, case, "decide")
    # The attendee pledges: the meeting's materials, not the case.
    attendee_client = as_user(attendee)
    attendee_client.post(reverse("meetings:pledge", args=[meeting.pk]), {"agree": "1"})
    assert not access.can(attendee, access.VIEW, case)
    assert attendee_client.get(case.get_absolute_url()).status_code == 404
    page = attendee_client.get(meeting.get_absolute_url()).content.decode()
    assert "同意のないひきこもりの世帯" in page and "アウトリーチで関係づくりから始める" in page


# --- Query budgets -----------------------------------------------------------------------------


def _busy_meeting(coordinator: Staff, staff: list[Staff], cases: int) -> Meeting:
    """A 支援会議 with every given staff attending (pledged), ``cases`` cases on the agenda and
    a decision with two tasks on each."""
    meeting = meeting_of(coordinator, title=f"支援会議 {cases}件")
    for person in staff:
        actions.record_pledge(coordinator, attend(coordinator, meeting, person))
    for index in range(cases):
        case = no_consent_case(coordinator, title=f"ケース{index}")
        actions.add_agenda_item(coordinator, meeting, case)
        due = timezone.localdate()
        specs = [
            actions.TaskSpec(f"作業{index}-{n}", agency("houkatsu1"), due, staff[0])
            for n in range(2)
        ]
        actions.decide(coordinator, meeting, case, kind="role_split", text="分担", tasks=specs)
    return meeting


@pytest.mark.parametrize("who", ["coordinator", "agency_a"])
def test_the_meeting_page_runs_a_fixed_number_of_queries(
    who: str,
    personas: dict[str, Staff],
    make_staff: Callable[..., Staff],
    as_user: Client,
    queries: Queries,
) -> None:
    coordinator = personas["coordinator"]
    few = _busy_meeting(coordinator, [personas["agency_a"]], cases=1)
    extra = [make_staff("agency", code) for code in ("houkatsu1", "shogai-soudan", "shakyo")]
    many = _busy_meeting(coordinator, [personas["agency_a"], *extra], cases=4)
    client = as_user(personas[who])
    queries(client, few.get_absolute_url())  # warm the session
    small = queries(client, few.get_absolute_url())
    large = queries(client, many.get_absolute_url())
    assert len(small) == len(large), "\n".join(large)
    assert len(large) <= MEETING_BUDGET


def test_the_list_runs_a_fixed_number_of_queries(
    personas: dict[str, Staff], as_user: Client, queries: Queries
) -> None:
    coordinator, attendee = personas["coordinator"], personas["agency_a"]

    def add(count: int) -> None:
        for index in range(count):
            start = timezone.now() + timedelta(days=index - 2)
            meeting = meeting_of(coordinator, title=f"会議{index}", starts_at=start)
            attendance = attend(coordinator, meeting, attendee)
            if index % 2:
                actions.record_pledge(coordinator, attendance)
            actions.add_agenda_item(coordinator, meeting, no_consent_case(coordinator))

    add(2)
    clients = {who: as_user(who) for who in (coordinator, attendee)}
    small = {}
    for who, client in clients.items():
        queries(client, reverse("meetings:index"))  # warm the session
        small[who] = queries(client, reverse("meetings:index"))
    add(8)
    for who, client in clients.items():
        large = queries(client, reverse("meetings:index"))
        assert len(small[who]) == len(large), "\n".join(large)
        assert len(large) <= LIST_BUDGET
