"""The five tendencies stored per case (``CaseTendencies``), and reading them back.

Every action that changes a fact the rules read calls ``recompute_tendencies`` with the cases
it touched, inside its own transaction: the case's concerns, team and cooperations; its
opening (main person, requesting agency, consultation and route); its household's members
and their birth dates (membership changes, a person's edit, 名寄せ merges); a meeting's agenda,
attendees and kind. A recompute reads the facts of all those cases in a fixed number of
queries (``tendencies.load_many``) and writes their rows in one upsert. After a change of the
``TOMONI_TENDENCY_*`` settings or of the rules (``tendency_rules.RULES_REVISION``), or of an
agency's name or 福祉分野 flag in the master data, ``tomoni tendencies --recompute`` stores
them all again; until then a row of another basis is evaluated live on read.

The coordinator's overrides stay on the case and are applied on read.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from tomoni.intake.models import RouteStep
from tomoni.meetings.models import AgendaItem

from .models import Case, CaseConcern, CaseTendencies, Cooperation, TeamMember
from .tendencies import load_many
from .tendency_rules import LABELS, NUMBERS, Limits, Tendency, judge, with_overrides

log = logging.getLogger(__name__)

_RULE_FIELDS = ("rule1", "rule2", "rule3", "rule4", "rule5")
BATCH = 2000


def recompute_tendencies(cases: QuerySet[Case] | Iterable[int]) -> int:
    """Evaluate and store the tendencies of these cases (a queryset, or case keys); how many
    were stored. Called inside the action's transaction; no case, no query."""
    if not isinstance(cases, QuerySet):
        keys = sorted(set(cases))
        if not keys:
            return 0
        cases = Case.objects.filter(pk__in=keys)
    # Two transactions changing facts of one case at once (an attendee added to a meeting on
    # its agenda while a concern is recorded) must not each store what it saw without the
    # other's change: the case rows are locked first, in key order, so the second reads the
    # facts once the first has committed (PostgreSQL; SQLite writes one at a time anyway).
    locked = Case.objects.filter(pk__in=cases.order_by().values("pk")).order_by("pk")
    if not list(locked.select_for_update().values_list("pk", flat=True)):
        return 0  # a household without a case (most registrations): one query, not ten
    limits = Limits.from_settings()
    basis = limits.basis
    now = timezone.now()
    rows = []
    for pk, (facts, _overrides) in load_many(cases).items():
        found = judge(facts, limits)
        rows.append(
            CaseTendencies(
                case_id=pk,
                **{name: t.by_rule for name, t in zip(_RULE_FIELDS, found, strict=True)},
                reasons=[t.reasons for t in found],
                basis=basis,
                computed_at=now,
            )
        )
    if rows:
        CaseTendencies.objects.bulk_create(
            rows,
            batch_size=BATCH,
            update_conflicts=True,
            unique_fields=["case"],
            update_fields=[*_RULE_FIELDS, "reasons", "basis", "computed_at"],
        )
    return len(rows)


# Master data the rules read: an agency's code (③), name (reasons) and 福祉分野 flag (④); a
# concern's code and name (②) and domain (①②). The admin recomputes the cases they touch.
TENDENCY_AGENCY_FIELDS = frozenset({"code", "name", "is_welfare"})
TENDENCY_CONCERN_FIELDS = frozenset({"code", "name", "domain"})


def cases_naming_agency(agency_id: int) -> QuerySet[Case]:
    """The cases whose facts hold this agency: team, cooperations, attendees of meetings on
    whose agenda they are, the requesting agency, the consultation's receiving agency and route."""
    # One subquery per relation (each on an indexed key), not joins of them all.
    return Case.objects.filter(
        Q(pk__in=TeamMember.objects.filter(agency_id=agency_id).values("case_id"))
        | Q(pk__in=Cooperation.objects.filter(agency_id=agency_id).values("case_id"))
        | Q(
            pk__in=AgendaItem.objects.filter(meeting__attendances__agency_id=agency_id).values(
                "case_id"
            )
        )
        | Q(requested_by_id=agency_id)
        | Q(consultation__agency_id=agency_id)
        | Q(
            consultation_id__in=RouteStep.objects.filter(agency_id=agency_id).values(
                "consultation_id"
            )
        )
    )


def cases_with_concern(concern_id: int) -> QuerySet[Case]:
    return Case.objects.filter(
        pk__in=CaseConcern.objects.filter(concern_id=concern_id).values("case_id")
    )


def recompute_all(batch: int = BATCH) -> Iterator[int]:
    """Store every case's tendencies again, ``batch`` cases (by key range) at a time; yields
    the count stored by each batch."""
    keys = list(Case.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(keys), batch):
        chunk = keys[start : start + batch]
        # Each batch in its own transaction: its facts read in one snapshot, and a long run
        # never holds every row locked.
        with transaction.atomic():
            count = recompute_tendencies(Case.objects.filter(pk__gte=chunk[0], pk__lte=chunk[-1]))
        yield count


def _from_row(row: tuple[Any, ...], with_reasons: bool) -> list[Tendency]:
    flags, reasons = row[:5], row[5]
    return [
        Tendency(n, LABELS[n], bool(flag), list(reasons[n - 1]) if with_reasons else [])
        for n, flag in zip(NUMBERS, flags, strict=True)
    ]


def stored_many(cases: QuerySet[Case], *, reasons: bool = True) -> dict[int, list[Tendency]]:
    """{case pk: the five tendencies} as stored, with each case's overrides, in one query.

    A case with no stored row, or one computed under another basis (settings or rules changed
    since), is evaluated live (``load_many``: 8 more queries, only then) and logged, so a
    figure is never wrong, only slower until ``tomoni tendencies --recompute``. Without
    ``reasons`` the reasons are not read (the statistics count, they do not explain).
    """
    basis = Limits.from_settings().basis
    columns = [f"stored_tendencies__{name}" for name in _RULE_FIELDS]
    columns.append("stored_tendencies__reasons" if reasons else "stored_tendencies__basis")
    results: dict[int, list[Tendency]] = {}
    missing: list[int] = []
    for pk, overrides, row_basis, *row in (
        cases.order_by()
        .values_list("pk", "tendency_overrides", "stored_tendencies__basis", *columns)
        .iterator(chunk_size=BATCH)
    ):
        if row_basis != basis:
            missing.append(pk)
            continue
        results[pk] = with_overrides(_from_row(tuple(row), reasons), overrides)
    if missing:
        log.warning(
            "tendencies: %d case(s) without a current stored result, evaluated live; "
            "run `tomoni tendencies --recompute`",
            len(missing),
        )
        limits = Limits.from_settings()
        # Many stale rows (a setting changed): read the facts through the cases' own subquery
        # rather than a list of thousands of keys.
        source = cases if len(missing) > BATCH else Case.objects.filter(pk__in=missing)
        wanted = set(missing)
        for pk, (facts, overrides) in load_many(source).items():
            if pk in wanted:
                results[pk] = with_overrides(judge(facts, limits), overrides)
    return results


def stored_counts() -> tuple[int, int]:
    """(cases, cases with a stored result of the current basis): for ``tomoni tendencies``."""
    basis = Limits.from_settings().basis
    return Case.objects.count(), Case.objects.filter(stored_tendencies__basis=basis).count()


def tendencies_of(case: Case) -> list[Tendency]:
    """One case's five tendencies with their reasons, as stored (live when none is current)."""
    return stored_many(Case.objects.filter(pk=case.pk))[case.pk]
