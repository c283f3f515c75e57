"""Demo 多機関協働: cases in every stage, the meetings that moved them, and their tasks.

Built through the actions (so every rule the product enforces holds in the demo too), then
back-dated so the timeline reads like a year and a half of work. Among them: an 8050
household that a 地域包括支援センター asked about, a ダブルケア household, and a case without
consent that only a 支援会議 (第106条の6) discussed. Quarterly 支援会議(全体会) sessions over
two 年度 bring every participating agency together.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from tomoni import access
from tomoni.audit.log import Action, record
from tomoni.cases import actions
from tomoni.cases.models import (
    ENDED,
    Assessment,
    Attainment,
    Case,
    ConsentState,
    Plan,
    Review,
    ReviewDecision,
    Stage,
    StageChange,
    Task,
    TeamRole,
)
from tomoni.directory.merged import pickable
from tomoni.directory.models import Agency, Domain, Staff
from tomoni.intake.actions import Route, take_consultation
from tomoni.intake.models import Consultation, Outcome, RouteKind
from tomoni.lib.bizdays import add_business_days, is_business_day
from tomoni.meetings import actions as meeting_actions
from tomoni.meetings.models import AgendaItem, Decision, Kind, Meeting
from tomoni.notes.actions import add_note
from tomoni.notes.models import NoteMethod, Visibility
from tomoni.people.models import Consent, Membership, Person

from .caseplans import CasePlan
from .intake import story_of
from .jiritsu import agency_code

TOKYO = ZoneInfo("Asia/Tokyo")
CASES = 27
# The stage each demo case is left in, in order: every stage, the ended ones included.
TARGETS: tuple[str, ...] = (
    Stage.IN_SUPPORT,
    Stage.MEETING,
    Stage.ASSESSMENT,
    Stage.EVALUATION,
    Stage.CLOSED,
    Stage.DRAFT_PLAN,
    Stage.RECEIVED,
    Stage.DECIDED,
    Stage.SUSPENDED,
)
# Which agency holds a concern of each 分野 when the team splits the roles.
HOLDER: dict[str, str] = {
    Domain.ELDERLY: "houkatsu",
    Domain.DISABILITY: "shogai-soudan",
    Domain.CHILDREN: "kodomokatei",
    Domain.POVERTY: "jiritsu",
    Domain.HEALTH: "hokenjo",
    Domain.HOUSING: "jiritsu",
    Domain.EMPLOYMENT: "jiritsu",
    Domain.EDUCATION: "kyoiku",
    Domain.ADVOCACY: "kenri",
    Domain.CONSUMER: "shohi",
    Domain.OTHER: "window",
}
PLENARY_DAYS = (
    date(2025, 6, 18),
    date(2025, 9, 17),
    date(2025, 12, 17),
    date(2026, 3, 18),
    date(2026, 6, 17),
    date(2026, 9, 16),
)
CASE_NOTES = (
    "コーディネーターが世帯を訪問し、本人と家族から現在の困りごとを聞き取った。",
    "関係機関と電話で情報共有。役割分担の案について意見をもらった。",
    "プランの主担当機関と面談の様子を共有した。次回の訪問日を決めた。",
    "主担当機関の担当者と同行訪問。プランの支援が始まっている。",
)
# The last day the demo's cases moved (intake.UNTIL is the demo's "today").
LIMIT = date(2026, 11, 24)
# Days from one step of a case to the next, as a coordinator's months go: the stage each
# step moves the case to, and the day of the meeting that approves the plan.
MEETING_DAY = "meeting_day"
GAPS: tuple[tuple[str, int], ...] = (
    (Stage.ASSESSMENT, 14),
    (Stage.DRAFT_PLAN, 21),
    (Stage.MEETING, 7),
    (MEETING_DAY, 10),
    (Stage.DECIDED, 0),
    (Stage.IN_SUPPORT, 7),
    (Stage.EVALUATION, 120),
    (Stage.CLOSED, 0),
)
SUSPEND_AFTER = 30  # days from the assessment to 中断


def _business_day_back(day: date, floor: date) -> date:
    """The last business day on or before ``day``, but not before ``floor``."""
    while day > floor and not is_business_day(day):
        day -= timedelta(days=1)
    return max(day, floor)


def _timeline(opened: date, target: str) -> dict[str, date]:
    """The day of each step a case takes to reach ``target``: the usual gaps, squeezed
    (each in proportion) when the case opened too late for them to fit before ``LIMIT``.
    Every step falls on a business day, none before the one before it."""
    if target == Stage.SUSPENDED:
        steps: tuple[tuple[str, int], ...] = (GAPS[0], (Stage.SUSPENDED, SUSPEND_AFTER))
    else:
        names = [name for name, _ in GAPS]
        last = names.index(target) if target in names else -1
        steps = GAPS[: last + 1]
    room = (LIMIT - opened).days
    scale = min(1.0, room / max(1, sum(gap for _, gap in steps)))
    days = {Stage.RECEIVED.value: opened}
    day, elapsed = opened, 0
    for name, gap in steps:
        elapsed += gap
        day = _business_day_back(opened + timedelta(days=int(elapsed * scale)), day)
        days[str(name)] = day
    return days


def _at(day: date, hour: int = 14) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=TOKYO)


def _move(coordinator: Staff, case: Case, name: str) -> None:
    """A stage move as the coordinator makes it from the case page: at the version it has now."""
    case.refresh_from_db(fields=["version"])
    actions.move_case(coordinator, case, name, version=case.version)


class _Builder:
    def __init__(self, staff: dict[str, Staff], seed: int) -> None:
        self.rng = random.Random(seed + 4)
        self.staff = staff
        # The city's coordinator convenes the meetings; the 社協's (a 委託先) leads every
        # other case.
        self.coordinators = [staff["kyodo-city"], staff["kyodo"]]
        self.agencies = {a.code: a for a in Agency.objects.all()}
        self.meetings: list[Meeting] = []
        self.timelines: dict[int, dict[str, date]] = {}
        self.totals = {"cases": 0, "meetings": 0, "tasks": 0, "case_notes": 0}

    def agency(self, code: str, area_code: str | None = None) -> Agency:
        """The agency ``code``; "houkatsu" is the 地域包括支援センター of the 圏域 ``area_code``;
        "jiritsu" the window where the window is the 自立相談支援機関."""
        if code == "houkatsu":
            number = (area_code or "area1").removeprefix("area")
            return self.agencies[f"houkatsu{number}"]
        return self.agencies[agency_code(code)]

    def worker(self, agency: Agency) -> Staff | None:
        """The demo login of ``agency``, if it has one."""
        return next((s for s in self.staff.values() if s.agency_id == agency.pk), None)

    # -- meetings --------------------------------------------------------------------

    def meeting(
        self,
        kind: str,
        title: str,
        day: date,
        attendees: Sequence[Staff],
        convener: Staff | None = None,
    ) -> Meeting:
        coordinator = convener or self.coordinators[0]
        meeting = meeting_actions.schedule_meeting(
            coordinator,
            kind=kind,
            title=title,
            starts_at=_at(day),
            ends_at=_at(day, 16),
            place="稲城市役所 会議室" if kind != Kind.PLENARY else "ふれあいセンター 多目的室",
        )
        for person in attendees:
            assert person.agency is not None
            attendance = meeting_actions.add_attendee(
                coordinator, meeting, agency=person.agency, staff=person
            )
            # A meeting still ahead: the attendee pledged today, when they were invited.
            meeting_actions.record_pledge(
                person, attendance, signed_on=min(day, timezone.localdate())
            )
        self.meetings.append(meeting)
        self.totals["meetings"] += 1
        return meeting

    def plenaries(self) -> None:
        """支援会議(全体会): every agency that attends it, by name where it has no account."""
        accounts = [
            self.staff[u]
            for u in (
                "kyodo",
                "kyodo-city",
                "madoguchi",
                "houkatsu",
                "shogai",
                "outreach",
                "chiiki",
            )
        ]
        with_account = {s.agency_id for s in accounts}
        for number, day in enumerate(PLENARY_DAYS, start=1):
            meeting = self.meeting(Kind.PLENARY, f"支援会議（全体会）第{number}回", day, accounts)
            # The window's worker attends for the 自立相談支援機関 where the window is it.
            attending = pickable(Agency.objects.filter(attends_plenary=True))
            for agency in attending.order_by("order"):
                if agency.pk not in with_account:
                    meeting_actions.add_attendee(
                        self.coordinators[0],
                        meeting,
                        agency=agency,
                        name=f"{agency.short_name or agency.name} 担当者",
                    )
            meeting_actions.save_minutes(
                self.coordinators[0],
                meeting,
                "1. 業務紹介（持ち回り）\n2. 共有ケースの検討（個別の記録は議題ごと）\n"
                "3. グループワーク「狭間の相談をどう受け止めるか」\n4. 研修: 8050世帯への関わり方",
                version=meeting.version,
            )

    # -- one case --------------------------------------------------------------------

    def case(self, consultation: Consultation, target: str, *, consent: str) -> Case:
        coordinator = self.coordinators[self.totals["cases"] % 2]
        opener = consultation.receiver
        assert consultation.household is not None
        case = actions.open_case(
            opener,
            household=consultation.household,
            person=consultation.person,
            consultation=consultation,
            title=consultation.summary[:120],
            request_text=consultation.text[:400],
            tags=list(consultation.tags.all()),
            opened_on=consultation.received_at.astimezone(TOKYO).date(),
        )
        self.totals["cases"] += 1
        story = story_of(consultation.household)
        assert story is not None and story.plan is not None, consultation.summary
        plan = story.plan
        days = self.timelines[case.pk] = _timeline(case.opened_on, target)
        if case.lead_id is None:
            actions.take_lead(coordinator, case)
        area = (
            consultation.household.district.area.code if consultation.household.district else None
        )
        self._concerns(coordinator, case, consultation, area)
        self._team(coordinator, case)
        if target == Stage.RECEIVED:
            return case
        self._consents(coordinator, case, consent)
        case.refresh_from_db()
        _move(coordinator, case, "assess")
        self._assessment(coordinator, case, plan, days)
        if target == Stage.ASSESSMENT:
            return case
        if target == Stage.SUSPENDED:
            actions.close_case(
                coordinator,
                case,
                kind="suspended",
                reason="本人が市外へ転出したため中断",
                on=days[Stage.SUSPENDED],
            )
            return case
        _move(coordinator, case, "draft")
        self._plan(coordinator, case, area, plan, days)
        if target == Stage.DRAFT_PLAN:
            return case
        _move(coordinator, case, "to_meeting")
        if target == Stage.MEETING:
            return case
        self._decide(coordinator, case, area, plan, days)
        if case.consent != ConsentState.GIVEN:
            # Without consent a 支援会議 agrees how to approach the family; no 支援決定.
            return case
        _move(coordinator, case, "decide")
        if target == Stage.DECIDED:
            return case
        _move(coordinator, case, "start")
        self._notes(case, days)
        if target == Stage.IN_SUPPORT:
            return case
        _move(coordinator, case, "evaluate")
        case.refresh_from_db()
        written = case.plans.filter(approved_at__isnull=False).first() or case.plans.first()
        assert written is not None
        closing = target == Stage.CLOSED
        actions.review_case(
            coordinator,
            case,
            on=days[Stage.EVALUATION],
            decision=ReviewDecision.CLOSE if closing else ReviewDecision.CONTINUE,
            attainments={
                g.pk: (Attainment.ACHIEVED if closing else Attainment.PARTLY, "")
                for g in written.goals.all()
            },
            changes=plan.review,
        )
        if closing:
            actions.close_case(
                coordinator,
                case,
                kind="closed",
                reason="課題が整理され、役割分担が定着したため。以後は主担当機関が支援を継続する。",
                on=days[Stage.CLOSED],
                handoff_agency=self.agency(plan.handoff, area),
            )
        return case

    def _consents(self, actor: Staff, case: Case, consent: str) -> None:
        """Per person and purpose: the main person's answers, and in an 8050 household the
        son's refusal beside his mother's consent."""
        main = case.person
        if main is None:
            return
        S, M = Consent.Status, Consent.Method

        def say(person: Person, scope: str, status: str, method: str, note: str) -> None:
            actions.record_consent(
                actor,
                case,
                person,
                scope=scope,
                status=status,
                on=case.opened_on,
                method=method,
                note=note,
            )

        share, jusou = Consent.Scope.SHARE_WITH_AGENCIES, Consent.Scope.JUSOU_MEETING
        if consent != ConsentState.GIVEN:
            say(main, share, S.REFUSED, M.ORAL, "関係機関に知られたくないとの本人の意向")
        else:
            if case.consent != ConsentState.GIVEN:  # not already given at the window
                say(
                    main,
                    share,
                    S.GIVEN,
                    M.ORAL,
                    "支援チームの機関で、世帯の状況と支援の内容を共有する",
                )
            say(main, jusou, S.GIVEN, M.WRITTEN, "重層的支援会議で支援の内容を検討すること")
        if case.tags.filter(code="8050").exists():
            other = (
                Membership.current.filter(household=case.household)
                .exclude(person=main)
                .select_related("person")
                .order_by("pk")
                .first()
            )
            if other is not None:
                say(
                    other.person,
                    share,
                    S.REFUSED,
                    M.ORAL,
                    "家族の支援には協力するが、自分のことは共有しないでほしい",
                )

    def _concerns(
        self, actor: Staff, case: Case, consultation: Consultation, area: str | None
    ) -> None:
        members = list(Membership.current.filter(household=case.household).select_related("person"))
        links = list(consultation.concern_links.select_related("concern"))
        subject = consultation.person or (members[0].person if members else None)
        if subject is None or subject.pk not in {m.person_id for m in members}:
            return
        for index, link in enumerate(links):
            actions.set_concern(
                actor,
                case,
                person=subject,
                concern=link.concern,
                priority=1 if link.is_primary else 2,
                agency=self.agency(HOLDER[link.concern.domain], area),
            )
            if index == 0 and len(members) > 1:
                # The household's other side: e.g. the mother's care in an 8050 household.
                other = next(m.person for m in members if m.person_id != subject.pk)
                concern = links[-1].concern
                if concern.pk != link.concern.pk or len(links) == 1:
                    actions.set_concern(
                        actor,
                        case,
                        person=other,
                        concern=concern,
                        priority=2,
                        agency=self.agency(HOLDER[concern.domain], area),
                    )

    def _team(self, actor: Staff, case: Case) -> None:
        """役割分担: each agency holding a concern joins; the one with the ◎ concern leads."""
        holders: list[Agency] = []
        for item in case.concerns.select_related("agency").order_by("priority", "pk"):
            if item.agency is not None and item.agency not in holders:
                holders.append(item.agency)
        on_team = set(case.team.filter(end_on__isnull=True).values_list("agency_id", flat=True))
        for index, agency in enumerate(holders):
            if agency.pk in on_team:
                continue
            actions.add_team_member(
                actor,
                case,
                agency,
                role=TeamRole.LEAD if index == 0 else TeamRole.RELATED,
                start_on=case.opened_on,
            )

    def _assessment(self, actor: Staff, case: Case, plan: CasePlan, days: dict[str, date]) -> None:
        actions.save_assessment(
            actor,
            case,
            dict(plan.assessment),
            version=None,
            assessed_on=days[Stage.ASSESSMENT],
        )

    def _plan(
        self, actor: Staff, case: Case, area: str | None, plan: CasePlan, days: dict[str, date]
    ) -> None:
        # The plan runs from the meeting that approves it (planned, if not yet held).
        start = days.get(MEETING_DAY, days[Stage.DRAFT_PLAN] + timedelta(days=17))
        actions.save_plan(
            actor,
            case,
            base=0,
            summary=plan.summary,
            goals=list(plan.goals),
            actions=[
                actions.PlannedAction(
                    a.what,
                    self.agency(a.agency, area),
                    a.who,
                    start + timedelta(weeks=a.weeks) if a.weeks is not None else None,
                )
                for a in plan.actions
            ],
            refer_outreach=any(a.agency == "shakyo" for a in plan.actions),
            refer_participation=self.rng.random() < 0.5,
            review_on=start + timedelta(days=180),
            terms=actions.PlanTerms(
                wishes=plan.wishes,
                period_start=start,
                period_end=start + timedelta(days=180),
                # The person signed the 申込書 as the plan was written (a case still waiting
                # for consent has not).
                consented_on=days[Stage.DRAFT_PLAN] if case.consent == ConsentState.GIVEN else None,
                written_on=days[Stage.DRAFT_PLAN],
            ),
        )

    def _decide(
        self, actor: Staff, case: Case, area: str | None, plan: CasePlan, days: dict[str, date]
    ) -> None:
        day = days[MEETING_DAY]
        # The team's agencies attend (those with a demo account), with the coordinators.
        team = set(case.team.filter(end_on__isnull=True).values_list("agency_id", flat=True))
        holders = [
            s
            for s in (self.staff["houkatsu"], self.staff["madoguchi"], self.staff["shogai"])
            if s.agency_id in team
        ] + [self.coordinators[1]]
        if case.consent == ConsentState.GIVEN:
            meeting = self.meeting(
                Kind.JUSOU, f"重層的支援会議（{case.code}）", day, holders, convener=actor
            )
            meeting_actions.add_agenda_item(actor, meeting, case, purpose="プランの承認")
            kind = Decision.Kind.PLAN_APPROVAL
            text = "プラン案を承認。役割分担のとおり各機関が支援を開始する。"
        else:
            # A recent 支援会議, so its snapshot is still within the sharing period.
            day = _business_day_back(timezone.localdate() - timedelta(days=7), LIMIT)
            meeting = self.meeting(
                Kind.SUPPORT, f"支援会議（{case.code}）", day, holders, convener=actor
            )
            item = meeting_actions.add_agenda_item(actor, meeting, case, purpose="関わり方の検討")
            meeting_actions.prepare_snapshot(
                actor,
                item,
                summary=plan.watch or f"{case.title}。本人は支援機関の関与を望んでいない。",
                household_note=f"世帯員{case.household.memberships.count()}人。",
                question="誰が、どのように本人と接点をつくるか。",
            )
            _prepared_before(item, day)
            kind = Decision.Kind.WATCH
            text = "本人同意はないため、見守りと声かけの役割分担を決めた（第106条の6）。"
        tasks = []
        for task in plan.tasks:
            agency = self.agency(task.agency, area)
            due = day + timedelta(weeks=task.weeks)
            tasks.append(meeting_actions.TaskSpec(task.title, agency, due, self.worker(agency)))
        meeting_actions.decide(actor, meeting, case, kind=kind, text=text, tasks=tasks)
        self.totals["tasks"] += len(tasks)

    def _notes(self, case: Case, days: dict[str, date]) -> None:
        """Notes of the months of support, between its start and its review (or ``LIMIT``)."""
        team = set(case.team.filter(end_on__isnull=True).values_list("agency_id", flat=True))
        partner = self.staff["houkatsu"]
        may_write = partner.agency_id in team and case.consent == ConsentState.GIVEN
        texts = CASE_NOTES[: self.rng.randint(2, 4)]
        first = days[Stage.IN_SUPPORT]
        span = (days.get(Stage.EVALUATION, LIMIT) - first).days
        for index, text in enumerate(texts):
            author = partner if index % 2 and may_write else (case.lead or self.coordinators[0])
            add_note(
                author,
                case,
                text=text,
                method=NoteMethod.HOME_VISIT if index % 2 == 0 else NoteMethod.PHONE,
                on=first + timedelta(days=span * (index + 1) // (len(texts) + 1)),
                visibility=Visibility.SHARED,
            )
            self.totals["case_notes"] += 1


def _pick(limit: int) -> list[Consultation]:
    """Consultations that became cases: those the window sent to 多機関協働 first, then
    those of the city's situation households (8050, ダブルケア, ごみ屋敷 …), one per household."""
    picked: list[Consultation] = []
    seen: set[int] = set()
    base = Consultation.objects.filter(
        household__isnull=False, person__isnull=False
    ).select_related("household__district__area", "person", "receiver__agency")
    # The 8050 household the 地域包括支援センター asks about: one a centre consulted on (its
    # own 圏域's, as the intake routes them), else one of 第1圏域 (the demo login's centre
    # asks, as the guide says), else any.
    eight_fifty = base.filter(tags__code="8050").order_by("pk")
    ordered = [
        *eight_fifty.filter(agency__code__startswith="houkatsu")[:1],
        *eight_fifty.filter(household__district__area__code="area1")[:1],
        *eight_fifty[:1],
        *base.filter(tags__code="double-care").order_by("pk")[:1],
        *base.filter(outcome=Outcome.COLLABORATION).order_by("received_at", "pk"),
        *base.exclude(household__notes="").order_by("received_at", "pk"),
    ]
    for consultation in ordered:
        assert consultation.household_id is not None  # filtered above
        if consultation.household_id in seen or consultation.receiver.role not in (
            "window",
            "agency",
            "coordinator",
        ):
            continue
        seen.add(consultation.household_id)
        picked.append(consultation)
        if len(picked) >= limit:
            break
    return picked


