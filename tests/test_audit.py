"""The audit chain: every event is linked to the one before; any edit, gap or cut shows."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tomoni.audit import guard
from tomoni.audit.log import Action, head, record, seal, verify
from tomoni.audit.models import AuditEvent, AuditHead, AuditSeal
from tomoni.directory.models import Role, Staff

from .conftest import register_household


@contextmanager
def superuser_without_the_guard() -> Iterator[None]:
    """What the table's owner or a superuser can do: drop the triggers that refuse UPDATE and
    DELETE, tamper, put them back. Only the HMAC chain and the anchors show it afterwards."""
    guard.remove(connection)
    try:
        yield
    finally:
        guard.install(connection)


def _events(n: int) -> list[AuditEvent]:
    return [record(Action.VIEW, object_type="people.person", object_id=str(i)) for i in range(n)]


def test_fresh_chain_verifies(db: None) -> None:
    """Events appended in order verify cleanly, and the command says so."""
    _events(5)
    assert list(verify()) == []
    call_command("audit", "verify")


def _sealed_events(n: int) -> list[AuditEvent]:
    events = _events(n)
    assert seal() == n
    return events


def _tamper(sql: str, params: list[Any]) -> None:
    with superuser_without_the_guard(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_edited_event_is_detected(db: None) -> None:
    """Changing any field of a stored event breaks its HMAC."""
    events = _sealed_events(5)
    _tamper("UPDATE audit_auditevent SET actor_username = 'x' WHERE seq = %s", [events[2].seq])
    problems = list(verify())
    assert [p.seq for p in problems] == [events[2].seq]
    assert "変更" in problems[0].message
    with pytest.raises(CommandError):
        call_command("audit", "verify")


def test_an_event_inserted_without_the_key_is_reported_and_never_sealed(db: None) -> None:
    """Whoever adds a row in SQL cannot make its HMAC: verify names it, no seal takes it."""
    events = _sealed_events(2)
    _tamper(
        "INSERT INTO audit_auditevent (at, actor_username, action, object_type, object_id, ip,"
        " path, reason, detail, hash) SELECT at, 'ghost', action, object_type, object_id, ip,"
        " path, reason, detail, hash FROM audit_auditevent WHERE seq = %s",
        [events[0].seq],
    )
    ghost = AuditEvent.objects.get(actor_username="ghost")
    assert [p.seq for p in verify()] == [ghost.seq]
    assert not AuditSeal.objects.filter(event=ghost).exists()


def test_missing_event_is_detected(db: None) -> None:
    """Deleting an event (and its seal) from the middle leaves a gap in the seals."""
    events = _sealed_events(5)
    position = AuditSeal.objects.get(event_id=events[2].seq).position
    _tamper("DELETE FROM audit_auditseal WHERE position = %s", [position])
    _tamper("DELETE FROM audit_auditevent WHERE seq = %s", [events[2].seq])
    problems = list(verify())
    assert any(p.seq == position and "ありません" in p.message for p in problems)


def test_truncated_tail_is_detected(db: None) -> None:
    """Deleting the newest events no longer matches the recorded head."""
    events = _sealed_events(5)
    _tamper("DELETE FROM audit_auditseal WHERE event_id >= %s", [events[3].seq])
    _tamper("DELETE FROM audit_auditevent WHERE seq >= %s", [events[3].seq])
    assert any("先頭情報" in p.message for p in verify())


def test_events_cannot_be_changed_through_the_model(db: None) -> None:
    """The model refuses saves of stored events and deletes."""
    event = _events(1)[0]
    event.reason = "changed"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditevent SET reason = 'x'",
        "UPDATE audit_auditevent SET reason = 'x' WHERE seq = %s",
        "DELETE FROM audit_auditevent",
        "DELETE FROM audit_auditevent WHERE seq = %s",
    ],
)
def test_the_database_refuses_update_and_delete(db: None, sql: str) -> None:
    """Issue 16 (c): raw SQL, as from a database console, is refused by the database itself
    (a trigger on SQLite and on PostgreSQL), and nothing changes."""
    events = _events(3)
    params = [events[1].seq] if "%s" in sql else []
    with pytest.raises(DatabaseError) as refused, transaction.atomic(), connection.cursor() as c:
        c.execute(sql, params)
    assert "監査ログ" in str(refused.value)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=events[0].pk).update(reason="x")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.all().delete()
    assert list(AuditEvent.objects.values_list("reason", flat=True)) == ["", "", ""]
    assert list(verify()) == []


def test_head_follows_the_newest_seal(db: None) -> None:
    events = _events(3)
    assert head() == (0, "0" * 64)
    seal()
    last = AuditSeal.objects.get(event_id=events[-1].seq)
    assert head() == (last.position, last.hash) == (3, last.hash)
    events += _events(2)
    seal()
    assert [s.event_id for s in AuditSeal.objects.order_by("position")] == [e.seq for e in events]
    assert head()[0] == 5


def test_appending_is_one_insert_and_takes_no_shared_lock(db: None) -> None:
    """Issue 16 (d): record() writes its own row only; the head is a sealer's business."""
    with CaptureQueriesContext(connection) as queries:
        record(Action.VIEW, object_type="people.person", object_id="1")
    statements = [q["sql"] for q in queries.captured_queries]
    assert len(statements) == 1 and statements[0].startswith("INSERT INTO")
    assert "audit_audithead" not in statements[0]


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite lets one writer at a time in by design (BEGIN IMMEDIATE); the question is "
    "whether audited requests queue on PostgreSQL",
)
@pytest.mark.django_db(transaction=True)
def test_an_open_transaction_does_not_hold_up_other_appends() -> None:
    """Two requests: the first appends and keeps its transaction open; the second appends
    and commits meanwhile. With a lock per append the second would wait for the first."""
    first_appended = threading.Event()
    second_done = threading.Event()
    outcome: dict[str, object] = {}

    def first() -> None:
        try:
            with transaction.atomic():
                record(Action.VIEW, object_type="people.person", object_id="1")
                first_appended.set()
                outcome["second_done_meanwhile"] = second_done.wait(timeout=15)
        finally:
            connection.close()

    def second() -> None:
        try:
            first_appended.wait(timeout=15)
            with transaction.atomic():
                record(Action.VIEW, object_type="people.person", object_id="2")
            second_done.set()
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert outcome == {"second_done_meanwhile": True}
    assert list(verify()) == []
    assert head()[0] == 2


