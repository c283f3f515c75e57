"""The migration to consent per person keeps every earlier consent record (issue 15).

The schema is taken back to before the migration, the kinds of rows the demo city had are
written with the models of that time (a case consented, one withdrawn then given again, one
refused, one pending, one without a main person; consultations on the 申込票【本人同意あり】
and 【本人同意なし】), and the migration is run forward. (The same was checked on a copy of the
demo database: 24 case-level rows → 47 records, 95 intake consents, none missing; the closing
note of issue 15 has the figures.)"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("cases", "0002_initial"), ("people", "0004_relations_for_genograms")]
AFTER = [("cases", "0003_consent_per_person")]
T0 = datetime(2026, 4, 1, 10, 0, tzinfo=UTC)


def test_every_case_consent_row_becomes_a_persons_consent(master: None) -> None:
    try:
        _check_the_migration()
    finally:
        # Back to the newest schema, whatever happened: the next test in this process needs it.
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())


def _check_the_migration() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Agency = old.get_model("directory", "Agency")
    Staff = old.get_model("directory", "Staff")
    Household = old.get_model("people", "Household")
    Person = old.get_model("people", "Person")
    Membership = old.get_model("people", "Membership")
    Case = old.get_model("cases", "Case")
    CaseConsent = old.get_model("cases", "CaseConsent")
    Consultation = old.get_model("intake", "Consultation")

    agency = Agency.objects.get(code="jusou")
    staff = Staff.objects.create(username="migration", role="coordinator", agency=agency)

    def household(n: int) -> tuple[Any, Any]:  # historical models, typed at run time only
        home = Household.objects.create(code=f"M{n}", created_by=staff)
        person = Person.objects.create(family_name="見本", given_name=f"{n}郎", created_by=staff)
        Membership.objects.create(household=home, person=person, relationship="head")
        return home, person

    cases = {}
    for n, (key, with_person) in enumerate(
        [("given", True), ("regiven", True), ("none", True), ("pending", True), ("orphan", False)]
    ):
        home, person = household(n)
        cases[key] = (
            Case.objects.create(
                code=f"K9{n:05d}",
                household=home,
                person=person if with_person else None,
                title="移行",
                origin="agency_request",
                created_by=staff,
                consent={"given": "given", "regiven": "given", "none": "none"}.get(key, "pending"),
            ),
            person,
        )
    rows = [
        ("given", "given", False, "チームで共有"),
        ("regiven", "given", False, "最初の同意"),
        ("regiven", "none", True, ""),
        ("regiven", "given", False, "再同意"),
        ("none", "none", False, ""),
        ("pending", "pending", False, ""),
        ("orphan", "given", False, "主な本人なし"),
    ]
    for i, (key, state, withdrawal, scope) in enumerate(rows):
        CaseConsent.objects.create(
            case=cases[key][0],
            state=state,
            on=date(2026, 4, 1) + timedelta(days=i),
            scope=scope,
            withdrawal=withdrawal,
            recorded_by=staff,
            recorded_at=T0 + timedelta(days=i),
        )
    _home, walk_in = household(9)
    for n, version in enumerate(("given", "none")):
        Consultation.objects.create(
            code=f"S99{n}",
            receiver=staff,
            agency=agency,
            method="phone",
            summary="相談",
            consent=version,
            person=walk_in,
            received_at=T0,
        )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    Consent = new.get_model("people", "Consent")
    Case = new.get_model("cases", "Case")

    def of(key: str) -> list[tuple[str, str, str, str | None]]:
        case, _person = cases[key]
        person_id = Case.objects.get(pk=case.pk).person_id
        return [
            (c.scope, c.status, c.note, c.withdraws.status if c.withdraws_id else None)
            for c in Consent.objects.filter(person_id=person_id).order_by("recorded_at", "pk")
        ]

    assert of("given") == [
        ("share", "given", "チームで共有", None),
        ("jusou", "given", "チームで共有", None),
    ]
    assert of("regiven") == [
        ("share", "given", "最初の同意", None),
        ("jusou", "given", "最初の同意", None),
        ("share", "withdrawn", "", "given"),
        ("jusou", "withdrawn", "", "given"),
        ("share", "given", "再同意", None),
        ("jusou", "given", "再同意", None),
    ]
    assert of("none") == [("share", "refused", "", None)]
    assert of("pending") == [("share", "pending", "", None)]
    # No main person: the first member becomes it, and keeps the consent.
    assert of("orphan")[0][:2] == ("share", "given")
    # Dates, who and when, and where it came from survive; the method was never recorded.
    carried = Consent.objects.filter(context__startswith="ケース")
    assert carried.count() == 12  # 2 + 6 + 1 + 1 + 2
    assert set(carried.values_list("method", flat=True)) == {"unrecorded"}
    assert set(carried.values_list("recorded_by_id", flat=True)) == {staff.pk}
    first = carried.order_by("recorded_at", "pk").first()
    assert (first.on, first.recorded_at) == (date(2026, 4, 1), T0)
    # The 申込票【本人同意あり】 is the walk-in's written consent to sharing; 【なし】 is nothing.
    assert list(
        Consent.objects.filter(person_id=walk_in.pk).values_list(
            "scope", "status", "method", "context"
        )
    ) == [("share", "given", "written", "相談 S990")]
    # Each case's consent is its main person's.
    states = {key: Case.objects.get(pk=case.pk).consent for key, (case, _p) in cases.items()}
    assert states == {
        "given": "given",
        "regiven": "given",
        "none": "none",
        "pending": "pending",
        "orphan": "given",
    }
