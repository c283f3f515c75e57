"""ジェノグラム and エコマップ at twelve people: layout alone, layout + SVG template, and (with
``--household``) the whole page over the test client on the configured database.

    .venv/bin/python bench/glance_bench.py
    TOMONI_VAR_DIR=/tmp/glance-demo .venv/bin/python bench/glance_bench.py --household 1

The family is the one of tests/people/test_genogram_layout.py (three generations, twelve
people, a death, a divorce, a cohabiting pair); the ecomap has twelve ties of every strength
and direction. Each measure keeps p50, p95 and max over ``--runs`` runs after a warm-up;
the result goes to bench/results/<time>-glance.json and docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tomoni.settings")

import django

django.setup()

from django.template.loader import render_to_string  # noqa: E402

from tomoni.ecomap.layout import Centre, Node  # noqa: E402
from tomoni.ecomap.layout import layout as ecomap_layout  # noqa: E402
from tomoni.people.genogram import layout as genogram_layout  # noqa: E402
from tomoni.people.kinship import Kin, Tie, labels  # noqa: E402


def family() -> tuple[list[Kin], list[Tie]]:
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


def ecomap_input() -> tuple[Centre, list[Node]]:
    strengths = ["strong", "normal", "weak", "stressful"]
    directions = ["to_family", "from_family", "both", "none"]
    nodes = [
        Node(
            f"n{i}",
            ["agency", "place", "informal"][i % 3],
            f"支援機関その{i}",
            "関係機関",
            strengths[i % 4],
            directions[i % 4],
            "本人" if i % 2 else "",
        )
        for i in range(12)
    ]
    return Centre("見本さん世帯", ("本人 一郎 54歳", "母 幸子 84歳")), nodes


def timed(fn: Callable[[], Any], runs: int) -> dict[str, float]:
    for _ in range(max(3, runs // 20)):
        fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return {
        "p50_ms": round(statistics.median(samples), 3),
        "p95_ms": round(samples[int(len(samples) * 0.95) - 1], 3),
        "max_ms": round(samples[-1], 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--household", type=int, action="append", default=[])
    parser.add_argument("--user", default="kyodo")
    args = parser.parse_args()
    people, ties = family()
    names = labels(4, people, ties)
    centre, nodes = ecomap_input()
    results: dict[str, Any] = {
        "genogram_layout": timed(lambda: genogram_layout(people, ties, names), args.runs),
        "genogram_layout_and_svg": timed(
            lambda: render_to_string(
                "people/_genogram.html",
                {"g": genogram_layout(people, ties, names), "svg_id": "g"},
            ),
            args.runs,
        ),
        "ecomap_layout": timed(lambda: ecomap_layout(centre, nodes), args.runs),
        "ecomap_layout_and_svg": timed(
            lambda: render_to_string(
                "ecomap/_ecomap.html", {"e": ecomap_layout(centre, nodes), "svg_id": "e"}
            ),
            args.runs,
        ),
    }
    if args.household:
        from django.conf import settings
        from django.test import Client

        from tomoni.directory.models import Staff

        settings.ALLOWED_HOSTS = ["*"]
        client = Client()
        client.force_login(Staff.objects.get(username=args.user))
        for pk in args.household:
            for page in ("genogram", "ecomap"):
                url = f"/households/{pk}/{page}/"
                assert client.get(url).status_code == 200, url
                results[f"page_{page}_household_{pk}"] = timed(
                    lambda url=url: client.get(url), max(20, args.runs // 10)
                )
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M")
    out = Path(__file__).parent / "results" / f"{stamp}-glance.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    for name, figures in results.items():
        print(f"{name:38} p50 {figures['p50_ms']:8.2f} ms  p95 {figures['p95_ms']:8.2f} ms")
    print(f"written: {out}")


if __name__ == "__main__":
    main()
