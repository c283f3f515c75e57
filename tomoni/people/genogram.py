"""The ジェノグラム: a deterministic layout of a family, drawn by ``people/_genogram.html``.

:func:`layout` is a pure function from plain data (:class:`~tomoni.people.kinship.Kin`,
:class:`~tomoni.people.kinship.Tie`) to geometry, so it is tested without a database and
measured in ``bench/``. The standard notation (日本の社会福祉の教科書どおり): □ male, ○ female,
◇ other or unknown, × over the symbol of a deceased person, a double outline for the 本人,
the age inside, a horizontal line between partners (dashed for 内縁, ``//`` for 離別), the
children hanging from that line oldest on the left, and a dashed line around those who live
together.

Why hand-written and not a graph-layout library: a generic layered layout (Sugiyama, as in
grandalf or graphviz ``dot``) knows nothing of couples side by side, birth order or the
cohabitation outline, and needs dummy "marriage" nodes and a rewrite of its result to get
them; a family of a dozen people is laid out here in well under a millisecond
(docs/performance.md).

Steps: generations from the 本人 (parents one row up, children one down, partners and
siblings on the same row); couples grouped into units; units ordered by a few barycentre
sweeps (children under their parents, siblings by birth); x positions by alternate passes that
centre children under their parents and parents over their children.
"""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import date

from .kinship import (
    BEREAVED,
    COMMON_LAW,
    DIVORCED,
    FAMILY_APART,
    FEMALE,
    GRANDPARENT,
    MALE,
    PARENT_CHILD,
    RELATIVE,
    SIBLING,
    SPOUSE,
    Family,
    Kin,
    Tie,
)

SIZE = 40  # a symbol's width and height
CELL = 112  # horizontal room per person (the name under the symbol must fit)
UNIT_GAP = 16  # between two units on a row
ROW = 150  # from one generation's symbols to the next
MARGIN = 24
TOP = 24
NAME_DY = 16  # the name's baseline below the symbol
LABEL_DY = 31  # the 続柄 line below that
LEGEND_HEIGHT = 44
MIN_WIDTH = 560  # the legend's width
SWEEPS = 4


@dataclass
class Symbol:
    kin: Kin
    label: str
    cx: float = 0.0
    cy: float = 0.0

    @property
    def shape(self) -> str:
        return {MALE: "square", FEMALE: "circle"}.get(self.kin.sex, "diamond")

    @property
    def x(self) -> float:
        return self.cx - SIZE / 2

    @property
    def y(self) -> float:
        return self.cy - SIZE / 2

    @property
    def inner_x(self) -> float:
        """The inner outline of the 本人's double line."""
        return self.x + 4

    @property
    def inner_y(self) -> float:
        return self.y + 4

    @property
    def age_y(self) -> float:
        return self.cy + 5

    @property
    def diamond(self) -> str:
        h = SIZE / 2 + 3
        return _points(
            [
                (self.cx, self.cy - h),
                (self.cx + h, self.cy),
                (self.cx, self.cy + h),
                (self.cx - h, self.cy),
            ]
        )

    @property
    def inner_diamond(self) -> str:
        h = SIZE / 2 - 3
        return _points(
            [
                (self.cx, self.cy - h),
                (self.cx + h, self.cy),
                (self.cx, self.cy + h),
                (self.cx - h, self.cy),
            ]
        )

    @property
    def cross(self) -> tuple[float, float, float, float]:
        """The × of a deceased person, corner to corner."""
        d = SIZE / 2 + 4
        return (self.cx - d, self.cy - d, self.cx + d, self.cy + d)

    @property
    def age_text(self) -> str:
        return "" if self.kin.age is None else str(self.kin.age)

    @property
    def name_y(self) -> float:
        return self.cy + SIZE / 2 + NAME_DY

    @property
    def label_y(self) -> float:
        return self.cy + SIZE / 2 + LABEL_DY

    @property
    def short_name(self) -> str:
        name = self.kin.name
        return name if len(name) <= 8 else name[:7] + "…"

    @property
    def description(self) -> str:
        parts = [self.label] if self.label else []
        if self.kin.age is not None:
            parts.append(f"{self.kin.age}歳")
        parts.append({MALE: "男性", FEMALE: "女性"}.get(self.kin.sex, "性別不明"))
        if self.kin.deceased:
            parts.append("死亡")
        if self.kin.lives_here:
            parts.append("同居")
        return f"{self.kin.name}（{'・'.join(parts)}）"


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    style: str = "solid"  # solid | dashed (内縁) | dotted (祖父母・孫, 別居の家族)


