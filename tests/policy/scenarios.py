"""One scenario builder per relation of the policy table.

A builder puts one record in the world of a user (``World``) so that a stated set of relations
holds between that user and the record — no more. ``Built.holds`` is the builder's claim,
written from the relation's meaning in the table (never computed by the engine), and the
generated tests check the engine against it: every rule whose relation holds must grant its
actions, and nothing else may. Each model also has a "none" scenario (a stranger's record:
only "any" holds), which is what catches a relation that is too wide.

Records are built through the actions (as a coordinator of another team, or as the user where
the relation is about what the user did), with small ORM factories only where an action would
refuse the situation on purpose (a grant for break-glass, a consultation assigned to a
colleague).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from functools import wraps
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db.models import (
    CharField,
    DateField,
    IntegerField,
    Model,
    TextField,
    TimeField,
)
from django.utils import timezone

from tomoni.access.models import BreakGlass
from tomoni.access.policy import DERIVED, DERIVED_ACTIONS, rules_for
from tomoni.access.relations import is_contractor
from tomoni.cases import actions as case_actions
from tomoni.cases.models import Case, ConsentState, Task, TeamMember
from tomoni.community import actions as community_actions
from tomoni.community.models import Council
from tomoni.directory.models import Agency, Concern, District, Role, Staff
from tomoni.intake.models import ConsentVersion, Consultation, Method, Outcome, Referral
from tomoni.jiritsu import actions as jiritsu_actions
from tomoni.meetings import actions as meeting_actions
from tomoni.meetings.models import Attendance, Kind, Meeting
from tomoni.notes.models import Note, NoteMethod, Visibility
from tomoni.outreach import actions as outreach_actions
from tomoni.outreach.models import Engagement, Reason
from tomoni.participation import actions as participation_actions
from tomoni.participation.models import ParticipationPlan, Place
from tomoni.people import actions as people_actions
from tomoni.people.models import Household, MatchReview, Merge, Person, Relationship
from tomoni.stats import actions as stats_actions

from ..conftest import agency_of
from ..consent import set_consent

# Relations that need the user to belong to an agency; roles without one never hold them.
ANY = "any"


@dataclass
class World:
    """Around one user: a colleague at the same agency, a stranger at another agency, and a
    coordinator of the 社協 who builds what only coordinators may build."""

    me: Staff
    colleague: Staff | None
    stranger: Staff
    coordinator: Staff
    count: int = 0
    contractor: bool = False  # the user works for a 委託先 (TOMONI_CONTRACTOR_AGENCIES)

    @property
    def my_agency(self) -> Agency | None:
        return self.me.agency

    def next(self) -> int:
        self.count += 1
        return self.count


def make_world(me: Staff, make_staff: Callable[..., Staff]) -> World:
    colleague = make_staff(Role.AGENCY, me.agency.code) if me.agency else None
    return World(
        me=me,
        colleague=colleague,
        stranger=make_staff(Role.AGENCY, "kenri"),
        coordinator=make_staff(Role.COORDINATOR, "jusou"),
        contractor=is_contractor(me),
    )


@dataclass(frozen=True)
class Built:
    record: Model
    holds: frozenset[str] = field(default_factory=frozenset)


Builder = Callable[[World], Built]
BUILDERS: dict[tuple[str, str], Builder] = {}


def builder(model: str, relation: str) -> Callable[[Builder], Builder]:
    """Registers a builder. Every record is in the city: "city_wide" holds for everyone but
    a contractor's staff, whatever else the builder claims."""

    def register(fn: Builder) -> Builder:
        @wraps(fn)
        def build(world: World) -> Built:
            built = fn(world)
            if world.contractor or "city_wide" in built.holds:
                return built
            return Built(built.record, built.holds | {"city_wide"})

        BUILDERS[(model, relation)] = build
        return build

    return register


def expected(model: str, role: str, holds: frozenset[str], action: str) -> bool:
    """What the table says: some rule for this role and action names a relation that holds.
    A derived model asks its parent (with DERIVED_ACTIONS' mapping)."""
    if model in DERIVED:
        raise ValueError("derived models are checked through their parent")
    return any(r.relation in holds | {ANY} for r in rules_for(model, role, action))


def with_agency(world: World, *relations: str) -> frozenset[str]:
    """The relations, if the user belongs to an agency (they all need one)."""
    return frozenset(relations) if world.my_agency else frozenset()


# --- people ----------------------------------------------------------------------------------


