"""Every URL pattern, walked (issue 14): anonymous visitors are sent to the login page, and a
staff member with no relation to the records gets the same 404 as for a missing record (403
only on an editor of something they may read, such as a place of the public catalog). Pages
without a record (lists, new forms) answer without an error and show none of the records.

A new URL pattern must be added to WALK (how to fill its arguments, which record guards it) or
to EXEMPT with its reason; the suite fails otherwise."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, cast

import pytest
from django.db.models import Model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tomoni import access
from tomoni.community.models import Council
from tomoni.directory.models import Area, Role, Staff

from .scenarios import World, make_world, one_of_each

# Names of pattern → why it is not walked.
EXEMPT: dict[str, str] = {
    "healthz": "public by design (load balancers); shows no data",
    "login": "public by design: the login page",
    "logout": "POST only; ends the caller's own session",
    "web:bench_floor": "the benchmark floor: shows the user's own agency name only",
}
EXEMPT_NAMESPACES = {"admin": "the Django admin: admin role only, covered by tests/test_admin.py"}


@dataclass(frozen=True)
class Target:
    """How to fill a pattern: ``kwargs`` from the records, and the record that guards it
    (None for pages without one). ``theirs``: the record is another user's own (a 2FA
    device), never the outsider's: 404 whatever the policy says."""

    kwargs: Callable[[dict[str, Model]], dict[str, Any]]
    guard: str | None = None
    theirs: bool = False


def _council_district(records: dict[str, Model]) -> dict[str, Any]:
    return {"code": cast(Council, records["community.Council"]).district.code}


def _pk(label: str, name: str = "pk") -> Target:
    return Target(lambda r: {name: r[label].pk}, guard=label)


def _with(label: str, **extra: Any) -> Target:
    return Target(lambda r: {"pk": r[label].pk, **extra}, guard=label)


def _none() -> Target:
    return Target(lambda r: {})


HOUSEHOLD, PERSON, CASE = "people.Household", "people.Person", "cases.Case"
MEETING, PLAN, PLACE = "meetings.Meeting", "participation.ParticipationPlan", "participation.Place"

