"""Consent and 第106条の6 over HTTP (issue 15), one test per finding of the review:

1. a consultation taken 【本人同意あり】 opens a case that already has the person's consent, and
   the agency that accepted its referral is on the team, dated from its acceptance;
2. consent per person: the mother consents, the son does not, each on the case page;
3. a case without consent never reaches 支援決定; a 支援会議 decides only how to approach;
4. pledged attendees of a 支援会議 or 全体会 read the agenda item's snapshot for the sharing
   period, never the case itself, and nothing after it;
5. a contractor's coordinator (委託先) sees what the contract needs, not the register;
6. the window works as a team: a colleague's consultations and people are open to it;
and the withdrawal that tells the coordinator which agencies lost the case.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from tomoni.cases import actions
from tomoni.cases.models import Case, ConsentState, Stage, TeamMember
from tomoni.directory.models import Staff
from tomoni.intake import actions as intake_actions
from tomoni.intake.models import ConsentVersion, Consultation, Method, Outcome
from tomoni.meetings import actions as meeting_actions
from tomoni.meetings.models import Decision, Kind, Meeting
from tomoni.people.models import Consent, Person

from ..conftest import BrowserClient
from ..consent import SHARE, main_person, set_consent
from .conftest import agency, open_for, to_meeting, with_consent

Client = Callable[[Staff | None], BrowserClient]


def _new_consultation(window: Staff, **fields: Any) -> Consultation:
    fields.setdefault("consent", ConsentVersion.GIVEN)
    fields.setdefault("summary", "母の介護と長男のひきこもり")
    return intake_actions.take_consultation(
        window,
        method=Method.VISIT,
        new_person={"family_name": "見本", "given_name": "花子", "birth_date": "1948-05-01"},
        new_household={"address": "稲城市東長沼1-1-1"},
        **fields,
    )


# --- 1. From consultation to case ------------------------------------------------------------


def test_consent_at_the_window_carries_over_and_accepting_agencies_join_the_team(
    personas: dict[str, Staff], as_user: Client
) -> None:
    window, coordinator = personas["window"], personas["coordinator"]
    houkatsu = personas["agency_a"]
    consultation = _new_consultation(window)
    person = consultation.person
    assert person is not None
    written = Consent.objects.get(person=person)
    assert (written.scope, written.status, written.method, written.context) == (
        "share",
        "given",
        "written",
        f"相談 {consultation.code}",
    )
    referral = intake_actions.refer(
        window, consultation, agency("houkatsu1"), "母の介護保険の申請をお願いします。"
    )
    accepted = intake_actions.move_referral(houkatsu, referral, "accept", version=referral.version)
    assert accepted.responded_at is not None

    response = as_user(coordinator).post(
        reverse("cases:new") + f"?consultation={consultation.pk}",
        {"title": "8050世帯の支援", "person": str(person.pk)},
    )
    assert response.status_code == 302
    case = Case.objects.get(consultation=consultation)
    assert case.consent == ConsentState.GIVEN  # nobody records it a second time
    member = TeamMember.objects.get(case=case, agency__code="houkatsu1")
    assert (member.role, member.start_on) == ("related", timezone.localdate(accepted.responded_at))
    page = as_user(coordinator).get(case.get_absolute_url()).content.decode()
    assert f"相談 {consultation.code}" in page  # where the consent was given
    # The agency that accepted the referral opens the case it is on.
    assert as_user(houkatsu).get(case.get_absolute_url()).status_code == 200


def test_a_consultation_without_consent_opens_a_case_waiting_for_it(
    personas: dict[str, Staff], as_user: Client
) -> None:
    window, coordinator = personas["window"], personas["coordinator"]
    consultation = _new_consultation(window, consent=ConsentVersion.NONE)
    assert not Consent.objects.filter(person=consultation.person).exists()
    as_user(coordinator).post(
        reverse("cases:new") + f"?consultation={consultation.pk}", {"title": "見守りの相談"}
    )
    case = Case.objects.get(consultation=consultation)
    assert case.consent == ConsentState.PENDING
    assert case.person_id == consultation.person_id


# --- 2. One consent per person and purpose ---------------------------------------------------


def test_the_case_page_records_and_shows_each_members_consent(
    personas: dict[str, Staff], as_user: Client
) -> None:
    coordinator = personas["coordinator"]
    case = open_for(coordinator)
    mother = main_person(case)
    son = Person.objects.get(memberships__household=case.household, given_name="太郎")
    client = as_user(coordinator)
    url = reverse("cases:consent", args=[case.pk])
    today = timezone.localdate().isoformat()
    for person, status in ((mother, "given"), (son, "refused")):
        response = client.post(
            url,
            {
                "person": str(person.pk),
                "scope": "share",
                "status": status,
                "on": today,
                "method": "oral",
                "note": "",
            },
        )
        assert response.status_code == 302, response.content.decode()[:500]
    case.refresh_from_db()
    assert case.consent == ConsentState.GIVEN  # the mother's: she is the main person
    assert Consent.objects.get(person=son).status == "refused"
    page = client.get(case.get_absolute_url()).content.decode()
    assert "主な本人" in page and "同意なし" in page and "同意あり" in page
    # Somebody outside the household is not a choice: nothing is written.
    stranger = open_for(coordinator).person
    assert stranger is not None
    before = Consent.objects.count()
    response = client.post(
        url,
        {
            "person": str(stranger.pk),
            "scope": "share",
            "status": "given",
            "on": today,
            "method": "oral",
        },
    )
    assert response.status_code == 200 and Consent.objects.count() == before


# --- 3. No 支援決定 without consent ----------------------------------------------------------


def test_a_case_without_consent_is_never_decided(
    personas: dict[str, Staff], as_user: Client
) -> None:
    coordinator = personas["coordinator"]
    case = open_for(coordinator)
    set_consent(coordinator, case, ConsentState.NONE)
    to_meeting(coordinator, case)
    meeting = meeting_actions.schedule_meeting(
        coordinator,
        kind=Kind.SUPPORT,
        title="支援会議",
        starts_at=timezone.now() - timedelta(hours=1),
    )
    meeting_actions.add_agenda_item(coordinator, meeting, case)
    client = as_user(coordinator)
    decisions = reverse("meetings:decisions", args=[meeting.pk])
    refused = client.post(
        decisions, {"case": str(case.pk), "kind": "support_decision", "text": "支援を決定する"}
    )
    assert "関わり方の決定だけ" in refused.content.decode()
    watched = client.post(
        decisions, {"case": str(case.pk), "kind": "watch", "text": "民生委員が週1回声をかける"}
    )
    assert watched.status_code == 302
    assert Decision.objects.filter(case=case).values_list("kind", flat=True).get() == "watch"
    case.refresh_from_db()
    response = client.post(
        reverse("cases:move", args=[case.pk, "decide"]), {"version": str(case.version)}
    )
    assert "同意のないケースは支援決定できません" in response.content.decode()
    case.refresh_from_db()
    assert case.stage == Stage.MEETING


def test_a_jusou_meeting_needs_consent_to_that_purpose(personas: dict[str, Staff]) -> None:
    coordinator = personas["coordinator"]
    case = open_for(coordinator)
    actions.record_consent(
        coordinator,
        case,
        main_person(case),
        scope=SHARE,
        status="given",
        on=timezone.localdate(),
        method="oral",
    )
    meeting = meeting_actions.schedule_meeting(
        coordinator, kind=Kind.JUSOU, title="重層的支援会議", starts_at=timezone.now()
    )
    with pytest.raises(Exception, match="重層的支援会議での検討"):
        meeting_actions.add_agenda_item(coordinator, meeting, case)
    with_consent(coordinator, case)
    assert meeting_actions.add_agenda_item(coordinator, meeting, case).case_id == case.pk


# --- 4. Sharing bound to the meeting ---------------------------------------------------------


def _support_meeting(
    coordinator: Staff, attendee: Staff, case: Case, days_ago: int, kind: str
) -> tuple[Meeting, Any]:
    meeting = meeting_actions.schedule_meeting(
        coordinator,
        kind=kind,
        title="支援会議（全体会）",
        starts_at=timezone.now() - timedelta(days=days_ago),
    )
    item = meeting_actions.add_agenda_item(coordinator, meeting, case, purpose="関わり方")
    meeting_actions.prepare_snapshot(
        coordinator,
        item,
        summary="近隣から見守りの相談。本人は支援を望んでいない。",
        question="誰が声をかけるか",
    )
    assert attendee.agency is not None
    attendance = meeting_actions.add_attendee(
        coordinator, meeting, agency=attendee.agency, staff=attendee
    )
    meeting_actions.record_pledge(coordinator, attendance)
    return meeting, item


@pytest.mark.parametrize("kind", [Kind.SUPPORT, Kind.PLENARY])
@pytest.mark.parametrize(
    ("days_ago", "share_days", "readable"),
    [(0, 30, True), (29, 30, True), (31, 30, False), (6, 5, False)],
)
def test_pledged_attendees_see_the_snapshot_for_the_sharing_period_never_the_case(
    personas: dict[str, Staff],
    as_user: Client,
    settings: Any,
    kind: str,
    days_ago: int,
    share_days: int,
    readable: bool,
) -> None:
    settings.TOMONI_MEETING_SHARE_DAYS = share_days
    coordinator, attendee = personas["coordinator"], personas["agency_a"]
    case = open_for(coordinator)
    set_consent(coordinator, case, ConsentState.NONE)
    meeting, item = _support_meeting(coordinator, attendee, case, days_ago, kind)
    client = as_user(attendee)
    assert client.get(case.get_absolute_url()).status_code == 404
    assert client.get(meeting.get_absolute_url()).status_code == 200  # their own attendance
    snapshot = client.get(reverse("meetings:snapshot", args=[meeting.pk, item.pk]))
    assert snapshot.status_code == (200 if readable else 404)
    minutes = client.get(reverse("meetings:minutes", args=[meeting.pk]))
    # The meeting stays on their list, so its minutes say 403 rather than 404.
    assert minutes.status_code == (200 if readable else 403)
    if readable:
        text = snapshot.content.decode()
        assert "近隣から見守りの相談" in text and "守秘義務" in text
        assert "編集" not in text and "<form" not in text.split("</header>")[-1]
    # The coordinator keeps the whole case.
    assert as_user(coordinator).get(case.get_absolute_url()).status_code == 200


def test_only_the_coordinator_writes_the_snapshot(
    personas: dict[str, Staff], as_user: Client
) -> None:
    coordinator, attendee = personas["coordinator"], personas["agency_a"]
    case = open_for(coordinator)
    set_consent(coordinator, case, ConsentState.NONE)
    meeting, item = _support_meeting(coordinator, attendee, case, 1, Kind.SUPPORT)
    url = reverse("meetings:snapshot", args=[meeting.pk, item.pk])
    assert as_user(attendee).post(url, {"summary": "書き換え"}).status_code == 403
    empty = as_user(coordinator).post(url, {"summary": "  "})
    assert "会議で共有する概要を入力してください" in empty.content.decode()
    assert as_user(coordinator).post(url, {"summary": "更新した概要"}).status_code == 302
    item.refresh_from_db()
    assert item.summary == "更新した概要" and item.prepared_by == coordinator


# --- 5. Contractor scope ---------------------------------------------------------------------


def test_a_contractors_coordinator_sees_what_the_contract_needs(
    personas: dict[str, Staff], as_user: Client, settings: Any
) -> None:
    settings.TOMONI_CONTRACTOR_AGENCIES = ["shakyo"]
    contractor, window = personas["contractor"], personas["window"]
    city = Staff.objects.create_user(
        username="city-coordinator",
        password=None,
        role="coordinator",
        agency=agency("jusou"),
    )
    routine = _new_consultation(window, summary="住民票の手続きの相談")
    routed = _new_consultation(window, summary="8050世帯の相談")
    intake_actions.set_outcome(window, routed, Outcome.COLLABORATION)
    theirs = open_for(city)
    mine = open_for(city)
    actions.take_lead(city, mine, contractor)
    client, city_client = as_user(contractor), as_user(city)
    assert routine.person is not None and routed.person is not None
    expectations = {
        routine.get_absolute_url(): 404,
        reverse("people:person", args=[routine.person.pk]): 404,
        routed.get_absolute_url(): 200,
        reverse("people:person", args=[routed.person.pk]): 200,
        theirs.get_absolute_url(): 404,
        mine.get_absolute_url(): 200,
        reverse("people:household", args=[mine.household_id]): 200,
    }
    for url, status in expectations.items():
        assert client.get(url).status_code == status, url
        assert city_client.get(url).status_code == 200, url  # the city keeps the wide view
    listed = client.get(reverse("intake:index")).content.decode()
    assert routed.code in listed and routine.code not in listed


# --- 6. The window as a team -----------------------------------------------------------------


def test_the_window_sees_what_a_colleague_at_the_window_took(
    personas: dict[str, Staff], as_user: Client, make_staff: Callable[..., Staff]
) -> None:
    colleague = make_staff("window", "window")
    consultation = _new_consultation(colleague)
    assert consultation.person is not None
    client = as_user(personas["window"])
    assert client.get(consultation.get_absolute_url()).status_code == 200
    assert client.get(reverse("people:person", args=[consultation.person.pk])).status_code == 200
    # Another agency still does not.
    other = as_user(personas["agency_b"])
    assert other.get(consultation.get_absolute_url()).status_code == 404


# --- Withdrawal ------------------------------------------------------------------------------


def test_withdrawal_over_http_names_the_agencies_that_lost_the_case(
    personas: dict[str, Staff], as_user: Client
) -> None:
    coordinator, houkatsu = personas["coordinator"], personas["agency_a"]
    case = open_for(coordinator)
    actions.add_team_member(coordinator, case, agency("houkatsu1"))
    with_consent(coordinator, case)
    assert as_user(houkatsu).get(case.get_absolute_url()).status_code == 200
    given = Consent.objects.get(person=main_person(case), scope=SHARE, status="given")
    client = as_user(coordinator)
    response = client.post(
        reverse("cases:consent_withdraw", args=[case.pk]),
        {"consent": str(given.pk), "on": timezone.localdate().isoformat(), "method": "written"},
        follow=True,
    )
    text = response.content.decode()
    assert "同意の撤回を記録しました" in text
    assert "地域包括支援センター" in text and "開けなく" in text
    assert as_user(houkatsu).get(case.get_absolute_url()).status_code == 404
    # The case page keeps saying why.
    page = client.get(case.get_absolute_url()).content.decode()
    assert "はこのケースを開けません" in page