def _household(owner: Staff, members: int = 2) -> Household:
    household = people_actions.register_household(owner, address="稲城市東長沼1丁目1番1号")
    for index in range(members):
        people_actions.register_person(
            owner,
            {"family_name": "見本", "given_name": ["太郎", "花子"][index % 2]},
            household=household,
            relationship=Relationship.HEAD if index == 0 else Relationship.CHILD,
        )
    return household


def _first(household: Household) -> Person:
    return household.memberships.order_by("pk")[0].person


def _consultation(
    world: World,
    *,
    receiver: Staff,
    assignee: Staff | None,
    agency: Agency | None = None,
    person: Person | None = None,
    household: Household | None = None,
) -> Consultation:
    """A consultation as the window would have taken it, with the receiver and assignee the
    scenario needs (a small factory: the action always assigns the receiver)."""
    number = world.next()
    return Consultation.objects.create(
        code=f"T{world.me.pk}-{number}",
        receiver=receiver,
        agency=agency or agency_of(receiver),
        assignee=assignee,
        method=Method.PHONE,
        summary="テスト用の相談",
        consent=ConsentVersion.GIVEN,
        person=person,
        household=household,
    )


def _grant(world: World, record: Model) -> None:
    """A break-glass grant, as open_break_glass would make it (a factory: the action refuses
    roles that may not break the glass, and the table must still be checked for them)."""
    now = timezone.now()
    BreakGlass.objects.create(
        staff=world.me,
        object_type=record._meta.label_lower,
        object_id=record.pk,
        category=BreakGlass.Category.SAFETY,
        reason="母親の安否確認の通報があったため",
        created_at=now,
        expires_at=now + timedelta(hours=1),
    )


def _people_builders(model: str, pick: Callable[[Household], Model]) -> None:
    @builder(model, "none")
    def stranger(world: World) -> Built:
        return Built(pick(_household(world.stranger)))

    @builder(model, "registered_by_me")
    def mine(world: World) -> Built:
        record = pick(_household(world.me)) if _may_register(world.me) else None
        if record is None:
            return stranger(world)
        # The agency's, and (for a contractor's coordinator) their own registration.
        return Built(
            record,
            frozenset({"in_my_collaboration"}) | with_agency(world, "registered_by_my_agency"),
        )

    @builder(model, "registered_by_my_agency")
    def colleagues(world: World) -> Built:
        if world.colleague is None:
            return stranger(world)
        return Built(pick(_household(world.colleague)), frozenset({"registered_by_my_agency"}))

    @builder(model, "subject_of_my_consultations")
    def consulted(world: World) -> Built:
        household = _household(world.stranger)
        _consultation(
            world,
            receiver=world.me,
            assignee=world.me,
            agency=world.my_agency or world.stranger.agency,
            person=_first(household),
            household=household,
        )
        return Built(
            pick(household),
            frozenset({"in_my_collaboration"})
            | with_agency(world, "subject_of_my_agency_consultations"),
        )

    @builder(model, "subject_of_my_agency_consultations")
    def consulted_by_colleague(world: World) -> Built:
        if world.colleague is None:
            return stranger(world)
        household = _household(world.stranger)
        _consultation(
            world,
            receiver=world.colleague,
            assignee=world.colleague,
            person=_first(household),
            household=household,
        )
        return Built(pick(household), frozenset({"subject_of_my_agency_consultations"}))

    @builder(model, "in_my_collaboration")
    def on_my_team(world: World) -> Built:
        """The household of a case the user's agency is on (委託先: the people in it)."""
        if world.my_agency is None:
            return stranger(world)
        case = _case(world, consent=ConsentState.NONE)
        _on_team(world, case)
        return Built(pick(case.household), frozenset({"in_my_collaboration"}))

    @builder(model, "break_glass")
    def broken(world: World) -> Built:
        household = _household(world.stranger)
        record = pick(household)
        _grant(world, record)
        return Built(record, frozenset({"break_glass"}))


def _may_register(user: Staff) -> bool:
    return user.role in (Role.COORDINATOR, Role.WINDOW, Role.AGENCY)


_people_builders("people.Household", lambda h: h)
_people_builders("people.Person", _first)


@builder("people.Person", "break_glass_household")
def _person_through_household_grant(world: World) -> Built:
    """A grant on a household opens its members (relation break_glass of Person)."""
    household = _household(world.stranger)
    _grant(world, household)
    return Built(_first(household), frozenset({"break_glass"}))


