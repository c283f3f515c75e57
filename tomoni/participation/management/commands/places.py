"""``tomoni places export|import``: the places catalog as HSDS 3.0 JSON.

tomoni places export [--output FILE]                 the whole catalog (stdout by default)
tomoni places import FILE --user NAME [--dry-run]    upsert by HSDS id; all or nothing

The import acts as a staff member (coordinator or community coordinator), so the policy
decides and the audit log names who loaded the file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tomoni.audit.log import Action, record
from tomoni.directory.models import Staff
from tomoni.participation import hsds
from tomoni.participation.models import Place


class Command(BaseCommand):
    help = "居場所・社会資源の一覧を HSDS 3.0 JSON で出力・取り込みします。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        export = sub.add_parser("export", help="HSDS 3.0 JSON で出力する")
        export.add_argument("--output", "-o", help="出力先のファイル（省略時は標準出力）")
        load = sub.add_parser("import", help="HSDS 3.0 JSON を取り込む（全件か0件）")
        load.add_argument("file", help="取り込む JSON ファイル")
        load.add_argument("--user", required=True, help="取り込む職員のユーザー名")
        load.add_argument("--dry-run", action="store_true", help="検査だけして登録しない")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "export":
            self._export(options.get("output"))
        else:
            self._import(Path(options["file"]), options["user"], dry_run=options["dry_run"])

    def _export(self, output: str | None) -> None:
        # The catalog is a public directory: the console exports all of it.
        places = list(Place.objects.select_related("district").order_by("pk"))
        text = json.dumps(hsds.to_hsds(places), ensure_ascii=False, indent=2) + "\n"
        record(
            Action.EXPORT,
            username="tomoni places export",
            object_type="participation.place",
            detail={"format": "hsds-3.0", "count": len(places)},
        )
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stdout.write(f"{len(places)} 件を {output} に出力しました。")
        else:
            self.stdout.write(text, ending="")

    def _import(self, path: Path, username: str, *, dry_run: bool) -> None:
        actor = Staff.objects.filter(username=username, is_active=True).first()
        if actor is None:
            raise CommandError(f"職員「{username}」は見つかりません。")
        try:
            records = hsds.parse_file(path.read_bytes())
        except OSError as error:
            raise CommandError(f"ファイルを読めません: {error}") from None
        except hsds.ImportRejected as rejected:
            for problem in rejected.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"{len(rejected.problems)} 件の問題があるため、何も取り込みませんでした。"
            ) from None
        if dry_run:
            self.stdout.write(f"{len(records)} 件を取り込めます（--dry-run: 登録していません）。")
            return
        try:
            result = hsds.import_places(actor, records, source=path.name)
        except PermissionDenied:
            raise CommandError(
                f"職員「{username}」には居場所を登録する権限がありません。"
            ) from None
        self.stdout.write(f"取り込みました: 新規 {result.created} 件 / 更新 {result.changed} 件")
