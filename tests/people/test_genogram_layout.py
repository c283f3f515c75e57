"""The ジェノグラム layout and the kinship labels: pure functions over plain data."""

from __future__ import annotations

import itertools
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from tomoni.people.genogram import CELL, SIZE, layout
from tomoni.people.kinship import Kin, Tie, labels


def three_generations() -> tuple[list[Kin], list[Tie]]:
    """An 8050 family of twelve: the late grandfather, the grandmother, their three
    children (the 本人 in the middle), two spouses, and four grandchildren."""
    people = [
        Kin(1, "見本 茂", "male", date(1938, 1, 1), 80, deceased=True),
        Kin(2, "見本 幸子", "female", date(1942, 2, 2), 84, lives_here=True),
        Kin(3, "見本 久美子", "female", date(1968, 3, 3), 58),
        Kin(4, "見本 一郎", "male", date(1972, 4, 4), 54, lives_here=True, is_subject=True),
        Kin(5, "見本 進", "male", date(1975, 5, 5), 51),
        Kin(6, "試野 直樹", "male", date(1966, 6, 6), 60),
        Kin(7, "見本 恵子", "female", date(1977, 7, 7), 49),
        Kin(8, "試野 蓮", "male", date(1995, 8, 8), 31),
        Kin(9, "試野 結衣", "female", date(1998, 9, 9), 28),
        Kin(10, "見本 翼", "male", date(2005, 1, 1), 21),
        Kin(11, "見本 葵", "other", None, None),
        Kin(12, "見本 由美", "female", date(2010, 2, 2), 16),
    ]
    ties = [
        Tie(1, 2, "spouse", "bereaved"),
        *(Tie(p, c, "parent_child") for p in (1, 2) for c in (3, 4, 5)),
        Tie(6, 3, "spouse", "married"),
        Tie(5, 7, "spouse", "divorced"),
        *(Tie(p, c, "parent_child") for p in (3, 6) for c in (8, 9)),
        *(Tie(p, c, "parent_child") for p in (5, 7) for c in (10, 11, 12)),
    ]
    return people, ties


def test_labels_say_what_each_person_is_to_the_subject() -> None:
    """Parents, siblings by age, a sister's husband, nieces and nephews, a late father."""
    people, ties = three_generations()
    found = labels(4, people, ties)
    assert found[4] == "本人"
    assert (found[1], found[2]) == ("父", "母")
    assert (found[3], found[5]) == ("姉", "弟")
    assert found[6] == "姉の夫"
    assert found[7] == "弟の元妻"
    assert {found[8], found[10]} == {"おい"} and found[9] == "めい"


def test_children_are_numbered_by_birth_within_each_sex() -> None:
    people = [
        Kin(1, "親", "female", date(1960, 1, 1)),
        Kin(2, "次", "male", date(1990, 1, 1)),
        Kin(3, "長", "male", date(1985, 1, 1)),
        Kin(4, "娘", "female", date(1988, 1, 1)),
        Kin(5, "不明", "unknown", None),
    ]
    ties = [Tie(1, c, "parent_child") for c in (2, 3, 4, 5)]
    assert labels(1, people, ties) == {1: "本人", 3: "長男", 2: "次男", 4: "長女", 5: "子"}


def test_layout_is_deterministic_and_keeps_generations_in_rows() -> None:
    people, ties = three_generations()
    first = layout(people, ties, labels(4, people, ties))
    again = layout(list(reversed(people)), list(reversed(ties)), labels(4, people, ties))
    assert [(s.kin.id, s.cx, s.cy) for s in first.symbols] == [
        (s.kin.id, s.cx, s.cy) for s in again.symbols
    ]
    assert first.generations == 3 and first.people == 12
    row = {s.kin.id: s.cy for s in first.symbols}
    assert row[1] == row[2] < row[3] == row[4] == row[5] == row[6] == row[7] < row[8]


def test_no_two_symbols_overlap_and_siblings_stand_in_birth_order() -> None:
    """Readable at twelve people: every symbol has its own cell; siblings left to right
    from the eldest, partners side by side."""
    people, ties = three_generations()
    drawing = layout(people, ties, labels(4, people, ties))
    cells = [(s.cx, s.cy) for s in drawing.symbols]
    for (x1, y1), (x2, y2) in itertools.combinations(cells, 2):
        assert y1 != y2 or abs(x1 - x2) >= CELL
    x = {s.kin.id: s.cx for s in drawing.symbols}
    assert x[3] < x[4] < x[5]
    assert x[8] < x[9] and x[10] < x[12]
    assert abs(x[1] - x[2]) == CELL  # the couple side by side


def test_notation_deceased_subject_divorce_and_home() -> None:
    """× for the late grandfather, a double line for the 本人, // on the divorce, and the
    dashed line around the grandmother and the 本人 who live together."""
    people, ties = three_generations()
    drawing = layout(people, ties, labels(4, people, ties))
    by_id = {s.kin.id: s for s in drawing.symbols}
    assert by_id[1].kin.deceased and by_id[1].shape == "square"
    assert by_id[2].shape == "circle" and by_id[11].shape == "diamond"
    assert by_id[4].kin.is_subject and by_id[4].age_text == "54"
    assert len(drawing.marks) == 2  # the two strokes of //
    points = [tuple(map(float, p.split(","))) for p in drawing.outline.split()]
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    for pid in (2, 4):
        s = by_id[pid]
        assert min(xs) < s.cx < max(xs) and min(ys) < s.cy < max(ys)
    assert "見本 一郎（本人・54歳・男性・同居）" in drawing.description


def test_a_lone_person_and_an_empty_family_still_draw() -> None:
    assert layout([Kin(1, "見本 太郎", "male", None, None, lives_here=True)], []).people == 1
    empty = layout([], [])
    assert empty.people == 0 and empty.outline == ""


kin = st.builds(
    Kin,
    id=st.integers(1, 15),
    name=st.text(min_size=1, max_size=10),
    sex=st.sampled_from(["male", "female", "unknown"]),
    birth=st.none() | st.dates(date(1920, 1, 1), date(2025, 1, 1)),
    lives_here=st.booleans(),
)
tie = st.builds(
    Tie,
    a=st.integers(1, 15),
    b=st.integers(1, 15),
    kind=st.sampled_from(["parent_child", "spouse", "sibling", "grandparent", "family_apart"]),
    union=st.sampled_from(["", "married", "divorced", "common_law"]),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(kin, max_size=15, unique_by=lambda k: k.id), st.lists(tie, max_size=25))
def test_any_family_lays_out_without_overlap(people: list[Kin], ties: list[Tie]) -> None:
    """Whatever the register holds (odd ties included), every person gets a place of their
    own inside the picture."""
    drawing = layout(people, ties)
    assert drawing.people == len(people)
    for a, b in itertools.combinations(drawing.symbols, 2):
        assert a.cy != b.cy or abs(a.cx - b.cx) >= CELL - 1e-6
    for s in drawing.symbols:
        assert SIZE / 2 <= s.cx <= drawing.width and 0 < s.cy < drawing.height
