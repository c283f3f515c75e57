"""``tomoni restore``: into an empty database, then compare and ``audit verify``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tomoni.backup.crypto import BackupError, read_key_file
from tomoni.backup.engine import restore, verify_restored

from .backup import key_file


class Command(BaseCommand):
    help = (
        "暗号化バックアップを空のデータベースへ復元し、行数・監査ログの先頭を照合して"
        " audit verify を実行します"
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("backup", type=Path, help="バックアップファイル")
        parser.add_argument(
            "--key-file", type=Path, help="鍵ファイル (既定: TOMONI_BACKUP_KEY_FILE)"
        )
        parser.add_argument(
            "--database-url",
            default="",
            help="復元先 (空のデータベース; 既定: DATABASE_URL の設定)",
        )
        parser.add_argument("--anchors", type=Path, default=None, help="照合するアンカーファイル")

    def handle(self, *args: Any, **options: Any) -> None:
        target = (
            options["database_url"] or os.environ.get("DATABASE_URL", "") or settings.DEFAULT_SQLITE
        )
        anchors = options["anchors"] or Path(settings.TOMONI_AUDIT_ANCHOR_FILE)
        try:
            key = read_key_file(key_file(options))
            with options["backup"].open("rb") as source:
                restored = restore(source, key, target, work_dir=options["backup"].resolve().parent)
        except OSError as error:
            raise CommandError(f"{options['backup']} を読めません: {error.strerror}") from error
        except BackupError as error:
            raise CommandError(str(error)) from error
        differences = restored.differences()
        for line in differences:
            self.stderr.write(line)
        if differences:
            raise CommandError("復元したデータベースがバックアップの記録と一致しません")
        rows = sum(restored.counts.values())
        self.stdout.write(
            f"復元しました: {len(restored.counts)} 表 {rows:,} 行がバックアップ時"
            f"({restored.description.created})と一致、監査ログの先頭 {restored.audit_head[0]}"
        )
        checked = verify_restored(target, anchors)
        self.stdout.write(checked.stdout.rstrip())
        if checked.returncode != 0:
            self.stderr.write(checked.stderr.rstrip())
            raise CommandError("復元したデータベースの監査ログ検証 (audit verify) に失敗しました")
