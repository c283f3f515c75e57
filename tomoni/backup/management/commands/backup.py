"""``tomoni backup``: an encrypted, consistent copy of the database (docs/operations.md §8)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from tomoni.backup.crypto import BackupError, new_key_file, read_key_file
from tomoni.backup.engine import backup


def key_file(options: dict[str, Any]) -> Path:
    path = options.get("key_file") or getattr(settings, "TOMONI_BACKUP_KEY_FILE", "")
    if not path:
        raise CommandError(
            "鍵ファイルを --key-file か TOMONI_BACKUP_KEY_FILE で指定してください"
            "(作るには tomoni backup --new-key ファイル名)"
        )
    return Path(path)


class Command(BaseCommand):
    help = (
        "データベースを暗号化してバックアップします"
        " (PostgreSQL: pg_dump、SQLite: オンラインバックアップ)"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "output",
            nargs="?",
            type=Path,
            help="出力ファイル (既定: var/backups/日時.tomoni-backup)",
        )
        parser.add_argument(
            "--key-file", type=Path, help="鍵ファイル (既定: TOMONI_BACKUP_KEY_FILE)"
        )
        parser.add_argument(
            "--new-key", type=Path, metavar="FILE", help="新しい鍵ファイルを作って終わる"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["new_key"]:
                new_key_file(options["new_key"])
                self.stdout.write(
                    f"鍵ファイルを作りました: {options['new_key']}"
                    "(バックアップとは別の場所にも保管してください)"
                )
                return
            key = read_key_file(key_file(options))
            output: Path = options["output"] or (
                Path(settings.VAR_DIR)
                / "backups"
                / f"tomoni-{timezone.now().strftime('%Y%m%dT%H%M%SZ')}.tomoni-backup"
            )
            output.parent.mkdir(parents=True, exist_ok=True)
            partial = output.with_name(output.name + ".partial")
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                with os.fdopen(fd, "wb") as out:
                    description = backup(out, key, work_dir=output.parent)
                    out.flush()
                    os.fsync(out.fileno())
                partial.replace(output)
            finally:
                partial.unlink(missing_ok=True)
        except BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(description.tables.values())
        self.stdout.write(
            f"バックアップしました: {output} ({output.stat().st_size:,} バイト, "
            f"{len(description.tables)} 表 {rows:,} 行, 監査ログの先頭 {description.audit_head[0]})"
        )
