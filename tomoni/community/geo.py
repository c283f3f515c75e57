"""The offline map: 地区 shapes shipped with the project (``data/districts.json``) and a
stable point inside each shape for every place.

The shapes are synthetic, simplified polygons laid out roughly like 稲城市's 地区, in SVG
units (north up); they are not survey boundaries and need no tiles or network. Places carry
no coordinates, so each gets a point derived from its key: the same place always lands on the
same spot inside its 地区.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

Point = tuple[float, float]

DATA = Path(__file__).with_name("data") / "districts.json"
MARGIN = 8.0  # keep points off the borders, so they read as inside
# The box a 地区's name takes around its label point (up to four 13-unit characters centred
# on x, baseline at y), widened by a dot's radius: points stay out of it.
LABEL_HALF_WIDTH = 26.0 + 4.5 + 3.0
LABEL_ABOVE, LABEL_BELOW = 13.0 + 4.5 + 2.0, 3.0 + 4.5 + 2.0


@dataclass(frozen=True)
class Shape:
    code: str
    polygon: tuple[Point, ...]
    label: Point

    @property
    def points(self) -> str:
        """The polygon as an SVG ``points`` attribute."""
        return " ".join(f"{x:g},{y:g}" for x, y in self.polygon)


@dataclass(frozen=True)
class Geometry:
    view_box: tuple[float, float, float, float]
    shapes: dict[str, Shape]

    @property
    def view_box_attr(self) -> str:
        return " ".join(f"{v:g}" for v in self.view_box)


@functools.cache
def geometry() -> Geometry:
    raw = json.loads(DATA.read_text(encoding="utf-8"))
    shapes = {
        code: Shape(
            code,
            tuple((float(x), float(y)) for x, y in item["polygon"]),
            (float(item["label"][0]), float(item["label"][1])),
        )
        for code, item in raw["districts"].items()
    }
    x, y, w, h = raw["viewBox"]
    return Geometry((float(x), float(y), float(w), float(h)), shapes)


def contains(polygon: tuple[Point, ...], point: Point) -> bool:
    """Ray casting: whether ``point`` lies inside ``polygon``."""
    x, y = point
    inside = False
    n = len(polygon)
    for i in range(n):
        x1, y1 = polygon[i]
        x2, y2 = polygon[(i + 1) % n]
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def _distance_to_edges(polygon: tuple[Point, ...], point: Point) -> float:
    px, py = point
    best = float("inf")
    for i in range(len(polygon)):
        (x1, y1), (x2, y2) = polygon[i], polygon[(i + 1) % len(polygon)]
        dx, dy = x2 - x1, y2 - y1
        t = max(0.0, min(1.0, ((px - x1) * dx + (py - y1) * dy) / ((dx * dx + dy * dy) or 1.0)))
        best = min(best, ((px - x1 - t * dx) ** 2 + (py - y1 - t * dy) ** 2) ** 0.5)
    return best


def on_label(shape: Shape, point: Point) -> bool:
    """Whether a dot at ``point`` would cover part of the 地区's name."""
    x, y = point
    lx, ly = shape.label
    return abs(x - lx) <= LABEL_HALF_WIDTH and ly - LABEL_ABOVE <= y <= ly + LABEL_BELOW


def point_for(shape: Shape, key: str) -> Point:
    """A stable point inside ``shape`` for ``key`` (e.g. a place's id), away from its edges.

    Candidates come from a hash of the key, so they are the same on every run and machine;
    the label point is the fallback when no candidate fits (it never happens for our shapes).
    """
    xs = [x for x, _ in shape.polygon]
    ys = [y for _, y in shape.polygon]
    left, top, width, height = min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)
    digest = hashlib.sha256(f"{shape.code}:{key}".encode()).digest()
    for i in range(0, len(digest) - 3, 2):
        for salt in range(4):
            u = ((digest[i] + 97 * salt) % 256) / 255
            v = ((digest[i + 2] + 57 * salt) % 256) / 255
            candidate = (round(left + u * width, 1), round(top + v * height, 1))
            if (
                contains(shape.polygon, candidate)
                and _distance_to_edges(shape.polygon, candidate) >= MARGIN
                and not on_label(shape, candidate)
            ):
                return candidate
    return shape.label
