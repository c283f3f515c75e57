"""The places catalog pages: list with filters, a place's page, the editor, the HSDS export
download and the upload. Every working role reads; coordinators and community coordinators
keep the catalog; read-only roles get 403 from the editor, roles without a rule 404."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import time
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tomoni.audit.models import AuditEvent
from tomoni.directory.models import District, Staff
from tomoni.participation import actions, hsds
from tomoni.participation.models import Place

from ..conftest import BrowserClient, Queries
from .test_hsds import full_place, place_data

READERS = ("window", "agency_a", "agency_b", "outreach", "manager")
KEEPERS = ("coordinator", "community")
NO_RULE = ("auditor", "admin")
LIST = reverse("participation:places")
NEW = reverse("participation:place_new")
EXPORT = reverse("participation:places_export")
IMPORT = reverse("participation:places_import")
# Measured on SQLite: the page shell (session, user, agency …), the count and the page; with
# 対象・曜日・キーワード filters one more query reads the lists they match in.
LIST_BUDGET = 10


@pytest.fixture
def place(personas: dict[str, Staff]) -> Place:
    return full_place(personas["coordinator"], active=True, paused_on=None)


def _form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "ふれあいセンター 体操教室",
        "kind": "hobby",
        "district": str(District.objects.order_by("order", "pk")[0].pk),
        "welcomes": ["elderly", "disability"],
        "interests": "体操、おしゃべり, 健康",
        "days": ["0", "3"],
        "opens_at": "13:30",
        "closes_at": "15:00",
        "cost": "100",
        "capacity": "20",
        "host": "ふれあいセンター",
        "step_free": "on",
        "active": "on",
    }
    data.update(overrides)
    return data


def _upload(document: Any, name: str = "places.json") -> SimpleUploadedFile:
    content = json.dumps(document, ensure_ascii=False).encode()
    return SimpleUploadedFile(name, content, content_type="application/json")


# --- access --------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(as_user: Callable[..., BrowserClient], place: Place) -> None:
    for url in (LIST, place.get_absolute_url(), NEW, EXPORT, IMPORT):
        response = as_user(None).get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", READERS + KEEPERS)
def test_every_working_role_reads_the_catalog(
    personas: dict[str, Staff], as_user: Callable[..., BrowserClient], place: Place, name: str
) -> None:
    client = as_user(personas[name])
    response = client.get(LIST)
    assert response.status_code == 200
    assert "押立朝市" in response.content.decode()
    page = client.get(place.get_absolute_url()).content.decode()
    assert "山田 花子" in page and "段差なし" in page and "第2・第4土曜" in page
    assert client.get(EXPORT).status_code == 200


@pytest.mark.parametrize("name", NO_RULE)
def test_roles_without_a_rule_get_404(
    personas: dict[str, Staff], as_user: Callable[..., BrowserClient], place: Place, name: str
) -> None:
    client = as_user(personas[name])
    edit = reverse("participation:place_edit", args=[place.pk])
    for url in (LIST, place.get_absolute_url(), NEW, edit, EXPORT, IMPORT):
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("name", READERS)
def test_read_only_roles_get_403_from_the_editor_and_the_import(
    personas: dict[str, Staff], as_user: Callable[..., BrowserClient], place: Place, name: str
) -> None:
    client = as_user(personas[name])
    edit = reverse("participation:place_edit", args=[place.pk])
    for url in (NEW, edit, IMPORT):
        assert client.get(url).status_code == 403, url
    assert client.post(edit, _form(name="書き換え")).status_code == 403
    assert client.post(NEW, _form()).status_code == 403
    document = hsds.to_hsds([place])
    assert client.post(IMPORT, {"file": _upload(document)}).status_code == 403
    assert Place.objects.count() == 1
    assert Place.objects.get().name == "押立朝市"
    assert "居場所を登録" not in client.get(LIST).content.decode()


def test_a_missing_place_is_404(
    personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    client = as_user(personas["coordinator"])
    assert client.get(reverse("participation:place", args=[999999])).status_code == 404
    assert client.get(reverse("participation:place_edit", args=[999999])).status_code == 404


def test_wrong_method_is_405(
    personas: dict[str, Staff], as_user: Callable[..., BrowserClient], place: Place
) -> None:
    client = as_user(personas["coordinator"])
    assert client.post(LIST, {}).status_code == 405
    assert client.post(place.get_absolute_url(), {}).status_code == 405
    assert client.post(EXPORT, {}).status_code == 405
    for url in (NEW, IMPORT, reverse("participation:place_edit", args=[place.pk])):
        token = client.cookies["csrftoken"].value  # set by the posts above
        assert client.put(url, headers={"X-CSRFToken": token}).status_code == 405


# --- the editor ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", KEEPERS)
def test_keepers_add_a_place(
    personas: dict[str, Staff], as_user: Callable[..., BrowserClient], name: str
) -> None:
    client = as_user(personas[name])
    assert client.get(NEW).status_code == 200
    response = client.post(NEW, _form())
    added = Place.objects.get()
    assert response.status_code == 302
    assert response["Location"] == added.get_absolute_url()
    assert added.welcomes == ["elderly", "disability"]
    assert added.interests == sorted(["体操", "おしゃべり", "健康"])
    assert added.days == [0, 3]
    assert (added.opens_at, added.closes_at) == (time(13, 30), time(15))
    assert (added.cost, added.capacity, added.step_free, added.transport) == (100, 20, True, False)
    assert added.active
    assert added.days_display == "月・木"


def test_keepers_change_a_place(
    personas: dict[str, Staff], as_user: Callable[..., BrowserClient], place: Place
) -> None:
    client = as_user(personas["community"])
    edit = reverse("participation:place_edit", args=[place.pk])
    page = client.get(edit).content.decode()
    assert 'value="押立朝市"' in page and "園芸、料理" in page
    response = client.post(edit, _form(name="押立朝市（夏）", active=""))
    assert response.status_code == 302
    place.refresh_from_db()
    assert place.name == "押立朝市（夏）"
    assert not place.active


def test_bad_input_keeps_what_was_typed_and_changes_nothing(
    personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    client = as_user(personas["coordinator"])
    response = client.post(NEW, _form(opens_at="15:00", closes_at="13:00"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "終了時刻は開始時刻より後にしてください。" in page
    assert 'value="ふれあいセンター 体操教室"' in page
    response = client.post(NEW, _form(name="", cost="-5"))
    assert response.status_code == 200
    assert Place.objects.count() == 0


# --- export and import ---------------------------------------------------------------------


def test_export_downloads_hsds_json_and_is_audited(
    personas: dict[str, Staff], as_user: Callable[..., BrowserClient], place: Place
) -> None:
    response = as_user(personas["window"]).get(EXPORT)
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment;")
    document = json.loads(response.content.decode("utf-8"))
    assert document["services"][0]["name"] == "押立朝市"
    assert document["services"][0]["id"] == str(place.uid)
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None and event.action == "export"


def test_upload_imports_a_valid_file(
    personas: dict[str, Staff], as_user: Callable[..., BrowserClient], place: Place
) -> None:
    client = as_user(personas["community"])
    assert client.get(IMPORT).status_code == 200
    document = hsds.to_hsds([place])
    document["services"][0]["name"] = "押立朝市（更新）"
    other = actions.save_place(personas["coordinator"], None, place_data(name="新しいサロン"))
    document["services"].append(hsds.service_of(other))
    other.delete()
    response = client.post(IMPORT, {"file": _upload(document)})
    assert response.status_code == 302
    assert response["Location"] == LIST
    assert sorted(Place.objects.values_list("name", flat=True)) == [
        "押立朝市（更新）",
        "新しいサロン",
    ]
    assert "新規 1 件、更新 1 件" in client.get(LIST).content.decode()


def test_upload_of_a_bad_file_lists_the_errors_and_imports_nothing(
    personas: dict[str, Staff], as_user: Callable[..., BrowserClient], place: Place
) -> None:
    client = as_user(personas["coordinator"])
    document = hsds.to_hsds([place, place, place])
    for index, service in enumerate(document["services"]):
        service["id"] = f"00000000-0000-4000-8000-00000000000{index}"
        service["name"] = f"居場所{index + 1}"
    document["services"][1]["schedules"][0]["byday"] = "MO,火"
    response = client.post(IMPORT, {"file": _upload(document)})
    assert response.status_code == 400
    page = response.content.decode()
    assert "何も取り込みませんでした" in page
    assert "2件目（「居場所2」 00000000-0000-4000-8000-000000000001） schedules[0].byday" in page
    assert Place.objects.count() == 1
    response = client.post(IMPORT, {"file": SimpleUploadedFile("x.json", b"[oops")})
    assert response.status_code == 400
    assert "JSON として読めません" in response.content.decode()
    assert client.post(IMPORT, {}).status_code == 200  # no file chosen: the form says so
    assert Place.objects.count() == 1


# --- the list ------------------------------------------------------------------------------


def test_filters(personas: dict[str, Staff], as_user: Callable[..., BrowserClient]) -> None:
    coordinator = personas["coordinator"]
    first, second = District.objects.order_by("order", "pk")[:2]
    actions.save_place(
        coordinator,
        None,
        place_data(name="園芸の会", kind="hobby", district=first, welcomes=["elderly"], days=[2]),
    )
    actions.save_place(
        coordinator,
        None,
        place_data(
            name="子ども食堂 にこにこ",
            kind="kodomo_shokudo",
            district=second,
            welcomes=["children"],
            days=[5],
            interests=["料理"],
            active=False,
        ),
    )
    client = as_user(personas["window"])

    def names(**params: str) -> list[str]:
        page = client.get(LIST, params).context["page_obj"]
        return sorted(p.name for p in page.object_list)

    assert names() == ["園芸の会", "子ども食堂 にこにこ"]
    assert names(district=str(first.pk)) == ["園芸の会"]
    assert names(kind="kodomo_shokudo") == ["子ども食堂 にこにこ"]
    assert names(welcome="elderly") == ["園芸の会"]
    assert names(day="5") == ["子ども食堂 にこにこ"]
    assert names(day="0") == []
    assert names(status="active") == ["園芸の会"]
    assert names(status="paused") == ["子ども食堂 にこにこ"]
    assert names(q="料理") == ["子ども食堂 にこにこ"]  # an interest keyword
    assert names(q="にこ") == ["子ども食堂 にこにこ"]  # the name
    assert names(q="料理", welcome="elderly") == []
    assert names(kind="nonsense") == names()  # a bad filter is ignored, not an error


def _list_queries(queries: Queries, client: BrowserClient, **params: str) -> int:
    return len(queries(client, LIST, **params))


def test_list_query_budget(
    personas: dict[str, Staff], as_user: Callable[..., BrowserClient], queries: Queries
) -> None:
    """The list runs the same number of queries for 2 places as for 30."""
    coordinator = personas["coordinator"]
    districts = list(District.objects.all())
    client = as_user(personas["community"])

    def add(count: int) -> None:
        for i in range(count):
            actions.save_place(
                coordinator,
                None,
                place_data(name=f"居場所{i}", district=districts[i % len(districts)], days=[i % 7]),
            )

    add(2)
    few = [
        _list_queries(queries, client),
        _list_queries(queries, client, welcome="all", q="居場所"),
    ]
    add(28)
    many = [
        _list_queries(queries, client),
        _list_queries(queries, client, welcome="all", q="居場所"),
    ]
    assert many == few
    assert max(many) <= LIST_BUDGET
