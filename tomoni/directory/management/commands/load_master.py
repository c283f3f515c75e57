"""``tomoni load_master``: 稲城市's areas, districts and agencies (safe to run again).

Loads master data only: no people, no accounts. A city other than 稲城市 edits the
result in the admin.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from tomoni.audit.log import Action, record
from tomoni.cases.stored_tendencies import recompute_all
from tomoni.directory.inagi import load_master


class Command(BaseCommand):
    help = "圏域・地区・支援機関のマスタを登録します（何度実行しても同じ結果）。"

    def handle(self, *args: Any, **options: Any) -> None:
        counts = load_master()
        record(
            Action.BULK_LOAD, username="tomoni load_master", object_type="directory", detail=counts
        )
        self.stdout.write(
            f"マスタを登録しました: 圏域 {counts['areas']} / 地区 {counts['districts']} / "
            f"支援機関 {counts['agencies']}"
        )
        # An agency's name, code or 福祉分野 flag may have been reset: the tendencies read them.
        if stored := sum(recompute_all()):
            self.stdout.write(f"{stored:,} 件のケースの支援傾向を判定し直しました。")
