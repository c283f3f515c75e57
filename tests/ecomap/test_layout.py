"""The エコマップ layout: a pure function over plain data."""

from __future__ import annotations

import math

from tomoni.ecomap.layout import Centre, Node, layout


def nodes(n: int) -> list[Node]:
    strengths = ["strong", "normal", "weak", "stressful"]
    directions = ["to_family", "from_family", "both", "none"]
    kinds = ["agency", "place", "informal"]
    return [
        Node(
            f"k{i}",
            kinds[i % 3],
            f"支援者{i:02d}",
            "主担当" if i == 0 else "",
            strengths[i % 4],
            directions[i % 4],
        )
        for i in range(n)
    ]


def test_nodes_ring_the_household_without_overlap() -> None:
    """Twelve ties: evenly around the centre, none touching another or the centre."""
    drawing = layout(Centre("見本さん世帯", ("本人 一郎 54歳", "母 幸子 84歳")), nodes(12))
    assert len(drawing.placed) == 12
    for a in drawing.placed:
        assert math.dist((a.cx, a.cy), (drawing.cx, drawing.cy)) > drawing.r + 32
        for b in drawing.placed:
            if a is not b:
                # ellipses 160 × 64: apart in x by their width or in y by their height
                assert abs(a.cx - b.cx) >= 160 or abs(a.cy - b.cy) >= 64
    assert (
        min(p.cx for p in drawing.placed) - 80 > 0
        and max(p.cx for p in drawing.placed) + 80 <= drawing.width
    )


def test_strength_and_direction_are_drawn() -> None:
    """Hatches only on a stressful tie; arrowheads as the direction says."""
    drawing = layout(Centre("世帯", ()), nodes(4))
    by_strength = {p.node.strength: p for p in drawing.placed}
    assert by_strength["stressful"].hatches and not by_strength["normal"].hatches
    arrows = {p.node.direction: len(p.arrows) for p in drawing.placed}
    assert arrows == {"to_family": 1, "from_family": 1, "both": 2, "none": 0}
    assert "ストレスのある" in drawing.description


def test_same_input_same_drawing() -> None:
    first = layout(Centre("世帯", ("本人",)), nodes(7))
    again = layout(Centre("世帯", ("本人",)), list(reversed(nodes(7))))
    assert [(p.node.key, p.cx, p.cy) for p in first.placed] == [
        (p.node.key, p.cx, p.cy) for p in again.placed
    ]


def test_long_names_are_wrapped_and_cut() -> None:
    long = Node("a", "agency", "稲城市第一地域包括支援センター東長沼分室", "関係機関")
    drawing = layout(Centre("世帯", ()), [long])
    texts = [t for _, t in drawing.placed[0].text]
    assert all(len(t) <= 12 for t in texts) and texts[1].endswith("…")
