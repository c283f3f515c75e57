"""``tomoni check --deploy``: the audit log needs its key (docs/operations.md §3)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register


@register(Tags.security, deploy=True)
def audit_key(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    key = str(getattr(settings, "TOMONI_AUDIT_KEY", "") or "")
    if len(key) >= 32:
        return []
    return [
        Error(
            "監査ログの鍵 TOMONI_AUDIT_KEY (または TOMONI_AUDIT_KEY_FILE) が未設定か短すぎます"
            "(32文字以上の乱数)。",
            hint="docs/operations.md §3 の手順で鍵を作り、データベースの外に置いてください。",
            id="tomoni.E010",
        )
    ]
