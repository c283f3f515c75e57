"""HSDS 3.0 export and import of the places catalog: the round trip gives the same catalog,
every export passes the official schemas, a bad file names record and field and imports
nothing, and the load is one transaction."""

from __future__ import annotations

import copy
import io
import json
from collections.abc import Callable
from datetime import date, time
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from tomoni.audit.log import record as audit_record
from tomoni.audit.models import AuditEvent
from tomoni.directory.models import District, Staff
from tomoni.participation import actions, hsds
from tomoni.participation.models import Place

HSDS_DIR = Path(__file__).resolve().parents[3] / "shared" / "hsds"
FIELDS = ("uid", "host_uid", *actions.PLACE_FIELDS)


def place_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"name": "ふれあいサロン", "kind": "salon", "host": "第一地区社協"}
    data.update(overrides)
    return data


def full_place(coordinator: Staff, **overrides: Any) -> Place:
    """A place with every field filled in."""
    data = place_data(
        name="押立朝市",
        kind="market",
        district=District.objects.order_by("order", "pk")[1],
        address="稲城市押立1丁目",
        description="地元の野菜と手作りの品。\n売り手としても参加できます。",
        welcomes=["all", "elderly"],
        interests=["園芸", "料理"],
        days=[1, 5],
        opens_at=time(9, 30),
        closes_at=time(11, 45),
        schedule_note="第2・第4土曜",
        cost=300,
        cost_note="材料費",
        step_free=True,
        transport=True,
        capacity=25,
        host="押立町会",
        contact_name="山田 花子",
        phone="042-378-0000",
        email="asaichi@example.jp",
        atmosphere="にぎやかで、初めての人にも声をかけてくれる。",
        active=False,
        started_on=date(2019, 4, 1),
        paused_on=date(2026, 6, 1),
    )
    data.update(overrides)
    return actions.save_place(coordinator, None, data)


def snapshot() -> list[dict[str, Any]]:
    return [
        {name: getattr(p, name) for name in FIELDS}
        for p in Place.objects.select_related("district").order_by("uid")
    ]


@pytest.fixture
def catalog(personas: dict[str, Staff]) -> list[Place]:
    coordinator = personas["coordinator"]
    return [
        full_place(coordinator),
        actions.save_place(coordinator, None, place_data()),
        actions.save_place(
            coordinator,
            None,
            place_data(name="こども食堂 ひだまり", kind="kodomo_shokudo", cost=0, days=[6]),
        ),
    ]


def test_round_trip_gives_the_same_catalog(
    personas: dict[str, Staff], catalog: list[Place]
) -> None:
    """Export → delete everything → import: every field of every place comes back."""
    before = snapshot()
    document = json.loads(json.dumps(hsds.export_places(personas["community"])))
    Place.objects.all().delete()
    result = hsds.import_places(personas["community"], hsds.from_hsds(document))
    assert (result.created, result.changed) == (3, 0)
    assert snapshot() == before
    # The compared catalog does hold a value in every field (active is the one False).
    full = next(s for s in before if s["name"] == "押立朝市")
    assert [name for name, value in full.items() if not value] == ["active"]


def test_import_of_the_same_file_updates_in_place(
    personas: dict[str, Staff], catalog: list[Place]
) -> None:
    document = hsds.export_places(personas["coordinator"])
    document["services"][0]["name"] = "名前を変えた居場所"
    pks = set(Place.objects.values_list("pk", flat=True))
    result = hsds.import_places(personas["coordinator"], hsds.from_hsds(document))
    assert (result.created, result.changed) == (0, 3)
    assert set(Place.objects.values_list("pk", flat=True)) == pks
    assert Place.objects.filter(name="名前を変えた居場所").count() == 1


def _schema_validator() -> Any:
    if not HSDS_DIR.is_dir():
        pytest.skip(f"../shared/hsds is absent: the official schemas are read from {HSDS_DIR}")
    import jsonschema

    schema_path = HSDS_DIR / "schema" / "compiled" / "service_with_definitions.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def test_every_export_validates_against_the_official_schema(
    personas: dict[str, Staff], catalog: list[Place]
) -> None:
    validator = _schema_validator()
    document = json.loads(json.dumps(hsds.export_places(personas["window"])))
    assert document["version"] == "3.0"
    assert len(document["services"]) == 3
    for service in document["services"]:
        errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(service)]
        assert errors == [], service["name"]


