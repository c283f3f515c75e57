"""``tomoni tendencies``: the five tendencies stored per case (``cases.CaseTendencies``).

    tomoni tendencies              # how many cases have a current stored result
    tomoni tendencies --recompute  # store every case's result again

The actions keep the stored results as facts change. Run ``--recompute`` after an upgrade
(a new installation's cases, or new rules: ``tendency_rules.RULES_REVISION``), after a change
of a ``TOMONI_TENDENCY_*`` setting, and after an agency's name or 福祉分野 flag is changed in the
master data. Until then the statistics evaluate the stale cases live: right, but slower.
It prints counts only, never a case.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tomoni.audit.log import Action, record
from tomoni.cases.stored_tendencies import recompute_all, stored_counts


class Command(BaseCommand):
    help = "支援傾向①〜⑤の保存された判定を確認し、--recompute で全ケースを判定し直します。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--recompute", action="store_true", help="全ケースの判定をやり直して保存する"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["recompute"]:
            start = time.perf_counter()
            stored = 0
            for count in recompute_all():
                stored += count
            took = time.perf_counter() - start
            # A write to every case's stored row: in the audit log, as load_master's is.
            record(
                Action.BULK_LOAD,
                username="tomoni tendencies",
                object_type="cases.casetendencies",
                detail={"recomputed": stored},
            )
            self.stdout.write(
                f"{stored:,} 件のケースの支援傾向を判定し直しました（{took:.1f} 秒）。"
            )
        total, current = stored_counts()
        self.stdout.write(
            f"ケース {total:,} 件のうち、現在の基準で判定が保存されているもの {current:,} 件"
        )
        if current < total:
            self.stdout.write("`tomoni tendencies --recompute` で保存してください。")