def _review(a: Person, b: Person) -> MatchReview:
    return MatchReview.objects.create(person_a=a, person_b=b, probability=0.97)


@builder("people.MatchReview", "none")
def _review_of_strangers(world: World) -> Built:
    household = _household(world.stranger)
    people = [m.person for m in household.memberships.order_by("pk")]
    return Built(_review(people[0], people[1]))


@builder("people.MatchReview", "both_persons_in_my_scope")
def _review_of_mine(world: World) -> Built:
    if not _may_register(world.me):
        return _review_of_strangers(world)
    household = _household(world.me)
    people = [m.person for m in household.memberships.order_by("pk")]
    return Built(_review(people[0], people[1]), frozenset({"both_persons_in_my_scope"}))


@builder("people.MatchReview", "one_person_in_my_scope")
def _review_half_mine(world: World) -> Built:
    """Only one of the pair is the user's: the relation does not hold."""
    if not _may_register(world.me):
        return _review_of_strangers(world)
    mine = _first(_household(world.me))
    theirs = _first(_household(world.stranger))
    return Built(_review(mine, theirs))


def _merge(survivor: Person, merged: Person, by: Staff) -> Merge:
    return Merge.objects.create(survivor=survivor, merged=merged, merged_by=by)


@builder("people.Merge", "none")
def _merge_of_strangers(world: World) -> Built:
    household = _household(world.stranger)
    people = [m.person for m in household.memberships.order_by("pk")]
    return Built(_merge(people[0], people[1], world.coordinator))


@builder("people.Merge", "survivor_in_my_scope")
def _merge_of_mine(world: World) -> Built:
    if not _may_register(world.me):
        return _merge_of_strangers(world)
    survivor = _first(_household(world.me))
    merged = _first(_household(world.stranger))
    return Built(_merge(survivor, merged, world.coordinator), frozenset({"survivor_in_my_scope"}))


# --- intake ----------------------------------------------------------------------------------


@builder("intake.Consultation", "none")
def _consultation_of_another_agency(world: World) -> Built:
    return Built(_consultation(world, receiver=world.stranger, assignee=world.stranger))


@builder("intake.Consultation", "received_or_assigned_to_me")
def _consultation_received(world: World) -> Built:
    assignee = world.colleague or world.stranger
    consultation = _consultation(
        world, receiver=world.me, assignee=assignee, agency=world.my_agency or world.stranger.agency
    )
    holds = frozenset({"collaboration_or_mine"}) | with_agency(world, "taken_by_my_agency")
    return Built(consultation, holds)


@builder("intake.Consultation", "assigned_to_me")
def _consultation_assigned(world: World) -> Built:
    receiver = world.colleague or world.stranger
    consultation = _consultation(world, receiver=receiver, assignee=world.me)
    holds = frozenset({"collaboration_or_mine"}) | with_agency(world, "taken_by_my_agency")
    return Built(consultation, holds)


@builder("intake.Consultation", "unassigned_at_my_agency")
def _consultation_unassigned(world: World) -> Built:
    if world.colleague is None:
        return _consultation_of_another_agency(world)
    consultation = _consultation(world, receiver=world.colleague, assignee=None)
    return Built(consultation, frozenset({"taken_by_my_agency"}))


@builder("intake.Consultation", "taken_by_my_agency")
def _consultation_of_colleague(world: World) -> Built:
    if world.colleague is None:
        return _consultation_of_another_agency(world)
    consultation = _consultation(world, receiver=world.colleague, assignee=world.colleague)
    return Built(consultation, frozenset({"taken_by_my_agency"}))


@builder("intake.Consultation", "collaboration_or_mine")
def _consultation_routed_to_collaboration(world: World) -> Built:
    """Another agency's consultation it sent to 多機関協働 (「多機関協働へ」)."""
    consultation = _consultation(world, receiver=world.stranger, assignee=world.stranger)
    Consultation.objects.filter(pk=consultation.pk).update(outcome=Outcome.COLLABORATION)
    return Built(consultation, frozenset({"collaboration_or_mine"}))


@builder("intake.Consultation", "break_glass")
def _consultation_broken(world: World) -> Built:
    consultation = _consultation(world, receiver=world.stranger, assignee=world.stranger)
    _grant(world, consultation)
    return Built(consultation, frozenset({"break_glass"}))


