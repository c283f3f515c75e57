"""The five tendency rules as pure functions over generated facts (no database): each fires
exactly when DOMAIN.md §2's condition holds under the thresholds given, a 全体会 listing counts
for neither ④ nor ⑤, more facts never take a firing away, higher thresholds never add one, and
every result explains itself."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from tomoni.cases.models import CooperationKind
from tomoni.cases.tendency_rules import (
    ELDERLY_CARE_AGENCIES,
    LABELS,
    NOT_ABOUT_THE_CASE,
    PROCEDURE_CONCERNS,
    SYSTEM_DOMAINS,
    AgencyFact,
    ConcernFact,
    ConsultationFact,
    CooperationFact,
    Facts,
    Limits,
    MeetingFact,
    PersonFact,
    five,
    four,
    judge,
    one,
    three,
    two,
    with_overrides,
)
from tomoni.directory.models import Domain
from tomoni.lib.wareki import age_on
from tomoni.meetings.models import Kind

OPENED = date(2025, 6, 15)

# A few real concerns (code, name, domain) from the master data, procedures and systems among them.
CONCERNS = [
    ("procedures", "手続き困難", Domain.OTHER),
    ("tax-bills", "税金・公共料金", Domain.POVERTY),
    ("debt", "債務", Domain.POVERTY),
    ("housing", "住まい", Domain.HOUSING),
    ("income", "収入・生活費", Domain.POVERTY),
    ("job-search", "仕事探し", Domain.EMPLOYMENT),
    ("care", "介護", Domain.ELDERLY),
    ("childcare", "子育て", Domain.CHILDREN),
    ("developmental", "発達障害", Domain.DISABILITY),
    ("mental-health", "精神保健", Domain.HEALTH),
]
AGENCIES = [
    AgencyFact(1, "houkatsu1", "地域包括支援センター（第1圏域）", True),
    AgencyFact(2, "koreifukushi", "高齢福祉課", True),
    AgencyFact(3, "shogai-soudan", "障害者相談支援", True),
    AgencyFact(4, "shakyo", "社会福祉協議会", True),
    AgencyFact(5, "iryo", "市内医療機関 地域医療連携室", False),
    AgencyFact(6, "hokenjo", "南多摩保健所", False),
    AgencyFact(7, "kyoiku", "教育委員会", False),
    AgencyFact(8, "window", "福祉くらしの総合窓口", True),
]
agencies = st.sampled_from(AGENCIES)
welfare = st.sampled_from([a for a in AGENCIES if a.is_welfare])
births = st.one_of(
    st.none(), st.dates(min_value=date(1920, 1, 1), max_value=OPENED + timedelta(days=400))
)
persons = st.builds(PersonFact, st.integers(1, 6), births)
concerns = st.builds(
    lambda pid, c: ConcernFact(pid, *c), st.integers(1, 6), st.sampled_from(CONCERNS)
)
cooperations = st.builds(
    CooperationFact,
    agencies,
    st.sampled_from(list(CooperationKind.values)),
    st.dates(min_value=date(2024, 4, 1), max_value=date(2026, 3, 31)),
)


def _meetings(
    kinds: st.SearchStrategy[str], attending: st.SearchStrategy[AgencyFact]
) -> st.SearchStrategy[tuple[MeetingFact, ...]]:
    meeting = st.builds(
        MeetingFact,
        st.integers(1, 10_000),
        kinds,
        st.sampled_from(["支援会議", "ケース会議", "全体会"]),
        st.builds(
            datetime, st.just(2025), st.integers(1, 12), st.integers(1, 28), st.integers(0, 23)
        ).map(lambda d: d.replace(tzinfo=UTC)),
        st.lists(attending, max_size=6).map(tuple),
    )
    return st.lists(meeting, max_size=4).map(tuple)


meetings = _meetings(st.sampled_from(list(Kind.values)), agencies)


@st.composite
def facts(draw: st.DrawFn) -> Facts:
    members = tuple(draw(st.lists(persons, max_size=5, unique_by=lambda p: p.id)))
    person = draw(st.one_of(st.none(), st.sampled_from(members) if members else st.none(), persons))
    consultation = draw(
        st.one_of(
            st.none(),
            st.builds(ConsultationFact, agencies, st.lists(agencies, max_size=3).map(tuple)),
        )
    )
    return Facts(
        opened_on=OPENED,
        person=person,
        members=members,
        concerns=tuple(draw(st.lists(concerns, max_size=7))),
        team=tuple(draw(st.lists(agencies, max_size=4))),
        requested_by=draw(st.one_of(st.none(), agencies)),
        consultation=consultation,
        cooperations=tuple(draw(st.lists(cooperations, max_size=4))),
        meetings=draw(meetings),
    )


limits = st.builds(
    Limits,
    members=st.integers(1, 4),
    concerns=st.integers(1, 6),
    domains=st.integers(1, 4),
    working_age=st.tuples(st.integers(15, 25), st.integers(55, 70)),
    child_age=st.tuples(st.integers(35, 45), st.integers(55, 70)),
    parent_age=st.integers(65, 85),
    meeting_agencies=st.integers(1, 5),
)


def _age(f: Facts, p: PersonFact | None) -> int | None:
    if p is None or p.birth_date is None or p.birth_date > f.opened_on:
        return None
    return age_on(p.birth_date, f.opened_on)


# --- each rule fires exactly when its condition holds ----------------------------------------


@given(facts(), limits)
def test_one_fires_iff_the_thresholds_are_met(f: Facts, lim: Limits) -> None:
    holders = {c.person_id for c in f.concerns}
    domains = {c.domain for c in f.concerns}
    expected = len(holders) >= lim.members or (
        len(f.concerns) >= lim.concerns and len(domains) >= lim.domains
    )
    assert one(f, lim).by_rule is expected


@given(facts(), limits)
def test_two_fires_iff_working_age_with_procedures_outside_the_systems(
    f: Facts, lim: Limits
) -> None:
    age = _age(f, f.person)
    own = [c for c in f.concerns if f.person and c.person_id == f.person.id]
    expected = (
        age is not None
        and lim.working_age[0] <= age <= lim.working_age[1]
        and any(c.code in PROCEDURE_CONCERNS for c in own)
        and not any(c.domain in SYSTEM_DOMAINS for c in own)
    )
    assert two(f, lim).by_rule is expected


@given(facts(), limits)
def test_three_fires_iff_an_elderly_care_source_and_an_8050_pair(f: Facts, lim: Limits) -> None:
    if f.consultation is not None:
        sources = [*f.consultation.route, f.consultation.agency]
    else:
        sources = [f.requested_by] if f.requested_by else []
    age = _age(f, f.person)
    elders = [
        m
        for m in f.members
        if (f.person is None or m.id != f.person.id)
        and (a := _age(f, m)) is not None
        and a >= lim.parent_age
    ]
    expected = (
        any(a.code.startswith(ELDERLY_CARE_AGENCIES) for a in sources)
        and age is not None
        and lim.child_age[0] <= age <= lim.child_age[1]
        and bool(elders)
    )
    assert three(f, lim).by_rule is expected


@given(facts(), limits)
def test_four_fires_iff_an_agency_outside_welfare_is_involved(f: Facts, lim: Limits) -> None:
    about = [m for m in f.meetings if m.kind not in NOT_ABOUT_THE_CASE]
    expected = (
        any(not a.is_welfare for a in f.team)
        or any(not a.is_welfare for m in about for a in m.attendees)
        or any(not c.agency.is_welfare for c in f.cooperations)
    )
    assert four(f, lim).by_rule is expected


@given(facts(), limits)
def test_five_fires_iff_one_meeting_about_the_case_had_enough_agencies(
    f: Facts, lim: Limits
) -> None:
    expected = any(
        len({a.id for a in m.attendees}) >= lim.meeting_agencies
        for m in f.meetings
        if m.kind not in NOT_ABOUT_THE_CASE
    )
    assert five(f, lim).by_rule is expected


# --- the 全体会 (DOMAIN.md §2) ------------------------------------------------------------


@given(
    facts(),
    limits,
    _meetings(st.just(Kind.PLENARY), agencies),
)
def test_a_plenary_listing_alone_counts_for_neither_four_nor_five(
    f: Facts, lim: Limits, plenaries: tuple[MeetingFact, ...]
) -> None:
    """Whatever agencies attend the 全体会s that list the case, ④ and ⑤ say what they said
    without them."""
    welfare_only = dataclasses.replace(
        f,
        team=tuple(a for a in f.team if a.is_welfare),
        cooperations=tuple(c for c in f.cooperations if c.agency.is_welfare),
        meetings=(),
    )
    listed = dataclasses.replace(welfare_only, meetings=plenaries)
    assert not four(listed, lim).by_rule
    assert not five(listed, lim).by_rule
    with_plenaries = dataclasses.replace(f, meetings=f.meetings + plenaries)
    assert four(with_plenaries, lim).by_rule is four(f, lim).by_rule
    assert five(with_plenaries, lim).by_rule is five(f, lim).by_rule


@given(facts(), limits)
def test_turning_a_meeting_into_a_plenary_never_adds_four_or_five(f: Facts, lim: Limits) -> None:
    plenary = dataclasses.replace(
        f, meetings=tuple(dataclasses.replace(m, kind=Kind.PLENARY) for m in f.meetings)
    )
    assert four(f, lim).by_rule or not four(plenary, lim).by_rule
    assert five(f, lim).by_rule or not five(plenary, lim).by_rule


# --- monotonicity ---------------------------------------------------------------------------


@given(facts(), limits, concerns)
def test_one_more_concern_never_takes_one_away(f: Facts, lim: Limits, more: ConcernFact) -> None:
    grown = dataclasses.replace(f, concerns=(*f.concerns, more))
    assert one(grown, lim).by_rule or not one(f, lim).by_rule


@given(facts(), limits, agencies, cooperations, meetings)
def test_more_agencies_never_take_four_or_five_away(
    f: Facts,
    lim: Limits,
    member: AgencyFact,
    cooperation: CooperationFact,
    more: tuple[MeetingFact, ...],
) -> None:
    grown = dataclasses.replace(
        f,
        team=(*f.team, member),
        cooperations=(*f.cooperations, cooperation),
        meetings=f.meetings + more,
    )
    assert four(grown, lim).by_rule or not four(f, lim).by_rule
    assert five(grown, lim).by_rule or not five(f, lim).by_rule


@given(facts(), limits, agencies)
def test_one_more_attendee_never_takes_five_away(
    f: Facts, lim: Limits, attendee: AgencyFact
) -> None:
    for i, meeting in enumerate(f.meetings):
        bigger = dataclasses.replace(meeting, attendees=(*meeting.attendees, attendee))
        grown = dataclasses.replace(f, meetings=(*f.meetings[:i], bigger, *f.meetings[i + 1 :]))
        assert five(grown, lim).by_rule or not five(f, lim).by_rule


@given(facts(), limits, st.integers(0, 3), st.integers(0, 3), st.integers(0, 3), st.integers(0, 3))
def test_higher_thresholds_never_add_one_or_five(
    f: Facts, lim: Limits, members: int, count: int, domains: int, agencies_more: int
) -> None:
    stricter = dataclasses.replace(
        lim,
        members=lim.members + members,
        concerns=lim.concerns + count,
        domains=lim.domains + domains,
        meeting_agencies=lim.meeting_agencies + agencies_more,
    )
    assert one(f, lim).by_rule or not one(f, stricter).by_rule
    assert five(f, lim).by_rule or not five(f, stricter).by_rule


# --- every result explains itself -----------------------------------------------------------


@given(facts(), limits)
def test_every_result_has_its_reasons(f: Facts, lim: Limits) -> None:
    """Fired or not, a result says why (the case page shows both). ① and ④ give one reason per
    condition met when they fire, and one explanation when they do not; the others one."""
    results = judge(f, lim)
    assert [(t.number, t.label) for t in results] == list(LABELS.items())
    for t in results:
        assert t.reasons and all(r.strip() for r in t.reasons)
        assert t.override is None and t.value is t.by_rule
        if t.number in (2, 3, 5) or not t.by_rule:
            assert len(t.reasons) == 1
    first, fourth = results[0], results[3]
    if first.by_rule:
        assert all("（" in r and "以上" in r for r in first.reasons)
    else:
        assert first.reasons[0].startswith("課題 ")
    if fourth.by_rule:
        assert all(
            r.startswith(("福祉分野以外の機関が関与: ", "連携の記録: ")) for r in fourth.reasons
        )
    else:
        assert fourth.reasons == ["チーム・会議・連携の記録とも福祉分野の機関のみ"]


@given(facts(), limits)
def test_rules_are_pure(f: Facts, lim: Limits) -> None:
    """Equal facts, equal answers; the facts are values (hashable) and are not changed."""
    copy = dataclasses.replace(f)
    assert hash(f) == hash(copy)
    first = [(t.by_rule, t.reasons) for t in judge(f, lim)]
    assert first == [(t.by_rule, t.reasons) for t in judge(copy, lim)]
    assert f == copy


@given(
    facts(),
    limits,
    st.dictionaries(
        st.sampled_from(["1", "2", "3", "4", "5", "9"]),
        st.one_of(st.booleans(), st.none(), st.integers()),
    ),
)
def test_an_override_sets_the_value_and_keeps_the_rule(
    f: Facts, lim: Limits, overrides: dict[str, object]
) -> None:
    plain = judge(f, lim)
    overridden = with_overrides(judge(f, lim), overrides)
    for before, t in zip(plain, overridden, strict=True):
        raw = overrides.get(str(t.number))
        assert t.by_rule is before.by_rule and t.reasons == before.reasons
        assert t.value is (raw if isinstance(raw, bool) else t.by_rule)
