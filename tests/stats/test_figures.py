"""Every figure of the known city, by 年度: boundaries at 3/31 → 4/1 (Asia/Tokyo), ages at
the consultation date, and the tendencies evaluated in bulk as the case page does one by one."""

from __future__ import annotations

from datetime import date
from typing import cast

import pytest

from tomoni.cases.models import Case
from tomoni.cases.tendencies import evaluate
from tomoni.directory.models import Staff
from tomoni.stats import figures
from tomoni.stats.tendencies import evaluate_many

from .conftest import FY, City, at, consultation, person

TODAY = date(2026, 11, 27)


def values(report: figures.Report, key: str) -> dict[str, list[float | None]]:
    return {row.label: row.values for row in report.table(key).rows}


@pytest.fixture
def report(city: City) -> figures.Report:
    return figures.annual(FY, TODAY)


def test_periods_are_the_year_and_the_one_before(report: figures.Report) -> None:
    assert [(p.start, p.end) for p in report.periods] == [
        (date(2025, 4, 1), date(2026, 3, 31)),
        (date(2024, 4, 1), date(2025, 3, 31)),
    ]
    assert [p.label for p in report.periods] == ["令和7年度", "令和6年度"]


def test_dashboard_compares_this_year_so_far_with_the_same_days_last_year() -> None:
    periods = figures.dashboard_periods(2026, date(2026, 11, 27))
    assert [(p.start, p.end) for p in periods] == [
        (date(2026, 4, 1), date(2026, 11, 27)),
        (date(2025, 4, 1), date(2025, 11, 27)),
        (date(2025, 4, 1), date(2026, 3, 31)),
    ]
    assert periods[0].label == "令和8年度（11月27日まで）"
    leap = figures.dashboard_periods(2027, date(2028, 2, 29))
    assert leap[1].end == date(2027, 2, 28)
    assert len(figures.dashboard_periods(2024, date(2026, 11, 27))) == 2


def test_consultations_by_kind_method_and_boundary(report: figures.Report) -> None:
    assert values(report, "consultations") == {"新規": [3, 2], "継続": [1, 0], "合計": [4, 2]}
    method = values(report, "consultations_method")
    assert method["来所"] == [3, 0]
    assert method["電話"] == [1, 1]  # 2025-03-31 23:30 is FY2024; 2026-03-31 23:59 FY2025
    assert method["メール"] == [0, 1]


def test_route_is_the_last_link_and_domain_the_primary_concern(report: figures.Report) -> None:
    route = values(report, "consultations_route")
    assert route["本人"] == [1, 1]
    assert route["民生児童委員"] == [1, 0]  # family → minsei: minsei brought it
    assert route["家族"] == [0, 0]
    assert route["近隣住民"] == [1, 0]
    assert route["不明・未記録"] == [1, 1]
    assert values(report, "consultations_domain")["生活困窮"] == [2, 0]
    concern = values(report, "consultations_concern")
    assert concern == {"収入・生活費": [2, 0], "債務": [1, 0]}


def test_ages_are_taken_on_the_consultation_date(report: figures.Report) -> None:
    age = values(report, "consultations_age")
    # Born 1960-04-01: 64 on 2025-03-31 (FY2024), 65 on 2025-04-01 (FY2025).
    assert age["40〜64歳"] == [0, 1]
    assert age["65〜74歳"] == [1, 1]
    # Born 2008-06-02: still 16 on 2025-06-01.
    assert age["18歳未満"] == [2, 0]
    assert age["不明・未記録"] == [1, 0]
    sex = values(report, "consultations_sex")
    assert sex["男性"] == [1, 1] and sex["女性"] == [2, 1] and sex["不明・未記録"] == [1, 0]


def test_referrals_and_response_times(report: figures.Report) -> None:
    state = values(report, "referrals")
    assert state["受諾"] == [1, 0] and state["辞退"] == [1, 0] and state["依頼中"] == [1, 1]
    response = values(report, "referrals_response")
    assert response["期限内に回答"] == [1, 0]
    assert response["期限後に回答"] == [1, 0]
    assert response["未回答（期限超過）"] == [1, 1]
    assert response["回答までの時間（中央値・時間）"] == [72.0, None]  # median of 24 h and 120 h