def _referral(world: World, sender: Agency, receiver: Agency) -> Referral:
    consultation = _consultation(world, receiver=world.stranger, assignee=world.stranger)
    return Referral.objects.create(
        consultation=consultation,
        from_agency=sender,
        to_agency=receiver,
        sent_by=world.stranger,
        shared_summary="面談をお願いします。",
        due_on=date(2026, 6, 9),
    )


def _third_agency(world: World) -> Agency:
    return Agency.objects.get(code="shohi")


@builder("intake.Referral", "none")
def _referral_between_others(world: World) -> Built:
    assert world.stranger.agency is not None
    return Built(_referral(world, world.stranger.agency, _third_agency(world)))


@builder("intake.Referral", "addressed_to_my_agency")
def _referral_to_me(world: World) -> Built:
    if world.my_agency is None:
        return _referral_between_others(world)
    assert world.stranger.agency is not None
    referral = _referral(world, world.stranger.agency, world.my_agency)
    return Built(referral, frozenset({"addressed_to_my_agency"}))


@builder("intake.Referral", "sent_by_my_agency")
def _referral_from_me(world: World) -> Built:
    if world.my_agency is None:
        return _referral_between_others(world)
    referral = _referral(world, world.my_agency, _third_agency(world))
    return Built(referral, frozenset({"sent_by_my_agency"}))


# --- notes: on a consultation or a case, minus other agencies' own-agency notes ------------


def _note_on(world: World, parent: Built, *, own_agency_of: str) -> Built:
    """A note on ``parent``; visible where the parent is, unless another agency kept it."""
    author = world.colleague if own_agency_of == "mine" and world.colleague else world.stranger
    visibility = Visibility.SHARED if own_agency_of == "shared" else Visibility.OWN_AGENCY
    where = "consultation" if isinstance(parent.record, Consultation) else "case"
    note = Note.objects.create(
        **{where: parent.record},
        method=NoteMethod.PHONE,
        author=author,
        agency=agency_of(author),
        text="経過の記録",
        visibility=visibility,
        on=timezone.localdate(),
    )
    model = parent.record._meta.label
    parent_visible = expected(model, world.me.role, parent.holds, "view")
    kept_elsewhere = visibility == Visibility.OWN_AGENCY and not (
        own_agency_of == "mine" and world.colleague is not None
    )
    relation = f"on_visible_{where}"
    return Built(
        note, frozenset({relation}) if parent_visible and not kept_elsewhere else frozenset()
    )


@builder("notes.Note", "none")
def _note_of_strangers(world: World) -> Built:
    return _note_on(world, _consultation_of_another_agency(world), own_agency_of="shared")


@builder("notes.Note", "on_visible_consultation")
def _note_on_my_consultation(world: World) -> Built:
    return _note_on(world, _consultation_received(world), own_agency_of="shared")


@builder("notes.Note", "own_agency_note_on_my_consultation")
def _own_note_of_another_agency(world: World) -> Built:
    return _note_on(world, _consultation_received(world), own_agency_of="other")


@builder("notes.Note", "own_agency_note_of_my_agency")
def _own_note_of_my_agency(world: World) -> Built:
    return _note_on(world, _consultation_received(world), own_agency_of="mine")


@builder("notes.Note", "on_visible_case")
def _note_on_my_case(world: World) -> Built:
    return _note_on(world, _case_on_my_team(world), own_agency_of="shared")


@builder("notes.Note", "own_agency_note_on_my_case")
def _own_note_on_my_case(world: World) -> Built:
    return _note_on(world, _case_on_my_team(world), own_agency_of="other")


# --- 多機関協働 --------------------------------------------------------------------------------


def _case(world: World, *, consent: str = ConsentState.GIVEN) -> Case:
    household = _household(world.coordinator)
    case = case_actions.open_case(
        world.coordinator, household=household, person=_first(household), title="8050世帯の支援"
    )
    if consent != ConsentState.PENDING:
        set_consent(world.coordinator, case, consent, on=case.opened_on)
    case.refresh_from_db()
    return case


def _on_team(world: World, case: Case) -> None:
    assert world.my_agency is not None
    case_actions.add_team_member(world.coordinator, case, world.my_agency)


@builder("cases.Case", "none")
def _case_of_others(world: World) -> Built:
    return Built(_case(world))


@builder("cases.Case", "team_member_with_consent")
def _case_on_my_team(world: World) -> Built:
    case = _case(world)
    if world.my_agency is None:
        return Built(case)
    _on_team(world, case)
    return Built(case, frozenset({"team_member_with_consent", "on_my_case"}))


