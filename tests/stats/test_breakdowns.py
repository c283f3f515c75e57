"""Issue 18, finding 3 on the known city (tests/stats/conftest.py): small-number hiding only
for counts of people, and the breakdowns a city reports — consultations by receiving agency,
by cross-cutting tag and by 対応結果, and the cases on the agenda of each kind of meeting."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.urls import reverse

from tomoni.directory.models import Agency, District, Staff, Tag
from tomoni.intake.models import Consultation, Outcome
from tomoni.meetings.models import AgendaItem, Kind, Meeting
from tomoni.stats import exports, figures

from ..conftest import BrowserClient, agency_of
from .conftest import FY, City, at, consultation

TODAY = date(2026, 11, 27)
BELOW = 3  # the default: 1 and 2 shown as 「-」


@pytest.fixture
def report(city: City) -> figures.Report:
    return figures.annual(FY, TODAY)


def values(report: figures.Report, key: str) -> dict[str, list[float | None]]:
    return {row.label: row.values for row in report.table(key).rows}


def shown(report: figures.Report, key: str, below: int = BELOW) -> dict[str, list[exports.Cell]]:
    """A table as a manager's file shows it: suppressed where it counts people."""
    table = report.table(key)
    return {row.label: exports.cells(row, below, table.people) for row in table.rows}


# --- suppression only for counts of people ---------------------------------------------------


def test_counts_that_are_not_of_people_are_never_suppressed(report: figures.Report) -> None:
    """FY2025 beside FY2024: 2 全体会 held is 2, 2 居場所 in the first 地区 is 2, the 朝市 ran
    (1) twice (2); but 2 new consultations in FY2024 — people — are still 「-」."""
    first = District.objects.order_by("order", "code")[0].name
    assert shown(report, "meetings")["支援会議(全体会)"] == [2, 0]
    assert shown(report, "places")[first] == [2, 1]
    assert shown(report, "activities")[first] == [1, 1]
    sessions = shown(report, "activity_sessions")
    assert sessions["実施回数"] == [2, 1]
    assert sessions["現役世代（18〜64歳）"] == [3, exports.DASH]  # people: 3 | 1
    assert shown(report, "consultations")["新規"] == [3, exports.DASH]
    assert not report.table("places").people and report.table("consultations").people


def test_the_files_and_the_dashboard_follow_the_same_rule(
    city: City, personas: dict[str, Staff], as_user: Callable[[Staff | None], BrowserClient]
) -> None:
    report = figures.annual(FY, TODAY)
    first = District.objects.order_by("order", "code")[0].name
    rows = {(r.table, r.label): r.cells for r in exports.flat(report, BELOW)}
    assert rows[("居場所・社会資源（地区別・期末時点で活動中）", first)] == [2, 1]
    assert rows[("相談件数（新規・継続）", "新規")] == [3, exports.DASH]
    page = as_user(personas["manager"]).get(reverse("stats:dashboard"), {"fy": FY})
    places = page.content.decode().split('id="cap-places"')[1].split("</table>")[0]
    assert f'<th scope="row">{first}</th><td class="num">2</td>' in places


# --- breakdowns ----------------------------------------------------------------------------


