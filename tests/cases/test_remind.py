"""``tomoni remind`` (cron): open tasks overdue or due within TOMONI_REMIND_DAYS days, by owner
agency then owner, in plain Japanese or JSON; task titles and case codes only, never the
person's name; ``--date`` pretends today, ``--agency`` limits to one agency."""

from __future__ import annotations

import json
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tomoni.audit.models import AuditEvent
from tomoni.cases import actions
from tomoni.cases.models import Task
from tomoni.directory.models import Staff

from .conftest import agency, open_for

TODAY = date(2027, 3, 10)  # the day the command pretends it is


def _remind(*args: str) -> str:
    out = StringIO()
    call_command("remind", "--date", TODAY.isoformat(), *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def tasks(coordinator: Staff, personas: dict[str, Staff], settings: object) -> dict[str, Task]:
    """Tasks around TODAY with TOMONI_REMIND_DAYS = 3."""
    settings.TOMONI_REMIND_DAYS = 3  # type: ignore[attr-defined]
    case = open_for(coordinator)
    houkatsu, shogai = agency("houkatsu1"), agency("shogai-soudan")
    worker = personas["agency_a"]

    def add(title: str, days: int, owner_agency: object = houkatsu, **kw: object) -> Task:
        return actions.add_task(
            coordinator,
            title=title,
            owner_agency=owner_agency,  # type: ignore[arg-type]
            due_on=TODAY + timedelta(days=days),
            case=case,
            **kw,  # type: ignore[arg-type]
        )

    made = {
        "overdue": add("介護保険の申請", -5, owner=worker),
        "today": add("家主との面談", 0),
        "edge": add("障害福祉サービスの案内", 3, shogai),
        "later": add("就労準備の相談", 4, shogai),
        "done": add("済んだ作業", -1),
    }
    actions.complete_task(coordinator, made["done"])
    return made


def test_remind_lists_overdue_and_soon_due_tasks_by_agency_and_owner(
    tasks: dict[str, Task], personas: dict[str, Staff]
) -> None:
    text = _remind()
    code = tasks["today"].case.code if tasks["today"].case else ""
    assert "令和9年3月10日現在" in text
    for shown in ("介護保険の申請", "家主との面談", "障害福祉サービスの案内"):
        assert shown in text
    assert "就労準備の相談" not in text and "済んだ作業" not in text
    assert "令和9年3月5日（期限切れ・5日超過）" in text
    assert "令和9年3月10日（今日まで）" in text and "令和9年3月13日（あと3日）" in text
    assert f"[ケース {code}]" in text
    # Never the person or the case's title: a reminder mail leaves the system.
    assert "見本" not in text and "8050世帯の支援" not in text
    # 地域包括 (houkatsu1) comes before 障害者相談支援 in the agencies' order; within an
    # agency the named owner comes before the agency's unassigned tasks.
    houkatsu, shogai = agency("houkatsu1"), agency("shogai-soudan")
    first, second = sorted([houkatsu, shogai], key=lambda a: (a.order, a.pk))
    assert text.index(f"■ {first.name}") < text.index(f"■ {second.name}")
    block = text[text.index(f"■ {houkatsu.name}（2件）") :]
    assert block.index(personas["agency_a"].display_name) < block.index("担当者未定")
    assert block.index("介護保険の申請") < block.index("家主との面談")
    exported = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert exported.actor_username == "tomoni remind"
    assert sorted(exported.detail["ids"]) == sorted(
        tasks[k].pk for k in ("overdue", "today", "edge")
    )


def test_remind_for_one_agency_as_json(tasks: dict[str, Task]) -> None:
    data = json.loads(_remind("--agency", "shogai-soudan", "--json"))
    assert data["date"] == "2027-03-10" and data["days"] == 3
    (only,) = data["agencies"]
    assert only["code"] == "shogai-soudan"
    (owner,) = only["owners"]
    assert owner["username"] is None
    assert owner["tasks"] == [
        {
            "id": tasks["edge"].pk,
            "title": "障害福祉サービスの案内",
            "due_on": "2027-03-13",
            "overdue": False,
            "days_left": 3,
            "case": tasks["edge"].case.code if tasks["edge"].case else None,
        }
    ]


def test_remind_moves_with_the_date_it_is_given(tasks: dict[str, Task]) -> None:
    out = StringIO()
    call_command("remind", "--date", "2027-02-01", stdout=out)
    assert "期限切れ・期限の近い作業はありません。" in out.getvalue()
    out = StringIO()
    call_command("remind", "--date", "R9.3.20", "--json", stdout=out)
    titles = [
        t["title"]
        for a in json.loads(out.getvalue())["agencies"]
        for o in a["owners"]
        for t in o["tasks"]
    ]
    assert sorted(titles) == sorted(
        ["介護保険の申請", "家主との面談", "障害福祉サービスの案内", "就労準備の相談"]
    )


def test_remind_refuses_an_unknown_agency_or_date(tasks: dict[str, Task]) -> None:
    with pytest.raises(CommandError, match="nowhere"):
        call_command("remind", "--agency", "nowhere", stdout=StringIO())
    with pytest.raises(CommandError, match="--date"):
        call_command("remind", "--date", "3月の終わり", stdout=StringIO())