@builder("cases.Case", "team_member_without_consent")
def _case_on_my_team_without_consent(world: World) -> Built:
    case = _case(world, consent=ConsentState.NONE)
    if world.my_agency is None:
        return Built(case)
    _on_team(world, case)
    return Built(case, frozenset({"on_my_case"}))


@builder("cases.Case", "on_my_case")
def _case_led_by_me(world: World) -> Built:
    """A case the user leads (only a coordinator may)."""
    case = _case(world, consent=ConsentState.NONE)
    if world.me.role != Role.COORDINATOR:
        return Built(case)
    case_actions.take_lead(world.coordinator, case, world.me)
    return Built(case, frozenset({"on_my_case"}))


@builder("cases.Case", "waiting_for_a_coordinator")
def _case_nobody_leads(world: World) -> Built:
    """An agency's own request (支援機関向けの相談) that no coordinator has taken yet."""
    asker = Staff.objects.create_user(
        username=f"asker-{world.me.pk}-{world.next()}",
        password=None,
        role=Role.AGENCY,
        agency=_third_agency(world),
    )
    household = _household(asker)
    case = case_actions.open_case(asker, household=household, title="相談したい世帯があります")
    return Built(case, frozenset({"waiting_for_a_coordinator"}))


@builder("cases.Case", "former_team_member")
def _case_my_agency_left(world: World) -> Built:
    case = _case(world)
    if world.my_agency is not None:
        _on_team(world, case)
        member = TeamMember.objects.get(case=case, agency=world.my_agency, end_on__isnull=True)
        case_actions.end_team_member(world.coordinator, member)
    return Built(case)


def _meeting(world: World, kind: str, case: Case, *, pledge: bool) -> bool:
    """A meeting with ``case`` on its agenda; whether the user attends it (roles that never
    attend meetings — manager, auditor, admin — are refused by the action)."""
    meeting = _bare_meeting(world, kind)
    meeting_actions.add_agenda_item(world.coordinator, meeting, case)
    return _attend(world, meeting, pledge=pledge) is not None


@builder("cases.Case", "attendee_of_meeting_with_consent")
def _case_at_my_jusou_meeting(world: World) -> Built:
    case = _case(world)
    attends = _meeting(world, Kind.JUSOU, case, pledge=False)
    return Built(case, frozenset({"attendee_of_meeting_with_consent"} if attends else ()))


@builder("cases.Case", "pledged_attendee_of_support_meeting")
def _case_at_my_support_meeting(world: World) -> Built:
    """第106条の6 shares the meeting's snapshot, never the case: nothing holds."""
    case = _case(world, consent=ConsentState.NONE)
    _meeting(world, Kind.SUPPORT, case, pledge=True)
    return Built(case)


@builder("cases.Case", "unpledged_attendee_of_support_meeting")
def _case_at_support_meeting_without_pledge(world: World) -> Built:
    case = _case(world, consent=ConsentState.NONE)
    _meeting(world, Kind.SUPPORT, case, pledge=False)
    return Built(case)


@builder("cases.Case", "break_glass")
def _case_broken(world: World) -> Built:
    case = _case(world)
    _grant(world, case)
    return Built(case, frozenset({"break_glass"}))


def _task(world: World, agency: Agency, owner: Staff | None = None) -> Task:
    return case_actions.add_task(
        world.coordinator,
        title="訪問して様子を確認する",
        owner_agency=agency,
        owner=owner,
        due_on=timezone.localdate() + timedelta(days=7),
    )


@builder("cases.Task", "none")
def _task_of_others(world: World) -> Built:
    assert world.stranger.agency is not None
    return Built(_task(world, world.stranger.agency))


@builder("cases.Task", "on_my_case")
def _task_on_my_case(world: World) -> Built:
    """Another agency's task on a case the user's agency is on."""
    assert world.stranger.agency is not None
    case = _case(world)
    if world.my_agency is None:
        return Built(_task(world, world.stranger.agency))
    _on_team(world, case)
    task = case_actions.add_task(
        world.coordinator,
        title="家計の状況を確認する",
        owner_agency=world.stranger.agency,
        due_on=timezone.localdate() + timedelta(days=7),
        case=case,
    )
    return Built(task, frozenset({"on_my_case"}))


@builder("cases.Task", "owned_by_my_agency")
def _task_of_my_agency(world: World) -> Built:
    if world.my_agency is None:
        return _task_of_others(world)
    return Built(_task(world, world.my_agency), frozenset({"owned_by_my_agency"}))