@pytest.fixture
def breakdowns(city: City) -> City:
    """Beside the known city (4 consultations in FY2025 and 2 in FY2024 at the coordinator's
    agency, no tag, no 対応結果): four more at two other agencies, tagged and answered, one on
    each side of each 年度 boundary; and the agendas of the meetings (a case twice at the
    全体会, a case on the agenda of a 重層的支援会議 that was not held)."""
    actor = city.actor
    houkatsu, shogai = (Agency.objects.get(code=code) for code in ("houkatsu1", "shogai-soudan"))
    tag = {t.code: t for t in Tag.objects.all()}
    for when, agency, tags, outcome in (
        (at(2025, 4, 1, 0, 10), houkatsu, ("8050", "hikikomori"), Outcome.REFERRED),
        (at(2025, 3, 31, 23, 30), houkatsu, ("8050",), Outcome.LISTENED),
        (at(2026, 3, 31, 23, 59), shogai, ("young-carer",), Outcome.REFERRED),
        (at(2026, 4, 1, 0, 0), shogai, ("8050",), Outcome.REFERRED),  # FY2026: in neither
    ):
        c = consultation(actor, when, "phone", None, agency=agency)
        c.tags.set([tag[code] for code in tags])
        Consultation.objects.filter(pk=c.pk).update(outcome=outcome)
    k1, k2, k3 = city.cases["k1"], city.cases["k2"], city.cases["k3"]
    meetings = {m.kind + m.starts_at.date().isoformat(): m for m in Meeting.objects.all()}
    agenda = {
        "plenary2025-06-10": (k1, k2),
        "plenary2025-09-10": (k1,),  # k1 again: one case
        "support2025-04-01": (k2,),
        "jusou2025-05-01": (k3,),  # not held: not counted
    }
    jusou = Meeting.objects.create(
        kind=Kind.JUSOU,
        title="重層",
        starts_at=at(2025, 3, 31, 23, 30),
        convened_by=actor,
        held=True,
    )
    for key, cases in (*agenda.items(), ("", (k1, k3))):
        meeting = meetings[key] if key else jusou
        for order, on_agenda in enumerate(cases):
            AgendaItem.objects.create(meeting=meeting, case=on_agenda, order=order)
    return city


def test_consultations_by_receiving_agency(breakdowns: City) -> None:
    own = agency_of(breakdowns.actor).name
    report = figures.annual(FY, TODAY)
    assert values(report, "consultations_agency") == {
        own: [4, 2],
        Agency.objects.get(code="houkatsu1").name: [1, 1],
        Agency.objects.get(code="shogai-soudan").name: [1, 0],
    }


def test_consultations_by_cross_cutting_tag(breakdowns: City) -> None:
    report = figures.annual(FY, TODAY)
    assert values(report, "consultations_tag") == {
        "8050": [1, 1],
        "ダブルケア": [0, 0],
        "ヤングケアラー": [1, 0],
        "ひきこもり": [1, 0],
        "社会的孤立": [0, 0],
        "セルフネグレクト・ごみ屋敷": [0, 0],
    }
    mine = figures.build(report.periods, agency=Agency.objects.get(code="houkatsu1"))
    assert values(mine, "consultations_tag")["8050"] == [1, 1]
    assert values(mine, "consultations_tag")["ヤングケアラー"] == [0, 0]
    with pytest.raises(KeyError):  # an agency's own figures are all its own
        mine.table("consultations_agency")


def test_consultations_by_outcome(breakdowns: City) -> None:
    report = figures.annual(FY, TODAY)
    assert values(report, "consultations_outcome") == {
        "傾聴・情報提供で終了": [0, 1],
        "他機関へつなぐ": [2, 0],
        "多機関協働へ": [0, 0],
        "アウトリーチへ": [0, 0],
        "参加支援へ": [0, 0],
        "継続相談": [0, 0],
        "未記入（対応中）": [4, 2],
    }


def test_cases_on_the_agenda_of_each_kind_of_meeting(breakdowns: City) -> None:
    report = figures.annual(FY, TODAY)
    assert values(report, "meetings_cases") == {
        "支援会議": [1, 0],
        "重層的支援会議": [0, 2],
        "ケース会議": [0, 0],
        "支援会議(全体会)": [2, 0],
    }
    # Cases are households: a count of people, suppressed for a manager.
    assert shown(report, "meetings_cases")["支援会議(全体会)"] == [exports.DASH, 0]
    assert shown(report, "consultations_tag")["8050"] == [exports.DASH, exports.DASH]


def test_the_breakdowns_are_on_the_dashboard_and_in_the_file(
    breakdowns: City, personas: dict[str, Staff], as_user: Callable[[Staff | None], BrowserClient]
) -> None:
    page = as_user(personas["coordinator"]).get(reverse("stats:dashboard"), {"fy": FY})
    text = page.content.decode()
    for key in ("consultations_agency", "consultations_tag", "consultations_outcome"):
        assert f'id="cap-{key}"' in text, key
    assert 'id="cap-meetings_cases"' in text
    tables = {r.table for r in exports.flat(figures.annual(FY, TODAY), 0)}
    assert {"受付機関別の相談件数", "対応結果", "会議で検討したケース（会議の種別ごと）"} <= tables
