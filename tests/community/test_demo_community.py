"""The demo's 地域づくり: all 10 地区 with a 協議体, meetings in both 年度 and none after the
demo's today, the revived 朝市 and its story, one つながりフォーラム."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.urls import reverse

from tomoni.audit.log import verify
from tomoni.community.models import Activity, ActivitySession, Council, CouncilMeeting, Event
from tomoni.demo.city import ensure_staff, load_city
from tomoni.demo.intake import UNTIL
from tomoni.directory.models import District
from tomoni.lib.fiscal import fiscal_year

from ..conftest import BrowserClient

pytestmark = pytest.mark.demo


def test_demo_community(db: None, as_user: Callable[..., BrowserClient]) -> None:
    load_city(12)
    assert Council.objects.count() == District.objects.count() == 10
    for council in Council.objects.all():
        years = {fiscal_year(d) for d in council.meetings.values_list("held_on", flat=True)}
        assert years == {2025, 2026}, council
        assert council.members.filter(left_on__isnull=True).count() >= 6
    latest = max(CouncilMeeting.objects.values_list("held_on", flat=True))
    assert latest <= UNTIL
    assert max(ActivitySession.objects.values_list("held_on", flat=True)) <= UNTIL
    market = Activity.objects.get(name="押立朝市の復活")
    assert "協議体がきっかけで復活" in market.story
    assert market.council_meeting is not None and market.place is not None
    assert market.council_meeting.topics == "押立朝市の復活について"
    assert {a.kind for a in Activity.objects.all()} >= {"market", "salon", "ibasho"}
    assert Event.objects.get().groups.count() == 12
    assert list(verify()) == []
    client = as_user(ensure_staff()["chiiki"])
    assert (
        "押立朝市の復活"
        in client.get(reverse("community:district", args=["oshitate"])).content.decode()
    )
