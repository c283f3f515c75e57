"""``tomoni report --fy 2025 --format xlsx|csv|json``: the 年度実績報告 from the console.

tomoni report --fy 2025 --format csv [--encoding utf-8-sig|cp932] [--output FILE]
tomoni report --fy 2025 --format xlsx --output jisseki.xlsx
tomoni report --fy 2025 --format json [--no-suppress]

The same figures as the 統計 pages, with the 事業費 entered for the 年度 (and the one before).
Small numbers are suppressed as for a manager (the file
usually leaves the team); ``--no-suppress`` gives the coordinators' exact numbers. Every run
is audited as 出力.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from tomoni.audit.log import Action, record
from tomoni.lib.fiscal import fiscal_year, fiscal_year_label
from tomoni.stats import exports, figures


class Command(BaseCommand):
    help = "年度実績報告を Excel・CSV・JSON で出力します。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--fy", type=int, help="年度（西暦の4月の年。省略時は今年度）")
        parser.add_argument("--format", choices=["xlsx", "csv", "json"], default="csv")
        parser.add_argument("--encoding", choices=["utf-8-sig", "cp932"], default="utf-8-sig")
        parser.add_argument("--output", "-o", help="出力先のファイル（省略時は標準出力）")
        parser.add_argument("--no-suppress", action="store_true", help="少数の秘匿をせずに出力する")

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        fy = options["fy"] or fiscal_year(today)
        if not 2019 <= fy <= fiscal_year(today):
            raise CommandError("年度は2019（令和元年度）から今年度までで指定してください。")
        fmt, output = options["format"], options.get("output")
        if fmt == "xlsx" and not output:
            raise CommandError("Excel は --output でファイルを指定してください。")
        below = 0 if options["no_suppress"] else exports.threshold()
        title = f"{fiscal_year_label(fy)} 重層的支援体制整備事業 実績報告"
        report = exports.add_costs(figures.annual(fy, today), fy)
        if fmt == "xlsx":
            data: bytes = exports.to_xlsx(
                report, below, title, f"出力 {timezone.localtime():%Y-%m-%d %H:%M}"
            )
        elif fmt == "csv":
            data = exports.to_csv(report, below, options["encoding"])
        else:
            data = exports.to_json(report, below, title).encode()
        record(
            Action.EXPORT,
            username="tomoni report",
            object_type="stats.report",
            object_id=str(fy),
            detail={"format": fmt, "suppressed_below": below},
        )
        if output:
            Path(output).write_bytes(data)
            self.stderr.write(f"{output} に出力しました（{fiscal_year_label(fy)}）。")
        else:
            # Text goes through self.stdout (call_command can capture it); CSV keeps its bytes.
            if fmt == "json":
                self.stdout.write(data.decode(), ending="")
            else:
                sys.stdout.buffer.write(data)
