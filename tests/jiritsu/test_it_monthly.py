"""The monthly sheet (月次) of 生活困窮, over HTTP: the figures on a known data set, every
figure's drill-down as long as the figure, who sees what, targets per 100,000 with their
empty state, the downloads, and a query budget independent of the data's size."""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tomoni.directory.models import Staff
from tomoni.jiritsu import actions, figures
from tomoni.jiritsu.models import Benchmark, Gain

from ..conftest import BrowserClient, Queries
from .conftest import FY, day, support, take

SHEET = reverse("jiritsu:monthly")


def _city(window: Staff, other: Staff, scale: int = 1) -> None:
    """A known data set in 年度 FY (``scale`` times over), plus records that must not count."""
    for _ in range(scale):
        a = take(window, day(5, 8))
        support(
            window,
            a,
            plan_on=day(5, 20),
            employment_target_on=day(5, 20),
            housing_applied_on=day(5, 21),
            housing_decided_on=day(6, 3),
            gain=Gain.WORK,
            gain_on=day(8, 1),
        )
        b = take(window, day(5, 12))
        support(window, b, plan_on=day(6, 2), budget_from=day(6, 2), work_prep_from=day(7, 1))
        c = take(window, day(1, 15))
        support(window, c, shelter_from=day(1, 15), employment_target_on=day(2, 1))
        take(window, day(6, 1))  # a new consultation without 生活困窮 support
        take(window, day(6, 2), is_new=False)  # 継続: not a 新規相談
        take(other, day(5, 8))  # another agency's consultation: not the window's figure
        before = take(window, date(FY, 3, 20))  # the 年度 before
        support(window, before, plan_on=date(FY, 3, 25))


def _counts(page: str, key: str) -> tuple[str, str]:
    """(month, 年度計) as shown in the first table for the figure ``key``."""
    label = figures.FIGURES[key].label
    row = re.search(rf"<th scope=\"row\">{re.escape(label)}</th>(.*?)</tr>", page, re.S)
    assert row, label
    cells = re.findall(r"<td class=\"num\">(.*?)</td>", row.group(1), re.S)
    numbers = [re.sub(r"<span class=\"meta\">.*?</span>|<[^>]+>", "", c).strip() for c in cells]
    return numbers[0], numbers[1]


def test_figures_on_a_known_data_set(personas: dict[str, Staff], as_user: Any) -> None:
    _city(personas["window"], personas["agency_a"])
    rows = {r.figure.key: r.months for r in figures.count(FY)}
    assert rows["new"][5] == 2 and rows["new"][6] == 1 and rows["new"][1] == 1
    assert rows["new"][figures.YEAR] == 4
    assert rows["plan"][5] == 1 and rows["plan"][6] == 1 and rows["plan"][figures.YEAR] == 2
    assert rows["employment"][figures.YEAR] == 2 and rows["employment"][2] == 1
    assert rows["gain"][8] == 1 and rows["gain"][figures.YEAR] == 1
    assert rows["housing_applied"][5] == 1 and rows["housing_decided"][6] == 1
    assert rows["budget"][6] == rows["work_prep"][7] == rows["shelter"][1] == 1
    page = as_user(personas["window"]).get(SHEET, {"fy": FY, "month": 5}).content.decode()
    assert _counts(page, "new") == ("2", "4")
    assert _counts(page, "plan") == ("1", "2")


@pytest.mark.parametrize("persona", ["window", "coordinator"])
def test_every_figure_drills_down_to_a_list_as_long_as_itself(
    persona: str, personas: dict[str, Staff], as_user: Any
) -> None:
    _city(personas["window"], personas["agency_a"])
    client = as_user(personas[persona])
    page = client.get(SHEET, {"fy": FY, "month": 5}).content.decode()
    checked = 0
    for row in figures.count(FY):
        for month in (*figures.MONTHS, figures.YEAR):
            url = reverse("jiritsu:drill", args=[FY, month, row.figure.key])
            if month in (5, figures.YEAR):
                assert url in page  # the sheet links every figure it shows
            response = client.get(url)
            assert response.status_code == 200
            listed = response.content.decode().count("<tr><td><a href=")
            assert listed == row.months[month], (row.figure.key, month)
            checked += 1
    assert checked == len(figures.FIGURES) * 13


def test_who_sees_the_sheet(personas: dict[str, Staff], as_user: Any) -> None:
    _city(personas["window"], personas["agency_a"])
    drill = reverse("jiritsu:drill", args=[FY, 0, "new"])
    for name in ("agency_a", "agency_b", "outreach", "community", "auditor", "admin"):
        client = as_user(personas[name])
        assert client.get(SHEET).status_code == 404, name
        assert client.get(drill).status_code == 404, name
        assert client.get(reverse("jiritsu:export", args=["csv"])).status_code == 404, name
    # The manager: small numbers hidden (these figures count people), no lists.
    manager = as_user(personas["manager"])
    page = manager.get(SHEET, {"fy": FY, "month": 5}).content.decode()
    assert _counts(page, "new") == ("-", "4")
    assert _counts(page, "plan") == ("-", "-")
    assert drill not in page
    assert manager.get(drill).status_code == 404
    response = as_user(None).get(SHEET)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_sheet_is_linked_from_statistics(personas: dict[str, Staff], as_user: Any) -> None:
    for name in ("coordinator", "manager"):
        page = as_user(personas[name]).get(reverse("stats:dashboard")).content.decode()
        assert SHEET in page, name


