"""``tomoni audit verify | seal | anchor | head``: check the events, the chain and every anchor;
seal what was appended since the last seal; anchor the signed head outside the database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tomoni.audit.log import anchor, anchors_beyond_head, head, seal, verify


class Command(BaseCommand):
    help = (
        "監査ログ: verify (全イベント・チェーン・全アンカーを検査), seal (未封印のイベントを"
        "チェーンにつなぐ), anchor (署名した先頭をDB外へ書く), head (先頭を表示)"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("subcommand", choices=["verify", "seal", "anchor", "head"])
        parser.add_argument(
            "--anchors",
            type=Path,
            default=None,
            help="アンカーファイル (既定: TOMONI_AUDIT_ANCHOR_FILE)",
        )
        parser.add_argument(
            "--restored",
            action="store_true",
            help="verify: 復元直後の検査 (封印せず読み、バックアップ後のアンカーは件数だけ示す)",
        )
        parser.add_argument(
            "--syslog", action="store_true", help="anchor: syslog (LOG_AUTH) にも書く"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "head":
            seq, digest = head()
            self.stdout.write(f"{seq} {digest}")
            return
        if options["subcommand"] == "seal":
            count = seal()
            seq, digest = head()
            self.stdout.write(f"{count} 件を封印しました: 先頭 {seq} {digest}")
            return
        if options["subcommand"] == "anchor":
            signed = anchor(options["anchors"], to_syslog=options["syslog"])
            self.stdout.write(f"アンカーを書きました: #{signed.seq} {signed.hash} ({signed.at})")
            return
        restored = options["restored"]
        problems = list(
            verify(anchors=options["anchors"], seal_first=not restored, later_anchors_ok=restored)
        )
        for problem in problems[:100]:
            self.stderr.write(f"#{problem.seq}: {problem.message}")
        if problems:
            raise CommandError(f"監査ログに {len(problems)} 件の不整合があります")
        seq, digest = head()
        self.stdout.write(f"監査ログは正常です: {seq} 件, 先頭 {digest}")
        later = anchors_beyond_head(options["anchors"]) if restored else 0
        if later:
            self.stdout.write(
                f"バックアップより後のアンカーが {later} 件あります: その間の監査イベントは"
                "この復元に含まれていません"
            )
