"""事例共有 for the 全体会 (issue 19): a case told without who it is about.

:func:`draft` turns what the team wrote about a case — its title, the concerns of each member,
the person's own wishes, the plan's direction — into the three parts of a meeting's snapshot
(概要, 世帯の状況, 検討したいこと), with every name, kana, address, phone number and birth date of
the household replaced through :func:`tomoni.cases.anonymise.anonymise` (the register first,
patterns second) and members named by their role (本人, 母, 長男 …). The coordinator reads and
edits the draft before anything is saved: nothing here is shared on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from tomoni import access
from tomoni.directory.models import Staff
from tomoni.lib.wareki import age_on
from tomoni.people.family import family_of

from .anonymise import Register, anonymise, register_for_case
from .models import Assessment, Case, CaseConcern, Plan


@dataclass(frozen=True)
class Draft:
    summary: str
    household_note: str
    question: str


def _household(register: Register, today: date) -> str:
    parts = []
    for someone in register.people:
        age = f"{age_on(someone.birth_date, today)}歳" if someone.birth_date else "年齢不明"
        parts.append(f"{someone.label}（{age}）")
    return "世帯: " + "、".join(parts) + "。" if parts else ""


def draft(user: Staff, case: Case, *, question: str = "") -> Draft:
    """The anonymised draft of a case for 事例共有; ``case`` was opened through the policy."""
    register = register_for_case(user, case)
    labels = family_of(user, case.household, subject=case.person, via=case).labels
    lines = [f"概要: {case.title}（{case.get_stage_display()}）"]
    concerns: dict[str, list[str]] = {}
    rows = access.visible(user, CaseConcern).filter(case=case).select_related("concern")
    for row in rows.order_by("priority", "pk"):
        concerns.setdefault(labels.get(row.person_id, "世帯員"), []).append(row.concern.name)
    if concerns:
        lines.append(
            "課題: " + "／".join(f"{who}: {'、'.join(names)}" for who, names in concerns.items())
        )
    assessment = access.visible(user, Assessment).filter(case=case).first()
    if assessment is not None and assessment.wishes:
        lines.append(f"本人の意向: {assessment.wishes}")
    plan = access.visible(user, Plan).filter(case=case).order_by("-number").first()
    if plan is not None and plan.wishes:
        lines.append(f"本人の希望（プラン）: {plan.wishes}")
    if plan is not None and plan.summary:
        lines.append(f"支援の方向性: {plan.summary}")
    summary = anonymise("\n".join(lines), register)
    return Draft(
        summary=summary[:2000],
        household_note=_household(register, timezone.localdate())[:2000],
        question=anonymise(question, register)[:300],
    )
