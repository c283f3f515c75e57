from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tomoni.lib.wareki import (
    ERAS,
    WarekiError,
    age_on,
    era_of,
    format_date,
    parse_date,
    parse_date_or_none,
    to_wareki,
)

FIRST = date(1868, 10, 23)
LAST = date(2100, 12, 31)


def _fullwidth(s: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in s)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("令和8年2月19日", date(2026, 2, 19)),
        ("令和元年5月1日", date(2019, 5, 1)),
        ("R8.2.19", date(2026, 2, 19)),
        ("r8.2.19", date(2026, 2, 19)),
        ("R8/2/19", date(2026, 2, 19)),
        ("R08.02.19", date(2026, 2, 19)),
        ("S50.4.3", date(1975, 4, 3)),
        ("H31.4.30", date(2019, 4, 30)),
        ("2026-02-19", date(2026, 2, 19)),
        ("2026/2/19", date(2026, 2, 19)),
        ("2026年2月19日", date(2026, 2, 19)),
        ("20260219", date(2026, 2, 19)),
        ("2026.2.19", date(2026, 2, 19)),
        ("　令和８年２月１９日 ", date(2026, 2, 19)),
        ("Ｒ８．２．１９", date(2026, 2, 19)),
        ("令和 8年 2月 19日", date(2026, 2, 19)),
        ("㋿8年2月19日", date(2026, 2, 19)),
        ("2026ー02ー19", date(2026, 2, 19)),
    ],
)
def test_parse_date_accepts_documented_forms(text, expected):
    """Every input form staff may type reads as the same calendar date."""
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("wareki", "iso"),
    [
        ("平成31年4月30日", date(2019, 4, 30)),
        ("令和元年5月1日", date(2019, 5, 1)),
        ("昭和64年1月7日", date(1989, 1, 7)),
        ("平成元年1月8日", date(1989, 1, 8)),
        ("大正15年12月24日", date(1926, 12, 24)),
        ("昭和元年12月25日", date(1926, 12, 25)),
        ("明治45年7月29日", date(1912, 7, 29)),
        ("大正元年7月30日", date(1912, 7, 30)),
        ("明治元年10月23日", date(1868, 10, 23)),
    ],
)
def test_era_boundaries_both_ways(wareki, iso):
    """The last day of an era and the first day of the next convert in both directions."""
    assert parse_date(wareki) == iso
    assert to_wareki(iso) == wareki


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("令和0年1月1日", "令和0年という年はありません"),
        ("R0.1.1", "令和0年という年はありません"),
        ("平成32年1月1日", "平成32年は存在しません（平成は31年4月30日まで）"),
        ("平成31年5月1日", "平成31年5月1日は存在しません（平成は31年4月30日まで）"),
        ("令和元年4月30日", "令和元年4月30日は存在しません（令和は元年5月1日から）"),
        ("昭和64年1月8日", "昭和64年1月8日は存在しません（昭和は64年1月7日まで）"),
        ("2026-02-30", "日付として正しくありません: 2026年2月30日"),
        ("令和8年2月30日", "日付として正しくありません: 令和8年2月30日"),
        ("R8.13.1", "日付として正しくありません: 令和8年13月1日"),
        ("abc", "日付の形式が分かりません: abc"),
        ("2026-02/19", "日付の形式が分かりません: 2026-02/19"),
        ("", "日付を入力してください"),
        ("　 ", "日付を入力してください"),
    ],
)
def test_parse_date_rejects_impossible_dates_in_japanese(text, message):
    """Impossible or unreadable input raises WarekiError with a Japanese message."""
    with pytest.raises(WarekiError) as excinfo:
        parse_date(text)
    assert str(excinfo.value).startswith(message)


def test_every_date_round_trips():
    """Long 和暦, short 和暦 and ISO forms of every date from 明治 to 2100 parse back."""
    d = FIRST
    while d <= LAST:
        assert parse_date(to_wareki(d)) == d
        assert parse_date(to_wareki(d, short=True)) == d
        assert parse_date(d.isoformat()) == d
        d += timedelta(days=1)


@settings(max_examples=300)
@given(
    d=st.dates(min_value=FIRST, max_value=LAST),
    short=st.booleans(),
    pad=st.sampled_from(["", " ", "\u3000", "\t"]),
)
def test_round_trip_survives_full_width_and_padding(d, short, pad):
    """Full-width and padded forms (as an IME produces them) still read back to the date."""
    text = to_wareki(d, short=short)
    assert parse_date(pad + _fullwidth(text) + pad) == d
    assert parse_date(text.lower()) == d


@settings(max_examples=200)
@given(st.text(max_size=12))
def test_parse_date_fails_only_with_wareki_error(text):
    """Any garbage raises WarekiError (a ValueError form fields can show), nothing else."""
    try:
        parse_date(text)
    except WarekiError as exc:
        assert any("\u3040" <= c <= "\u9fff" for c in str(exc))


def test_parse_date_or_none_treats_blank_as_missing():
    """Blank text and None give None; anything else behaves as parse_date."""
    assert parse_date_or_none("") is None
    assert parse_date_or_none(" \u3000") is None
    assert parse_date_or_none(None) is None
    assert parse_date_or_none("R8.2.19") == date(2026, 2, 19)
    with pytest.raises(WarekiError):
        parse_date_or_none("平成32年1月1日")


def test_era_of_and_short_form():
    """era_of names the era in force; the short form uses its letter and plain year 1."""
    assert era_of(date(2019, 4, 30)).name == "平成"
    assert era_of(date(2019, 5, 1)) is ERAS[-1]
    assert to_wareki(date(2019, 5, 1), short=True) == "R1.5.1"
    assert to_wareki(date(2026, 2, 19), short=True) == "R8.2.19"
    assert to_wareki(date(1975, 4, 3), short=True) == "S50.4.3"


def test_dates_before_meiji_cannot_be_wareki():
    """A date before 明治 raises WarekiError when formatted."""
    with pytest.raises(WarekiError, match="明治より前"):
        to_wareki(FIRST - timedelta(days=1))


def test_format_date():
    """format_date is the long form, and '' for a missing date."""
    assert format_date(date(2026, 2, 19)) == "令和8年2月19日"
    assert format_date(None) == ""


@pytest.mark.parametrize(
    ("birth", "on", "age"),
    [
        (date(1950, 4, 1), date(2026, 3, 31), 75),
        (date(1950, 4, 1), date(2026, 4, 1), 76),
        (date(2000, 2, 29), date(2025, 2, 28), 24),
        (date(2000, 2, 29), date(2025, 3, 1), 25),
        (date(2000, 2, 29), date(2028, 2, 29), 28),
        (date(2026, 2, 19), date(2026, 2, 19), 0),
    ],
)
def test_age_on_counts_up_on_the_birthday(birth, on, age):
    """Age rises on the birthday; a 2/29 birthday counts up on 3/1 in common years."""
    assert age_on(birth, on) == age


def test_age_on_rejects_a_future_birth():
    """A birth date after the reference date is an error, not a negative age."""
    with pytest.raises(ValueError, match="生年月日"):
        age_on(date(2026, 2, 20), date(2026, 2, 19))
