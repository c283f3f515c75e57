"""``tomoni demo``: migrate, load the synthetic city once, print the logins, maybe serve."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tomoni.demo.city import DEMO_PASSWORD, DEMO_STAFF, load_city
from tomoni.directory.roles import Role
from tomoni.people.models import Household


class Command(BaseCommand):
    help = "デモ用の架空の市を用意します（既にあれば再利用します）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--households", type=int, default=300, help="世帯数 (既定 300)")
        parser.add_argument("--seed", type=int, default=20260219)
        parser.add_argument("--add", action="store_true", help="既にデータがあっても追加する")
        parser.add_argument("--serve", action="store_true", help="続けてサーバーを起動する")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            # Demo accounts share a published password: never on a real city's database.
            raise CommandError(
                "本番環境 (TOMONI_ENV=production) ではデモデータを作成できません。"
                "マスタだけが必要なら tomoni load_master を使ってください。"
            )
        call_command("migrate", interactive=False, verbosity=0)
        if options["add"] or not Household.objects.filter(code__startswith="D").exists():
            started = time.monotonic()
            totals = load_city(options["households"], options["seed"])
            self.stdout.write(
                f"デモの市を作成しました: 世帯 {totals['households']:,} / "
                f"人 {totals['persons']:,} / 多機関協働ケース {totals.get('cases', 0):,} / "
                f"会議 {totals.get('meetings', 0):,} / "
                f"アウトリーチ {totals.get('engagements', 0):,} / "
                f"居場所 {totals.get('places', 0):,} / "
                f"参加支援 {totals.get('participation_plans', 0):,}"
                f"（{time.monotonic() - started:.1f} 秒）"
            )
        else:
            self.stdout.write("既存のデモデータを使います（作り直すには var/ を削除）。")
        self.stdout.write("\nデモ用ログイン（パスワードは全員共通: " + DEMO_PASSWORD + "）")
        for username, name, _agency, role, _staff in DEMO_STAFF:
            self.stdout.write(f"  {username:<12} {name}（{Role(role).label}）")
        if options["serve"]:
            call_command("serve")