def test_the_schema_check_catches_a_broken_service(
    personas: dict[str, Staff], catalog: list[Place]
) -> None:
    """The validation above can fail: a service without its required status does."""
    validator = _schema_validator()
    service = hsds.export_places(personas["window"])["services"][0]
    del service["status"]
    assert not validator.is_valid(service)


def test_export_is_audited(personas: dict[str, Staff], catalog: list[Place]) -> None:
    hsds.export_places(personas["manager"])
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None
    assert (event.action, event.actor_username) == ("export", "manager")
    assert event.detail["count"] == 3


def _valid_document(coordinator: Staff) -> dict[str, Any]:
    """Three services, exported and then removed from the catalog."""
    document: dict[str, Any] = json.loads(json.dumps(hsds.export_places(coordinator)))
    Place.objects.all().delete()
    return document


def _problems(document: Any) -> list[hsds.ImportProblem]:
    with pytest.raises(hsds.ImportRejected) as caught:
        hsds.from_hsds(document)
    return caught.value.problems


@pytest.mark.parametrize(
    ("breakage", "field", "words"),
    [
        (lambda s: s.pop("name"), "name", "必須"),
        (lambda s: s["schedules"][0].update(byday="MO,XX"), "schedules[0].byday", "XX"),
        (lambda s: s.update(name=123), "name", "文字列"),
        (lambda s: s["cost_options"][0].update(amount="三百"), "cost_options[0].amount", "数値"),
        (lambda s: s.update(status="open"), "status", "決められた値"),
        (lambda s: s.update(id="not-a-uuid"), "id", "UUID"),
        (
            lambda s: s["attributes"][0]["taxonomy_term"].update(code="casino", name="カジノ"),
            "attributes[0].taxonomy_term",
            "casino",
        ),
        (lambda s: s["service_areas"][0].update(name="架空地区"), "service_areas[0].name", "架空"),
        (lambda s: s["schedules"][0].update(opens_at="朝"), "schedules[0].opens_at", "HH:MM"),
        (lambda s: s.update(name="  "), "", "名称"),
    ],
    ids=[
        "missing-name",
        "bad-byday",
        "wrong-type",
        "cost-not-number",
        "bad-status",
        "bad-id",
        "unknown-kind",
        "unknown-district",
        "bad-time",
        "blank-name",
    ],
)
def test_an_invalid_file_names_record_and_field_and_imports_nothing(
    personas: dict[str, Staff],
    catalog: list[Place],
    breakage: Callable[[dict[str, Any]], Any],
    field: str,
    words: str,
) -> None:
    coordinator = personas["coordinator"]
    document = _valid_document(coordinator)
    target = document["services"][0]  # the fully filled place
    breakage(target)
    service_id = target["id"]  # as the file gives it, even when it is the broken field
    problems = _problems(document)
    assert len(problems) == 1, [str(p) for p in problems]
    problem = problems[0]
    assert (problem.index, problem.record_id, problem.field) == (1, service_id, field)
    assert words in problem.message
    assert str(problem).startswith("1件目")
    assert Place.objects.count() == 0


def test_every_bad_record_is_listed(personas: dict[str, Staff], catalog: list[Place]) -> None:
    document = _valid_document(personas["coordinator"])
    document["services"][0]["schedules"][0]["byday"] = "XX"
    document["services"][2]["name"] = 5
    problems = _problems(document)
    assert [(p.index, p.field) for p in problems] == [(1, "schedules[0].byday"), (3, "name")]
    assert "「押立朝市」" in str(problems[0])


def test_a_file_without_services_is_rejected(db: None) -> None:
    problems = _problems([{"id": "x"}])
    assert problems[0].index is None
    assert "services" in str(problems[0])
    with pytest.raises(hsds.ImportRejected, match="JSON として読めません"):
        hsds.parse_file(b"{not json")
    with pytest.raises(hsds.ImportRejected, match="UTF-8"):
        hsds.parse_file("{}".encode("cp932") + b"\x82\xa0")


