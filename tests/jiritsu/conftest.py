"""Helpers for the 生活困窮 tests: consultations of the window with 自立相談支援 records, built
through the actions."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django.utils import timezone

from tomoni.directory.models import Staff
from tomoni.intake import actions as intake_actions
from tomoni.intake.models import ConsentVersion, Consultation, Method
from tomoni.jiritsu import actions
from tomoni.jiritsu.models import Support
from tomoni.lib.fiscal import fiscal_year

#: A whole 年度 before this one: every month of it has begun, and its dates are in the past.
FY = fiscal_year(timezone.localdate()) - 1


def day(month: int, d: int = 10) -> date:
    """A day of ``FY`` (April–December in its first calendar year, January–March the next)."""
    return date(FY if month >= 4 else FY + 1, month, d)


def take(actor: Staff, on: date, *, is_new: bool = True, summary: str = "") -> Consultation:
    return intake_actions.take_consultation(
        actor,
        method=Method.VISIT,
        summary=summary or "家賃の支払いが難しく、仕事も探している",
        consent=ConsentVersion.GIVEN,
        received_at=timezone.make_aware(datetime.combine(on, time(10, 0))),
        is_new=is_new,
    )


def support(actor: Staff, consultation: Consultation, **items: Any) -> Support:
    """Record the 自立相談支援 items (``started_on`` defaults to the 受付日)."""
    items.setdefault("started_on", timezone.localdate(consultation.received_at))
    return actions.record_support(actor, consultation, actions.Items(**items), version=None)