# --- meetings --------------------------------------------------------------------------------


def _bare_meeting(world: World, kind: str) -> Meeting:
    return meeting_actions.schedule_meeting(
        world.coordinator, kind=kind, title="会議", starts_at=timezone.now() - timedelta(hours=1)
    )


def _attend(world: World, meeting: Meeting, *, pledge: bool) -> Attendance | None:
    if world.my_agency is None:
        return None
    try:
        attendance = meeting_actions.add_attendee(
            world.coordinator, meeting, agency=world.my_agency, staff=world.me
        )
    except ValidationError:  # this role never attends meetings
        return None
    if pledge:
        meeting_actions.record_pledge(world.coordinator, attendance)
    return attendance


@builder("meetings.Meeting", "none")
def _meeting_of_others(world: World) -> Built:
    return Built(_bare_meeting(world, Kind.SUPPORT))


@builder("meetings.Meeting", "attendee")
def _open_meeting_i_attend(world: World) -> Built:
    meeting = _bare_meeting(world, Kind.JUSOU)
    attends = _attend(world, meeting, pledge=False) is not None
    return Built(meeting, frozenset({"attendee", "pledged_or_open_attendee"} if attends else ()))


@builder("meetings.Meeting", "unpledged_attendee")
def _support_meeting_without_pledge(world: World) -> Built:
    meeting = _bare_meeting(world, Kind.SUPPORT)
    attends = _attend(world, meeting, pledge=False) is not None
    return Built(meeting, frozenset({"attendee"} if attends else ()))


@builder("meetings.Meeting", "convened_by_me")
def _meeting_i_convened(world: World) -> Built:
    if world.me.role != Role.COORDINATOR:
        return _meeting_of_others(world)
    meeting = meeting_actions.schedule_meeting(
        world.me, kind=Kind.SUPPORT, title="会議", starts_at=timezone.now() - timedelta(hours=1)
    )
    return Built(meeting, frozenset({"convened_by_me"}))


@builder("meetings.Meeting", "pledged_after_the_sharing_period")
def _support_meeting_long_ago(world: World) -> Built:
    """A 全体会 the user attended and pledged for, more than the sharing period ago: the
    meeting stays on their list, its materials are no longer theirs."""
    meeting = meeting_actions.schedule_meeting(
        world.coordinator,
        kind=Kind.PLENARY,
        title="全体会",
        starts_at=timezone.now() - timedelta(days=31),
    )
    attends = _attend(world, meeting, pledge=True) is not None
    return Built(meeting, frozenset({"attendee"} if attends else ()))


@builder("meetings.Meeting", "pledged_or_open_attendee")
def _support_meeting_pledged(world: World) -> Built:
    meeting = _bare_meeting(world, Kind.PLENARY)
    attends = _attend(world, meeting, pledge=True) is not None
    return Built(meeting, frozenset({"attendee", "pledged_or_open_attendee"} if attends else ()))


# --- アウトリーチ and 参加支援 -------------------------------------------------------------------


def _engagement(world: World, workers: list[Staff], case: Case | None = None) -> Engagement:
    household = case.household if case is not None else _household(world.coordinator)
    return outreach_actions.open_engagement(
        world.coordinator,
        household=household,
        person=_first(household),
        reason=Reason.HIKIKOMORI,
        workers=workers,
        case=case,
    )


def _outreach_worker(world: World) -> Staff:
    return Staff.objects.filter(role=Role.OUTREACH).exclude(pk=world.me.pk).first() or (
        Staff.objects.create_user(
            username=f"outreach-other-{world.me.pk}",
            password=None,
            role=Role.OUTREACH,
            agency=Agency.objects.get(code="shakyo"),
        )
    )


@builder("outreach.Engagement", "none")
def _engagement_of_others(world: World) -> Built:
    return Built(_engagement(world, [_outreach_worker(world)]))


@builder("outreach.Engagement", "assigned_to_me")
def _engagement_of_mine(world: World) -> Built:
    if world.me.role not in (Role.OUTREACH, Role.COORDINATOR):
        return _engagement_of_others(world)
    return Built(_engagement(world, [world.me]), frozenset({"assigned_to_me"}))


@builder("outreach.Engagement", "on_my_case")
def _engagement_on_my_case(world: World) -> Built:
    """Another worker's visits to the household of a case the user's agency is on."""
    case = _case(world, consent=ConsentState.NONE)
    if world.my_agency is None:
        return Built(_engagement(world, [_outreach_worker(world)], case))
    _on_team(world, case)
    engagement = _engagement(world, [_outreach_worker(world)], case)
    return Built(engagement, frozenset({"on_my_case"}))