WALK: dict[str, Target] = {
    "home": _none(),
    # The caller's own 2段階認証 pages; a device of somebody else is a 404.
    "accounts:two_factor": _none(),
    "accounts:verify": _none(),
    "accounts:totp_setup": _none(),
    "accounts:passkey_options": _none(),
    "accounts:passkey_register": _none(),
    "accounts:passkey_challenge": _none(),
    "accounts:passkey_verify": _none(),
    "accounts:recovery_codes": _none(),
    "accounts:remove": Target(
        lambda r: {"kind": "app", "pk": r["otp_totp.TOTPDevice"].pk}, theirs=True
    ),
    "web:program": Target(lambda r: {"slug": "consultation"}),
    "access:break_glass": _none(),
    "access:review_list": _none(),
    "access:review": _pk("access.BreakGlass"),
    "access:summary": _none(),
    "people:search": _none(),
    "people:household_new": _none(),
    "people:postal_lookup": _none(),  # no personal data; 400 without a code
    "people:household": _pk(HOUSEHOLD),
    "people:household_edit": _pk(HOUSEHOLD),
    "people:member_new": _pk(HOUSEHOLD),
    "people:membership_end": Target(
        lambda r: {"pk": r[HOUSEHOLD].pk, "membership_pk": r["people.Membership"].pk},
        guard=HOUSEHOLD,
    ),
    "people:household_relation_new": _pk(HOUSEHOLD),
    "people:genogram": _pk(HOUSEHOLD),
    "people:person_relation_new": _pk(PERSON),
    "people:relation_end": Target(
        lambda r: {"pk": r[PERSON].pk, "relation_pk": r["people.Relation"].pk}, guard=PERSON
    ),
    "ecomap:household": _pk(HOUSEHOLD),
    "ecomap:tie_new": _pk(HOUSEHOLD),
    "ecomap:tie_end": Target(
        lambda r: {"pk": r[HOUSEHOLD].pk, "tie_pk": r["ecomap.EcomapTie"].pk}, guard=HOUSEHOLD
    ),
    "attachments:new": Target(lambda r: {"slug": "person", "pk": r[PERSON].pk}, guard=PERSON),
    **{
        f"attachments:{view}": Target(
            lambda r: {"slug": "case", "pk": r["attachments.CaseAttachment"].pk}, guard=CASE
        )
        for view in ("detail", "download", "inline", "preview", "remove")
    },
    "people:person": _pk(PERSON),
    "people:person_edit": _pk(PERSON),
    "people:consent_new": _pk(PERSON),
    "people:consent_withdraw": Target(
        lambda r: {"pk": r[PERSON].pk, "consent_pk": r["people.Consent"].pk}, guard=PERSON
    ),
    "people:match_queue": _none(),
    "people:match_review": _pk("people.MatchReview"),
    "people:match_confirm": _pk("people.MatchReview"),
    "people:match_reject": _pk("people.MatchReview"),
    "people:merge_history": _none(),
    "people:merge_undo": _pk("people.Merge"),
    "intake:index": _none(),
    "intake:new": _none(),
    "intake:matches": _none(),
    "intake:choose": _none(),
    "intake:consultation": _pk("intake.Consultation"),
    "intake:outcome": _pk("intake.Consultation"),
    "intake:assign": _pk("intake.Consultation"),
    "intake:refer": _pk("intake.Consultation"),
    "intake:note_new": _pk("intake.Consultation"),
    "intake:referrals_in": _none(),
    "intake:referrals_out": _none(),
    "intake:referrals_overdue": _none(),
    "intake:referral": _pk("intake.Referral"),
    "intake:referral_move": _with("intake.Referral", action="accept"),
    "print:assessment": _pk(CASE),
    "print:assessment_pdf": _pk(CASE),
    "print:plan": _with(CASE, number=1),
    "print:plan_pdf": _with(CASE, number=1),
    "print:review": Target(
        lambda r: {"pk": r[CASE].pk, "review": r["cases.Review"].pk}, guard=CASE
    ),
    "print:review_pdf": Target(
        lambda r: {"pk": r[CASE].pk, "review": r["cases.Review"].pk}, guard=CASE
    ),
    "print:glance": _pk(CASE),
    "print:glance_pdf": _pk(CASE),
    "print:minutes": _pk(MEETING),
    "print:minutes_pdf": _pk(MEETING),
    "meetings:index": _none(),
    "meetings:new": _none(),
    "meetings:calendar_ics": _none(),
    "meetings:meeting": _pk(MEETING),
    "meetings:meeting_ics": _pk(MEETING),
    "meetings:pledge": _pk(MEETING),
    "meetings:paper_pledge": _pk(MEETING),
    "meetings:attendee_add": _pk(MEETING),
    "meetings:agenda_add": _pk(MEETING),
    "meetings:agenda_preview": _pk(MEETING),
    "meetings:agenda_from_case": _pk(CASE),
    "meetings:snapshot": Target(
        lambda r: {"pk": r[MEETING].pk, "item": r["meetings.AgendaItem"].pk}, guard=MEETING
    ),
    "meetings:minutes": _pk(MEETING),
    "meetings:decisions": _pk(MEETING),
    "cases:index": _none(),
    "cases:new": _none(),
    "cases:case": _pk(CASE),
    "cases:take_lead": _pk(CASE),
    "cases:move": _with(CASE, name="assess"),
    "cases:close": _pk(CASE),
    "cases:reopen": _pk(CASE),
    "cases:consent": _pk(CASE),
    "cases:consent_withdraw": _pk(CASE),
    "cases:team_add": _pk(CASE),
    "cases:team_end": Target(
        lambda r: {"pk": r[CASE].pk, "member": r["cases.TeamMember"].pk}, guard=CASE
    ),
    "cases:concern_add": _pk(CASE),
    "cases:concern_remove": Target(
        lambda r: {"pk": r[CASE].pk, "item": r["cases.CaseConcern"].pk}, guard=CASE
    ),
    "cases:tendency": _with(CASE, number=1),
    "cases:cooperation_add": _pk(CASE),
    "cases:note_new": _pk(CASE),
    "cases:assessment": _pk(CASE),
    "cases:assessment_edit": _pk(CASE),
    "cases:plan_new": _pk(CASE),
    "cases:plan": _with(CASE, number=1),
    "cases:review": _pk(CASE),
    "cases:tasks": _none(),
    "cases:task": _pk("cases.Task"),
    "cases:task_complete": _pk("cases.Task"),
    "participation:places": _none(),
    "participation:place_new": _none(),
    "participation:places_export": _none(),
    "participation:places_import": _none(),
    "participation:place": _pk(PLACE),
    "participation:place_edit": _pk(PLACE),
    "participation:plans": _none(),
    "participation:plan_new": _none(),
    "participation:plan": _pk(PLAN),
    "participation:plan_edit": _pk(PLAN),
    "participation:plan_end": _pk(PLAN),
    "participation:plan_pick": _pk(PLAN),
    "participation:match_trial": Target(lambda r: {"pk": r["participation.Match"].pk}, PLAN),
    "participation:match_settle": Target(lambda r: {"pk": r["participation.Match"].pk}, PLAN),
    "participation:match_drop": Target(lambda r: {"pk": r["participation.Match"].pk}, PLAN),
    "participation:match_follow_up": Target(lambda r: {"pk": r["participation.Match"].pk}, PLAN),
    "participation:place_participants": _pk(PLACE, "place_pk"),
    "outreach:index": _none(),
    "outreach:new": _none(),
    "outreach:engagement": _pk("outreach.Engagement"),
    "outreach:contact": _pk("outreach.Engagement"),
    "outreach:move": _with("outreach.Engagement", name="attempt"),
    "outreach:workers": _pk("outreach.Engagement"),
    "stats:dashboard": _none(),
    "stats:tendency_cases": Target(lambda r: {"fy": 2026, "number": 1}),
    "stats:drill": Target(
        lambda r: {
            "source": "dashboard",
            "fy": 2026,
            "table": "consultations",
            "row": 0,
            "column": 0,
        }
    ),
    "stats:targets": _none(),
    "stats:costs": _none(),
    "stats:report": _none(),
    "stats:export": Target(lambda r: {"fmt": "csv"}),
    "jiritsu:support": _pk("intake.Consultation"),
    "jiritsu:monthly": _none(),
    "jiritsu:benchmarks": _none(),
    "jiritsu:drill": Target(lambda r: {"fy": 2026, "month": 0, "key": "new"}),
    "jiritsu:export": Target(lambda r: {"fmt": "csv"}),
    "community:index": _none(),
    "community:area": Target(lambda r: {"code": Area.objects.order_by("pk")[0].code}),
    "community:district": Target(_council_district),
    "community:council_edit": Target(_council_district, guard="community.Council"),
    "community:member_new": Target(_council_district, guard="community.Council"),
    "community:member_edit": Target(
        lambda r: {"pk": r["community.CouncilMember"].pk}, guard="community.Council"
    ),
    "community:meeting_new": Target(_council_district, guard="community.Council"),
    "community:meeting": Target(
        lambda r: {"pk": r["community.CouncilMeeting"].pk}, guard="community.Council"
    ),
    "community:meeting_edit": Target(
        lambda r: {"pk": r["community.CouncilMeeting"].pk}, guard="community.Council"
    ),
    "community:activities": _none(),
    "community:activity_new": _none(),
    "community:activity": _pk("community.Activity"),
    "community:activity_edit": _pk("community.Activity"),
    "community:session_new": _pk("community.Activity"),
    "community:events": _none(),
    "community:event_new": _none(),
    "community:event": _pk("community.Event"),
    "community:event_edit": _pk("community.Event"),
    "community:programme_new": _pk("community.Event"),
    "community:group_new": _pk("community.Event"),
    "community:programme_print": _pk("community.Event"),
    "community:programme_pdf": _pk("community.Event"),
    "community:agencies": _none(),
}