def _from_houkatsu(builder: _Builder, seen: Consultation) -> Consultation:
    """The household's own 圏域's 地域包括支援センター asks 多機関協働 to take it on (when it
    knows the household: else the window's consultation stays the case's)."""
    assert seen.household is not None
    district = seen.household.district
    centre = builder.agency("houkatsu", district.area.code if district else None)
    worker = builder.worker(centre) or Staff.objects.get(username=f"demo-{centre.code}")
    if not access.can(worker, access.VIEW, seen.household):
        return seen
    links = list(seen.concern_links.select_related("concern"))
    return take_consultation(
        worker,
        method="home_visit",
        summary="8050世帯: 母の介護と、ひきこもりの長男の今後について多機関で検討してほしい",
        text="要介護認定の訪問を続ける中で、長男の生活と母亡き後の不安が大きくなっている。"
        "地域包括だけでは長男への支援が難しく、多機関協働での検討を依頼したい。",
        consent="given",
        received_at=_at(add_business_days(seen.received_at.astimezone(TOKYO).date(), 15), 10),
        person=seen.person,
        household=seen.household,
        concerns=[link.concern for link in links],
        primary=next((link.concern for link in links if link.is_primary), None),
        tags=list(seen.tags.all()),
        route=[Route(RouteKind.AGENCY, worker.agency, "介護認定の訪問時")],
        is_new=False,
    )


