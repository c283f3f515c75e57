"""今日の仕事 on the home page: what waits for the user, counted through the access policy."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from tomoni.cases import actions as case_actions
from tomoni.directory.models import Staff
from tomoni.intake import actions as intake_actions
from tomoni.intake.models import Referral
from tomoni.meetings import actions as meeting_actions
from tomoni.meetings.models import Kind

from .cases.conftest import agency
from .conftest import BrowserClient


def _counts(client: BrowserClient) -> dict[str, int]:
    html = client.get(reverse("home")).content.decode()
    found = re.findall(r'<a href="[^"]*">([^<]+)</a> <strong class="num">(\d+)</strong>', html)
    return {label: int(count) for label, count in found}


def test_today_counts_what_waits_for_the_user(
    personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    coordinator, agency_a, window = (
        personas["coordinator"],
        personas["agency_a"],
        personas["window"],
    )
    today = timezone.localdate()
    houkatsu = agency("houkatsu1")
    case_actions.add_task(coordinator, title="訪問", owner_agency=houkatsu, due_on=today)
    case_actions.add_task(
        coordinator,
        title="連絡",
        owner_agency=houkatsu,
        owner=agency_a,
        due_on=today - timedelta(days=3),
    )
    case_actions.add_task(coordinator, title="他機関", owner_agency=agency("kyoiku"), due_on=today)
    consultation = intake_actions.take_consultation(
        window, method="phone", summary="家賃の相談", consent="given"
    )
    intake_actions.refer(window, consultation, houkatsu, "面談をお願いします")
    meeting = meeting_actions.schedule_meeting(
        coordinator,
        kind=Kind.CASE_CONFERENCE,
        title="ケース会議",
        starts_at=timezone.now() + timedelta(days=2),
    )
    meeting_actions.add_attendee(coordinator, meeting, agency=houkatsu, staff=agency_a)
    assert _counts(as_user(agency_a)) == {
        "自分の作業": 1,
        "自機関の作業": 2,
        "期限切れの作業": 1,
        "回答待ちのつなぎ": 1,
        "回答期限を過ぎたつなぎ": 0,
        "7日以内の会議": 1,
    }
    # Another agency's worker sees none of it; a manager gets no casework panel at all, only
    # the count of their agency's break-glass grants (issue 14).
    assert set(_counts(as_user(personas["agency_b"])).values()) == {0}
    assert _counts(as_user(personas["manager"])) == {"自機関の緊急閲覧（12か月）": 0}


def test_the_window_sees_its_overdue_referrals_on_the_home_page(
    personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    """Review finding 8 (issue 20): 13 overdue outgoing referrals, but 今日の仕事 said only
    「回答待ちのつなぎ 1件」. The count leads to the overdue list, whose length is the count."""
    window, agency_a = personas["window"], personas["agency_a"]
    houkatsu = agency("houkatsu1")
    yesterday = timezone.localdate() - timedelta(days=1)
    sent = []
    for n in range(4):
        consultation = intake_actions.take_consultation(
            window, method="phone", summary=f"相談{n}", consent="given"
        )
        sent.append(intake_actions.refer(window, consultation, houkatsu, "面談をお願いします"))
    Referral.objects.filter(pk__in=[r.pk for r in sent[:3]]).update(due_on=yesterday)
    back = intake_actions.take_consultation(
        agency_a, method="phone", summary="窓口へ", consent="given"
    )
    intake_actions.refer(agency_a, back, agency("window"), "生活費の相談をお願いします")
    client = as_user(window)
    counts = _counts(client)
    assert counts["回答期限を過ぎたつなぎ"] == 3
    assert counts["回答待ちのつなぎ"] == 1
    html = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("intake:referrals_overdue")}"' in html
    listed = client.get(reverse("intake:referrals_overdue")).context["page_obj"]
    assert listed.paginator.count == 3
    # The receiver's overdue count is the same three (they are late to answer them).
    assert _counts(as_user(agency_a))["回答期限を過ぎたつなぎ"] == 3


def test_a_role_without_an_agency_has_no_stray_separator(
    personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    """Review finding 10 (issue 20): the auditor's home read 「／ 監査担当」."""
    html = as_user(personas["auditor"]).get(reverse("home")).content.decode()
    assert "監査担当" in html
    assert "／ 監査担当" not in html
    window = personas["window"]
    assert window.agency is not None
    assert f"{window.agency.name} ／ " in as_user(window).get(reverse("home")).content.decode()
