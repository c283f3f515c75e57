"""Server-drawn SVG bar charts: geometry computed here, drawn by ``stats/_chart.html``.

No script and no style attribute: bars carry a class per period (colours in stats.css) and
SVG presentation attributes. The chart is a picture of its table, which stays next to it for
screen readers and print; suppressed cells (「-」) draw no bar.
"""

from __future__ import annotations

from dataclasses import dataclass

from .exports import Cell

LABEL_WIDTH = 230
BAR_AREA = 260  # with the labels and values: a 550-unit chart, drawn at 1:1 (12 px text)
BAR_HEIGHT = 12
GAP = 10
VALUE_WIDTH = 60


@dataclass
class Bar:
    x: int
    y: int
    width: int
    height: int
    period: int
    text: str
    text_x: int
    text_y: int


@dataclass
class Group:
    label: str
    y: int
    bars: list[Bar]


@dataclass
class Chart:
    width: int
    height: int
    groups: list[Group]
    axis_x: int


def bar_chart(rows: list[tuple[str, list[Cell]]], periods: int) -> Chart | None:
    """Grouped horizontal bars, one group per row and one bar per period; None when there is
    nothing to draw (every cell empty, zero or suppressed)."""
    numbers = [c for _, cells in rows for c in cells if isinstance(c, int | float)]
    top = max(numbers, default=0)
    if top <= 0:
        return None
    group_height = periods * BAR_HEIGHT + GAP
    groups = []
    for index, (label, cells) in enumerate(rows):
        y0 = index * group_height + GAP // 2
        bars = []
        for p, cell in enumerate(cells):
            y = y0 + p * BAR_HEIGHT
            value = cell if isinstance(cell, int | float) else 0
            width = round(BAR_AREA * value / top)
            text = "" if cell is None else str(cell)
            bars.append(
                Bar(
                    LABEL_WIDTH,
                    y,
                    width,
                    BAR_HEIGHT - 2,
                    p,
                    text,
                    LABEL_WIDTH + width + 4,
                    y + BAR_HEIGHT - 3,
                )
            )
        groups.append(Group(label, y0 + (periods * BAR_HEIGHT) // 2 + 4, bars))
    return Chart(
        LABEL_WIDTH + BAR_AREA + VALUE_WIDTH, len(rows) * group_height + GAP, groups, LABEL_WIDTH
    )