def test_without_targets_the_sheet_says_so(personas: dict[str, Staff], as_user: Any) -> None:
    page = as_user(personas["manager"]).get(SHEET, {"fy": FY}).content.decode()
    assert "人口と目安値はまだ設定されていません" in page
    assert "「人口と目安値の設定」から入力すると" in page
    page = as_user(personas["window"]).get(SHEET, {"fy": FY}).content.decode()
    assert "管理職が「人口と目安値」で設定すると" in page


def test_manager_sets_targets_per_100k_and_sees_them_beside_the_actuals(
    personas: dict[str, Staff], as_user: Any
) -> None:
    _city(personas["window"], personas["agency_a"])
    client = as_user(personas["manager"])
    url = reverse("jiritsu:benchmarks")
    response = client.post(
        f"{url}?fy={FY}",
        {"fy": FY, "population": "93000", "new_rate": "16", "plan_rate": "8.0"},
    )
    assert response.status_code == 302
    saved = Benchmark.objects.get(fy=FY)
    assert saved.population == 93000 and saved.new_rate == Decimal("16.0")
    assert saved.employment_rate is None
    page = as_user(personas["window"]).get(SHEET, {"fy": FY, "month": 5}).content.decode()
    # 16 × 93,000 / 100,000 = 14.9 a month; a past 年度 has 12 months: 178.8.
    assert "14.9" in page and "178.8" in page
    # 4 new consultations in 12 months over 93,000 people: 0.4 per 100,000 a month, 2%.
    assert "0.4" in page and "2%" in page
    progress = figures.progress(saved, figures.count(FY), 5, 12)
    assert [p.figure.key for p in progress] == ["new", "plan"]
    assert progress[0].year_target == Decimal("178.8") and progress[0].achieved == 2


def test_bad_targets_are_refused_in_japanese_and_change_nothing(
    personas: dict[str, Staff], as_user: Any
) -> None:
    client = as_user(personas["manager"])
    url = f"{reverse('jiritsu:benchmarks')}?fy={FY}"
    for data, message in (
        ({"population": "-5"}, "人口は1以上の整数で入力してください。"),
        ({"population": "93000", "plan_rate": "-1"}, "プラン作成件数の目安値は0以上の数で"),
        ({"population": "たくさん"}, "人口は1以上の整数で入力してください。"),
        ({"new_rate": "16"}, "目安値を設定するには、その年度の人口を入力してください。"),
        ({"population": "93000", "new_rate": "1.25"}, "小数第1位まで"),
    ):
        response = client.post(url, {"fy": FY, **data})
        assert response.status_code in (200, 400), data
        assert message in response.content.decode(), (data, response.content.decode()[-3000:])
    assert not Benchmark.objects.exists()
    # Only the manager sets them; the coordinator and the window read them.
    made = actions.set_benchmark(
        personas["manager"], fy=FY, population=93000, rates=actions.Rates(), version=None
    )
    assert made is not None
    for name in ("coordinator", "window"):
        reader = as_user(personas[name])
        assert reader.get(url).status_code == 200
        assert reader.post(url, {"fy": FY, "population": "1"}).status_code == 403
    assert as_user(personas["agency_a"]).get(url).status_code == 404
    # A stale screen (version 0) changes nothing.
    stale = client.post(url, {"fy": FY, "population": "95000", "version": "0"})
    assert "他の職員がこの年度の目安値を更新しました" in stale.content.decode()
    made.refresh_from_db()
    assert made.population == 93000


def test_csv_and_excel_carry_the_sheet(personas: dict[str, Staff], as_user: Any) -> None:
    _city(personas["window"], personas["agency_a"])
    client = as_user(personas["window"])
    csv = client.get(reverse("jiritsu:export", args=["csv"]), {"fy": FY})
    assert csv.status_code == 200
    text = csv.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("項目,単位,4月,5月")
    assert "新規相談受付件数,件,0,2,1,0,0,0,0,0,0,1,0,0,4" in text
    sjis = client.get(reverse("jiritsu:export", args=["csv"]), {"fy": FY, "encoding": "cp932"})
    assert sjis.content.decode("cp932") == text.replace("\ufeff", "")
    book = load_workbook(
        io.BytesIO(client.get(reverse("jiritsu:export", args=["xlsx"]), {"fy": FY}).content)
    )
    sheet = book["月次"]
    assert [c.value for c in sheet[2]][:3] == ["新規相談受付件数", "件", 0]
    manager = as_user(personas["manager"]).get(reverse("jiritsu:export", args=["csv"]), {"fy": FY})
    assert "新規相談受付件数,件,0,-,-,0,0,0,0,0,0,-,0,0,4" in manager.content.decode("utf-8-sig")
    assert client.get(reverse("jiritsu:export", args=["pdf"])).status_code == 404


def _budget(queries: Queries, client: BrowserClient) -> dict[str, int]:
    return {
        "sheet": len(queries(client, SHEET, fy=FY, month=5)),
        "drill": len(queries(client, reverse("jiritsu:drill", args=[FY, 0, "new"]))),
        "drill_support": len(queries(client, reverse("jiritsu:drill", args=[FY, 0, "plan"]))),
        "csv": len(queries(client, reverse("jiritsu:export", args=["csv"]), fy=FY)),
    }


def test_query_count_does_not_grow_with_the_records(
    personas: dict[str, Staff], as_user: Any, queries: Queries
) -> None:
    client = as_user(personas["window"])
    _city(personas["window"], personas["agency_a"])
    few = _budget(queries, client)
    _city(personas["window"], personas["agency_a"], scale=8)
    many = _budget(queries, client)
    assert few == many
    # Measured on SQLite: the sheet 9 (session, user, agency, two counts, the targets, audit),
    # a list 10 (its records, their names, audit), the CSV 8.
    assert max(many.values()) <= 12, many
