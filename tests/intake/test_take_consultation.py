"""相談受付 through ``take_consultation``, ``set_outcome`` and ``assign``: who is registered,
what is recorded and audited, and whom the window may open afterwards."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from tomoni import access
from tomoni.audit.models import AuditEvent
from tomoni.directory.models import Concern, Staff, Tag
from tomoni.fulltext.api import matching_ids
from tomoni.intake import actions
from tomoni.intake.actions import Route
from tomoni.intake.models import Consultation, Outcome, RouteKind
from tomoni.people import actions as people_actions
from tomoni.people.models import Consent, Household, Membership, Person

from ..conftest import BrowserClient, first_member, register_household
from .conftest import take

NEW_PERSON = {
    "family_name": "稲城",
    "given_name": "花子",
    "family_kana": "いなぎ",
    "given_kana": "はなこ",
    "birth_date": date(1958, 6, 1),
    "sex": "female",
}


def _events_since(seq: int) -> list[tuple[str, str]]:
    return [
        (e.action, e.object_type) for e in AuditEvent.objects.filter(seq__gt=seq).order_by("seq")
    ]


def _last_seq() -> int:
    last = AuditEvent.objects.order_by("-seq").first()
    return last.seq if last else 0


def _rows() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Consultation, Person, Household, Membership, AuditEvent)
    }


def test_new_person_and_household_are_registered_with_it(
    personas: dict[str, Staff], concerns: dict[str, Concern]
) -> None:
    """A call about somebody new registers household, person and consultation, audited."""
    window = personas["window"]
    before = _last_seq()
    isolation = Tag.objects.get(code="isolation")
    consultation = take(
        window,
        new_person=NEW_PERSON,
        new_household={"address": "稲城市百村1丁目2番3号"},
        concerns=[concerns["housing"], concerns["rent-loan"]],
        primary=concerns["housing"],
        tags=[isolation],
        route=[Route(RouteKind.NEIGHBOUR), Route(RouteKind.MINSEI, relation="担当地区")],
        caller_name="例野 節子",
        caller_relation="民生児童委員",
        summary="（民生児童委員より）立ち退きを求められて困っている人がいる",
    )
    person, household = consultation.person, consultation.household
    assert person is not None and household is not None
    assert (person.full_name, person.created_by) == ("稲城 花子", window)
    assert household.created_by == window
    membership = Membership.current.get(person=person)
    assert (membership.household, membership.relationship) == (household, "head")
    assert consultation.code == f"S{consultation.pk:07d}"
    assert (consultation.receiver, consultation.assignee) == (window, window)
    assert consultation.agency == window.agency
    assert list(consultation.concern_links.values_list("concern__code", "is_primary")) == [
        ("housing", True),
        ("rent-loan", False),
    ]
    assert list(consultation.tags.all()) == [isolation]
    assert list(consultation.route.values_list("order", "kind", "relation")) == [
        (1, "neighbour", ""),
        (2, "minsei", "担当地区"),
    ]
    assert _events_since(before) == [
        ("create", "people.household"),
        ("create", "people.person"),
        ("create", "people.membership"),
        ("create", "intake.consultation"),
        # 【本人同意あり】: the person's written consent to sharing (issue 15).
        ("create", "people.consent"),
    ]
    consent = Consent.objects.get(person=person)
    assert (consent.scope, consent.status, consent.method) == ("share", "given", "written")
    assert consent.context == f"相談 {consultation.code}"
    event = AuditEvent.objects.get(seq__gt=before, object_type="intake.consultation")
    assert (event.object_id, event.actor_id) == (str(consultation.pk), window.pk)
    assert event.detail == {"person": person.pk, "household": household.pk}
    assert consultation.pk in set(matching_ids("intake.consultation", "立ち退き"))


def test_existing_person_brings_their_current_household(personas: dict[str, Staff]) -> None:
    """A known person brings the household they live in now, not one they left."""
    agency_a = personas["agency_a"]
    old = register_household(agency_a, members=1)
    person = first_member(old)
    people_actions.end_membership(
        agency_a, Membership.current.get(person=person), date(2026, 1, 31), "moved_out"
    )
    new = register_household(agency_a, members=0, address="稲城市若葉台2丁目1番1号")
    people_actions.add_membership(agency_a, person, new, "head")
    consultation = take(personas["window"], person=person, shown={person.pk})
    assert (consultation.person, consultation.household) == (person, new)


def test_person_without_a_household_is_taken_alone(personas: dict[str, Staff]) -> None:
    """Somebody with no current household is consulted about without one."""
    household = register_household(personas["window"], members=1)
    person = first_member(household)
    people_actions.end_membership(
        personas["window"], Membership.current.get(person=person), date(2026, 1, 31), "deceased"
    )
    consultation = take(personas["window"], person=person, shown={person.pk})
    assert (consultation.person, consultation.household) == (person, None)


def test_anonymous_call_is_taken_without_anybody(personas: dict[str, Staff]) -> None:
    """An anonymous first call is a consultation about nobody yet, audited as such."""
    before = _last_seq()
    consultation = take(personas["window"], summary="名前は言えないが、近所の方が心配")
    assert (consultation.person, consultation.household) == (None, None)
    assert _events_since(before) == [("create", "intake.consultation")]
    event = AuditEvent.objects.get(seq__gt=before)
    assert event.detail == {"person": None, "household": None}


def test_primary_must_be_one_of_the_concerns(
    personas: dict[str, Staff], concerns: dict[str, Concern]
) -> None:
    """◎ on a concern that was not ticked is refused, and nobody is registered either."""
    before = _rows()
    with pytest.raises(ValidationError) as error:
        take(
            personas["window"],
            new_person=NEW_PERSON,
            new_household={"address": "稲城市百村1丁目2番3号"},
            concerns=[concerns["housing"]],
            primary=concerns["care"],
        )
    assert error.value.messages == ["◎ は選んだ課題の中から1つ選んでください。"]
    assert _rows() == before


def test_known_and_new_person_at_once_is_refused(personas: dict[str, Staff]) -> None:
    """Linking an existing person and registering a new one in the same form is refused."""
    person = first_member(register_household(personas["window"], members=1))
    before = _rows()
    with pytest.raises(ValidationError, match="両方は指定できません"):
        take(personas["window"], person=person, new_person=NEW_PERSON)
    assert _rows() == before


@pytest.mark.parametrize("persona", ["manager", "auditor", "admin", "outreach", "community"])
def test_roles_that_do_not_take_consultations_are_refused(
    persona: str, personas: dict[str, Staff]
) -> None:
    """Only the window, coordinators and agency workers take consultations."""
    before = _rows()
    with pytest.raises(PermissionDenied):
        take(personas[persona])
    assert _rows() == before


@pytest.mark.parametrize("persona", ["window", "coordinator", "agency_a", "agency_b"])
def test_case_workers_take_consultations_for_their_agency(
    persona: str, personas: dict[str, Staff]
) -> None:
    """Whoever takes it is receiver and first assignee; the consultation is their agency's."""
    user = personas[persona]
    consultation = take(user)
    assert (consultation.receiver, consultation.assignee, consultation.agency) == (
        user,
        user,
        user.agency,
    )
    assert access.can(user, access.CHANGE, consultation)


