"""The monthly 生活困窮 sheet at city scale: ``figures.count`` (the sheet's two counting
queries) and the whole page over the test client, on the configured database.

    TOMONI_VAR_DIR=/tmp/jiritsu-bench .venv/bin/tomoni migrate
    TOMONI_VAR_DIR=/tmp/jiritsu-bench .venv/bin/tomoni load_master
    TOMONI_VAR_DIR=/tmp/jiritsu-bench .venv/bin/python bench/jiritsu_bench.py --consultations 300000

Fills the database (once) with ``--consultations`` consultations over three 年度 (two in three
taken by the window, three in four 新規) and a 自立相談支援 record for one window consultation
in ``--every``, then keeps p50 and max of ``--runs`` runs of each measure after a warm-up.
The result goes to bench/results/<time>-jiritsu.json and docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tomoni.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from tomoni.directory.models import Agency, Role, Staff  # noqa: E402
from tomoni.intake.models import Consultation  # noqa: E402
from tomoni.jiritsu import figures  # noqa: E402
from tomoni.jiritsu.models import Support  # noqa: E402

FY = 2025
TOKYO = ZoneInfo("Asia/Tokyo")
BATCH = 5000


def fill(consultations: int, every: int) -> Staff:
    worker, _ = Staff.objects.get_or_create(
        username="bench-window",
        defaults={
            "display_name": "窓口 計測",
            "role": Role.WINDOW,
            "agency": Agency.objects.get(code="window"),
        },
    )
    if Consultation.objects.filter(code__startswith="JB").exists():
        return worker
    window = Agency.objects.get(code="window")
    others = list(Agency.objects.exclude(code="window"))
    rng = random.Random(20260219)
    first = date(FY - 1, 4, 1)
    rows = []
    for i in range(consultations):
        day = first + timedelta(days=rng.randrange(365 * 3))
        rows.append(
            Consultation(
                code=f"JB{i:08d}",
                received_at=datetime(day.year, day.month, day.day, 10, tzinfo=TOKYO),
                receiver=worker,
                agency=window if rng.random() < 2 / 3 else rng.choice(others),
                method="phone",
                is_new=rng.random() < 0.75,
                summary="計測用の相談",
                consent="given",
            )
        )
        if len(rows) == BATCH:
            Consultation.objects.bulk_create(rows)
            rows = []
    Consultation.objects.bulk_create(rows)
    supports = []
    ours = Consultation.objects.filter(agency=window, code__startswith="JB").values_list(
        "pk", "received_at"
    )
    for index, (pk, received) in enumerate(ours.iterator(chunk_size=BATCH)):
        if index % every:
            continue
        day = timezone.localdate(received)
        plan = day + timedelta(days=rng.randint(7, 30)) if rng.random() < 0.6 else None
        target = plan if plan and rng.random() < 0.5 else None
        supports.append(
            Support(
                consultation_id=pk,
                started_on=day,
                plan_on=plan,
                employment_target_on=target,
                gain="work" if target and rng.random() < 0.4 else "",
                gain_on=target + timedelta(days=60) if target and rng.random() < 0.4 else None,
                housing_applied_on=day + timedelta(days=5) if rng.random() < 0.2 else None,
                updated_by=worker,
            )
        )
    for start in range(0, len(supports), BATCH):
        Support.objects.bulk_create(supports[start : start + BATCH])
    return worker


def measure(run: Callable[[], object], runs: int) -> dict[str, float]:
    run()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return {"p50_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--consultations", type=int, default=300_000)
    parser.add_argument("--every", type=int, default=7)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    worker = fill(args.consultations, args.every)
    client = Client()
    client.force_login(worker)

    def page() -> None:
        response = client.get("/stats/seikatsu/", {"fy": FY, "month": 10})
        assert response.status_code == 200, response.status_code

    result = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "engine": connection.vendor,
        "consultations": Consultation.objects.count(),
        "window_consultations": Consultation.objects.filter(agency__code="window").count(),
        "supports": Support.objects.count(),
        "count": measure(lambda: figures.count(FY), args.runs),
        "page": measure(page, args.runs),
    }
    out = Path(__file__).parent / "results" / f"{time.strftime('%Y%m%d-%H%M%S')}-jiritsu.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