def test_reading_a_household_is_audited(
    personas: dict[str, Staff], as_user: Callable[..., Client]
) -> None:
    """Opening a household page records who read which record."""
    household = register_household(personas["window"])
    client = as_user(personas["window"])
    client.get(reverse("people:household", args=[household.pk]))
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None
    assert (event.action, event.object_type, event.object_id) == (
        Action.VIEW,
        "people.household",
        str(household.pk),
    )
    assert event.actor_id == personas["window"].pk
    assert event.agency_id == personas["window"].agency_id
    assert event.ip == "127.0.0.1"


def test_refused_read_is_not_recorded_as_a_read(
    personas: dict[str, Staff], as_user: Callable[..., Client]
) -> None:
    """An outsider's 404 does not produce a 'view' event for the record."""
    household = register_household(personas["window"])
    before = AuditEvent.objects.filter(action=Action.VIEW).count()
    response = as_user(personas["agency_b"]).get(reverse("people:household", args=[household.pk]))
    assert response.status_code == 404
    assert AuditEvent.objects.filter(action=Action.VIEW).count() == before


def test_logins_and_failures_are_audited(make_staff: Callable[..., Staff], client: Client) -> None:
    """A failed login keeps the username typed (never the password); a success is linked."""
    user = make_staff(Role.WINDOW, "window", username="audit-login")
    user.set_password("correct horse battery staple")
    user.save()
    client.post(reverse("login"), {"username": "audit-login", "password": "wrong-password"})
    failed = AuditEvent.objects.filter(action=Action.LOGIN_FAILED).latest("seq")
    assert failed.actor_username == "audit-login"
    assert "wrong-password" not in str(failed.detail)
    client.post(
        reverse("login"), {"username": "audit-login", "password": "correct horse battery staple"}
    )
    assert AuditEvent.objects.filter(action=Action.LOGIN, actor_id=user.pk).exists()
    assert list(verify()) == []


def test_behind_the_proxy_the_address_nginx_saw_is_recorded(
    personas: dict[str, Staff], as_user: Callable[..., Client], settings: object
) -> None:
    """With TOMONI_BEHIND_PROXY only the last X-Forwarded-For hop (nginx's own) counts."""
    settings.TOMONI_BEHIND_PROXY = True  # type: ignore[attr-defined]
    household = register_household(personas["window"])
    as_user(personas["window"]).get(
        reverse("people:household", args=[household.pk]),
        HTTP_X_FORWARDED_FOR="6.6.6.6, 10.1.2.3",
    )
    assert AuditEvent.objects.latest("seq").ip == "10.1.2.3"
    settings.TOMONI_BEHIND_PROXY = False  # type: ignore[attr-defined]
    as_user(personas["window"]).get(
        reverse("people:household", args=[household.pk]), HTTP_X_FORWARDED_FOR="6.6.6.6"
    )
    assert AuditEvent.objects.latest("seq").ip == "127.0.0.1"


def test_edit_forms_showing_a_record_are_audited_as_reads(
    personas: dict[str, Staff], as_user: Callable[..., Client]
) -> None:
    """An edit form shows the record's data, so opening it is a read like the detail page."""
    household = register_household(personas["window"])
    client = as_user(personas["window"])
    client.get(reverse("people:household_edit", args=[household.pk]))
    event = AuditEvent.objects.latest("seq")
    assert (event.action, event.object_type, event.object_id) == (
        Action.VIEW,
        "people.household",
        str(household.pk),
    )


