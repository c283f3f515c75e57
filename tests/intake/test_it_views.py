"""Every intake view over HTTP: anonymous → login, wrong method → 405, outsider → the same
404 as for a record that does not exist; 相談受付 → つなぎ → 受諾 → 完了 end to end; bad input
re-rendered without writing; and the keyword search of the consultation list."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from tomoni.audit.log import verify
from tomoni.audit.models import AuditEvent
from tomoni.directory.models import Agency, Concern, District, Staff
from tomoni.intake import actions
from tomoni.intake.models import Consultation, Referral, RouteStep
from tomoni.lib.wareki import format_date
from tomoni.notes.actions import add_note
from tomoni.notes.models import Note, Visibility
from tomoni.people.models import Household, Person

from ..conftest import BrowserClient, agency_of, first_member, register_household
from .conftest import referral_in, take

State = Referral.State
MISSING = 10**6  # added to every key: a record that does not exist
NOT_FOUND = "お探しの記録は存在しないか、閲覧する権限がありません。"
FREE_TEXT = "夫が施設に入り、ケーブルテレビの解約ができないと長女から電話があった。"
NOTE_TEXT = "年金事務所へ同行し、遺族年金の手続きを確認した。"
SHARED = "ケーブルテレビの解約手続きの支援をお願いします。"


def _urls(consultation: int, referral: int) -> dict[str, str]:
    return {
        "index": reverse("intake:index"),
        "new": reverse("intake:new"),
        "matches": reverse("intake:matches"),
        "choose": reverse("intake:choose"),
        "consultation": reverse("intake:consultation", args=[consultation]),
        "outcome": reverse("intake:outcome", args=[consultation]),
        "assign": reverse("intake:assign", args=[consultation]),
        "refer": reverse("intake:refer", args=[consultation]),
        "note_new": reverse("intake:note_new", args=[consultation]),
        "referrals_in": reverse("intake:referrals_in"),
        "referrals_out": reverse("intake:referrals_out"),
        "referrals_overdue": reverse("intake:referrals_overdue"),
        "referral": reverse("intake:referral", args=[referral]),
        "referral_move": reverse("intake:referral_move", args=[referral, "accept"]),
    }


# The method each view answers, and one it refuses.
METHODS: dict[str, tuple[str, str]] = {
    "index": ("GET", "POST"),
    "new": ("GET", "PUT"),
    "matches": ("GET", "POST"),
    "choose": ("GET", "POST"),
    "consultation": ("GET", "POST"),
    "outcome": ("POST", "GET"),
    "assign": ("POST", "GET"),
    "refer": ("GET", "PUT"),
    "note_new": ("GET", "PUT"),
    "referrals_in": ("GET", "POST"),
    "referrals_out": ("GET", "POST"),
    "referrals_overdue": ("GET", "POST"),
    "referral": ("GET", "POST"),
    "referral_move": ("POST", "GET"),
}
# What an outsider posts to each record view: a valid request for someone who may.
OUTSIDER_POSTS: dict[str, dict[str, str]] = {
    "outcome": {"outcome": "listened"},
    "assign": {"assignee": "me"},
    "refer": {"to_agency": "", "shared_summary": "書き換え"},
    "note_new": {"method": "phone", "visibility": "shared", "text": "書き込み"},
    "referral_move": {"version": "1"},
}
RECORD_VIEWS = ["consultation", *OUTSIDER_POSTS, "referral"]


def _send(client: BrowserClient, method: str, path: str, data: dict[str, str] | None = None) -> Any:
    if method == "GET":
        return client.get(path)
    if method == "POST":
        return client.post(path, data or {})
    # Other unsafe methods carry the token in the header, as htmx sends it.
    client.get("/accounts/login/", follow=True)
    token = client.cookies["csrftoken"].value
    return client.generic(method, path, "", HTTP_X_CSRFTOKEN=token)


def _rows() -> dict[str, int]:
    counted = (Consultation, Referral, Note, Person, Household, RouteStep, AuditEvent)
    return {model.__name__: model.objects.count() for model in counted}


def _referral_state(referral: Referral) -> tuple[str, int]:
    referral.refresh_from_db()
    return referral.state, referral.version


@pytest.fixture
def world(personas: dict[str, Staff]) -> Referral:
    """The window took a consultation about a person it registered, added a note and
    referred it to agency A."""
    window = personas["window"]
    person = first_member(register_household(window, members=2))
    consultation = take(window, person=person, summary="ケーブルテレビの解約", text=FREE_TEXT)
    add_note(window, consultation, text=NOTE_TEXT, method="visit")
    assert personas["agency_a"].agency is not None
    return actions.refer(window, consultation, personas["agency_a"].agency, SHARED)


def _world_urls(referral: Referral, offset: int = 0) -> dict[str, str]:
    return _urls(referral.consultation_id + offset, referral.pk + offset)


@pytest.mark.parametrize("view", list(METHODS))
def test_anonymous_is_sent_to_login(
    view: str, world: Referral, as_user: Callable[..., BrowserClient]
) -> None:
    """An anonymous visitor is redirected to the login page, which brings them back."""
    path = _world_urls(world)[view]
    response = _send(as_user(None), METHODS[view][0], path)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={quote(path)}"


@pytest.mark.parametrize("view", list(METHODS))
def test_wrong_method_is_refused(
    view: str,
    world: Referral,
    personas: dict[str, Staff],
    as_user: Callable[..., BrowserClient],
) -> None:
    """A method the view does not serve gets 405, even for the record's owner."""
    allowed, wrong = METHODS[view]
    response = _send(as_user(personas["window"]), wrong, _world_urls(world)[view])
    assert response.status_code == 405
    assert allowed in response["Allow"]


