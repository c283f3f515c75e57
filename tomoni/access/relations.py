"""The relations named in the policy table, one queryset filter each.

Imported by ``AccessConfig.ready`` (it needs every app's models); each ``@relation`` registers
its filter in ``registry``, where the engine finds it.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from tomoni.cases.models import ENDED, Case, TeamMember
from tomoni.directory.models import Staff
from tomoni.intake.models import Consultation, Outcome
from tomoni.meetings.models import CONFIDENTIAL, AgendaItem, Attendance
from tomoni.notes.models import Visibility
from tomoni.outreach.models import Engagement
from tomoni.people.models import Household, Membership, Person

from .engine import FEW_CANDIDATES, grant_filter
from .models import BreakGlass
from .policy import VIEW
from .registry import filter_of, relation


@relation("participation.Place", "any")
@relation("stats.Target", "any")
@relation("stats.Cost", "any")
@relation("jiritsu.Benchmark", "any")
@relation("community.Council", "any")
@relation("community.Activity", "any")
@relation("community.Event", "any")
@relation("access.BreakGlass", "any")
def _everything(user: Staff) -> Q:
    return Q()


def is_contractor(user: Staff) -> bool:
    """Works for a contracted organisation (委託先): settings.TOMONI_CONTRACTOR_AGENCIES."""
    codes = settings.TOMONI_CONTRACTOR_AGENCIES
    if not codes or user.agency_id is None:
        return False
    return user.agency is not None and user.agency.code in codes


@relation("people.Household", "city_wide")
@relation("people.Person", "city_wide")
@relation("people.MatchReview", "city_wide")
@relation("people.Merge", "city_wide")
@relation("intake.Consultation", "city_wide")
@relation("intake.Referral", "city_wide")
@relation("cases.Case", "city_wide")
@relation("cases.Task", "city_wide")
@relation("meetings.Meeting", "city_wide")
@relation("outreach.Engagement", "city_wide")
@relation("participation.ParticipationPlan", "city_wide")
def _city_wide(user: Staff) -> Q:
    """Every record, for the city's own staff; nothing for a contractor's."""
    return _no_agency() if is_contractor(user) else Q()


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


@relation("intake.Consultation", "collaboration_or_mine")
def _consultation_collaboration_or_mine(user: Staff) -> Q:
    """委託先: routed to 多機関協働 (「多機関協働へ」), or taken by or assigned to the user."""
    return _collaboration_or_mine(user)


def _collaboration_or_mine(user: Staff) -> Q:
    return Q(outcome=Outcome.COLLABORATION) | Q(receiver=user) | Q(assignee=user)


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
    if FEW_CANDIDATES.get():
        pointed = model._default_manager.filter(granted, pk=OuterRef(field))
        return Q(Exists(pointed))
    return Q(**{f"{field}__in": model._default_manager.filter(granted).values("pk")})


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


@relation("cases.Case", "on_my_case")
def _case_mine(user: Staff) -> Q:
    """委託先: the user leads it, or the user's agency is on its team now."""
    return _my_cases(user)


def _my_cases(user: Staff) -> Q:
    if user.agency_id is None:
        return Q(lead=user)
    on_team = TeamMember.objects.filter(
        case=OuterRef("pk"), agency_id=user.agency_id, end_on__isnull=True
    )
    return Q(lead=user) | Q(Exists(on_team))


@relation("cases.Case", "waiting_for_a_coordinator")
def _case_waiting(user: Staff) -> Q:
    """An open case nobody leads yet: the 多機関協働 desk takes it, whoever employs them."""
    return Q(lead__isnull=True) & ~Q(stage__in=ENDED)


@relation("cases.Task", "on_my_case")
def _task_on_my_case(user: Staff) -> Q:
    return Q(case__in=Case.objects.filter(_my_cases(user)).values("pk"))


@relation("outreach.Engagement", "on_my_case")
def _engagement_on_my_case(user: Staff) -> Q:
    return Q(case__in=Case.objects.filter(_my_cases(user)).values("pk"))


@relation("people.Household", "in_my_collaboration")
def _household_in_my_collaboration(user: Staff) -> Q:
    """委託先: households of the cases the user is on or that wait for a coordinator, of the
    consultations routed to 多機関協働 or the user's own, and those the user registered."""
    cases = Case.objects.filter(_my_cases(user) | _case_waiting(user)).values("household_id")
    consultations = Consultation.objects.filter(_collaboration_or_mine(user)).values("household_id")
    return Q(created_by=user) | Q(pk__in=cases) | Q(pk__in=consultations)


@relation("people.Person", "in_my_collaboration")
def _person_in_my_collaboration(user: Staff) -> Q:
    households = Household.objects.filter(_household_in_my_collaboration(user)).values("pk")
    members = Membership.objects.filter(person=OuterRef("pk"), household__in=households)
    consultations = Consultation.objects.filter(_collaboration_or_mine(user)).values("person_id")
    return Q(created_by=user) | Q(Exists(members)) | Q(pk__in=consultations)


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
    """A 重層的支援会議 or ケース会議 the user attends; a 支援会議 or 全体会 the user attends
    and pledged for, until TOMONI_MEETING_SHARE_DAYS after it (then 404: 第106条の6 shares
    what the meeting needs, it does not make the attendee a member of the case team)."""
    pledged = Attendance.objects.filter(meeting=OuterRef("pk"), staff=user, pledge__isnull=False)
    attends = Attendance.objects.filter(meeting=OuterRef("pk"), staff=user)
    since = timezone.now() - timedelta(days=settings.TOMONI_MEETING_SHARE_DAYS)
    return (Q(Exists(pledged)) & Q(starts_at__gte=since)) | (
        ~Q(kind__in=CONFIDENTIAL) & Q(Exists(attends))
    )


@relation("meetings.Meeting", "convened_by_me")
def _meeting_convened_by_me(user: Staff) -> Q:
    return Q(convened_by=user)


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
    """The persons the window sees in its daily work: registered or consulted by its agency."""
    return filter_of("people.Person", "registered_by_my_agency")(user) | filter_of(
        "people.Person", "subject_of_my_agency_consultations"
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
