"""The demo city: deterministic, obviously synthetic, and it contains the situations."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from tomoni import access
from tomoni.audit.log import verify
from tomoni.audit.models import AuditEvent
from tomoni.demo.city import DEMO_STAFF, load_city
from tomoni.demo.names import SURNAMES
from tomoni.directory.models import Agency, Area, District, Role, Staff
from tomoni.people.models import Household, Membership, Person


def _snapshot() -> list[tuple[str, str, str | None]]:
    return [
        (p.family_name, p.given_name, p.birth_date and p.birth_date.isoformat())
        for p in Person.objects.order_by("pk")
    ]


def test_same_seed_same_city(db: None) -> None:
    load_city(40, seed=7)
    first = _snapshot()
    Membership.objects.all().delete()
    Person.objects.all().delete()
    Household.objects.all().delete()
    load_city(40, seed=7)
    assert _snapshot() == first
    load_city(40, seed=8)
    assert _snapshot()[len(first) :] != first


def test_city_has_the_situations(db: None) -> None:
    """8050, ダブルケア, ごみ屋敷, 立ち退き, 夫の施設入所, ひきこもり, ヤングケアラー all appear."""
    totals = load_city(60)
    assert totals["households"] == 60 == Household.objects.count()
    tagged = set(Household.objects.values_list("tags__code", flat=True))
    assert {"8050", "double-care", "self-neglect", "hikikomori", "young-carer"} <= tagged
    notes = " ".join(Household.objects.values_list("notes", flat=True))
    for phrase in ("立ち退き", "ケーブルテレビ", "課題の解きほぐし"):
        assert phrase in notes
    assert Membership.objects.filter(end_reason="facility").exists()


def test_names_are_obviously_synthetic(db: None) -> None:
    load_city(50)
    synthetic = {s for s, _ in SURNAMES}
    assert set(Person.objects.values_list("family_name", flat=True)) <= synthetic


def test_master_data_and_one_login_per_role(db: None) -> None:
    load_city(5)
    assert Area.objects.count() == 4
    assert District.objects.count() == 10
    assert Agency.objects.filter(attends_plenary=True).count() >= 15
    roles = set(
        Staff.objects.filter(username__in=[u for u, *_ in DEMO_STAFF]).values_list(
            "role", flat=True
        )
    )
    assert roles == set(Role.values)


def test_loading_is_audited_and_records_are_scoped(db: None) -> None:
    load_city(30)
    assert AuditEvent.objects.filter(action="bulk_load").count() == 1
    assert list(verify()) == []
    window = Staff.objects.get(username="madoguchi")
    agency_b = Staff.objects.get(username="shogai")
    coordinator = Staff.objects.get(username="kyodo")
    assert access.visible(coordinator, Household).count() == 30
    seen_by_window = set(access.visible(window, Household).values_list("pk", flat=True))
    seen_by_b = set(access.visible(agency_b, Household).values_list("pk", flat=True))
    assert seen_by_window and seen_by_b and not (seen_by_window & seen_by_b)


def test_demo_command_reuses_what_exists(db: None) -> None:
    """Running `tomoni demo` twice loads the city once and prints a login per role."""
    out = StringIO()
    call_command("demo", "--households", "12", stdout=out)
    call_command("demo", "--households", "12", stdout=out)
    assert Household.objects.count() == 12
    text = out.getvalue()
    assert "既存のデモデータを使います" in text
    for username, *_ in DEMO_STAFF:
        assert username in text
