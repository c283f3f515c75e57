"""The relations named in the policy table, one queryset filter each.

Imported by ``AccessConfig.ready`` (it needs every app's models); each ``@relation`` registers
its filter in ``registry``, where the engine finds it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from tomoni.cases.models import Case, TeamMember
from tomoni.directory.models import Staff
from tomoni.intake.models import Consultation
from tomoni.meetings.models import CONFIDENTIAL, AgendaItem, Attendance
from tomoni.notes.models import Visibility
from tomoni.outreach.models import Engagement
from tomoni.people.models import Household, Membership, Person

from .engine import grant_filter
from .models import BreakGlass
from .policy import VIEW
from .registry import filter_of, relation


@relation("people.Household", "any")
@relation("people.Person", "any")
@relation("people.MatchReview", "any")
@relation("people.Merge", "any")
@relation("intake.Consultation", "any")
@relation("intake.Referral", "any")
@relation("cases.Case", "any")
@relation("cases.Task", "any")
@relation("meetings.Meeting", "any")
@relation("outreach.Engagement", "any")
@relation("participation.Place", "any")
@relation("participation.ParticipationPlan", "any")
@relation("stats.Target", "any")
@relation("community.Council", "any")
@relation("community.Activity", "any")
@relation("community.Event", "any")
@relation("access.BreakGlass", "any")
def _everything(user: Staff) -> Q:
    return Q()


@relation("people.Household", "registered_by_me")
def _household_registered_by_me(user: Staff) -> Q:
    return Q(created_by=user)


@relation("people.Person", "registered_by_me")
def _person_registered_by_me(user: Staff) -> Q:
    # A person the window registered, or anybody who lives in a household it registered.
    # EXISTS, not IN: checked per candidate row, so a search stays an index range scan
    # however many households the user registered.
    members = Membership.objects.filter(person=OuterRef("pk"), household__created_by=user)
    return Q(created_by=user) | Q(Exists(members))


@relation("people.Household", "registered_by_my_agency")
def _household_registered_by_my_agency(user: Staff) -> Q:
    if user.agency_id is None:
        return _no_agency()
    return Q(created_by__agency_id=user.agency_id)


@relation("people.Person", "registered_by_my_agency")
def _person_registered_by_my_agency(user: Staff) -> Q:
    if user.agency_id is None:
        return _no_agency()
    members = Membership.objects.filter(
        person=OuterRef("pk"), household__created_by__agency_id=user.agency_id
    )
    return Q(created_by__agency_id=user.agency_id) | Q(Exists(members))


def _granted(user: Staff, object_type: str) -> Q:
    grants = BreakGlass.objects.filter(
        staff=user, object_type=object_type, expires_at__gt=timezone.now()
    )
    return Q(pk__in=grants.values("object_id"))


def _no_agency() -> Q:
    return Q(pk__in=[])


# --- People reached through consultations -------------------------------------------------


def _my_consultations(user: Staff) -> Q:
    return Q(receiver=user) | Q(assignee=user)


@relation("people.Person", "subject_of_my_consultations")
def _person_subject_of_mine(user: Staff) -> Q:
    mine = Consultation.objects.filter(_my_consultations(user), person=OuterRef("pk"))
    return Q(Exists(mine))


@relation("people.Household", "subject_of_my_consultations")
def _household_subject_of_mine(user: Staff) -> Q:
    mine = Consultation.objects.filter(_my_consultations(user), household=OuterRef("pk"))
    return Q(Exists(mine))


@relation("people.Person", "subject_of_my_agency_consultations")
def _person_subject_of_my_agency(user: Staff) -> Q:
    if user.agency_id is None:
        return _no_agency()
    ours = Consultation.objects.filter(agency_id=user.agency_id, person=OuterRef("pk"))
    return Q(Exists(ours))


@relation("people.Household", "subject_of_my_agency_consultations")
def _household_subject_of_my_agency(user: Staff) -> Q:
    if user.agency_id is None:
        return _no_agency()
    ours = Consultation.objects.filter(agency_id=user.agency_id, household=OuterRef("pk"))
    return Q(Exists(ours))


# --- Consultations, referrals, notes -------------------------------------------------------


@relation("intake.Consultation", "received_or_assigned_to_me")
def _consultation_mine(user: Staff) -> Q:
    return _my_consultations(user)


@relation("intake.Consultation", "unassigned_at_my_agency")
def _consultation_unassigned(user: Staff) -> Q:
    if user.agency_id is None:
        return _no_agency()
    return Q(agency_id=user.agency_id, assignee__isnull=True)


@relation("intake.Consultation", "taken_by_my_agency")
def _consultation_my_agency(user: Staff) -> Q:
    if user.agency_id is None:
        return _no_agency()
    return Q(agency_id=user.agency_id)


@relation("intake.Referral", "addressed_to_my_agency")
def _referral_to_me(user: Staff) -> Q:
    if user.agency_id is None:
        return _no_agency()
    return Q(to_agency_id=user.agency_id)


@relation("intake.Referral", "sent_by_my_agency")
def _referral_from_me(user: Staff) -> Q:
    if user.agency_id is None:
        return _no_agency()
    return Q(from_agency_id=user.agency_id)


@relation("notes.Note", "on_visible_consultation")
def _note_on_visible_consultation(user: Staff) -> Q:
    kept_elsewhere = Q(visibility=Visibility.OWN_AGENCY) & ~Q(agency_id=user.agency_id)
    return _on_visible(user, "consultation", Consultation) & ~kept_elsewhere


def _on_visible(user: Staff, field: str, model: type[Consultation | Case]) -> Q:
    """``field`` points at a ``model`` record the user may see — the model's own rules
    decide, no second copy of them here. Who sees every such record (a coordinator) gets
    "points at one", not an IN over the whole table: PostgreSQL re-scanned that per note
    (0.9 s for one case page at 2M notes, bench/load.py)."""
    granted = grant_filter(user, model, VIEW)
    if granted is None:
        return Q(pk__in=[])
    if not granted:
        return Q(**{f"{field}__isnull": False})
    if _FEW_CANDIDATES.get():
        pointed = model._default_manager.filter(granted, pk=OuterRef(field))
        return Q(Exists(pointed))
    return Q(**{f"{field}__in": model._default_manager.filter(granted).values("pk")})


_FEW_CANDIDATES: ContextVar[bool] = ContextVar("few_candidates", default=False)


@contextmanager
def few_candidates() -> Iterator[None]:
    """Querysets built inside test each candidate row's parent by its key (a correlated
    EXISTS) instead of listing every visible parent (IN) — the same rows either way (``field``
    is a foreign key; NULL matches neither form). For a query already narrowed to a few rows,
    the notes of one case, the IN made PostgreSQL hash every visible consultation and case
    first (0.3 s for an agency worker's case page at data set L); for a wide one, the
    full-text search over notes, IN is 2-3× faster, so it stays the default."""
    token = _FEW_CANDIDATES.set(True)
    try:
        yield
    finally:
        _FEW_CANDIDATES.reset(token)


@relation("intake.Consultation", "break_glass")
def _consultation_break_glass(user: Staff) -> Q:
    return _granted(user, "intake.consultation")


@relation("people.Household", "break_glass")
def _household_break_glass(user: Staff) -> Q:
    return _granted(user, "people.household")


@relation("people.Person", "break_glass")
def _person_break_glass(user: Staff) -> Q:
    # Opening a household in an emergency shows its members too.
    households = Household.objects.filter(_granted(user, "people.household"))
    members = Membership.objects.filter(household__in=households.values("pk"))
    return _granted(user, "people.person") | Q(pk__in=members.values("person_id"))


# --- 多機関協働: cases, tasks, meetings -----------------------------------------------------


@relation("cases.Case", "team_member_with_consent")
def _case_team_with_consent(user: Staff) -> Q:
    if user.agency_id is None:
        return _no_agency()
    on_team = TeamMember.objects.filter(
        case=OuterRef("pk"), agency_id=user.agency_id, end_on__isnull=True
    )
    return Q(consent="given") & Q(Exists(on_team))


@relation("cases.Case", "attendee_of_meeting_with_consent")
def _case_meeting_with_consent(user: Staff) -> Q:
    """A 重層的支援会議 or ケース会議 the user attends discussed it, with the person's consent."""
    discussed = AgendaItem.objects.filter(
        case=OuterRef("pk"), meeting__attendances__staff=user
    ).exclude(meeting__kind__in=CONFIDENTIAL)
    return Q(consent="given") & Q(Exists(discussed))


@relation("cases.Case", "pledged_attendee_of_support_meeting")
def _case_support_meeting(user: Staff) -> Q:
    """第106条の6: a 支援会議 (or 全体会) the user attended and pledged for discussed it —
    whatever the consent, since that is what the 支援会議 is for."""
    discussed = AgendaItem.objects.filter(
        case=OuterRef("pk"),
        meeting__kind__in=CONFIDENTIAL,
        meeting__attendances__staff=user,
        meeting__attendances__pledge__isnull=False,
    )
    return Q(Exists(discussed))


@relation("cases.Case", "break_glass")
def _case_break_glass(user: Staff) -> Q:
    return _granted(user, "cases.case")


@relation("notes.Note", "on_visible_case")
def _note_on_visible_case(user: Staff) -> Q:
    kept_elsewhere = Q(visibility=Visibility.OWN_AGENCY) & ~Q(agency_id=user.agency_id)
    return _on_visible(user, "case", Case) & ~kept_elsewhere


@relation("cases.Task", "owned_by_my_agency")
def _task_mine(user: Staff) -> Q:
    if user.agency_id is None:
        return _no_agency()
    return Q(owner_agency_id=user.agency_id) | Q(owner=user)


@relation("meetings.Meeting", "attendee")
def _meeting_attendee(user: Staff) -> Q:
    return Q(Exists(Attendance.objects.filter(meeting=OuterRef("pk"), staff=user)))


@relation("meetings.Meeting", "pledged_or_open_attendee")
def _meeting_materials(user: Staff) -> Q:
    pledged = Attendance.objects.filter(meeting=OuterRef("pk"), staff=user, pledge__isnull=False)
    attends = Attendance.objects.filter(meeting=OuterRef("pk"), staff=user)
    return Q(Exists(pledged)) | (~Q(kind__in=CONFIDENTIAL) & Q(Exists(attends)))


# --- アウトリーチ and 参加支援 ----------------------------------------------------------------


@relation("outreach.Engagement", "assigned_to_me")
def _engagement_mine(user: Staff) -> Q:
    assigned = Engagement.workers.through.objects.filter(engagement=OuterRef("pk"), staff=user)
    return Q(Exists(assigned))


@relation("participation.ParticipationPlan", "run_by_my_agency")
def _plan_of_my_agency(user: Staff) -> Q:
    if user.agency_id is None:
        return _no_agency()
    return Q(worker__agency_id=user.agency_id)


# --- 名寄せ (review queue and merge history) ----------------------------------------------


def _persons_in_my_scope(user: Staff) -> Q:
    """The persons the window sees in its daily work: registered or consulted by it."""
    return filter_of("people.Person", "registered_by_me")(user) | filter_of(
        "people.Person", "subject_of_my_consultations"
    )(user)


@relation("people.MatchReview", "both_persons_in_my_scope")
def _review_both_mine(user: Staff) -> Q:
    mine = Person.objects.filter(_persons_in_my_scope(user)).values("pk")
    return Q(person_a__in=mine) & Q(person_b__in=mine)


@relation("people.Merge", "survivor_in_my_scope")
def _merge_survivor_mine(user: Staff) -> Q:
    # After a merge every row of the merged record points at the survivor, so the survivor is
    # what the window still sees.
    return Q(survivor__in=Person.objects.filter(_persons_in_my_scope(user)).values("pk"))
