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

from tomoni.audit.log import Action, record
from tomoni.cases import actions
from tomoni.cases.models import (
    ENDED,
    Attainment,
    Case,
    ConsentState,
    GoalTerm,
    Plan,
    ReviewDecision,
    Stage,
    StageChange,
    Task,
    TeamRole,
)
from tomoni.directory.models import Agency, Domain, Staff
from tomoni.intake.actions import Route, take_consultation
from tomoni.intake.models import Consultation, Outcome, RouteKind
from tomoni.lib.bizdays import add_business_days
from tomoni.meetings import actions as meeting_actions
from tomoni.meetings.models import AgendaItem, Decision, Kind, Meeting
from tomoni.notes.actions import add_note
from tomoni.notes.models import NoteMethod, Visibility
from tomoni.people.models import Consent, Membership, Person

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
    "コーディネーターが世帯を訪問し、本人と母から現在の困りごとを聞き取った。",
    "関係機関と電話で情報共有。役割分担の案について意見をもらった。",
    "本人が自立相談支援機関の面談に来所した。次回は家計の整理から始める。",
    "母のケアマネジャーと同行訪問。介護サービスの利用が始まっている。",
)


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
        self.totals = {"cases": 0, "meetings": 0, "tasks": 0, "case_notes": 0}

    def agency(self, code: str, area_code: str | None = None) -> Agency:
        if code == "houkatsu":
            number = (area_code or "area1")[-1]
            return self.agencies[f"houkatsu{number}"]
        return self.agencies[code]

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
            for agency in Agency.objects.filter(attends_plenary=True).order_by("order"):
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
        self._assessment(coordinator, case)
        if target == Stage.ASSESSMENT:
            return case
        if target == Stage.SUSPENDED:
            actions.close_case(
                coordinator, case, kind="suspended", reason="本人が市外へ転出したため中断"
            )
            return case
        _move(coordinator, case, "draft")
        self._plan(coordinator, case, area)
        if target == Stage.DRAFT_PLAN:
            return case
        _move(coordinator, case, "to_meeting")
        if target == Stage.MEETING:
            return case
        self._decide(coordinator, case, area)
        if case.consent != ConsentState.GIVEN:
            # Without consent a 支援会議 agrees how to approach the family; no 支援決定.
            return case
        _move(coordinator, case, "decide")
        if target == Stage.DECIDED:
            return case
        _move(coordinator, case, "start")
        self._notes(case)
        if target == Stage.IN_SUPPORT:
            return case
        _move(coordinator, case, "evaluate")
        case.refresh_from_db()
        plan = case.plans.filter(approved_at__isnull=False).first() or case.plans.first()
        assert plan is not None
        closing = target == Stage.CLOSED
        actions.review_case(
            coordinator,
            case,
            on=min(case.opened_on + timedelta(days=150), date(2026, 11, 20)),
            decision=ReviewDecision.CLOSE if closing else ReviewDecision.CONTINUE,
            attainments={
                g.pk: (Attainment.ACHIEVED if closing else Attainment.PARTLY, "")
                for g in plan.goals.all()
            },
            changes="本人が週1回、自立相談支援機関の面談に通えるようになった。",
        )
        if closing:
            actions.close_case(
                coordinator,
                case,
                kind="closed",
                reason="課題が整理され、役割分担が定着したため。以後は主担当機関が支援を継続する。",
                handoff_agency=self.agency("jiritsu"),
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

    def _assessment(self, actor: Staff, case: Case) -> None:
        actions.save_assessment(
            actor,
            case,
            {
                "work_status": "not_working",
                "work": "本人は無職（5年以上）。母の年金で生活。",
                "housing": "owned",
                "insurance": "national",
                "pension_kind": "national",
                "pension": "母: 老齢基礎年金",
                "health": "本人は通院歴あり（現在は中断）。母は要介護1。",
                "income": "月額約10万円（母の年金）。",
                "debts": "公共料金の滞納が3か月分。",
                "relationships": "親族との行き来はない。近所の民生委員が気にかけている。",
                "strengths": "母子とも穏やかで、手紙には返事をくれる。本人はパソコンが得意。",
                "wishes": "母の介護を続けながら、自分にできる仕事を少しずつ探したい。",
                "supporters": "地域包括支援センター、民生児童委員",
            },
            version=None,
        )

    def _plan(self, actor: Staff, case: Case, area: str | None) -> None:
        actions.save_plan(
            actor,
            case,
            base=0,
            summary="母の介護と本人の生活再建を分けて支え、主担当機関へ引き継ぐ。",
            goals=[
                (GoalTerm.LONG, "親子がそれぞれ安心して地域で暮らし続けられる"),
                (GoalTerm.SHORT, "母の介護サービスの利用を安定させる"),
                (GoalTerm.SHORT, "本人が相談機関に月2回通えるようになる"),
            ],
            actions=[
                actions.PlannedAction(
                    "介護サービスの調整とケアマネジャーとの連携",
                    self.agency("houkatsu", area),
                    "地域包括",
                    case.opened_on + timedelta(days=60),
                ),
                actions.PlannedAction(
                    "家計の整理と就労準備の面談",
                    self.agency("jiritsu"),
                    "相談支援員",
                    case.opened_on + timedelta(days=90),
                ),
                actions.PlannedAction(
                    "本人への手紙と訪問の継続", self.agency("shakyo"), "アウトリーチ支援員", None
                ),
            ],
            refer_outreach=True,
            refer_participation=self.rng.random() < 0.5,
            review_on=case.opened_on + timedelta(days=180),
            terms=actions.PlanTerms(
                wishes="母の介護を続けながら、自分にできる仕事を少しずつ探したい。",
                period_start=case.opened_on + timedelta(days=20),
                period_end=case.opened_on + timedelta(days=200),
                # The person signed the 申込書 (a case still waiting for consent has not).
                consented_on=min(case.opened_on + timedelta(days=25), timezone.localdate())
                if case.consent == ConsentState.GIVEN
                else None,
            ),
        )

    def _decide(self, actor: Staff, case: Case, area: str | None) -> None:
        day = min(case.opened_on + timedelta(days=30), date(2026, 11, 20))
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
            day = timezone.localdate() - timedelta(days=7)
            meeting = self.meeting(
                Kind.SUPPORT, f"支援会議（{case.code}）", day, holders, convener=actor
            )
            item = meeting_actions.add_agenda_item(actor, meeting, case, purpose="関わり方の検討")
            meeting_actions.prepare_snapshot(
                actor,
                item,
                summary="ごみの堆積と近隣からの苦情。本人は支援機関の関与を望んでいない。",
                household_note=f"世帯員{case.household.memberships.count()}人。",
                question="誰が、どのように本人と接点をつくるか。",
            )
            _prepared_before(item, day)
            kind = Decision.Kind.WATCH
            text = "本人同意はないため、見守りと声かけの役割分担を決めた（第106条の6）。"
        late = self.rng.random() < 0.4
        meeting_actions.decide(
            actor,
            meeting,
            case,
            kind=kind,
            text=text,
            tasks=[
                meeting_actions.TaskSpec(
                    "母の介護サービス担当者会議を開く",
                    self.agency("houkatsu", area),
                    day + timedelta(days=14),
                    self.staff["houkatsu"] if area in (None, "area1") else None,
                ),
                meeting_actions.TaskSpec(
                    "本人あての手紙を届け、反応を共有する",
                    self.agency("window"),
                    date(2026, 11, 20) if late else date(2026, 12, 10),
                    self.staff["madoguchi"],
                ),
            ],
        )
        self.totals["tasks"] += 2

    def _notes(self, case: Case) -> None:
        team = set(case.team.filter(end_on__isnull=True).values_list("agency_id", flat=True))
        partner = self.staff["houkatsu"]
        may_write = partner.agency_id in team and case.consent == ConsentState.GIVEN
        for index, text in enumerate(CASE_NOTES[: self.rng.randint(2, 4)]):
            author = partner if index % 2 and may_write else (case.lead or self.coordinators[0])
            add_note(
                author,
                case,
                text=text,
                method=NoteMethod.HOME_VISIT if index % 2 == 0 else NoteMethod.PHONE,
                on=min(case.opened_on + timedelta(days=40 + 20 * index), date(2026, 11, 20)),
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
    ordered = [
        *base.filter(tags__code="8050", agency__code__startswith="houkatsu").order_by("pk")[:1],
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


def _from_houkatsu(worker: Staff, seen: Consultation) -> Consultation:
    links = list(seen.concern_links.select_related("concern"))
    return take_consultation(
        worker,
        method="home_visit",
        summary="8050世帯: 母の介護と、ひきこもりの長男の今後について多機関で検討してほしい",
        text="要介護認定の訪問を続ける中で、長男の生活と母亡き後の不安が大きくなっている。"
        "地域包括だけでは長男への支援が難しく、多機関協働での検討を依頼したい。",
        consent="given",
        received_at=seen.received_at + timedelta(days=21),
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
            done = _at(min(task.due_on, date(2026, 11, 24)), 11)
            Task.objects.filter(pk=task.pk).update(done_at=done)


def _backdate(cases: Sequence[Case]) -> None:
    """Actions stamp 'now'; spread each case's history over its real months instead."""
    for case in cases:
        changes = list(StageChange.objects.filter(case=case).order_by("pk"))
        step = timedelta(days=12)
        for index, change in enumerate(changes):
            at = min(_at(case.opened_on) + step * index, _at(date(2026, 11, 24)))
            StageChange.objects.filter(pk=change.pk).update(at=at)
        last = changes[-1] if changes else None
        if last is not None:
            stamp = min(_at(case.opened_on) + step * (len(changes) - 1), _at(date(2026, 11, 24)))
            Case.objects.filter(pk=case.pk).update(
                stage_changed_at=stamp, created_at=_at(case.opened_on)
            )
        Plan.objects.filter(case=case, approved_meeting__isnull=False).update(
            approved_at=_at(case.opened_on + timedelta(days=30), 16)
        )


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
        picked[index] = _from_houkatsu(staff["houkatsu"], eight_fifty)
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
    _backdate(made)
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