def _place(world: World) -> Place:
    return participation_actions.save_place(
        world.coordinator,
        None,
        {
            "name": f"押立朝市{world.next()}",
            "kind": "market",
            "host": "押立朝市実行委員会",
            "district": District.objects.get(code="oshitate"),
            "days": [6],
            "cost": 0,
            "interests": ["園芸"],
        },
    )


@builder("participation.Place", "none")
def _a_place(world: World) -> Built:
    return Built(_place(world))


def _plan(world: World, worker: Staff) -> ParticipationPlan:
    household = _household(world.coordinator)
    return participation_actions.create_plan(
        world.coordinator,
        _first(household),
        {"interests": ["園芸"], "goal": "週1回、朝市の手伝いに行く"},
        worker=worker,
    )


def _plan_worker_elsewhere(world: World) -> Staff:
    community = Agency.objects.get(code="seikatsushien-co")
    if world.my_agency == community:
        community = Agency.objects.get(code="chiikifukushi-co")
    worker = Staff.objects.filter(role=Role.COMMUNITY, agency=community).first()
    return worker or Staff.objects.create_user(
        username=f"community-other-{world.me.pk}",
        password=None,
        role=Role.COMMUNITY,
        agency=community,
    )


@builder("participation.ParticipationPlan", "none")
def _plan_of_others(world: World) -> Built:
    return Built(_plan(world, _plan_worker_elsewhere(world)))


@builder("participation.ParticipationPlan", "run_by_my_agency")
def _plan_of_my_agency(world: World) -> Built:
    if world.me.role not in (Role.COMMUNITY, Role.OUTREACH, Role.COORDINATOR):
        return _plan_of_others(world)
    return Built(_plan(world, world.me), with_agency(world, "run_by_my_agency"))


# --- records without personal data that still follow the table ------------------------------


def _a_manager(world: World) -> Staff:
    return Staff.objects.filter(role=Role.MANAGER).first() or Staff.objects.create_user(
        username=f"policy-manager-{world.next()}",
        password=None,
        role=Role.MANAGER,
        agency=Agency.objects.get(code="jusou"),
    )


@builder("stats.Target", "none")
def _a_target(world: World) -> Built:
    manager = _a_manager(world)
    target = stats_actions.set_target(
        manager, fy=2026, kpi="consultations_new", value=100 + world.next()
    )
    assert target is not None
    return Built(target)


@builder("stats.Cost", "none")
def _a_cost(world: World) -> Built:
    manager = _a_manager(world)
    cost = stats_actions.set_cost(
        manager, 2026, "consultation", "elderly", 1_000_000 + world.next()
    )
    assert cost is not None
    return Built(cost)


@builder("jiritsu.Benchmark", "none")
def _a_benchmark(world: World) -> Built:
    manager = _a_manager(world)
    made = jiritsu_actions.set_benchmark(
        manager,
        fy=2026,
        population=90_000 + world.next(),
        rates=jiritsu_actions.Rates(),
        version=None,
    )
    assert made is not None
    return Built(made)


@builder("community.Council", "none")
def _a_council(world: World) -> Built:
    district = District.objects.order_by("pk")[world.next() % District.objects.count()]
    council = Council.objects.filter(district=district).first()
    return Built(
        council
        or community_actions.save_council(
            world.coordinator,
            district,
            community_actions.CouncilData(name=f"{district.name}地区協議体", purpose=""),
        )
    )


@builder("community.Activity", "none")
def _an_activity(world: World) -> Built:
    data: dict[str, Any] = {
        "name": f"押立朝市{world.next()}",
        "district": District.objects.get(code="oshitate"),
        "kind": "market",
        "host": "押立朝市実行委員会",
        "started_on": date(2024, 6, 1),
        "frequency": "毎月第1日曜",
        "origin": "residents",
    }
    return Built(
        community_actions.save_activity(
            world.coordinator, None, community_actions.ActivityData(**data)
        )
    )


@builder("community.Event", "none")
def _an_event(world: World) -> Built:
    data: dict[str, Any] = {
        "name": f"地域のつながりフォーラム{world.next()}",
        "kind": "forum",
        "held_on": date(2026, 2, 21),
        "venue": "地域振興プラザ",
    }
    return Built(
        community_actions.save_event(world.coordinator, None, community_actions.EventData(**data))
    )