def test_window_opens_the_person_it_consulted_about(
    personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    """The window opens a person agency A registered once it consults about them; B cannot."""
    window, agency_b = personas["window"], personas["agency_b"]
    household = register_household(personas["agency_a"], members=2)
    person = first_member(household)
    with pytest.raises(Http404):
        access.get_for_user(window, Person, person.pk)
    take(window, person=person, shown={person.pk})  # picked from the matches panel
    assert access.get_for_user(window, Person, person.pk) == person
    assert access.get_for_user(window, Household, household.pk) == household
    assert as_user(window).get(reverse("people:person", args=[person.pk])).status_code == 200
    with pytest.raises(Http404):
        access.get_for_user(agency_b, Person, person.pk)
    assert as_user(agency_b).get(reverse("people:person", args=[person.pk])).status_code == 404
    assert (
        as_user(agency_b).get(reverse("people:household", args=[household.pk])).status_code == 404
    )


def test_agency_opens_the_people_its_staff_consulted_about(personas: dict[str, Staff]) -> None:
    """A consultation taken by one worker of agency B lets their colleagues open the person."""
    person = first_member(register_household(personas["window"], members=1))
    colleague = Staff.objects.create_user(
        username="shogai-2",
        display_name="障害 同僚",
        role="agency",
        agency=personas["agency_b"].agency,
    )
    assert not access.can(colleague, access.VIEW, person)
    take(personas["agency_b"], person=person, shown={person.pk})
    assert access.can(colleague, access.VIEW, person)
    assert not access.can(personas["agency_a"], access.VIEW, person)


def test_outcome_is_recorded_and_audited(personas: dict[str, Staff]) -> None:
    """Setting the outcome stores it with its time and audits the change."""
    window = personas["window"]
    consultation = take(window)
    before = _last_seq()
    actions.set_outcome(window, consultation, Outcome.OUTREACH)
    consultation.refresh_from_db()
    assert consultation.outcome == Outcome.OUTREACH and consultation.outcome_at is not None
    assert _events_since(before) == [("change", "intake.consultation")]


@pytest.mark.parametrize(
    ("outcome", "message"),
    [
        ("referred", "他機関へつなぐときは"),
        ("closed", "対応結果を選んでください。"),
    ],
)
def test_bad_outcomes_are_refused(personas: dict[str, Staff], outcome: str, message: str) -> None:
    """ "他機関へつなぐ" needs a referral first; an unknown outcome is refused; nothing changes."""
    consultation = take(personas["window"])
    before = _rows()
    with pytest.raises(ValidationError, match=message):
        actions.set_outcome(personas["window"], consultation, outcome)
    consultation.refresh_from_db()
    assert consultation.outcome == ""
    assert _rows() == before


def test_the_whole_window_follows_a_consultation_up(
    personas: dict[str, Staff], make_staff: Callable[..., Staff]
) -> None:
    """Any consultation the window took is open to the whole window, assigned or not."""
    window = personas["window"]
    colleague = make_staff("window", "window")
    consultation = take(window)
    # The window works as a team (issue 15): a colleague follows up without a hand-over.
    assert access.can(colleague, access.CHANGE, consultation)
    actions.assign(window, consultation, None)
    assert access.can(colleague, access.CHANGE, consultation)
    actions.assign(colleague, consultation, colleague)
    assert access.can(window, access.CHANGE, consultation)
    other = make_staff("window", "window")
    assert access.can(other, access.VIEW, consultation)
    # Another agency's window-like role does not.
    agency = make_staff("agency", "houkatsu1")
    assert not access.can(agency, access.VIEW, consultation)


def test_assignee_must_work_at_the_receiving_agency(personas: dict[str, Staff]) -> None:
    """A consultation is handed to another agency by a referral, not by assigning it."""
    consultation = take(personas["window"])
    with pytest.raises(ValidationError, match="受付機関の職員"):
        actions.assign(personas["window"], consultation, personas["agency_a"])
    consultation.refresh_from_db()
    assert consultation.assignee == personas["window"]


@pytest.mark.parametrize(
    "bad",
    [
        {"summary": "   "},
        {"summary": "あ" * 121},
        {"method": "fax"},
        {"consent": "maybe"},
        {"urgency": "someday"},
    ],
)
def test_bad_fields_are_refused(personas: dict[str, Staff], bad: dict[str, str]) -> None:
    """An empty or too long 要旨, or a method, consent or urgency off the choices, is refused."""
    before = _rows()
    with pytest.raises(ValidationError):
        take(personas["window"], **bad)
    assert _rows() == before


def test_same_concern_twice_counts_once(
    personas: dict[str, Staff], concerns: dict[str, Concern]
) -> None:
    """A concern ticked twice (a double-submitted checkbox) is recorded once."""
    housing = concerns["housing"]
    consultation = take(personas["window"], concerns=[housing, housing], primary=housing)
    assert list(consultation.concern_links.values_list("concern__code", "is_primary")) == [
        ("housing", True)
    ]
