"""Small factories for 地域づくり tests: records are built through the actions, as the
community coordinator."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tomoni.community import actions
from tomoni.community.actions import ActivityData, CouncilData, EventData
from tomoni.community.models import Activity, Council, Event
from tomoni.directory.models import District, Staff


def district(code: str) -> District:
    return District.objects.get(code=code)


def make_council(user: Staff, code: str = "oshitate") -> Council:
    return actions.save_council(
        user, district(code), CouncilData(name=f"{district(code).name}地区協議体", purpose="")
    )


def make_activity(user: Staff, code: str = "oshitate", **fields: Any) -> Activity:
    data: dict[str, Any] = {
        "name": "押立朝市",
        "district": district(code),
        "kind": "market",
        "host": "押立朝市実行委員会",
        "started_on": date(2024, 6, 1),
        "frequency": "毎月第1日曜",
        "origin": "residents",
    }
    data.update(fields)
    return actions.save_activity(user, None, ActivityData(**data))


def make_event(user: Staff, **fields: Any) -> Event:
    data: dict[str, Any] = {
        "name": "地域のつながりフォーラム",
        "kind": "forum",
        "held_on": date(2026, 2, 21),
        "venue": "地域振興プラザ",
    }
    data.update(fields)
    return actions.save_event(user, None, EventData(**data))


@pytest.fixture
def keeper(personas: dict[str, Staff]) -> Staff:
    return personas["community"]
