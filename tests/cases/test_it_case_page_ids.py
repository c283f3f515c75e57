"""The case page's small forms (終結, 同意, 撤回, チーム, 課題, 記録 …) share field names; each
has its own ids, so every label names its own field (axe-core found the 記録 form's 日付
unlabelled, issue 20)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

from tomoni.directory.models import Staff

from ..conftest import BrowserClient
from .conftest import open_for, with_consent


def test_every_id_on_the_case_page_is_unique(
    personas: dict[str, Staff], as_user: Callable[[Staff | None], BrowserClient]
) -> None:
    coordinator = personas["coordinator"]
    case = with_consent(coordinator, open_for(coordinator))
    html = as_user(coordinator).get(case.get_absolute_url()).content.decode()
    ids = Counter(re.findall(r'\sid="([^"]+)"', html))
    assert [name for name, n in ids.items() if n > 1] == []
