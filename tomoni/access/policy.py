"""Who may do what to which record: one declarative table.

Each rule names a model, a role, a *relation* between the user and the record, and the
actions it grants. Each relation is one queryset filter (``relations.py``), so the same rule
serves list queries, single-object checks and the test that expands the table over HTTP.
New models add rows here and relations there; nothing else decides access.
"""

from __future__ import annotations

from dataclasses import dataclass

from tomoni.directory.roles import Role

VIEW = "view"
CHANGE = "change"
RESPOND = "respond"  # a referral's receiver: accept, decline, complete
WITHDRAW = "withdraw"  # a referral's sender: take it back
NOTE = "note"  # write 支援経過記録 on a case
MATERIALS = "materials"  # a meeting's agenda, minutes and decisions (pledge first, 第106条の6)


@dataclass(frozen=True)
class Rule:
    model: str  # app_label.ModelName
    role: str
    relation: str
    actions: frozenset[str]


def _rules(model: str, role: str, relation: str, *actions: str) -> Rule:
    return Rule(model, role, relation, frozenset(actions))


# Roles missing from a model's rows (manager, auditor, admin …) see none of its records.
#
# "city_wide" is the whole register for the city's own 多機関協働 coordinators. A coordinator
# employed by a contracted organisation (委託先, settings.TOMONI_CONTRACTOR_AGENCIES, e.g. the
# 社協) holds no "city_wide": under 個人情報保護法 a contractor gets what the contract needs —
# the consultations routed to 多機関協働 or assigned to them, the cases they are on or that wait
# for a coordinator, and the people in those (the rows marked 委託先 below).
RULES: tuple[Rule, ...] = (
    *(
        _rules(model, Role.COORDINATOR, "city_wide", VIEW, CHANGE)
        for model in ("people.Household", "people.Person", "intake.Consultation")
    ),
    *(  # 委託先
        _rules(model, Role.COORDINATOR, "in_my_collaboration", VIEW, CHANGE)
        for model in ("people.Household", "people.Person")
    ),
    _rules("intake.Consultation", Role.COORDINATOR, "collaboration_or_mine", VIEW, CHANGE),
    # The window and the agencies work as teams: they see the people their agency registered
    # or took a consultation about, and the consultations anyone at their agency took, so a
    # colleague on leave does not stop the follow-up (支援機関向けの相談 for agencies).
    *(
        rule
        for role in (Role.WINDOW, Role.AGENCY)
        for model in ("people.Household", "people.Person")
        for rule in (
            _rules(model, role, "registered_by_my_agency", VIEW, CHANGE),
            _rules(model, role, "subject_of_my_agency_consultations", VIEW, CHANGE),
        )
    ),
    *(
        _rules("intake.Consultation", role, "taken_by_my_agency", VIEW, CHANGE)
        for role in (Role.WINDOW, Role.AGENCY)
    ),
    # つなぎ: the receiving agency responds, the sending agency may withdraw; the receiver
    # sees what the referral shares, not the consultation behind it.
    _rules("intake.Referral", Role.COORDINATOR, "city_wide", VIEW),
    *(
        rule
        for role in (Role.COORDINATOR, Role.WINDOW, Role.AGENCY, Role.OUTREACH, Role.COMMUNITY)
        for rule in (
            _rules("intake.Referral", role, "addressed_to_my_agency", VIEW, RESPOND),
            _rules("intake.Referral", role, "sent_by_my_agency", VIEW, WITHDRAW),
        )
    ),
    # 支援経過記録 follow their consultation, minus notes another agency kept to itself.
    *(
        _rules("notes.Note", role, "on_visible_consultation", VIEW)
        for role in (Role.COORDINATOR, Role.WINDOW, Role.AGENCY)
    ),
    # 多機関協働 cases: the city's coordinators run them all; a contractor's coordinator the
    # ones they are on and the ones waiting for a coordinator. A team agency sees its cases
    # while the main person consents to sharing. Without consent the case stays with the
    # coordinators: a 支援会議 (第106条の6) shares the snapshot prepared for it, not the case.
    _rules("cases.Case", Role.COORDINATOR, "city_wide", VIEW, CHANGE, NOTE),
    _rules("cases.Case", Role.COORDINATOR, "on_my_case", VIEW, CHANGE, NOTE),  # 委託先
    _rules("cases.Case", Role.COORDINATOR, "waiting_for_a_coordinator", VIEW, CHANGE),  # 委託先
    # Outreach workers on a team see the case but, as DESIGN.md §5 says, not its notes.
    _rules("cases.Case", Role.OUTREACH, "team_member_with_consent", VIEW),
    *(
        _rules("cases.Case", role, "team_member_with_consent", VIEW, NOTE)
        for role in (Role.WINDOW, Role.AGENCY)
    ),
    *(
        _rules("cases.Case", role, "attendee_of_meeting_with_consent", VIEW)
        for role in (Role.WINDOW, Role.AGENCY, Role.OUTREACH)
    ),
    # 支援経過記録 on a case follow the case, minus other agencies' own-agency notes.
    *(
        _rules("notes.Note", role, "on_visible_case", VIEW)
        for role in (Role.COORDINATOR, Role.WINDOW, Role.AGENCY)
    ),
    # Tasks: the owning agency (and its named person) sees and completes them.
    _rules("cases.Task", Role.COORDINATOR, "city_wide", VIEW, CHANGE),
    _rules("cases.Task", Role.COORDINATOR, "on_my_case", VIEW, CHANGE),  # 委託先
    *(
        _rules("cases.Task", role, "owned_by_my_agency", VIEW, CHANGE)
        for role in (Role.COORDINATOR, Role.WINDOW, Role.AGENCY, Role.OUTREACH, Role.COMMUNITY)
    ),
    # Meetings: coordinators convene them; an attendee opens the meeting, and its materials
    # straight away (重層的支援会議・ケース会議) or, at a 支援会議 or 全体会, once pledged and
    # for settings.TOMONI_MEETING_SHARE_DAYS after the meeting (第106条の6: what the meeting
    # needs, for as long as it needs it).
    _rules("meetings.Meeting", Role.COORDINATOR, "city_wide", VIEW, CHANGE, MATERIALS),
    _rules("meetings.Meeting", Role.COORDINATOR, "convened_by_me", VIEW, CHANGE, MATERIALS),
    *(
        rule
        for role in (Role.COORDINATOR, Role.WINDOW, Role.AGENCY, Role.OUTREACH, Role.COMMUNITY)
        for rule in (
            _rules("meetings.Meeting", role, "attendee", VIEW),
            _rules("meetings.Meeting", role, "pledged_or_open_attendee", MATERIALS),
        )
    ),
    # アウトリーチ: coordinators and the assigned outreach workers.
    _rules("outreach.Engagement", Role.COORDINATOR, "city_wide", VIEW, CHANGE),
    _rules("outreach.Engagement", Role.COORDINATOR, "on_my_case", VIEW, CHANGE),  # 委託先
    *(
        _rules("outreach.Engagement", role, "assigned_to_me", VIEW, CHANGE)
        for role in (Role.COORDINATOR, Role.OUTREACH)
    ),
    # 参加支援: the catalog of places is a public directory every working role reads; the
    # community side keeps it. Plans and matches: coordinators, and the agency running them.
    *(
        _rules("participation.Place", role, "any", VIEW)
        for role in (Role.WINDOW, Role.AGENCY, Role.OUTREACH, Role.MANAGER)
    ),
    _rules("participation.Place", Role.COORDINATOR, "any", VIEW, CHANGE),
    _rules("participation.Place", Role.COMMUNITY, "any", VIEW, CHANGE),
    _rules("participation.ParticipationPlan", Role.COORDINATOR, "city_wide", VIEW, CHANGE),
    *(
        _rules("participation.ParticipationPlan", role, "run_by_my_agency", VIEW, CHANGE)
        for role in (Role.COORDINATOR, Role.OUTREACH, Role.COMMUNITY)
    ),
    # 統計: managers set the targets (KPI); coordinators read them beside the figures.
    _rules("stats.Target", Role.MANAGER, "any", VIEW, CHANGE),
    _rules("stats.Target", Role.COORDINATOR, "any", VIEW),
    # The cost sheet (事業費) likewise: the manager enters it, coordinators read it.
    _rules("stats.Cost", Role.MANAGER, "any", VIEW, CHANGE),
    _rules("stats.Cost", Role.COORDINATOR, "any", VIEW),
    # 生活困窮の目安値 (人口 and targets per 100,000 for the monthly sheet): the manager sets
    # them; coordinators and the window (the 自立相談支援機関) read them beside their figures.
    _rules("jiritsu.Benchmark", Role.MANAGER, "any", VIEW, CHANGE),
    *(_rules("jiritsu.Benchmark", role, "any", VIEW) for role in (Role.COORDINATOR, Role.WINDOW)),
    # 名寄せ: coordinators review and merge across the register; the 総合窓口 window only
    # pairs where it sees both persons in its daily work (break-glass does not count). The
    # history of a merge follows the surviving record. Agencies and others: nothing (404).
    _rules("people.MatchReview", Role.COORDINATOR, "city_wide", VIEW, CHANGE),
    _rules("people.MatchReview", Role.WINDOW, "both_persons_in_my_scope", VIEW, CHANGE),
    _rules("people.Merge", Role.COORDINATOR, "city_wide", VIEW, CHANGE),
    _rules("people.Merge", Role.WINDOW, "survivor_in_my_scope", VIEW, CHANGE),
    # 地域づくり (協議体, 地域の取組, 催し): community records without personal data. Every
    # working role reads them; the community side and coordinators keep them.
    *(
        _rules(model, role, "any", VIEW)
        for model in ("community.Council", "community.Activity", "community.Event")
        for role in (Role.WINDOW, Role.AGENCY, Role.OUTREACH, Role.MANAGER)
    ),
    *(
        _rules(model, role, "any", VIEW, CHANGE)
        for model in ("community.Council", "community.Activity", "community.Event")
        for role in (Role.COORDINATOR, Role.COMMUNITY)
    ),
    # The 監査担当 reviews every break-glass grant (and only that, besides the audit log).
    _rules("access.BreakGlass", Role.AUDITOR, "any", VIEW, CHANGE),
    # Break-glass (緊急閲覧): read only, while the grant lasts, for the roles that do casework.
    # Managers, auditors and administrators never work on a case, so they never break the glass.
    *(
        _rules(model, role, "break_glass", VIEW)
        for model in ("people.Household", "people.Person", "intake.Consultation", "cases.Case")
        for role in (Role.WINDOW, Role.AGENCY, Role.OUTREACH, Role.COORDINATOR)
    ),
)

