"""``tomoni remind``: open tasks that are overdue or due within ``TOMONI_REMIND_DAYS`` days,
grouped by owner agency and then owner — for cron, to mail or post to each agency.

It runs without a request or a user, so it prints the least that makes a reminder useful:
the task's title, its due date and the case code. Never a person's name, the case title or
anything else from the case (a reminder mail leaves the system). Each run that lists tasks
is recorded in the audit log as an export.

    tomoni remind                      # today, every agency
    tomoni remind --agency houkatsu1   # one agency
    tomoni remind --date 2026-02-19    # as if today were that day
    tomoni remind --json               # machine-readable
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from tomoni.audit.log import Action, record
from tomoni.cases.models import Task
from tomoni.directory.models import Agency, Staff
from tomoni.lib.wareki import WarekiError, format_date, parse_date

NOBODY = "担当者未定（機関内で決める）"


@dataclass
class OwnerGroup:
    owner: Staff | None
    tasks: list[Task] = field(default_factory=list)


@dataclass
class AgencyGroup:
    agency: Agency
    owners: dict[int | None, OwnerGroup] = field(default_factory=dict)


def due_tasks(today: date, days: int, agency: Agency | None = None) -> list[Task]:
    """Open tasks due on or before ``today + days`` (so overdue ones too), soonest first."""
    qs = Task.objects.filter(done_at__isnull=True, due_on__lte=today + timedelta(days=days))
    if agency is not None:
        qs = qs.filter(owner_agency=agency)
    # Only the case code is printed: defer the rest of the case.
    return list(
        qs.select_related("owner_agency", "owner", "case")
        .only(
            "title",
            "due_on",
            "owner_agency__code",
            "owner_agency__name",
            "owner_agency__order",
            "owner__username",
            "owner__display_name",
            "case__code",
        )
        .order_by("owner_agency__order", "owner_agency__pk", "due_on", "pk")
    )


def group(tasks: list[Task]) -> list[AgencyGroup]:
    """By agency (in the agencies' display order), then by owner: named people by name, the
    agency's unassigned tasks last."""
    agencies: dict[int, AgencyGroup] = {}
    for task in tasks:
        by_agency = agencies.setdefault(task.owner_agency_id, AgencyGroup(task.owner_agency))
        by_agency.owners.setdefault(task.owner_id, OwnerGroup(task.owner)).tasks.append(task)
    for by_agency in agencies.values():
        ordered = sorted(
            by_agency.owners.items(),
            key=lambda item: (
                item[1].owner is None,
                item[1].owner.display_name if item[1].owner else "",
            ),
        )
        by_agency.owners = dict(ordered)
    return list(agencies.values())


def _when(task: Task, today: date) -> str:
    left = (task.due_on - today).days
    if left < 0:
        return f"期限切れ・{-left}日超過"
    if left == 0:
        return "今日まで"
    return f"あと{left}日"


class Command(BaseCommand):
    help = (
        "期限切れの作業と、期限が近い作業（TOMONI_REMIND_DAYS 日以内）を機関・担当者ごとに"
        "表示します。表示するのは作業名・期限・ケース番号だけで、本人の氏名等は含みません。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="この日を今日として扱う（YYYY-MM-DD）")
        parser.add_argument("--agency", metavar="CODE", help="この機関の作業だけを表示する")
        parser.add_argument("--json", action="store_true", help="JSON で出力する")

    def handle(self, *args: Any, **options: Any) -> None:
        today = self._today(options["date"])
        agency = self._agency(options["agency"])
        days: int = settings.TOMONI_REMIND_DAYS
        tasks = due_tasks(today, days, agency)
        if tasks:
            record(
                Action.EXPORT,
                object_type="cases.task",
                username="tomoni remind",
                detail={
                    "command": "remind",
                    "date": today.isoformat(),
                    "ids": [t.pk for t in tasks],
                },
            )
        groups = group(tasks)
        if options["json"]:
            self.stdout.write(
                json.dumps(_as_json(groups, today, days), ensure_ascii=False, indent=2)
            )
        else:
            self.stdout.write(_as_text(groups, today, days, len(tasks)))

    def _today(self, text: str | None) -> date:
        if not text:
            return timezone.localdate()
        try:
            return parse_date(text)
        except WarekiError as error:
            raise CommandError(f"--date: {error}") from error

    def _agency(self, code: str | None) -> Agency | None:
        if not code:
            return None
        found = Agency.objects.filter(code=code).first()
        if found is None:
            raise CommandError(f"機関コード「{code}」の機関はありません。")
        return found


def _as_text(groups: list[AgencyGroup], today: date, days: int, count: int) -> str:
    lines = [
        f"作業のお知らせ（{format_date(today)}現在・期限切れと{days}日以内が期限の作業 {count}件）",
        "※ 作業名・期限・ケース番号だけを表示しています。詳細は「ともに」で確認してください。",
    ]
    if not groups:
        lines += ["", "期限切れ・期限の近い作業はありません。"]
    for by_agency in groups:
        total = sum(len(o.tasks) for o in by_agency.owners.values())
        lines += ["", f"■ {by_agency.agency.name}（{total}件）"]
        for by_owner in by_agency.owners.values():
            who = by_owner.owner.display_name if by_owner.owner else NOBODY
            lines.append(f"  ◇ {who}")
            for task in by_owner.tasks:
                case = f" [ケース {task.case.code}]" if task.case else ""
                lines.append(
                    f"    ・{format_date(task.due_on)}（{_when(task, today)}） {task.title}{case}"
                )
    return "\n".join(lines)


def _as_json(groups: list[AgencyGroup], today: date, days: int) -> dict[str, Any]:
    return {
        "date": today.isoformat(),
        "days": days,
        "agencies": [
            {
                "code": g.agency.code,
                "name": g.agency.name,
                "owners": [
                    {
                        "username": o.owner.username if o.owner else None,
                        "name": o.owner.display_name if o.owner else None,
                        "tasks": [
                            {
                                "id": t.pk,
                                "title": t.title,
                                "due_on": t.due_on.isoformat(),
                                "overdue": t.due_on < today,
                                "days_left": (t.due_on - today).days,
                                "case": t.case.code if t.case else None,
                            }
                            for t in o.tasks
                        ],
                    }
                    for o in g.owners.values()
                ],
            }
            for g in groups
        ],
    }