def _normalised(body: str, path: str, pk: int) -> str:
    """The page without what must differ: the CSRF token, the address and the key asked for."""
    body = re.sub(r"[A-Za-z0-9]{64}", "TOKEN", body)
    body = body.replace(path, "PATH")
    return body.replace(f'name="object_id" value="{pk}"', 'name="object_id" value="PK"')


@pytest.mark.parametrize("view", RECORD_VIEWS)
def test_outsider_gets_the_same_404_as_for_a_missing_record(
    view: str,
    world: Referral,
    personas: dict[str, Staff],
    as_user: Callable[..., BrowserClient],
) -> None:
    """Agency B cannot tell the window's consultation or referral from one that does not
    exist, and its posts change nothing."""
    client = as_user(personas["agency_b"])
    method = METHODS[view][0]
    data = OUTSIDER_POSTS.get(view)
    real_path = _world_urls(world)[view]
    missing_path = _world_urls(world, MISSING)[view]
    before = _rows()
    real = _send(client, method, real_path, data)
    missing = _send(client, method, missing_path, data)
    assert real.status_code == missing.status_code == 404
    real_body, missing_body = real.content.decode(), missing.content.decode()
    assert strip_tags(real_body) == strip_tags(missing_body)
    pk = world.pk if view.startswith("referral") else world.consultation_id
    assert _normalised(real_body, real_path, pk) == _normalised(
        missing_body, missing_path, pk + MISSING
    )
    assert NOT_FOUND in real_body
    assert _rows() == before
    assert _referral_state(world) == (State.SENT, 1)


