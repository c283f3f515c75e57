"""A household's エコマップ as plain data, read through the access policy.

The lines come from the records that already say who supports the household: the case
team (主担当 and 関係機関), referrals an agency has accepted, an open アウトリーチ, and 参加支援
places being tried or settled; then the informal supporters the worker added. A stored
:class:`EcomapTie` for an agency or a place gives its line the worker's strength and
direction; otherwise a default follows from the record (主担当 強い, a trial 弱い …).
Everything is filtered by ``tomoni.access``: a viewer sees the lines of the cases, referrals
and plans they may see.
"""

from __future__ import annotations

from datetime import date

from tomoni import access
from tomoni.cases.models import ENDED, Case, TeamMember, TeamRole
from tomoni.directory.models import Agency, Staff
from tomoni.intake.models import Referral
from tomoni.outreach.models import FINISHED, Engagement
from tomoni.participation.models import Match, ParticipationPlan
from tomoni.people.family import FamilyData

from .layout import BOTH, NORMAL, STRONG, TO_FAMILY, WEAK, Centre, Node
from .models import EcomapTie


def _agency_name(agency: Agency) -> str:
    return agency.short_name or agency.name


def centre_of(family: FamilyData) -> Centre:
    """The household in the middle: one line per member living there (本人 first)."""
    lines = []
    living = sorted(
        (k for k in family.people if k.lives_here),
        key=lambda k: (not k.is_subject, k.seniority is None, k.seniority or date.max, k.id),
    )
    for kin in living:
        label = family.labels.get(kin.id, "")
        age = "" if kin.age is None else f" {kin.age}歳"
        given = kin.name.split(" ", 1)[-1]
        lines.append(f"{label} {given}{age}".strip())
    family_name = living[0].name.split(" ", 1)[0] if living else ""
    return Centre(f"{family_name}さん世帯" if family_name else "世帯", tuple(lines[:8]))


def nodes_of(user: Staff, family: FamilyData) -> list[Node]:
    household = family.household
    members = [k.id for k in family.people if k.lives_here]
    label = family.labels
    nodes: dict[str, Node] = {}

    cases = access.visible(user, Case).filter(household=household).exclude(stage__in=ENDED)
    team = (
        access.visible(user, TeamMember)
        .filter(case__in=cases.values("pk"), end_on__isnull=True)
        .select_related("agency")
        .order_by("role", "pk")
    )
    for member in team:
        key = f"agency:{member.agency_id}"
        lead = member.role == TeamRole.LEAD
        nodes.setdefault(
            key,
            Node(
                key,
                "agency",
                _agency_name(member.agency),
                member.get_role_display(),
                STRONG if lead else NORMAL,
                BOTH,
            ),
        )
    referrals = (
        access.visible(user, Referral)
        .filter(consultation__household=household, state=Referral.State.ACCEPTED)
        .select_related("to_agency")
        .order_by("pk")
    )
    for referral in referrals:
        key = f"agency:{referral.to_agency_id}"
        nodes.setdefault(
            key,
            Node(key, "agency", _agency_name(referral.to_agency), "つなぎ先", NORMAL, TO_FAMILY),
        )
    engagements = (
        access.visible(user, Engagement)
        .filter(household=household)
        .exclude(stage__in=FINISHED)
        .prefetch_related("workers__agency")
        .order_by("pk")
    )
    for engagement in engagements:
        agency = next((w.agency for w in engagement.workers.all() if w.agency), None)
        if agency is not None:
            key = f"agency:{agency.pk}"
            nodes.setdefault(
                key, Node(key, "agency", _agency_name(agency), "アウトリーチ", NORMAL, TO_FAMILY)
            )
    plans = (
        access.visible(user, ParticipationPlan)
        .filter(person__in=members)
        .exclude(status=ParticipationPlan.Status.ENDED)
    )
    matches = (
        access.visible(user, Match)
        .filter(plan__in=plans.values("pk"), state__in=[Match.State.TRIAL, Match.State.SETTLED])
        .select_related("place", "plan")
        .order_by("pk")
    )
    for match in matches:
        key = f"place:{match.place_id}"
        settled = match.state == Match.State.SETTLED
        nodes.setdefault(
            key,
            Node(
                key,
                "place",
                match.place.name,
                f"参加支援（{match.get_state_display()}）",
                NORMAL if settled else WEAK,
                BOTH,
                label.get(match.plan.person_id, ""),
            ),
        )
    ties = (
        access.visible(user, EcomapTie)
        .filter(household=household, end_on__isnull=True)
        .select_related("agency", "place")
        .order_by("pk")
    )
    for tie in ties:
        key = (
            f"agency:{tie.agency_id}"
            if tie.agency_id
            else f"place:{tie.place_id}"
            if tie.place_id
            else f"informal:{tie.pk}"
        )
        base = nodes.get(key)
        detail = (
            base.detail
            if base
            else (
                tie.get_informal_kind_display()
                if tie.kind == "informal"
                else tie.get_kind_display()
            )
        )
        who = label.get(tie.person_id, "") if tie.person_id else (base.member if base else "")
        nodes[key] = Node(key, tie.kind, tie.label, detail, tie.strength, tie.direction, who)
    return list(nodes.values())