# Derived from the table, never written again: which records may be opened by break-glass,
# and by whom.
BREAKABLE: frozenset[str] = frozenset(r.model for r in RULES if r.relation == "break_glass")
BREAK_GLASS_ROLES: frozenset[str] = frozenset(r.role for r in RULES if r.relation == "break_glass")

# Records that belong to another record follow it: whoever may view (change) the household
# may view (change) its memberships, and so on.
DERIVED: dict[str, tuple[str, str]] = {
    "people.Membership": ("household", "people.Household"),
    "people.Consent": ("person", "people.Person"),
    "people.Relation": ("from_person", "people.Person"),
    "cases.StageChange": ("case", "cases.Case"),
    "cases.TeamMember": ("case", "cases.Case"),
    "cases.CaseConcern": ("case", "cases.Case"),
    "cases.Cooperation": ("case", "cases.Case"),
    "cases.Assessment": ("case", "cases.Case"),
    "cases.Plan": ("case", "cases.Case"),
    "cases.PlanGoal": ("plan", "cases.Plan"),
    "cases.PlanAction": ("plan", "cases.Plan"),
    "cases.Review": ("case", "cases.Case"),
    "cases.GoalReview": ("review", "cases.Review"),
    "cases.Closure": ("case", "cases.Case"),
    # The tendencies stored per case (their reasons name ages, concerns and agencies): read
    # as the case is — on its page, and in the lists behind the figures.
    "cases.CaseTendencies": ("case", "cases.Case"),
    "meetings.AgendaItem": ("meeting", "meetings.Meeting"),
    "meetings.Attendance": ("meeting", "meetings.Meeting"),
    "meetings.Pledge": ("attendance", "meetings.Attendance"),
    "meetings.Decision": ("meeting", "meetings.Meeting"),
    "outreach.EngagementStep": ("engagement", "outreach.Engagement"),
    "outreach.Contact": ("engagement", "outreach.Engagement"),
    "participation.Match": ("plan", "participation.ParticipationPlan"),
    "participation.Trial": ("match", "participation.Match"),
    "participation.FollowUp": ("match", "participation.Match"),
    "community.CouncilMember": ("council", "community.Council"),
    "community.CouncilMeeting": ("council", "community.Council"),
    "community.ActivitySession": ("activity", "community.Activity"),
    "community.ProgrammeItem": ("event", "community.Event"),
    "community.EventGroup": ("event", "community.Event"),
    # The household at a glance (issue 19): ties follow the household, files their parent.
    "ecomap.EcomapTie": ("household", "people.Household"),
    "attachments.PersonAttachment": ("person", "people.Person"),
    "attachments.ConsultationAttachment": ("consultation", "intake.Consultation"),
    "attachments.CaseAttachment": ("case", "cases.Case"),
    # 自立相談支援の記録 follows its consultation (who records it: jiritsu.actions).
    "jiritsu.Support": ("consultation", "intake.Consultation"),
}