def _patterns(resolver: URLResolver, namespace: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _patterns(entry, inner)
        elif entry.name:
            yield (f"{namespace}:{entry.name}" if namespace else entry.name), entry


def _all() -> dict[str, URLPattern]:
    return dict(_patterns(get_resolver()))


def test_every_pattern_is_walked_or_exempt_with_a_reason() -> None:
    names = {name for name in _all() if name.split(":")[0] not in EXEMPT_NAMESPACES}
    unknown = sorted(names - set(WALK) - set(EXEMPT))
    assert unknown == [], f"add these URL patterns to WALK or EXEMPT: {unknown}"
    stale = sorted((set(WALK) | set(EXEMPT)) - names)
    assert stale == [], f"these names no longer exist: {stale}"
    assert all(reason.strip() for reason in [*EXEMPT.values(), *EXEMPT_NAMESPACES.values()])


@pytest.fixture
def records(personas: dict[str, Staff], make_staff: Callable[..., Staff]) -> dict[str, Model]:
    """One record of every kind (and its derived records), none related to the outsider."""
    owner = make_staff(Role.AGENCY, "kenri")
    world: World = make_world(owner, make_staff)
    built = one_of_each(world)
    built["otp_totp.TOTPDevice"] = TOTPDevice.objects.create(user=owner, name="スマートフォン")
    return built


def _outsider(make_staff: Callable[..., Staff]) -> Staff:
    """An agency worker (教育委員会) with no relation to anything in the world."""
    return make_staff(Role.AGENCY, "kyoiku")


MARKERS = ("見本 太郎", "見本 花子", "テスト用の相談", "8050世帯の支援")


def _fetch(client: Client, url: str) -> Any:
    response = client.get(url)
    if response.status_code == 405:
        response = client.post(url, {})
    return response


NAMESPACES = sorted({name.split(":")[0] if ":" in name else "" for name in WALK})


def _in(namespace: str) -> list[str]:
    return sorted(n for n in WALK if (n.split(":")[0] if ":" in n else "") == namespace)


@pytest.mark.parametrize("namespace", NAMESPACES)
def test_anonymous_visitors_are_sent_to_login(
    namespace: str, records: dict[str, Model], client: Client
) -> None:
    """Every page of the namespace (one world built for all of them)."""
    wrong = []
    for name in _in(namespace):
        url = reverse(name, kwargs=WALK[name].kwargs(records))
        response = _fetch(client, url)
        location = response.get("Location", "")
        if response.status_code != 302 or not location.startswith(reverse("login")):
            wrong.append((url, response.status_code, location))
    assert wrong == []


@pytest.mark.parametrize("namespace", NAMESPACES)
def test_a_staff_member_without_a_relation_learns_nothing(
    namespace: str,
    records: dict[str, Model],
    make_staff: Callable[..., Staff],
    as_user: Callable[..., Client],
) -> None:
    """404 on every page guarded by a record they may not see (403 on an editor of a record
    they may read); no page shows any of the records."""
    outsider = _outsider(make_staff)
    client = as_user(outsider)
    wrong = []
    for name in _in(namespace):
        target = WALK[name]
        url = reverse(name, kwargs=target.kwargs(records))
        response = _fetch(client, url)
        status = response.status_code
        if status >= 500:
            wrong.append((url, status, "server error"))
            continue
        if target.theirs and status != 404:
            wrong.append((url, status, "another user's own record"))
        if target.guard is not None:
            readable = access.can(outsider, access.VIEW, records[target.guard])
            if (readable and status not in (200, 302, 403)) or (not readable and status != 404):
                wrong.append((url, status, "readable" if readable else "not readable"))
        body = response.content.decode(errors="replace") if status == 200 else ""
        shown = [marker for marker in MARKERS if marker in body]
        if shown:
            wrong.append((url, status, f"shows {shown}"))
    assert wrong == []
