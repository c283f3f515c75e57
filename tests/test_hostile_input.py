"""Hostile input found by tests/policy/test_fuzz.py (issue 16), one focused test each: a
clear message or a 404, never a 500, and nothing written."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tomoni.community import actions as community_actions
from tomoni.community.models import ActivitySession
from tomoni.directory.models import District, Staff
from tomoni.intake import actions as intake_actions
from tomoni.intake.models import ConsentVersion, Consultation, Method
from tomoni.meetings import actions as meeting_actions
from tomoni.meetings.models import Kind, Meeting
from tomoni.notes import actions as note_actions
from tomoni.notes.models import Note, NoteMethod
from tomoni.people import actions as people_actions
from tomoni.people.models import Household, Membership, Person, Relationship

HUGE = "99999999999999999999"


@pytest.mark.django_db
def test_a_tag_key_past_the_database_integers_is_a_form_error(
    personas: dict[str, Staff], as_user: Callable[..., Any]
) -> None:
    client = as_user(personas["window"])
    response = client.post("/households/new/", {"address": "稲城市東長沼1丁目", "tags": HUGE})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["tags"] == ["選択肢の中から選んでください。"], form.errors
    assert not Household.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["received_to=9999-12-31", "received_from=0001-01-01"])
def test_a_consultation_filter_far_outside_the_calendar_is_a_message(
    query: str, personas: dict[str, Staff], as_user: Callable[..., Any]
) -> None:
    response = as_user(personas["window"]).get(f"/consultations/?{query}")
    assert response.status_code == 200
    assert "受付日は" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("0001-01-01", "生年月日は明治33年1月1日（1900-01-01）以降の日付を入力してください。"),
        ("1899-12-31", "生年月日は明治33年1月1日（1900-01-01）以降の日付を入力してください。"),
        ("9999-12-31", "生年月日が未来の日付になっています。"),
    ],
)
def test_a_birth_date_before_1900_or_in_the_future_is_refused(
    typed: str, message: str, personas: dict[str, Staff], as_user: Callable[..., Any]
) -> None:
    from tomoni.people.forms import PersonForm

    form = PersonForm(
        {"family_name": "見本", "given_name": "太郎", "sex": "unknown", "birth_date": typed}
    )
    assert form.errors["birth_date"] == [message]


def test_event_dates_are_within_the_configured_span(settings: Any) -> None:
    from datetime import date, timedelta

    from django.utils import timezone

    from tomoni.people.forms import WarekiDateField

    settings.TOMONI_EVENT_YEARS_BACK = 10
    settings.TOMONI_EVENT_YEARS_AHEAD = 2
    field = WarekiDateField(label="開催日")
    today = timezone.localdate()
    assert field.clean(today.isoformat()) == today
    assert field.clean((today + timedelta(days=700)).isoformat()) == today + timedelta(days=700)
    for far in (
        date(1, 1, 1),
        date(9999, 12, 31),
        today - timedelta(days=3700),
        today + timedelta(days=740),
    ):
        with pytest.raises(ValidationError) as raised:
            field.clean(far.isoformat())
        assert raised.value.messages[0].startswith("開催日は")
    settings.TOMONI_EVENT_YEARS_BACK = 20
    assert field.clean((today - timedelta(days=3700)).isoformat())


YEAR_ONE = date(1, 1, 1)


@pytest.mark.django_db
@pytest.mark.parametrize("birth", [YEAR_ONE, date(1899, 12, 31), date(9999, 12, 31)])
def test_the_action_refuses_a_birth_date_out_of_range(
    birth: date, personas: dict[str, Staff]
) -> None:
    with pytest.raises(ValidationError, match="生年月日"):
        people_actions.register_person(
            personas["window"], {"family_name": "見本", "given_name": "太郎", "birth_date": birth}
        )
    assert not Person.objects.exists()


@pytest.mark.django_db
def test_the_action_refuses_a_membership_starting_in_the_future(
    personas: dict[str, Staff],
) -> None:
    household = people_actions.register_household(personas["window"], address="稲城市東長沼1")
    with pytest.raises(ValidationError, match="世帯に加わった日が未来の日付"):
        people_actions.register_person(
            personas["window"],
            {"family_name": "見本", "given_name": "太郎"},
            household=household,
            relationship=Relationship.HEAD,
            start_date=date(9999, 12, 31),
        )
    assert not Person.objects.exists() and not Membership.objects.exists()


def _consultation(window: Staff, **extra: Any) -> Consultation:
    return intake_actions.take_consultation(
        window,
        method=Method.PHONE,
        summary="テスト用の相談",
        consent=ConsentVersion.GIVEN,
        **extra,
    )


@pytest.mark.django_db
def test_the_action_refuses_a_consultation_received_in_year_one(
    personas: dict[str, Staff],
) -> None:
    year_one = datetime(1, 1, 2, 10, 0, tzinfo=UTC)
    with pytest.raises(ValidationError, match="受付日は"):
        _consultation(
            personas["window"],
            received_at=year_one,
            new_person={"family_name": "見本", "given_name": "太郎"},
        )
    assert not Consultation.objects.exists() and not Person.objects.exists()


@pytest.mark.django_db
def test_the_action_refuses_a_note_in_year_one(personas: dict[str, Staff]) -> None:
    consultation = _consultation(personas["window"])
    with pytest.raises(ValidationError, match="日付は"):
        note_actions.add_note(
            personas["window"], consultation, text="経過", method=NoteMethod.PHONE, on=YEAR_ONE
        )
    assert not Note.objects.exists()


@pytest.mark.django_db
def test_the_action_refuses_a_meeting_in_year_one(personas: dict[str, Staff]) -> None:
    with pytest.raises(ValidationError, match="開催日は"):
        meeting_actions.schedule_meeting(
            personas["coordinator"],
            kind=Kind.SUPPORT,
            title="支援会議",
            starts_at=datetime(1, 1, 2, 10, 0, tzinfo=UTC),
        )
    assert not Meeting.objects.exists()


@pytest.mark.django_db
def test_a_meeting_dated_year_one_over_http_is_a_form_error(
    personas: dict[str, Staff], as_user: Callable[..., Any]
) -> None:
    response = as_user(personas["coordinator"]).post(
        "/meetings/new/",
        {
            "kind": Kind.SUPPORT,
            "title": "支援会議",
            "starts_on": "0001-01-01",
            "starts_time": "10:00",
        },
    )
    assert response.status_code == 200
    assert "開催日は" in str(response.context["form"].errors)
    assert not Meeting.objects.exists()


@pytest.mark.django_db
def test_a_participant_count_past_the_database_integers_is_a_form_error(
    personas: dict[str, Staff], as_user: Callable[..., Any]
) -> None:
    activity = community_actions.save_activity(
        personas["community"],
        None,
        community_actions.ActivityData(
            name="押立朝市",
            district=District.objects.get(code="oshitate"),
            kind="market",
            host="押立朝市実行委員会",
            started_on=date(2024, 6, 1),
            frequency="毎月第1日曜",
            origin="residents",
        ),
    )
    response = as_user(personas["community"]).post(
        f"/community/activities/{activity.pk}/sessions/new/",
        {
            "held_on": timezone.localdate().isoformat(),
            "children": HUGE,
            "adults": "0",
            "elderly": "0",
        },
    )
    assert response.status_code == 200
    assert "children" in response.context["form"].errors
    assert not ActivitySession.objects.exists()
    with pytest.raises(ValidationError, match="参加者数"):
        community_actions.record_session(
            personas["community"],
            activity,
            community_actions.SessionData(
                held_on=timezone.localdate(), children=10**20, adults=0, elderly=0
            ),
        )
    assert not ActivitySession.objects.exists()


@pytest.mark.django_db
def test_a_nul_character_in_the_people_search_is_dropped(
    personas: dict[str, Staff], as_user: Callable[..., Any]
) -> None:
    """PostgreSQL refuses NUL in a query parameter (a 500 there); the search drops it."""
    from tests.conftest import register_household

    register_household(personas["window"], members=1)
    response = as_user(personas["window"]).get("/people/", {"q": "見本\x00"})
    assert response.status_code == 200
    assert "見本 太郎" in response.content.decode()


@pytest.mark.django_db
def test_a_nul_character_in_the_intake_matches_is_dropped(
    personas: dict[str, Staff], as_user: Callable[..., Any]
) -> None:
    """The matches panel of 相談受付 reads the typed name raw: PostgreSQL refused the NUL (a
    500 there; run with DATABASE_URL=postgres://… to see it fail on the old code)."""
    from tests.conftest import register_household

    register_household(personas["window"], members=1)
    response = as_user(personas["window"]).get(
        "/consultations/new/matches/",
        {"p-family_name": "見本\x00", "p-given_name": "太郎\x00", "p-family_kana": "みほん"},
    )
    assert response.status_code == 200
    assert "見本 太郎" in response.content.decode()