# Where seeing the child needs more than seeing the parent: a meeting's agenda and decisions
# are its materials, which a 支援会議 attendee opens only after pledging.
DERIVED_ACTIONS: dict[str, dict[str, str]] = {
    "meetings.AgendaItem": {VIEW: MATERIALS},
    "meetings.Decision": {VIEW: MATERIALS},
    # A case's documents (診断書, 同意書) are read like its notes: not by outreach workers nor
    # by attendees of a meeting that discussed the case, who see the case but not its notes.
    "attachments.CaseAttachment": {VIEW: NOTE, CHANGE: NOTE},
    # 関係機関との連携 (退院支援, 受診同行 …) are kept like notes: recorded by those who write
    # the case's notes (its coordinators and, with consent, the team agencies that did them),
    # read by them alone; its メモ may be as personal as a note.
    "cases.Cooperation": {VIEW: NOTE, CHANGE: NOTE},
}

# What a page shows of a household member the viewer may not open on their own, by the record
# the member is seen through (access.members). The 世帯構成 of the MHLW forms — 続柄, name,
# age, sex, when they joined — for those who work with the household (its page, its case team,
# the outreach workers visiting it); only 続柄, age and sex for a participation plan, which is
# about one person. Never the birth date, phone, notes, consents or other records, never a link
# or an edit: those need the person record itself.
_COMPOSITION = frozenset({"relationship", "name", "age", "sex", "dates"})
MEMBER_FIELDS: dict[str, frozenset[str]] = {
    "people.Household": _COMPOSITION,
    "cases.Case": _COMPOSITION,
    "outreach.Engagement": _COMPOSITION,
    "participation.ParticipationPlan": frozenset({"relationship", "age", "sex"}),
}