def _finish_tasks(builder: _Builder, cases: Sequence[Case]) -> None:
    """Work gets done: most tasks of cases well under way are finished (a few run late)."""
    under_way = {Stage.IN_SUPPORT, Stage.EVALUATION, Stage.CLOSED}
    for task in Task.objects.filter(case__in=[c.pk for c in cases]).select_related(
        "case", "owner", "owner_agency"
    ):
        assert task.case is not None
        if task.case.stage in under_way and builder.rng.random() < 0.8:
            actor = task.owner or builder.coordinators[0]
            actions.complete_task(actor, task)
            done = _at(min(task.due_on, LIMIT), 11)
            Task.objects.filter(pk=task.pk).update(done_at=done)


def _backdate(builder: _Builder, cases: Sequence[Case]) -> None:
    """Actions stamp 'now'; put each step of a case on the day its timeline gives it: the
    stage moves, the assessment, the plan as written and as approved, the review."""
    for case in cases:
        days = builder.timelines[case.pk]
        changes = list(StageChange.objects.filter(case=case).order_by("pk"))
        for change in changes:
            StageChange.objects.filter(pk=change.pk).update(at=_at(days[change.to_stage]))
        if changes:
            Case.objects.filter(pk=case.pk).update(
                stage_changed_at=_at(days[changes[-1].to_stage]), created_at=_at(case.opened_on)
            )
        if Stage.ASSESSMENT in days:
            Assessment.objects.filter(case=case).update(updated_at=_at(days[Stage.ASSESSMENT], 17))
        if Stage.DRAFT_PLAN in days:
            Plan.objects.filter(case=case).update(created_at=_at(days[Stage.DRAFT_PLAN], 17))
        if MEETING_DAY in days:
            Plan.objects.filter(case=case, approved_meeting__isnull=False).update(
                approved_at=_at(days[MEETING_DAY], 16)
            )
            Task.objects.filter(case=case).update(created_at=_at(days[MEETING_DAY], 16))
        if Stage.EVALUATION in days:
            Review.objects.filter(case=case).update(created_at=_at(days[Stage.EVALUATION], 17))