def test_receiver_sees_the_referral_but_not_the_consultation(
    world: Referral, personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    """Agency A opens the referral (shared summary, the person's name) but gets 404 for the
    consultation behind it, and the referral page shows neither its free text nor its notes."""
    client = as_user(personas["agency_a"])
    urls = _world_urls(world)
    behind = client.get(urls["consultation"])
    assert behind.status_code == 404
    assert NOT_FOUND in behind.content.decode()
    response = client.get(urls["referral"])
    assert response.status_code == 200
    body = response.content.decode()
    assert SHARED in body
    person = world.consultation.person
    assert person is not None
    assert person.full_name in body
    assert FREE_TEXT not in body
    assert "長女から電話" not in body
    assert NOTE_TEXT not in body
    assert "年金事務所" not in body
    assert urls["consultation"] not in body  # no link to 「もとの相談を開く」


# --- End to end ----------------------------------------------------------------------------


def _intake_post(**overrides: Any) -> dict[str, Any]:
    """A complete 相談受付 post: a new person in a new household, two concerns (one ◎), a
    route 民生児童委員 → 本人, consent given."""
    checklist = list(Concern.objects.filter(on_checklist=True, active=True).order_by("pk")[:2])
    data: dict[str, Any] = {
        "received_on": format_date(timezone.localdate()),
        "received_time": "00:00",
        "method": "visit",
        "is_new": "1",
        "urgency": "soon",
        "consent": "given",
        "p-family_name": "稲城",
        "p-given_name": "花子",
        "p-family_kana": "いなぎ",
        "p-given_kana": "はなこ",
        "p-birth_date": "昭和20年5月1日",
        "p-sex": "female",
        "p-phone": "",
        "household_address": "稲城市東長沼2丁目3番4号",
        "household_district": str(District.objects.order_by("pk")[0].pk),
        "concerns": [str(c.pk) for c in checklist],
        "primary": str(checklist[1].pk),
        "route_kind_1": "minsei",
        "route_relation_1": "地区担当",
        "route_kind_2": "self",
        "summary": "夫が施設に入り、ケーブルテレビの解約ができない",
        "text": FREE_TEXT,
    }
    data.update(overrides)
    return data


def test_intake_to_completed_referral_over_http(
    personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    """相談受付 → つなぐ → 受諾 → 完了, each a POST from the page, each audited; the window
    then sees the referral as 完了 in 送ったつなぎ."""
    window = as_user(personas["window"])
    agency_a = personas["agency_a"]
    receiver = as_user(agency_a)
    events = AuditEvent.objects.count()

    response = window.post(reverse("intake:new"), _intake_post())
    consultation = Consultation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == consultation.get_absolute_url()
    person = consultation.person
    assert person is not None and person.full_name.replace(" ", "") == "稲城花子"
    assert consultation.household is not None
    assert consultation.household.memberships.filter(person=person).exists()
    assert consultation.consent == "given"
    links = list(consultation.concern_links.all())
    assert len(links) == 2 and sum(link.is_primary for link in links) == 1
    assert [(s.kind, s.relation) for s in consultation.route.all()] == [
        ("minsei", "地区担当"),
        ("self", ""),
    ]
    page = window.get(response["Location"]).content.decode()
    assert "を受け付けました" in page
    assert AuditEvent.objects.filter(object_type="intake.consultation", action="create").exists()

    response = window.post(
        reverse("intake:refer", args=[consultation.pk]),
        {"to_agency": str(agency_a.agency_id), "shared_summary": SHARED},
    )
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert (referral.to_agency_id, referral.shared_summary) == (agency_a.agency_id, SHARED)
    assert AuditEvent.objects.filter(object_type="intake.referral", action="create").exists()

    inbox = receiver.get(reverse("intake:referrals_in")).content.decode()
    assert referral.get_absolute_url() in inbox
    page = receiver.get(referral.get_absolute_url()).content.decode()
    assert f'name="version" value="{referral.version}"' in page
    accept = reverse("intake:referral_move", args=[referral.pk, "accept"])
    response = receiver.post(accept, {"version": str(referral.version)})
    assert response.status_code == 302
    assert _referral_state(referral) == (State.ACCEPTED, 2)

    page = receiver.get(referral.get_absolute_url()).content.decode()
    assert 'name="version" value="2"' in page
    complete = reverse("intake:referral_move", args=[referral.pk, "complete"])
    response = receiver.post(complete, {"version": "2", "note": "初回面談を実施した。"})
    assert response.status_code == 302
    assert _referral_state(referral) == (State.COMPLETED, 3)
    assert referral.outcome_note == "初回面談を実施した。"

    sent = window.get(reverse("intake:referrals_out"), {"state": "completed"}).content.decode()
    assert referral.get_absolute_url() in sent
    assert "完了" in strip_tags(sent)

    moves = AuditEvent.objects.filter(
        object_type="intake.referral", action="change", object_id=str(referral.pk)
    )
    assert [e.detail["action"] for e in moves.order_by("seq")] == ["accept", "complete"]
    assert AuditEvent.objects.count() > events
    assert list(verify()) == []


# --- Bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("consent", "本人同意の有無を選んでください。"),
        ("summary", "相談の要旨を入力してください。"),
    ],
)
def test_intake_without_consent_or_summary_keeps_what_was_typed(
    missing: str,
    message: str,
    personas: dict[str, Staff],
    as_user: Callable[..., BrowserClient],
) -> None:
    """The form comes back with the message and what was typed; nothing is written."""
    client = as_user(personas["window"])
    before = _rows()
    data = _intake_post(**{missing: ""})
    response = client.post(reverse("intake:new"), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert "まだ受け付けていません" in body
    assert FREE_TEXT in body
    assert 'value="稲城"' in body and 'value="いなぎ"' in body
    assert 'value="稲城市東長沼2丁目3番4号"' in body
    if missing == "consent":
        assert 'value="夫が施設に入り、ケーブルテレビの解約ができない"' in body
    assert {k: v for k, v in _rows().items() if k != "AuditEvent"} == {
        k: v for k, v in before.items() if k != "AuditEvent"
    }
    assert not Consultation.objects.exists()
    assert not Person.objects.exists() and not Household.objects.exists()


def _move(client: BrowserClient, referral: Referral, action: str, **data: str) -> str:
    """POSTs the move and returns the page it redirects to (with its message)."""
    url = reverse("intake:referral_move", args=[referral.pk, action])
    response = client.post(url, data)
    assert response.status_code == 302
    assert response["Location"] == referral.get_absolute_url()
    return strip_tags(client.get(response["Location"]).content.decode())


def test_decline_without_a_reason_changes_nothing(
    personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    """辞退 needs a reason: the page says so and the referral is still 依頼中."""
    referral = referral_in(State.SENT, personas["window"], personas["agency_a"])
    page = _move(as_user(personas["agency_a"]), referral, "decline", version="1", note="  ")
    assert "辞退の理由を入力してください。" in page
    assert _referral_state(referral) == (State.SENT, 1)
    assert referral.decline_reason == ""


def test_accepting_a_withdrawn_referral_changes_nothing(
    personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    """A referral the sender took back cannot be accepted (from the page showing it now)."""
    referral = referral_in(State.WITHDRAWN, personas["window"], personas["agency_a"])
    version = str(referral.version)
    page = _move(as_user(personas["agency_a"]), referral, "accept", version=version)
    assert "「取り下げ」のつなぎは受諾できません。" in page
    assert _referral_state(referral) == (State.WITHDRAWN, int(version))
    assert referral.responded_by_id is None


def test_a_stale_version_is_a_conflict(
    personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    """A page opened before the sender withdrew: accepting from it is refused and says why."""
    referral = referral_in(State.SENT, personas["window"], personas["agency_a"])
    actions.move_referral(
        personas["window"],
        referral,
        "withdraw",
        version=referral.version,
        note="本人が転居したため。",
    )
    page = _move(as_user(personas["agency_a"]), referral, "accept", version="1")
    assert "他の職員が先に操作しました（現在の状態: 取り下げ）" in page
    assert "何も変更していません。" in page
    assert _referral_state(referral) == (State.WITHDRAWN, 2)


def test_a_missing_version_asks_to_reload(
    personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    """A post without the version shown is refused rather than applied blindly."""
    referral = referral_in(State.SENT, personas["window"], personas["agency_a"])
    page = _move(as_user(personas["agency_a"]), referral, "accept")
    assert "画面を更新してから、もう一度操作してください。" in page
    assert _referral_state(referral) == (State.SENT, 1)


# --- Keyword search -------------------------------------------------------------------------


def _found(client: BrowserClient, q: str) -> set[str]:
    response = client.get(reverse("intake:index"), {"scope": "all", "q": q})
    assert response.status_code == 200
    return set(re.findall(r"S\d{7}", response.content.decode()))


@pytest.fixture
def searchable(personas: dict[str, Staff]) -> tuple[Consultation, Consultation]:
    """Two consultations by the window; the first has a shared note and one kept to the
    window's agency."""
    window = personas["window"]
    hit = take(window, summary="ケーブルテレビの解約", text=FREE_TEXT)
    other = take(window, summary="家賃の支払い", text="家賃を三か月滞納している。")
    add_note(window, hit, text=NOTE_TEXT, method="visit")
    add_note(
        window,
        hit,
        text="近所の民生委員と内密に相談した。",
        method="phone",
        visibility=Visibility.OWN_AGENCY,
    )
    return hit, other


@pytest.mark.parametrize("q", ["施設", "ケーブル", "年金事務所", "内密", "長女 解約"])
def test_window_finds_a_consultation_by_its_text_and_notes(
    q: str,
    searchable: tuple[Consultation, Consultation],
    personas: dict[str, Staff],
    as_user: Callable[..., BrowserClient],
) -> None:
    """2- and 4-character words of its text, and words only in its notes, find it."""
    hit, _ = searchable
    assert _found(as_user(personas["window"]), q) == {hit.code}


def test_own_agency_note_does_not_make_it_findable_elsewhere(
    searchable: tuple[Consultation, Consultation],
    personas: dict[str, Staff],
    as_user: Callable[..., BrowserClient],
) -> None:
    """The coordinator sees the consultation (its text finds it) but not the window's
    自機関のみ note, so that note's words do not find it."""
    hit, other = searchable
    client = as_user(personas["coordinator"])
    assert _found(client, "ケーブル") == {hit.code}
    assert _found(client, "年金事務所") == {hit.code}
    assert _found(client, "内密") == set()
    assert _found(client, "民生委員") == set()
    assert _found(client, "家賃") == {other.code}


def test_agency_b_finds_nothing_of_the_windows(
    searchable: tuple[Consultation, Consultation],
    personas: dict[str, Staff],
    as_user: Callable[..., BrowserClient],
) -> None:
    """Words of consultations another agency took find nothing."""
    client = as_user(personas["agency_b"])
    assert _found(client, "施設") == set()
    assert _found(client, "年金事務所") == set()
    assert Agency.objects.filter(pk=agency_of(personas["agency_b"]).pk).exists()
