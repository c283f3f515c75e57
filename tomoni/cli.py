"""The ``tomoni`` console command: Django's management commands under one name.

tomoni demo [--serve] [--households N]   load the synthetic city (and serve it)
tomoni serve                               gunicorn + whitenoise, settings from the env
tomoni migrate | audit verify | createsuperuser | …
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tomoni.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["tomoni", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
