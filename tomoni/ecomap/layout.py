"""The エコマップ: a household in the centre, the agencies, places and people around it, and
one line per tie whose look says its strength (Hartman's notation as taught in Japan: a thick
line 強い, a plain line 普通, a dashed line 弱い, a hatched line ストレスのある) and arrowheads
for the direction support flows. Drawn by ``ecomap/_ecomap.html``.

:func:`layout` is a pure function of plain data, deterministic (nodes sorted by kind and
name, spread evenly round the circle from twelve o'clock), tested without a database and
measured in ``bench/``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

STRONG, NORMAL, WEAK, STRESSFUL = "strong", "normal", "weak", "stressful"
TO_FAMILY, FROM_FAMILY, BOTH, NONE = "to_family", "from_family", "both", "none"
KIND_ORDER = {"agency": 0, "place": 1, "informal": 2}

NODE_RX, NODE_RY = 80, 32
CENTRE_MIN_R = 78
LINE_HEIGHT = 16
ARC_PER_NODE = 190  # room along the ring for one node, so neighbours do not overlap
MIN_RING = 250
MARGIN = 16
LEGEND_HEIGHT = 40
HATCH_EVERY = 12
ARROW = 11


@dataclass(frozen=True)
class Node:
    key: str
    kind: str  # agency | place | informal
    name: str
    detail: str = ""  # 主担当, 参加支援（定着）, 民生委員 …
    strength: str = NORMAL
    direction: str = BOTH
    member: str = ""  # the member the tie is mainly with, e.g. 長男


@dataclass(frozen=True)
class Centre:
    title: str  # 見本さん世帯
    lines: tuple[str, ...]  # one per member: 本人 一郎 53


@dataclass
class Segment:
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass
class Placed:
    node: Node
    cx: float
    cy: float
    text: list[tuple[float, str]]  # (baseline y, text)
    line: Segment
    hatches: list[Segment] = field(default_factory=list)
    arrows: list[str] = field(default_factory=list)  # polygon points

    @property
    def description(self) -> str:
        strength = {STRONG: "強い", NORMAL: "普通", WEAK: "弱い", STRESSFUL: "ストレスのある"}
        direction = {
            TO_FAMILY: "相手から世帯へ",
            FROM_FAMILY: "世帯から相手へ",
            BOTH: "双方向",
            NONE: "向きなし",
        }
        who = f"・{self.node.member}と" if self.node.member else ""
        detail = f"（{self.node.detail}）" if self.node.detail else ""
        return (
            f"{self.node.name}{detail}: {strength.get(self.node.strength, '')}つながり"
            f"{who}・{direction.get(self.node.direction, '')}"
        )


@dataclass
class EcoDrawing:
    width: float
    height: float
    cx: float
    cy: float
    r: float
    centre_text: list[tuple[float, str]]
    placed: list[Placed]
    legend_y: float
    title: str = "エコマップ"
    description: str = ""


def _wrap(text: str, width: int = 9, lines: int = 2) -> list[str]:
    chunks = [text[i : i + width] for i in range(0, len(text), width)] or [""]
    if len(chunks) > lines:
        chunks = chunks[:lines]
        chunks[-1] = chunks[-1][:-1] + "…"
    return chunks


def _ellipse_reach(dx: float, dy: float) -> float:
    """Distance from an ellipse's centre to its edge in the unit direction (dx, dy)."""
    return 1 / math.sqrt((dx / NODE_RX) ** 2 + (dy / NODE_RY) ** 2)


def _arrow(tip_x: float, tip_y: float, ux: float, uy: float) -> str:
    """A filled arrowhead with its tip at (tip_x, tip_y) pointing along (ux, uy)."""
    bx, by = tip_x - ux * ARROW, tip_y - uy * ARROW
    px, py = -uy * ARROW * 0.45, ux * ARROW * 0.45
    pts = [(tip_x, tip_y), (bx + px, by + py), (bx - px, by - py)]
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)


def layout(centre: Centre, nodes: list[Node]) -> EcoDrawing:
    ordered = sorted(nodes, key=lambda n: (KIND_ORDER.get(n.kind, 9), n.name, n.key))
    rows = max(len(centre.lines) + 1, 2)
    r = max(CENTRE_MIN_R, rows * LINE_HEIGHT / 2 + 22)
    ring = max(MIN_RING, r + NODE_RX + 60, len(ordered) * ARC_PER_NODE / (2 * math.pi))
    half_w = ring + NODE_RX + MARGIN
    half_h = ring + NODE_RY + MARGIN
    width = max(2 * half_w, 640)
    cx, cy = width / 2, half_h
    placed = []
    count = max(len(ordered), 1)
    for index, node in enumerate(ordered):
        angle = -math.pi / 2 + 2 * math.pi * index / count
        ux, uy = math.cos(angle), math.sin(angle)
        nx, ny = cx + ring * ux, cy + ring * uy
        start = (cx + ux * (r + 2), cy + uy * (r + 2))
        reach = _ellipse_reach(ux, uy) + 2
        end = (nx - ux * reach, ny - uy * reach)
        line = Segment(round(start[0], 1), round(start[1], 1), round(end[0], 1), round(end[1], 1))
        text_lines = _wrap(node.name)
        if node.detail or node.member:
            text_lines.append("・".join(p for p in (node.detail, node.member) if p)[:12])
        top = ny - (len(text_lines) - 1) * LINE_HEIGHT / 2 + 5
        text = [(round(top + i * LINE_HEIGHT, 1), t) for i, t in enumerate(text_lines)]
        item = Placed(node, round(nx, 1), round(ny, 1), text, line)
        length = math.dist(start, end)
        if node.strength == STRESSFUL:
            steps = int(length // HATCH_EVERY)
            for s in range(1, steps):
                mx, my = start[0] + ux * s * HATCH_EVERY, start[1] + uy * s * HATCH_EVERY
                item.hatches.append(
                    Segment(
                        round(mx - uy * 6, 1),
                        round(my + ux * 6, 1),
                        round(mx + uy * 6, 1),
                        round(my - ux * 6, 1),
                    )
                )
        if node.direction in (TO_FAMILY, BOTH):
            item.arrows.append(_arrow(start[0], start[1], -ux, -uy))
        if node.direction in (FROM_FAMILY, BOTH):
            item.arrows.append(_arrow(end[0], end[1], ux, uy))
        placed.append(item)
    first = cy - (len(centre.lines)) * LINE_HEIGHT / 2 + 4
    centre_text = [(round(first, 1), centre.title)] + [
        (round(first + (i + 1) * LINE_HEIGHT, 1), line) for i, line in enumerate(centre.lines)
    ]
    height = 2 * half_h + LEGEND_HEIGHT
    return EcoDrawing(
        width=round(width),
        height=round(height),
        cx=round(cx, 1),
        cy=round(cy, 1),
        r=round(r, 1),
        centre_text=centre_text,
        placed=placed,
        legend_y=round(2 * half_h + 8, 1),
        description="、".join(p.description for p in placed) or "つながりはまだ登録されていません",
    )