def _prepared_before(item: AgendaItem, day: date) -> None:
    """The coordinator prepares what the meeting is shown a few days before it."""
    AgendaItem.objects.filter(pk=item.pk).update(prepared_at=_at(day - timedelta(days=3), 17))


def load_cases(staff: dict[str, Staff], *, seed: int) -> dict[str, int]:
    """Runs inside ``load_city``'s transaction, after the consultations exist."""
    builder = _Builder(staff, seed)
    builder.plenaries()
    picked = _pick(CASES)
    eight_fifty = next((c for c in picked if c.tags.filter(code="8050").exists()), None)
    if eight_fifty is not None:
        # 支援機関向けの相談: the 地域包括支援センター itself asks 多機関協働 to take it on.
        index = picked.index(eight_fifty)
        picked[index] = _from_houkatsu(builder, eight_fifty)
    made: list[Case] = []
    no_consent_done = False
    for index, consultation in enumerate(picked):
        target = TARGETS[index % len(TARGETS)]
        consent = ConsentState.GIVEN
        if not no_consent_done and target in (Stage.IN_SUPPORT, Stage.DECIDED) and index > 0:
            consent, no_consent_done = ConsentState.NONE, True
        made.append(builder.case(consultation, target, consent=consent))
    # The 全体会 discusses a few shared cases each quarter (the no-consent one among them).
    made = list(Case.objects.filter(pk__in=[c.pk for c in made]).order_by("pk"))  # as they are now
    plenaries = builder.meetings[: len(PLENARY_DAYS)]
    shared = [c for c in made if c.stage not in ENDED and c.stage != Stage.RECEIVED]
    for case in shared[:8]:
        # The first 全体会 after the case opened.
        meeting = next((m for m in plenaries if m.starts_at.date() >= case.opened_on), None)
        if meeting is not None:
            item = meeting_actions.add_agenda_item(
                builder.coordinators[0], meeting, case, purpose="共有ケース"
            )
            meeting_actions.prepare_snapshot(
                builder.coordinators[0],
                item,
                summary=f"{case.title}（{case.get_stage_display()}）",
                household_note=f"世帯員{case.household.memberships.count()}人。",
                question="各機関から見た世帯の状況と、次の関わり方。",
            )
            _prepared_before(item, timezone.localdate(meeting.starts_at))
    _finish_tasks(builder, made)
    _backdate(builder, made)
    # Next week's 支援会議, not yet prepared: what 今日の仕事 and 「会議の議題に追加」 show.
    builder.meeting(
        Kind.SUPPORT,
        "支援会議（ケース検討）",
        add_business_days(timezone.localdate(), 4),
        [builder.staff["houkatsu"], builder.staff["madoguchi"]],
    )
    totals = builder.totals
    record(
        Action.BULK_LOAD,
        actor=None,
        username="tomoni demo",
        object_type="cases.case",
        detail={**totals, "seed": seed},
    )
    return totals
