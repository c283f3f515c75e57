"""Nothing on the 地域づくり pages exposes personal case data: a household, its people and
their consultation exist in the city, and none of it appears anywhere here, whoever looks;
the views never touch personal-data models."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from django.urls import reverse

from tomoni.access.policy import PERSONAL_MODELS
from tomoni.community import actions
from tomoni.community.actions import GroupData, MeetingData, SessionData
from tomoni.directory.models import Staff

from ..conftest import BrowserClient, register_household
from ..intake.conftest import take
from .conftest import make_activity, make_council, make_event

SECRET_SUMMARY = "秘匿テスト：家賃滞納と通院の悩み"


@pytest.fixture
def pages(keeper: Staff, personas: dict[str, Staff]) -> list[str]:
    council = make_council(keeper)
    meeting = actions.save_meeting(
        keeper, council, None, MeetingData(held_on=date(2025, 5, 12), topics="朝市について")
    )
    activity = make_activity(keeper)
    actions.record_session(keeper, activity, SessionData(held_on=date(2025, 6, 1), elderly=5))
    event = make_event(keeper)
    actions.register_group(keeper, event, GroupData(name="朝市の会", report=True))
    window = personas["window"]
    household = register_household(window, address="稲城市押立9丁目9番9号")
    take(window, summary=SECRET_SUMMARY, household=household)
    return [
        reverse("community:index"),
        reverse("community:area", args=["area1"]),
        reverse("community:district", args=["oshitate"]),
        meeting.get_absolute_url(),
        reverse("community:activities"),
        activity.get_absolute_url(),
        reverse("community:events"),
        event.get_absolute_url(),
        reverse("community:programme_print", args=[event.pk]),
        reverse("community:agencies"),
    ]


@pytest.mark.parametrize("name", ["coordinator", "community", "window", "agency_a", "manager"])
def test_no_personal_data_on_any_page(
    pages: list[str], personas: dict[str, Staff], as_user: Callable[..., BrowserClient], name: str
) -> None:
    client = as_user(personas[name])
    for url in pages:
        page = client.get(url).content.decode()
        for secret in ("見本 太郎", "見本 花子", "みほん", "押立9丁目", SECRET_SUMMARY):
            assert secret not in page, (url, secret)


def test_views_never_query_personal_models() -> None:
    source = (Path(__file__).parents[2] / "tomoni" / "community" / "views.py").read_text()
    models_used = set(re.findall(r"\b([A-Z][A-Za-z]+)\.objects", source))
    personal = {label.split(".")[1] for label in PERSONAL_MODELS}
    assert not models_used & personal
    assert "tomoni.people" not in source and "tomoni.cases" not in source


def test_community_models_are_not_personal() -> None:
    assert not any(label.startswith("community.") for label in PERSONAL_MODELS)
