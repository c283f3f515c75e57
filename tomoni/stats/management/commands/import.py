"""``tomoni import history``: figures of earlier 年度 from CSV (``tomoni.stats.history``).

tomoni import history FILE --user NAME [--dry-run] [--encoding auto|utf-8|cp932]
tomoni import history --keys          the 項目 a file may name, with their tables

The import acts as a staff member (one who may set the targets: the manager), so the policy
decides and the audit log names who loaded the file. Any wrong line: every problem is listed
by line number and nothing is imported.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tomoni.directory.models import Staff
from tomoni.lib.fiscal import fiscal_year_label
from tomoni.stats import figures, history


class Command(BaseCommand):
    help = "過去の年度の実績値などを CSV から取り込みます。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        load = sub.add_parser("history", help="過去の年度の実績値を CSV から取り込む（全件か0件）")
        load.add_argument("file", nargs="?", help="取り込む CSV ファイル（年度,項目,値,備考）")
        load.add_argument("--user", help="取り込む職員のユーザー名（管理職）")
        load.add_argument("--dry-run", action="store_true", help="検査だけして登録しない")
        load.add_argument(
            "--encoding",
            choices=["auto", "utf-8", "cp932"],
            default="auto",
            help="文字コード（auto: UTF-8、だめなら Shift_JIS(CP932)）",
        )
        load.add_argument("--keys", action="store_true", help="取り込める項目の一覧を表示する")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["keys"]:
            for key, title in figures.history_keys():
                self.stdout.write(f"{key}\t{title}")
            return
        if not options["file"] or not options["user"]:
            raise CommandError("取り込むファイルと --user（職員のユーザー名）を指定してください。")
        self._history(Path(options["file"]), options, dry_run=options["dry_run"])

    def _history(self, path: Path, options: dict[str, Any], *, dry_run: bool) -> None:
        username = options["user"]
        actor = Staff.objects.filter(username=username, is_active=True).first()
        if actor is None:
            raise CommandError(f"職員「{username}」は見つかりません。")
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"ファイルを読めません: {error}") from None
        try:
            rows = history.read_rows(data, options["encoding"])
            result = history.import_history(actor, rows, source=path.name, dry_run=dry_run)
        except PermissionDenied:
            raise CommandError(
                f"職員「{username}」には過去の実績値を取り込む権限がありません（管理職が取り込みます）。"
            ) from None
        except ValidationError as rejected:
            for problem in rejected.messages:
                self.stderr.write(problem)
            raise CommandError(
                f"{len(rejected.messages)} 件の問題があるため、何も取り込みませんでした。"
            ) from None
        counts = (
            f"新規 {result.created} 件 / 更新 {result.changed} 件 / 変更なし {result.unchanged} 件"
        )
        if dry_run:
            for line in result.lines:
                self.stdout.write(f"{fiscal_year_label(line.fy)} {line.key} = {line.value}")
            self.stdout.write(f"取り込めます: {counts}（--dry-run: 登録していません）。")
            return
        self.stdout.write(f"取り込みました: {counts}")