@dataclass
class Drawing:
    width: float
    height: float
    symbols: list[Symbol]
    lines: list[Line]
    marks: list[Line]  # the // of a divorce
    outline: str  # polygon points around those who live together ("" if none)
    legend_y: float
    title: str = "ジェノグラム"
    description: str = ""
    generations: int = 0
    people: int = field(default=0)


def _points(pts: list[tuple[float, float]]) -> str:
    return " ".join(f"{x:g},{y:g}" for x, y in pts)


def _generations(family: Family, root: int) -> dict[int, int]:
    """Generation numbers: parents −1, children +1, grandparents −2, partners and siblings
    the same. People not linked to the 本人 are placed from their own component."""
    gen: dict[int, int] = {}
    strong: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for pid in family.people:
        strong[pid] += [(c, 1) for c in family.children[pid]]
        strong[pid] += [(p, -1) for p in family.parents[pid]]
        strong[pid] += [(c, 2) for c in family.grandchildren[pid]]
        strong[pid] += [(p, -2) for p in family.grandparents[pid]]
        strong[pid] += [(s, 0) for s in family.spouses[pid]]
        strong[pid] += [(s, 0) for s in family.siblings[pid]]
        strong[pid] += [(s, 0) for s in family.apart[pid]]
    ordered = [root, *sorted(p for p in family.people if p != root)]
    for start in ordered:
        if start in gen:
            continue
        gen[start] = 0
        queue = deque([start])
        while queue:
            pid = queue.popleft()
            for other, step in sorted(strong[pid]):
                if other not in gen:
                    gen[other] = gen[pid] + step
                    queue.append(other)
    low = min(gen.values(), default=0)
    return {pid: g - low for pid, g in gen.items()}


def _units(family: Family, members: list[int], gen: dict[int, int]) -> list[list[int]]:
    """Partners on one row grouped into units, left to right: a man left of a woman, an
    earlier (ended) partner outside, the current one beside."""
    seen: set[int] = set()
    units: list[list[int]] = []
    for pid in members:
        if pid in seen:
            continue
        group = []
        queue = deque([pid])
        while queue:
            q = queue.popleft()
            if q in seen:
                continue
            seen.add(q)
            group.append(q)
            queue.extend(s for s in sorted(family.spouses[q]) if gen.get(s) == gen[pid])
        units.append(_order_couple(family, group))
    return units


def _order_couple(family: Family, group: list[int]) -> list[int]:
    if len(group) == 1:
        return group
    hub = max(group, key=lambda p: (len(family.spouses[p]), -p))
    others = [p for p in group if p != hub]
    hub_sex = family.people[hub].sex

    def ended(p: int) -> bool:
        return family.spouses[hub].get(p) in (DIVORCED, BEREAVED)

    others.sort(key=lambda p: (not ended(p), p))
    if len(others) == 1:
        other_sex = family.people[others[0]].sex
        if hub_sex == FEMALE or (other_sex == MALE and hub_sex != MALE):
            return [others[0], hub]
        return [hub, others[0]]
    earlier = [p for p in others if ended(p)]
    current = [p for p in others if not ended(p)]
    return [*earlier, hub, *current]


def _unit_key(family: Family, unit: list[int]) -> tuple[bool, date, int]:
    births = [b for p in unit if (b := family.people[p].seniority) is not None]
    return (not births, min(births) if births else date.max, min(unit))