def test_a_dba_rewrite_with_recomputed_hashes_is_reported(db: None) -> None:
    """Issue 16: an event edited in SQL, with its hash and every seal after it recomputed as
    a plain SHA-256 chain (what the database alone allows) and the head moved, is reported:
    the hashes are HMACs with a key the database does not hold."""
    import hashlib

    from tomoni.audit.log import _canonical

    events = _sealed_events(6)
    assert list(verify()) == []
    victim = AuditEvent.objects.get(seq=events[2].seq)
    victim.actor_username = "someone-else"
    _tamper(
        "UPDATE audit_auditevent SET actor_username = %s, hash = %s WHERE seq = %s",
        [victim.actor_username, hashlib.sha256(_canonical(victim)).hexdigest(), victim.seq],
    )
    seals = list(AuditSeal.objects.select_related("event").order_by("position"))
    prev = "0" * 64
    for item in seals:
        digest = hashlib.sha256(f"{item.position}:{item.event.hash}:{prev}".encode()).hexdigest()
        _tamper(
            "UPDATE audit_auditseal SET prev_hash = %s, hash = %s WHERE position = %s",
            [prev, digest, item.position],
        )
        prev = digest
    AuditHead.objects.filter(pk=1).update(hash=prev)
    problems = list(verify())
    assert problems[0].seq == events[2].seq and "変更" in problems[0].message
    assert len(problems) == 1 + len(seals)  # the event, then every seal


def test_a_rewrite_with_the_key_but_not_the_anchors_is_reported(db: None, tmp_path: Path) -> None:
    """Someone with the database and the key (on the application server) rewrites an event
    and every seal after it: the chain fits again, the anchor written before does not."""
    from tomoni.audit.log import event_mac, seal_mac

    anchors = tmp_path / "anchors.jsonl"
    events = _sealed_events(4)
    call_command("audit", "anchor", "--anchors", str(anchors))
    victim = AuditEvent.objects.get(seq=events[1].seq)
    victim.object_id = "999"
    _tamper(
        "UPDATE audit_auditevent SET object_id = %s, hash = %s WHERE seq = %s",
        ["999", event_mac(victim), victim.seq],
    )
    prev = "0" * 64
    for item in AuditSeal.objects.select_related("event").order_by("position"):
        digest = seal_mac(item.position, item.event_id, item.event.hash, prev)
        _tamper(
            "UPDATE audit_auditseal SET prev_hash = %s, hash = %s WHERE position = %s",
            [prev, digest, item.position],
        )
        prev = digest
    AuditHead.objects.filter(pk=1).update(hash=prev)
    assert list(verify(anchors=tmp_path / "none.jsonl")) == []
    problems = list(verify(anchors=anchors))
    assert [p.seq for p in problems] == [4] and "アンカー" in problems[0].message


def test_anchor_is_signed_and_verify_checks_every_anchor(db: None, tmp_path: Path) -> None:
    """`audit anchor` writes the signed head outside the database; cutting the chain back to
    before an anchor, or forging an anchor line, is reported by `verify`."""
    from tomoni.audit.log import Anchor, read_anchors

    anchors = tmp_path / "anchors.jsonl"
    _events(3)
    call_command("audit", "anchor", "--anchors", str(anchors))
    _events(2)
    call_command("audit", "anchor", "--anchors", str(anchors))
    written = [a for a in read_anchors(anchors) if isinstance(a, Anchor)]
    assert [a.seq for a in written] == [3, 5]  # positions in the chain
    call_command("audit", "verify", "--anchors", str(anchors))
    # A forged line (right shape, wrong key) is reported.
    forged = written[0].line().replace(written[0].mac, "0" * 64)
    with anchors.open("a", encoding="utf-8") as out:
        out.write(forged + "\n")
    assert any("署名" in p.message for p in verify(anchors=anchors))


def test_a_cut_tail_is_reported_by_the_anchor(db: None, tmp_path: Path) -> None:
    """Removing the newest events and moving the head back fits the chain, not the anchor."""
    anchors = tmp_path / "anchors.jsonl"
    events = _sealed_events(4)
    call_command("audit", "anchor", "--anchors", str(anchors))
    _tamper("DELETE FROM audit_auditseal WHERE position >= 3", [])
    _tamper("DELETE FROM audit_auditevent WHERE seq >= %s", [events[2].seq])
    kept = AuditSeal.objects.get(position=2)
    AuditHead.objects.filter(pk=1).update(seq=2, hash=kept.hash)
    problems = list(verify(anchors=anchors))
    assert [p.seq for p in problems] == [4]
    assert "アンカー" in problems[0].message


def test_deploy_check_wants_an_audit_key(settings: object) -> None:
    """`tomoni check --deploy` refuses a production without (or with a short) audit key."""
    from tomoni.audit.checks import audit_key

    assert audit_key() == []
    for key in ("", "short"):
        settings.TOMONI_AUDIT_KEY = key  # type: ignore[attr-defined]
        assert [m.id for m in audit_key()] == ["tomoni.E010"]