# Who may register new records of a model (there is no record yet to relate to).
CREATE: dict[str, frozenset[str]] = {
    "people.Household": frozenset({Role.COORDINATOR, Role.WINDOW, Role.AGENCY}),
    "people.Person": frozenset({Role.COORDINATOR, Role.WINDOW, Role.AGENCY}),
    "intake.Consultation": frozenset({Role.COORDINATOR, Role.WINDOW, Role.AGENCY}),
    # The window escalates (多機関協働へ), an agency asks (支援機関向けの相談); a coordinator
    # leads. Only coordinators convene meetings.
    "cases.Case": frozenset({Role.COORDINATOR, Role.WINDOW, Role.AGENCY}),
    "meetings.Meeting": frozenset({Role.COORDINATOR}),
    "outreach.Engagement": frozenset({Role.COORDINATOR, Role.OUTREACH}),
    "participation.Place": frozenset({Role.COORDINATOR, Role.COMMUNITY}),
    "participation.ParticipationPlan": frozenset({Role.COORDINATOR, Role.OUTREACH, Role.COMMUNITY}),
    "community.Council": frozenset({Role.COORDINATOR, Role.COMMUNITY}),
    "community.Activity": frozenset({Role.COORDINATOR, Role.COMMUNITY}),
    "community.Event": frozenset({Role.COORDINATOR, Role.COMMUNITY}),
    "stats.Target": frozenset({Role.MANAGER}),
    "stats.Cost": frozenset({Role.MANAGER}),
    "jiritsu.Benchmark": frozenset({Role.MANAGER}),
}

