"""The case timeline: the household's consultations and referrals, the case's notes, stage
changes, 関係機関との連携, meetings, decisions and tasks, oldest first.

Each source is filtered by the policy for the user, so an item appears only if the user
could open it on its own; the stage changes follow the case (``policy.DERIVED``), which the
caller opened through ``access``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import Q, QuerySet
from django.utils import timezone

from tomoni import access
from tomoni.directory.models import Staff
from tomoni.intake.models import Consultation, Referral
from tomoni.lib.wareki import format_date
from tomoni.meetings.models import Decision, Meeting
from tomoni.notes.models import Note, Visibility

from .models import Case, Cooperation, Task


@dataclass(frozen=True)
class Entry:
    """One line of the case timeline."""

    day: date
    at: datetime | None
    kind: str
    title: str
    text: str = ""
    who: str = ""
    url: str = ""
    note: str = ""

    @property
    def sort_key(self) -> tuple[date, datetime]:
        moment = self.at or timezone.make_aware(datetime.combine(self.day, time.min))
        return (self.day, moment)


def timeline(user: Staff, case: Case) -> list[Entry]:
    """Every entry the user may see, oldest first, of a case the user may view."""
    entries = [
        *_consultations(user, case),
        *_referrals(user, case),
        *_notes(user, case),
        *_changes(user, case),
        *_cooperations(user, case),
        *_meetings(user, case),
        *_decisions(user, case),
        *_tasks(user, case),
    ]
    return sorted(entries, key=lambda e: e.sort_key)


def _local(moment: datetime) -> date:
    return timezone.localdate(moment)


def _consultations(user: Staff, case: Case) -> Iterable[Entry]:
    consultations = (
        access.visible(user, Consultation)
        .filter(Q(household_id=case.household_id) | Q(pk=case.consultation_id))
        .select_related("receiver", "agency")
    )
    for c in consultations:
        yield Entry(
            _local(c.received_at),
            c.received_at,
            "相談受付",
            f"相談 {c.code}",
            c.summary,
            f"{c.receiver}（{c.agency.name}）",
            c.get_absolute_url(),
        )


def _referral_rows(user: Staff, case: Case) -> QuerySet[Referral]:
    # Which consultations, as a subquery of their keys (the referrals themselves are still
    # filtered by the policy): an OR across the join made PostgreSQL scan every consultation
    # (0.27 s at 300,000, bench/load.py).
    which = Q(consultation__in=case.household.consultations.values("pk"))
    if case.consultation is not None and case.consultation.household_id != case.household_id:
        which |= Q(consultation_id=case.consultation_id)
    return (
        access.visible(user, Referral)
        .filter(which)
        .select_related("from_agency", "to_agency", "sent_by")
    )


def _referrals(user: Staff, case: Case) -> Iterable[Entry]:
    for r in _referral_rows(user, case):
        yield Entry(
            _local(r.sent_at),
            r.sent_at,
            "つなぎ",
            f"{r.from_agency.name} → {r.to_agency.name}",
            r.get_state_display(),
            str(r.sent_by),
            r.get_absolute_url(),
        )


def _notes(user: Staff, case: Case) -> Iterable[Entry]:
    with access.few_candidates():  # a case's few notes: EXISTS per note, not every visible parent
        notes = access.visible(user, Note).filter(case=case).select_related("author", "agency")
    for n in notes:
        yield Entry(
            n.on,
            n.created_at,
            f"経過記録（{n.get_method_display()}）",
            "",
            n.text,
            f"{n.author}（{n.agency.name}）",
            note="自機関の職員のみ" if n.visibility == Visibility.OWN_AGENCY else "",
        )


def _changes(user: Staff, case: Case) -> Iterable[Entry]:
    # Stage changes follow their case (policy.DERIVED), which the page opened through access.
    for s in case.stage_changes.select_related("by"):
        yield Entry(
            _local(s.at),
            s.at,
            "段階",
            f"{s.get_from_stage_display() or '開始'} → {s.get_to_stage_display()}",
            s.note,
            str(s.by),
        )


def _cooperations(user: Staff, case: Case) -> Iterable[Entry]:
    for c in access.visible(user, Cooperation).filter(case=case).select_related("agency", "by"):
        yield Entry(
            c.on,  # the day it happened, as entered
            c.created_at,
            "連携",
            f"{c.agency.name}（{c.get_kind_display()}）",
            c.note,
            str(c.by),
        )


def _meetings(user: Staff, case: Case) -> Iterable[Entry]:
    for m in access.visible(user, Meeting).filter(agenda__case=case):
        yield Entry(
            _local(m.starts_at),
            m.starts_at,
            m.get_kind_display(),
            m.title,
            url=m.get_absolute_url(),
        )


def _decisions(user: Staff, case: Case) -> Iterable[Entry]:
    decisions = access.visible(user, Decision).filter(case=case).select_related("meeting", "by")
    for d in decisions:
        yield Entry(
            _local(d.meeting.starts_at),
            d.created_at,
            f"決定（{d.get_kind_display()}）",
            d.meeting.title,
            d.text,
            str(d.by),
        )


def _tasks(user: Staff, case: Case) -> Iterable[Entry]:
    tasks = access.visible(user, Task).filter(case=case).select_related("owner_agency", "owner")
    for t in tasks:
        yield Entry(
            _local(t.created_at),
            t.created_at,
            "作業",
            t.title,
            f"期限 {format_date(t.due_on)}" + ("・完了" if t.done_at else ""),
            t.owner_agency.name + (f"・{t.owner}" if t.owner else ""),
            t.get_absolute_url(),
        )
