"""``tomoni audit verify``: check the hash chain; non-zero exit on any break."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tomoni.audit.log import head, verify


class Command(BaseCommand):
    help = "監査ログの検証 (verify: ハッシュチェーンを検査する)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("subcommand", choices=["verify", "head"])

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "head":
            seq, digest = head()
            self.stdout.write(f"{seq} {digest}")
            return
        problems = list(verify())
        for problem in problems[:100]:
            self.stderr.write(f"#{problem.seq}: {problem.message}")
        if problems:
            raise CommandError(f"監査ログに {len(problems)} 件の不整合があります")
        seq, digest = head()
        self.stdout.write(f"監査ログは正常です: {seq} 件, 先頭 {digest}")
