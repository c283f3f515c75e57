"""Registering a household and its members over HTTP, editing them, and a member leaving;
each write leaves exactly its audit event and every page view a `view` event."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from tomoni.audit.log import verify
from tomoni.audit.models import AuditEvent
from tomoni.directory.models import District, Staff, Tag
from tomoni.lib.wareki import age_on
from tomoni.people.models import Household, Membership, Person

from ..conftest import BrowserClient, first_member, register_household
from .conftest import household_data, person_data, rows

Event = tuple[str, str, str]


def _mark() -> int:
    return AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def _events_since(mark: int) -> list[Event]:
    events = AuditEvent.objects.filter(seq__gt=mark).order_by("seq")
    return list(events.values_list("action", "object_type", "object_id"))


def _row(body: str, text: str) -> str:
    """The table row (<tr>…</tr>) of the page that contains ``text``."""
    rows = [r for r in re.findall(r"<tr>.*?</tr>", body, re.S) if text in r]
    assert len(rows) == 1, f"{text!r} in {len(rows)} rows"
    return str(rows[0])


def _section(body: str, heading: str) -> str:
    """The <section> of the page whose heading is ``heading``."""
    match = re.search(rf"<section[^>]*>\s*<h2[^>]*>{heading}</h2>.*?</section>", body, re.S)
    assert match, heading
    return match.group(0)


@pytest.fixture
def window(personas: dict[str, Staff], as_user: Callable[..., BrowserClient]) -> BrowserClient:
    return as_user(personas["window"])


def test_window_registers_a_household_with_two_members(window: BrowserClient) -> None:
    """Household, then head and spouse; the household page lists them with 続柄 and age,
    and the person page names the household."""
    district = District.objects.order_by("pk")[1]
    tags = list(Tag.objects.order_by("pk")[:2])
    mark = _mark()
    response = window.post(
        reverse("people:household_new"),
        household_data(district=district.pk, tags=[t.pk for t in tags]),
    )
    household = Household.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("people:member_new", args=[household.pk])
    assert household.district == district
    assert set(household.tags.all()) == set(tags)
    assert household.code == f"H{household.pk:07d}"
    assert _events_since(mark) == [("create", "people.household", str(household.pk))]

    members = [
        person_data(relationship="head", given_name="太郎", birth_date="昭和50年4月3日"),
        person_data(
            relationship="spouse", given_name="花子", given_kana="はなこ", birth_date="S52.8.15"
        ),
    ]
    for data in members:
        mark = _mark()
        response = window.post(reverse("people:member_new", args=[household.pk]), data)
        assert response.status_code == 302
        assert response["Location"] == household.get_absolute_url()
        person = Person.objects.get(given_name=data["given_name"])
        membership = Membership.objects.get(person=person)
        assert membership.household == household
        assert _events_since(mark) == [
            ("create", "people.person", str(person.pk)),
            ("create", "people.membership", str(membership.pk)),
        ]

    mark = _mark()
    body = window.get(household.get_absolute_url()).content.decode()
    assert _events_since(mark) == [("view", "people.household", str(household.pk))]
    today = timezone.localdate()
    for relationship, name, born in [
        ("世帯主", "稲城 太郎", date(1975, 4, 3)),
        ("配偶者", "稲城 花子", date(1977, 8, 15)),
    ]:
        row = _row(body, name)
        assert f"<td>{relationship}</td>" in row
        assert f"{age_on(born, today)}歳" in row
    assert district.name in body
    assert all(t.name in body for t in tags)
    assert "2 人" in body

    head = Person.objects.get(given_name="太郎")
    mark = _mark()
    body = window.get(head.get_absolute_url()).content.decode()
    assert _events_since(mark) == [("view", "people.person", str(head.pk))]
    households = _section(body, "世帯")
    assert f'<a href="{household.get_absolute_url()}">{household.code}</a>（世帯主）' in households
    assert "昭和50年4月3日" in body
    assert list(verify()) == []


def test_person_edit_changes_the_kana(personas: dict[str, Staff], window: BrowserClient) -> None:
    """Changing only the ふりがな saves it, re-keys the search and audits that one field."""
    person = first_member(register_household(personas["window"], members=1))
    data = person_data(
        family_name=person.family_name,
        given_name=person.given_name,
        family_kana="ミホン",
        given_kana=person.given_kana,
        birth_date="",
        sex=person.sex,
    )
    mark = _mark()
    response = window.post(reverse("people:person_edit", args=[person.pk]), data)
    assert response.status_code == 302
    assert response["Location"] == person.get_absolute_url()
    person.refresh_from_db()
    assert person.family_kana == "ミホン"
    assert person.kana_key == "みほんたろう"
    assert _events_since(mark) == [("change", "people.person", str(person.pk))]
    assert AuditEvent.objects.get(seq=mark + 1).detail == {"fields": ["family_kana"]}
    assert list(verify()) == []


def test_household_edit_changes_the_address(
    personas: dict[str, Staff], window: BrowserClient
) -> None:
    """Changing the address and phone saves them and audits exactly those fields, and the
    地区 the new address names (none was chosen)."""
    household = register_household(personas["window"], members=1)
    mark = _mark()
    response = window.post(
        reverse("people:household_edit", args=[household.pk]),
        household_data(postal_code="", address="稲城市東長沼2丁目", phone="042-378-2111"),
    )
    assert response.status_code == 302
    household.refresh_from_db()
    assert household.address == "稲城市東長沼2丁目"
    assert household.phone_key == "0423782111"
    assert household.district == District.objects.get(name="東長沼")
    assert _events_since(mark) == [("change", "people.household", str(household.pk))]
    assert AuditEvent.objects.get(seq=mark + 1).detail == {
        "fields": ["address", "district", "phone"]
    }


def test_unchanged_edit_writes_nothing(personas: dict[str, Staff], window: BrowserClient) -> None:
    """Saving the person form as it was changes no row and records no event."""
    person = first_member(register_household(personas["window"], members=1))
    data = person_data(
        family_name=person.family_name,
        given_name=person.given_name,
        family_kana=person.family_kana,
        given_kana=person.given_kana,
        birth_date="",
        sex=person.sex,
    )
    mark = _mark()
    response = window.post(reverse("people:person_edit", args=[person.pk]), data)
    assert response.status_code == 302
    assert _events_since(mark) == []


def test_member_entering_a_facility_moves_to_former_members(
    personas: dict[str, Staff], window: BrowserClient
) -> None:
    """Ending a membership with 施設入所 lists the person under 以前の世帯員 with the reason."""
    household = register_household(personas["window"], members=2)
    leaving = household.memberships.select_related("person").order_by("pk")[1]
    mark = _mark()
    response = window.post(
        reverse("people:membership_end", args=[household.pk, leaving.pk]),
        {"end_date": "令和8年4月1日", "end_reason": "facility"},
    )
    assert response.status_code == 302
    assert response["Location"] == household.get_absolute_url()
    leaving.refresh_from_db()
    assert (leaving.end_date, leaving.end_reason) == (date(2026, 4, 1), "facility")
    assert _events_since(mark) == [("change", "people.membership", str(leaving.pk))]

    body = window.get(household.get_absolute_url()).content.decode()
    name = leaving.person.full_name
    assert name not in _section(body, "世帯員")
    former = _section(body, "以前の世帯員")
    assert name in _row(former, name)
    assert "施設入所" in _row(former, name)
    assert "令和8年4月1日" in _row(former, name)
    assert "1 人" in body
    assert list(verify()) == []


def test_ending_a_membership_twice_is_refused(
    personas: dict[str, Staff], window: BrowserClient
) -> None:
    """A membership already ended cannot be ended again; the form says why."""
    household = register_household(personas["window"], members=1)
    membership = household.memberships.get()
    url = reverse("people:membership_end", args=[household.pk, membership.pk])
    window.post(url, {"end_date": "令和8年4月1日", "end_reason": "moved_out"})
    before = rows()
    response = window.post(url, {"end_date": "令和8年5月1日", "end_reason": "facility"})
    assert response.status_code == 200
    assert "この世帯員の記録はすでに終了しています。" in response.content.decode()
    assert rows() == before
    membership.refresh_from_db()
    assert (membership.end_date, membership.end_reason) == (date(2026, 4, 1), "moved_out")


def test_person_page_hides_households_and_relatives_the_viewer_cannot_open(personas, as_user):
    """A person known to two agencies does not reveal the other agency's household or family."""
    from django.urls import reverse

    from tomoni.people import actions

    own = register_household(personas["agency_a"], members=1)
    person = first_member(own)
    other = actions.register_household(personas["coordinator"], address="稲城市若葉台")
    actions.add_membership(personas["coordinator"], person, other, "child")
    relative = actions.register_person(
        personas["coordinator"], {"family_name": "架空", "given_name": "秘子"}, household=other
    )
    actions.add_relation(personas["coordinator"], relative, person, "parent_child")

    seen_by_a = as_user(personas["agency_a"]).get(reverse("people:person", args=[person.pk]))
    text = seen_by_a.content.decode()
    assert own.code in text
    assert other.code not in text and "秘子" not in text

    seen_by_coordinator = (
        as_user(personas["coordinator"])
        .get(reverse("people:person", args=[person.pk]))
        .content.decode()
    )
    assert other.code in seen_by_coordinator and "秘子" in seen_by_coordinator