class _Layout:
    def __init__(self, people: list[Kin], ties: list[Tie], labels: dict[int, str]) -> None:
        self.family = Family(people, ties)
        self.ties = [t for t in ties if t.a in self.family.people and t.b in self.family.people]
        self.labels = labels
        subject = next((k.id for k in people if k.is_subject), None)
        root = subject if subject is not None else min(self.family.people, default=0)
        self.gen = _generations(self.family, root)
        depth = max(self.gen.values(), default=-1) + 1
        rows: list[list[int]] = [[] for _ in range(depth)]
        for pid in sorted(self.family.people):
            rows[self.gen[pid]].append(pid)
        self.rows = [
            sorted(_units(self.family, row, self.gen), key=lambda u: _unit_key(self.family, u))
            for row in rows
        ]
        self.x: dict[int, float] = {}

    # --- order -------------------------------------------------------------------------

    def _place_by_order(self) -> None:
        for row in self.rows:
            left = 0.0
            for unit in row:
                for i, pid in enumerate(unit):
                    self.x[pid] = left + CELL * i + CELL / 2
                left += CELL * len(unit) + UNIT_GAP

    def _mean(self, ids: set[int]) -> float | None:
        xs = [self.x[p] for p in ids if p in self.x]
        return sum(xs) / len(xs) if xs else None

    def _married_sibling(self, unit: list[int]) -> tuple[int, int] | None:
        """For a single person whose sibling married into another drawn family (both
        partners' parents are in the picture): the couple's index in the row, and -1 or +1
        for the side of the couple that sibling stands on."""
        if len(unit) != 1:
            return None
        siblings = self.family.siblings_of(unit[0])
        for index, other in enumerate(self.rows[self.gen[unit[0]]]):
            if len(other) < 2 or other is unit:
                continue
            if sum(1 for p in other if self.family.parents[p]) < 2:
                continue
            for place, pid in enumerate(other):
                if pid in siblings:
                    return index, (-1 if place < len(other) / 2 else 1)
        return None

    def _sort_row(self, g: int, toward: str) -> None:
        row = self.rows[g]

        def base(unit: list[int]) -> float:
            linked: set[int] = set()
            for p in unit:
                if toward == "up":
                    linked |= self.family.parents[p] | self.family.grandparents[p]
                else:
                    linked |= self.family.children[p] | self.family.grandchildren[p]
            mean = self._mean(linked)
            return sum(self.x[p] for p in unit) / len(unit) if mean is None else mean

        keys = [base(u) for u in row]
        if toward == "up":
            # A husband's sisters stand on his side of the couple, a wife's brothers on hers,
            # so each family's lines come down on its own side without crossing.
            for index, unit in enumerate(row):
                found = self._married_sibling(unit)
                if found is not None:
                    couple, side = found
                    keys[index] = keys[couple] + side * 0.5

        def birth(unit: list[int]) -> tuple[bool, date, int]:
            # Siblings by their own birth, not their partner's.
            children = [p for p in unit if self.family.parents[p]] or unit
            births = [b for p in children if (b := self.family.people[p].seniority) is not None]
            return (not births, min(births) if births else date.max, min(unit))

        order = sorted(range(len(row)), key=lambda i: (keys[i], *birth(row[i])))
        self.rows[g] = [row[i] for i in order]

    def order(self) -> None:
        self._place_by_order()
        for _ in range(SWEEPS):
            for g in range(1, len(self.rows)):
                self._sort_row(g, "up")
                self._place_by_order()
            for g in range(len(self.rows) - 2, -1, -1):
                self._sort_row(g, "down")
                self._place_by_order()
        for g in range(1, len(self.rows)):
            self._sort_row(g, "up")
            self._place_by_order()

    # --- positions ---------------------------------------------------------------------

    def origin(self, child: int) -> float | None:
        """Where a child's line comes from: the partners' line, or the one parent."""
        parents = sorted(self.family.parents[child], key=lambda p: self.x.get(p, 0))
        if not parents:
            return None
        if len(parents) >= 2:
            return (self.x[parents[0]] + self.x[parents[1]]) / 2
        return self.x[parents[0]]

    def _pack(self, row: list[list[int]], desired: list[float]) -> None:
        right = -float("inf")
        for unit, want in zip(row, desired, strict=True):
            left = max(want, right + UNIT_GAP)
            for i, pid in enumerate(unit):
                self.x[pid] = left + CELL * i + CELL / 2
            right = left + CELL * len(unit)

    def _left(self, unit: list[int]) -> float:
        return self.x[unit[0]] - CELL / 2

    def _down(self, g: int) -> None:
        row = self.rows[g]
        groups: dict[float, list[int]] = defaultdict(list)
        for index, unit in enumerate(row):
            for pid in unit:
                o = self.origin(pid)
                if o is not None:
                    groups[round(o, 3)].append(index)
                    break
        desired = [self._left(u) for u in row]
        for origin, indices in groups.items():
            if len(indices) == 1:
                unit = row[indices[0]]
                child = next(p for p in unit if self.origin(p) is not None)
                # the child itself, not its partner, sits under the parents' line
                desired[indices[0]] = origin - CELL / 2 - unit.index(child) * CELL
                continue
            width = sum(CELL * len(row[i]) for i in indices) + UNIT_GAP * (len(indices) - 1)
            left = origin - width / 2
            for i in indices:
                desired[i] = left
                left += CELL * len(row[i]) + UNIT_GAP
        self._pack(row, desired)

    def _up(self, g: int) -> None:
        row = self.rows[g]
        desired = []
        for unit in row:
            kids = set()
            for p in unit:
                kids |= self.family.children[p]
            xs = [self.x[k] for k in kids if k in self.x]
            if not xs:
                desired.append(self._left(unit))
                continue
            centre = (min(xs) + max(xs)) / 2
            parents = [p for p in unit if self.family.children[p]]
            mid = sum(self.x[p] for p in parents) / len(parents)
            desired.append(self._left(unit) + centre - mid)
        self._pack(row, desired)

    def positions(self) -> None:
        for _ in range(3):
            for g in range(1, len(self.rows)):
                self._down(g)
            for g in range(len(self.rows) - 2, -1, -1):
                self._up(g)
        for g in range(1, len(self.rows)):
            self._down(g)
        low = min(self.x.values(), default=0.0) - CELL / 2
        for pid in self.x:
            self.x[pid] += MARGIN - low

    # --- drawing -----------------------------------------------------------------------

    def cy(self, pid: int) -> float:
        return TOP + SIZE / 2 + 4 + self.gen[pid] * ROW

    def drawing(self) -> Drawing:
        symbols = [
            Symbol(kin, self.labels.get(pid, ""), self.x[pid], self.cy(pid))
            for pid, kin in sorted(
                self.family.people.items(), key=lambda i: (self.gen[i[0]], self.x[i[0]])
            )
        ]
        lines: list[Line] = []
        marks: list[Line] = []
        self._couples(lines, marks)
        self._children(lines)
        self._others(lines)
        width = max([MIN_WIDTH, *(s.cx + CELL / 2 + MARGIN for s in symbols)])
        bottom = max((s.label_y for s in symbols), default=TOP) + 18
        return Drawing(
            width=round(width),
            height=round(bottom + LEGEND_HEIGHT),
            symbols=symbols,
            lines=lines,
            marks=marks,
            outline=self._outline(),
            legend_y=bottom + 10,
            description="、".join(s.description for s in symbols),
            generations=len(self.rows),
            people=len(symbols),
        )

    def _couples(self, lines: list[Line], marks: list[Line]) -> None:
        done: set[tuple[int, int]] = set()
        for t in self.ties:
            if t.kind != SPOUSE:
                continue
            a, b = sorted((t.a, t.b), key=lambda p: self.x[p])
            if (a, b) in done:
                continue
            done.add((a, b))
            y = self.cy(a)
            if self.gen[a] != self.gen[b]:
                lines.append(Line(self.x[a], y, self.x[b], self.cy(b), "dotted"))
                continue
            x1, x2 = self.x[a] + SIZE / 2 + 2, self.x[b] - SIZE / 2 - 2
            lines.append(Line(x1, y, x2, y, "dashed" if t.union == COMMON_LAW else "solid"))
            if t.union == DIVORCED:
                mid = (x1 + x2) / 2
                for dx in (-5, 3):
                    marks.append(Line(mid + dx - 4, y + 9, mid + dx + 4, y - 9))

    def _children(self, lines: list[Line]) -> None:
        by_origin: dict[tuple[float, float], list[int]] = defaultdict(list)
        for child in sorted(self.family.people):
            parents = [p for p in self.family.parents[child] if self.gen[p] < self.gen[child]]
            if not parents:
                continue
            ox = self.origin(child)
            assert ox is not None
            top = max(self.cy(p) for p in parents)
            if len(parents) == 1:
                top += SIZE / 2 + LABEL_DY + 6  # below the parent's name and 続柄
            by_origin[(round(ox, 3), top)].append(child)
        for index, ((ox, oy), kids) in enumerate(sorted(by_origin.items())):
            child_top = min(self.cy(k) for k in kids) - SIZE / 2
            # Two families' bars on one row at different heights, never read as one.
            bar = child_top - 14 - 8 * (index % 2)
            lines.append(Line(ox, oy, ox, bar))
            xs = [self.x[k] for k in kids] + [ox]
            lines.append(Line(min(xs), bar, max(xs), bar))
            for k in kids:
                lines.append(Line(self.x[k], bar, self.x[k], self.cy(k) - SIZE / 2 - 2))

    def _others(self, lines: list[Line]) -> None:
        """Ties without a line of their own above: grandparent to grandchild when the
        parent between is not recorded, siblings without recorded parents, and family
        living apart — dotted, from symbol to symbol."""
        for t in self.ties:
            a, b = t.a, t.b
            if t.kind == GRANDPARENT:
                if self.family.children[a] & self.family.parents[b]:
                    continue
            elif t.kind == SIBLING:
                if self.family.parents[a] & self.family.parents[b]:
                    continue
            elif t.kind not in (FAMILY_APART, RELATIVE) and (
                t.kind != PARENT_CHILD or self.gen[a] < self.gen[b]
            ):
                # 親子 has its own line from the parents; 介護 and その他 are not drawn.
                continue
            if self.gen[a] == self.gen[b]:
                left, right = sorted((a, b), key=lambda p: self.x[p])
                y = self.cy(a) - SIZE / 2 - 8
                lines += [
                    Line(self.x[left], self.cy(left) - SIZE / 2 - 2, self.x[left], y, "dotted"),
                    Line(self.x[left], y, self.x[right], y, "dotted"),
                    Line(self.x[right], y, self.x[right], self.cy(right) - SIZE / 2 - 2, "dotted"),
                ]
            else:
                up, down = sorted((a, b), key=lambda p: self.gen[p])
                lines.append(
                    Line(
                        self.x[up],
                        self.cy(up) + SIZE / 2 + LABEL_DY + 6,
                        self.x[down],
                        self.cy(down) - SIZE / 2 - 2,
                        "dotted",
                    )
                )

    def _outline(self) -> str:
        """A closed line around those who live together: per row, the span of its members;
        the rows joined as a staircase (members of a row are kept side by side by the
        ordering whenever the family allows it)."""
        spans: dict[int, tuple[float, float]] = {}
        for pid, kin in self.family.people.items():
            if not kin.lives_here:
                continue
            g = self.gen[pid]
            lo, hi = spans.get(g, (self.x[pid], self.x[pid]))
            spans[g] = (min(lo, self.x[pid]), max(hi, self.x[pid]))
        if not spans:
            return ""
        pad_x, pad_top, pad_bottom = CELL / 2 - 6, SIZE / 2 + 10, SIZE / 2 + LABEL_DY + 8
        rows = sorted(spans)
        right: list[tuple[float, float]] = []
        left: list[tuple[float, float]] = []
        for i, g in enumerate(rows):
            lo, hi = spans[g]
            cy = TOP + SIZE / 2 + 4 + g * ROW
            top = (
                cy - pad_top
                if i == 0
                else (TOP + SIZE / 2 + 4 + rows[i - 1] * ROW + pad_bottom + cy - pad_top) / 2
            )
            last = i == len(rows) - 1
            bottom = (
                cy + pad_bottom
                if last
                else (cy + pad_bottom + TOP + SIZE / 2 + 4 + rows[i + 1] * ROW - pad_top) / 2
            )
            right += [(hi + pad_x, top), (hi + pad_x, bottom)]
            left += [(lo - pad_x, top), (lo - pad_x, bottom)]
        return _points(right + left[::-1])


def layout(people: list[Kin], ties: list[Tie], labels: dict[int, str] | None = None) -> Drawing:
    """The ジェノグラム of ``people``: the same input always gives the same drawing."""
    state = _Layout(people, ties, labels or {})
    state.order()
    state.positions()
    return state.drawing()