def test_the_same_id_twice_is_an_error(personas: dict[str, Staff], catalog: list[Place]) -> None:
    document = _valid_document(personas["coordinator"])
    document["services"][1]["id"] = document["services"][0]["id"]
    problems = _problems(document)
    assert [(p.index, p.field) for p in problems] == [(2, "id")]


def test_the_import_is_atomic_when_the_second_of_three_is_bad(
    personas: dict[str, Staff], catalog: list[Place]
) -> None:
    """Checking: the 2nd record's problem stops the whole file."""
    document = _valid_document(personas["coordinator"])
    document["services"][1]["attributes"] = []
    problems = _problems(document)
    assert [(p.index, p.field) for p in problems] == [(2, "attributes")]
    assert Place.objects.count() == 0


def test_a_failure_while_writing_rolls_back_the_whole_file(
    personas: dict[str, Staff], catalog: list[Place], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Writing: should the 2nd record fail on the way in, the 1st is not kept either."""
    records = hsds.from_hsds(_valid_document(personas["coordinator"]))
    real_record = audit_record
    calls = {"n": 0}

    def failing_record(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return real_record(*args, **kwargs)

    monkeypatch.setattr(hsds, "record", failing_record)
    with pytest.raises(RuntimeError):
        hsds.import_places(personas["coordinator"], records)
    assert Place.objects.count() == 0


def test_import_needs_a_keeper_of_the_catalog(
    personas: dict[str, Staff], catalog: list[Place]
) -> None:
    records = hsds.from_hsds(_valid_document(personas["coordinator"]))
    for name in ("window", "agency_a", "outreach", "manager", "auditor"):
        with pytest.raises(PermissionDenied):
            hsds.import_places(personas[name], records)
    assert Place.objects.count() == 0


def test_import_is_audited(personas: dict[str, Staff], catalog: list[Place]) -> None:
    records = hsds.from_hsds(_valid_document(personas["community"]))
    hsds.import_places(personas["community"], records, source="places.json")
    events = list(AuditEvent.objects.order_by("-seq")[:4])
    assert events[0].action == "bulk_load"
    assert events[0].detail["created"] == 3
    assert {e.action for e in events[1:]} == {"create"}


def test_japanese_text_is_kept_as_utf8(
    personas: dict[str, Staff], catalog: list[Place], tmp_path: Path
) -> None:
    output = tmp_path / "places.json"
    call_command("places", "export", "--output", str(output), stdout=io.StringIO())
    raw = output.read_bytes()
    assert "押立朝市".encode() in raw
    assert b"\\u" not in raw
    document = json.loads(raw.decode("utf-8"))
    assert {s["name"] for s in document["services"]} >= {"押立朝市", "こども食堂 ひだまり"}


def test_the_console_command_imports_all_or_nothing(
    personas: dict[str, Staff], catalog: list[Place], tmp_path: Path
) -> None:
    good = _valid_document(personas["coordinator"])
    bad = copy.deepcopy(good)
    bad["services"][1]["schedules"] = [{"id": good["services"][0]["id"], "byday": "月"}]
    (tmp_path / "good.json").write_text(json.dumps(good, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "bad.json").write_text(json.dumps(bad, ensure_ascii=False), encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match="何も取り込みませんでした"):
        call_command(
            "places", "import", str(tmp_path / "bad.json"), "--user", "community", stderr=err
        )
    assert "2件目" in err.getvalue() and "schedules[0].byday" in err.getvalue()
    out = io.StringIO()
    call_command(
        "places",
        "import",
        str(tmp_path / "good.json"),
        "--user",
        "community",
        "--dry-run",
        stdout=out,
    )
    assert "3 件を取り込めます" in out.getvalue()
    assert Place.objects.count() == 0
    with pytest.raises(CommandError, match="権限"):
        call_command("places", "import", str(tmp_path / "good.json"), "--user", "window")
    call_command("places", "import", str(tmp_path / "good.json"), "--user", "community", stdout=out)
    assert Place.objects.count() == 3


def _file_problems(text: str) -> list[hsds.ImportProblem]:
    with pytest.raises(hsds.ImportRejected) as caught:
        hsds.parse_file(text.encode("utf-8"))
    return caught.value.problems


def _with_raw(document: dict[str, Any], marker: str, raw: str) -> str:
    """The document as JSON text with ``marker`` (a JSON string) replaced by raw JSON text:
    NaN, Infinity and 1e400 cannot be written by json.dumps on purpose."""
    return json.dumps(document, ensure_ascii=False).replace(json.dumps(marker), raw)


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("NaN", "NaN"),
        ("Infinity", "Infinity"),
        ("-Infinity", "-Infinity"),
        ("1e400", "1e400"),
        ("9" * 5000, "大きすぎ"),
    ],
)
def test_a_number_that_is_not_a_finite_amount_names_record_and_field(
    personas: dict[str, Staff], catalog: list[Place], raw: str, words: str
) -> None:
    document = _valid_document(personas["coordinator"])
    document["services"][0]["cost_options"][0]["amount"] = "__AMOUNT__"
    problems = _file_problems(_with_raw(document, "__AMOUNT__", raw))
    assert [(p.index, p.field) for p in problems] == [(1, "cost_options[0].amount")]
    assert words in problems[0].message
    assert Place.objects.count() == 0


def test_a_huge_but_finite_amount_is_refused(
    personas: dict[str, Staff], catalog: list[Place]
) -> None:
    document = _valid_document(personas["coordinator"])
    document["services"][0]["cost_options"][0]["amount"] = 1e300
    problems = _problems(document)
    assert [(p.index, p.field) for p in problems] == [(1, "cost_options[0].amount")]


def test_a_nul_character_names_record_and_field(
    personas: dict[str, Staff], catalog: list[Place]
) -> None:
    document = _valid_document(personas["coordinator"])
    document["services"][1]["description"] = "ふれあい\x00サロン"
    problems = _problems(document)
    assert [(p.index, p.field) for p in problems] == [(2, "description")]
    assert "NUL" in problems[0].message


def test_deep_nesting_names_record_and_field(
    personas: dict[str, Staff], catalog: list[Place]
) -> None:
    document = _valid_document(personas["coordinator"])
    deep: Any = "x"
    for _ in range(100):
        deep = [deep]
    document["services"][2]["description"] = deep
    problems = _problems(document)
    assert [(p.index, p.field.split("[")[0]) for p in problems] == [(3, "description")]
    assert "入れ子" in problems[0].message


def test_nesting_too_deep_for_the_parser_is_a_file_problem(db: None) -> None:
    depth = 100_000
    problems = _file_problems('{"services": ' + "[" * depth + "]" * depth + "}")
    assert problems[0].index is None
    assert "入れ子" in problems[0].message


@pytest.mark.parametrize(
    ("value", "words"),
    [(["ふれあいサロン"], "文字列"), ({"a": 1}, "文字列"), (12, "文字列"), (None, "文字列")],
)
def test_a_wrong_type_names_record_and_field(
    personas: dict[str, Staff], catalog: list[Place], value: Any, words: str
) -> None:
    document = _valid_document(personas["coordinator"])
    document["services"][0]["name"] = value
    problems = _problems(document)
    assert [(p.index, p.field) for p in problems] == [(1, "name")]
    assert words in problems[0].message


def test_the_console_command_reports_hostile_numbers_without_a_traceback(
    personas: dict[str, Staff], catalog: list[Place], tmp_path: Path
) -> None:
    document = _valid_document(personas["coordinator"])
    document["services"][0]["cost_options"][0]["amount"] = "__AMOUNT__"
    (tmp_path / "bad.json").write_text(_with_raw(document, "__AMOUNT__", "NaN"), encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match="何も取り込みませんでした"):
        call_command(
            "places", "import", str(tmp_path / "bad.json"), "--user", "community", stderr=err
        )
    assert "1件目" in err.getvalue() and "cost_options[0].amount" in err.getvalue()
    assert Place.objects.count() == 0