def test_cases_plans_meetings(report: figures.Report) -> None:
    cases = values(report, "cases")
    assert cases["新規"] == [1, 2]
    assert cases["継続"] == [2, 0]
    assert cases["終結"] == [1, 0] and cases["中断"] == [1, 0]
    assert cases["終結までの日数（中央値）"] == [212, None]
    assert values(report, "plans")["作成（初版）"] == [1, 0]
    meetings = values(report, "meetings")
    assert meetings["支援会議(全体会)"] == [2, 0]
    assert meetings["支援会議"] == [1, 0]
    assert meetings["重層的支援会議"] == [0, 0]  # scheduled, not held
    plenary = values(report, "plenary")
    assert plenary["参加した機関の数"] == [3, 0]
    firsts = [cast(float, v[0]) for k, v in plenary.items() if k != "参加した機関の数"]
    assert sorted(firsts) == [1, 2, 2]


def test_outreach_participation_places(report: figures.Report) -> None:
    engagements = values(report, "engagements")
    assert engagements == {"新規": [1, 1], "継続": [1, 0], "つながった": [1, 0]}
    assert values(report, "contacts")["合計"] == [2, 1]
    assert values(report, "accompaniments")["受診同行"] == [1, 0]
    participation = values(report, "participation")
    assert participation["参加支援プラン（新規）"] == [1, 0]
    assert participation["体験"] == [1, 0]
    assert participation["定着"] == [1, 0]
    places = list(values(report, "places").values())
    assert places[0] == [2, 1]  # the first 地区: one place since 2024-05, one more in 2025-05
    assert places[1] == [0, 0]  # inactive places do not count
    activities = list(values(report, "activities").values())
    assert activities[0] == [1, 1] and activities[1] == [0, 0]
    sessions = values(report, "activity_sessions")
    assert sessions["実施回数"] == [2, 1]
    assert sessions["子ども（18歳未満）"] == [3, 0]
    assert sessions["高齢者（65歳以上）"] == [4, 0]


def test_tendencies_count_every_case_open_in_the_year(report: figures.Report) -> None:
    rows = list(values(report, "tendencies").values())
    assert rows[0] == [1, 0]  # ① by a coordinator's judgement on the FY2025 case
    assert rows[3] == [1, 1]  # ④ on the case open in both years
    assert rows[5] == [3, 2]  # cases supported in the year; the one closed in FY2023 is not


def test_bulk_evaluation_matches_the_case_page(city: City) -> None:
    from tests.cases.conftest import agency, concern, open_for

    actor = city.actor
    from tomoni.cases import actions

    rich = open_for(actor, opened_on=date(2025, 6, 15))
    members = [m.person for m in rich.household.memberships.select_related("person")]
    for member, code in zip(members, ("income", "debt"), strict=False):
        actions.set_concern(actor, rich, person=member, concern=concern(code))
    actions.add_team_member(actor, rich, agency("houkatsu1"))
    # 関係機関との連携: outside welfare (④ with its reason) and within it (no ④), on two cases.
    for case, code, kind in (
        (rich, "iryo", "discharge"),
        (rich, "houkatsu1", "joint_visit"),
        (rich, "hokenjo", "information"),
        (open_for(actor, opened_on=date(2025, 7, 1)), "shogai-soudan", "meeting"),
    ):
        actions.record_cooperation(
            actor, case, agency=agency(code), kind=kind, on=date(2025, 7, 3), note="連携"
        )
    bulk = evaluate_many(Case.objects.all())
    for case in Case.objects.all():
        one = evaluate(case)
        assert [(t.by_rule, t.value, t.reasons) for t in one] == [
            (t.by_rule, t.value, t.reasons) for t in bulk[case.pk]
        ], case.code
    assert "連携の記録: " in bulk[rich.pk][3].reasons[-1]


@pytest.mark.parametrize("native", [True, False], ids=["sqlite-native", "portable"])
def test_age_at_the_consultation_date_both_ways(
    native: bool, personas: dict[str, Staff], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Born 2008-02-29: still 17 on 2026-02-28 (a year older on 3/1), 18 on 2026-03-01."""
    if not native:
        monkeypatch.setattr(figures, "_fixed_offset_seconds", lambda: None)
    actor = personas["coordinator"]
    leap = person(actor, date(2008, 2, 29), "female")
    consultation(actor, at(2026, 2, 28, 23, 59), "visit", leap)
    consultation(actor, at(2026, 3, 1, 0, 1), "visit", leap)
    age = values(figures.build([figures.fiscal_period(FY)], today=TODAY), "consultations_age")
    assert age["18歳未満"] == [1]
    assert age["18〜39歳"] == [1]