@builder("access.BreakGlass", "none")
def _a_grant(world: World) -> Built:
    now = timezone.now()
    grant = BreakGlass.objects.create(
        staff=world.stranger,
        object_type="people.person",
        object_id=1,
        category=BreakGlass.Category.SAFETY,
        reason="母親の安否確認の通報があったため",
        created_at=now,
        expires_at=now + timedelta(hours=1),
    )
    return Built(grant)


# --- derived records: one child of each kind, made under a built record ---------------------

# Values a generic child factory cannot guess (a second current lead would break a constraint).
CHILD_FIELDS: dict[str, dict[str, Any]] = {
    "cases.TeamMember": {"role": "related"},
    "cases.Plan": {"number": 1},
    "ecomap.EcomapTie": {"kind": "informal", "informal_kind": "neighbour"},
}


def derived_from(root: str) -> list[str]:
    """Every derived model whose chain of parents ends at ``root``."""
    return sorted(label for label in DERIVED if root_of(label) == root)


def root_of(model: str) -> str:
    while model in DERIVED:
        model = DERIVED[model][1]
    return model


def root_action(model: str, action: str) -> str:
    """The action on the root that ``action`` on a derived model needs (DERIVED_ACTIONS along
    the chain: seeing a meeting's agenda item needs its MATERIALS)."""
    while model in DERIVED:
        action = DERIVED_ACTIONS.get(model, {}).get(action, action)
        model = DERIVED[model][1]
    return action


def make_child(label: str, root: Model, world: World, made: dict[str, Model]) -> Model:
    """One ``label`` record under ``root`` (through its chain of parents), every required field
    filled with a plain valid value. ``made`` keeps what was made for this root."""
    if label in made:
        return made[label]
    field_name, parent_label = DERIVED[label]
    parent = (
        root if parent_label == root._meta.label else make_child(parent_label, root, world, made)
    )
    model = apps.get_model(label)
    if model._meta.get_field(field_name).one_to_one:  # one per parent: the actions made it
        existing: Model | None = model._default_manager.filter(**{field_name: parent}).first()
        if existing is not None:
            made[label] = existing
            return existing
    values: dict[str, Any] = {field_name: parent, **CHILD_FIELDS.get(label, {})}
    for f in model._meta.concrete_fields:
        if f.primary_key or f.name in values or f.null or f.has_default():
            continue
        if isinstance(f, CharField | TextField) and f.blank:
            continue
        values[f.name] = _value_for(f, root, world, made)
    made[label] = model._default_manager.create(**values)
    return made[label]


def _value_for(f: Any, root: Model, world: World, made: dict[str, Model]) -> Any:
    if f.is_relation:
        target = f.related_model._meta.label
        if target in DERIVED:
            return make_child(target, root, world, made)
        makers: dict[str, Callable[[], Any]] = {
            "directory.Staff": lambda: world.coordinator,
            "directory.Agency": lambda: world.stranger.agency,
            "directory.Concern": lambda: Concern.objects.order_by("pk").first(),
            "people.Person": lambda: Person.objects.create(
                family_name="見本", given_name="次郎", created_by=world.stranger
            ),
            "participation.Place": lambda: _place(world),
            "cases.Case": lambda: _case(world),
        }
        return makers[target]()
    if f.choices:
        return f.choices[0][0]
    if isinstance(f, DateField):
        return timezone.localdate()
    if isinstance(f, TimeField):
        return time(10, 0)
    if isinstance(f, IntegerField):
        return 1
    if f.unique:  # an attachment's storage key
        return f"テスト-{world.next()}"
    return "テスト"


# "city_wide": any record of the city, as the stranger's record of each model is (the wrapper
# in ``builder`` claims it for everyone but a contractor's staff).
for (_model, _relation), _build in list(BUILDERS.items()):
    if _relation == "none":
        BUILDERS[(_model, "city_wide")] = _build


def one_of_each(world: World) -> dict[str, Model]:
    """One record of every kind (the stranger's, "none") and every record derived from it, made
    by ``world.me`` — the URL walk and the fuzz run over these."""
    built: dict[str, Model] = {}
    for (model, relation), build in sorted(BUILDERS.items()):
        if relation == "none":
            record = build(world).record
            built[model] = record
            made: dict[str, Model] = {}
            for label in derived_from(model):
                built[label] = make_child(label, record, world, made)
    return built
