"""``tomoni serve``: the production server (gunicorn, static files by whitenoise)."""

from __future__ import annotations

import os
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "本番用サーバー(gunicorn)を起動します。設定は環境変数から読みます。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("BIND", ""))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS", "2")))
        parser.add_argument("--no-collectstatic", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        bind = options["bind"] or f"127.0.0.1:{os.environ.get('PORT', '8000')}"
        if not options["no_collectstatic"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        argv = [
            "gunicorn",
            "tomoni.wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(options["workers"]),
            "--threads",
            os.environ.get("THREADS", "1"),
            "--access-logfile",
            "-",
            # Path without the query string: search terms (names, birthdates) stay out of logs.
            "--access-logformat",
            '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)s',
            "--forwarded-allow-ips",
            os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
            "--max-requests",
            "5000",
            "--max-requests-jitter",
            "500",
        ]
        self.stdout.write(f"ともに: http://{bind}/ で待ち受けます (DEBUG={settings.DEBUG})")
        sys.stdout.flush()
        # Replace this process: gunicorn gets the signals (Ctrl-C, systemd stop) directly.
        os.execvp(sys.executable, [sys.executable, "-m", *argv])  # noqa: S606