# 統計 (figures, never records): which figures a role's dashboard shows. "all": every figure,
# small numbers shown, drill-down to the cases the user may see; "aggregate": every figure,
# small numbers suppressed, no drill-down (managers); "own_agency": only the consultations
# and referrals of the user's own agency, suppressed. Roles missing here get 404.
STATS_SCOPE: dict[str, str] = {
    Role.COORDINATOR: "all",
    Role.MANAGER: "aggregate",
    Role.AGENCY: "own_agency",
}

# Models whose records are personal data: every read of one goes through this module.
PERSONAL_MODELS: frozenset[str] = frozenset(
    {
        "people.Household",
        "people.Person",
        "people.Membership",
        "people.Relation",
        "people.Consent",
        "people.MatchReview",
        "people.Merge",
        "intake.Consultation",
        "intake.Referral",
        "notes.Note",
        "fulltext.SearchDocument",
        "cases.Case",
        "cases.StageChange",
        "cases.TeamMember",
        "cases.CaseConcern",
        "cases.Cooperation",
        "cases.Assessment",
        "cases.Plan",
        "cases.PlanGoal",
        "cases.PlanAction",
        "cases.Review",
        "cases.GoalReview",
        "cases.Closure",
        "cases.CaseTendencies",
        "cases.Task",
        "meetings.Meeting",
        "meetings.AgendaItem",
        "meetings.Attendance",
        "meetings.Pledge",
        "meetings.Decision",
        "outreach.Engagement",
        "outreach.EngagementStep",
        "outreach.Contact",
        "participation.ParticipationPlan",
        "participation.Match",
        "participation.Trial",
        "participation.FollowUp",
        "access.BreakGlass",  # the reason may name a person or their situation
        "ecomap.EcomapTie",
        "attachments.PersonAttachment",
        "attachments.ConsultationAttachment",
        "attachments.CaseAttachment",
        "jiritsu.Support",
    }
)


def _index() -> dict[tuple[str, str, str], tuple[Rule, ...]]:
    index: dict[tuple[str, str, str], list[Rule]] = {}
    for rule in RULES:
        for action in rule.actions:
            index.setdefault((rule.model, rule.role, action), []).append(rule)
    return {key: tuple(rules) for key, rules in index.items()}


_BY_KEY = _index()


def rules_for(model: str, role: str, action: str) -> tuple[Rule, ...]:
    """The rules granting ``action`` on ``model`` to ``role``, in table order."""
    return _BY_KEY.get((model, role, action), ())
