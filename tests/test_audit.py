"""The audit chain: every event is linked to the one before; any edit, gap or cut shows."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse

from tomoni.audit import guard
from tomoni.audit.log import Action, record, verify
from tomoni.audit.models import AuditEvent, AuditHead
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


def test_edited_event_is_detected(db: None) -> None:
    """Changing any field of a stored event breaks its hash."""
    events = _events(5)
    with superuser_without_the_guard():
        AuditEvent.objects.filter(pk=events[2].pk).update(actor_username="someone-else")
    problems = list(verify())
    assert [p.seq for p in problems] == [events[2].seq]
    with pytest.raises(CommandError):
        call_command("audit", "verify")


def test_rehashed_edit_is_still_detected(db: None) -> None:
    """Recomputing the edited event's own hash breaks the link from the next one."""
    from tomoni.audit.log import compute_hash

    events = _events(5)
    victim = AuditEvent.objects.get(pk=events[1].pk)
    victim.object_id = "999"
    with superuser_without_the_guard():
        AuditEvent.objects.filter(pk=victim.pk).update(object_id="999", hash=compute_hash(victim))
    problems = list(verify())
    assert problems and problems[0].seq == events[2].seq


def test_missing_event_is_detected(db: None) -> None:
    """Deleting an event from the middle leaves a gap in the sequence."""
    events = _events(5)
    with superuser_without_the_guard():
        AuditEvent.objects.filter(pk=events[2].pk).delete()
    messages = [p.message for p in verify()]
    assert any("ありません" in m for m in messages)


def test_truncated_tail_is_detected(db: None) -> None:
    """Deleting the newest events no longer matches the recorded head."""
    events = _events(5)
    with superuser_without_the_guard():
        AuditEvent.objects.filter(seq__gte=events[3].seq).delete()
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


def test_head_follows_the_newest_event(db: None) -> None:
    events = _events(3)
    head = AuditHead.objects.get(pk=1)
    assert (head.seq, head.hash) == (events[-1].seq, events[-1].hash)


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


def _dba_rewrite(seq: int, username: str) -> None:
    """What someone with the database but not the key can do: edit an event with raw SQL,
    then recompute every following hash as plain SHA-256 (the pre-HMAC chain) and the head."""
    import hashlib

    from tomoni.audit.log import _canonical

    with superuser_without_the_guard(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET actor_username = %s WHERE seq = %s", [username, seq]
        )
    prev = AuditEvent.objects.get(seq=seq).prev_hash
    for event in AuditEvent.objects.filter(seq__gte=seq).order_by("seq"):
        event.prev_hash = prev
        digest = hashlib.sha256(_canonical(event)).hexdigest()
        with superuser_without_the_guard(), connection.cursor() as cursor:
            cursor.execute(
                "UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE seq = %s",
                [prev, digest, event.seq],
            )
        prev = digest
    last = AuditEvent.objects.order_by("-seq").first()
    assert last is not None
    AuditHead.objects.filter(pk=1).update(seq=last.seq, hash=prev)


def test_a_dba_rewrite_with_recomputed_hashes_is_reported(db: None) -> None:
    """Issue 16: an event edited in SQL, with every following hash recomputed and the head
    moved, is still reported: the hashes are HMACs with a key the database does not hold."""
    events = _events(6)
    assert list(verify()) == []
    _dba_rewrite(events[2].seq, "someone-else")
    problems = list(verify())
    assert problems and problems[0].seq == events[2].seq
    assert "変更" in problems[0].message


def test_anchor_is_signed_and_verify_checks_every_anchor(db: None, tmp_path: Path) -> None:
    """`audit anchor` writes the signed head outside the database; cutting the chain back to
    before an anchor, or forging an anchor line, is reported by `verify`."""
    from tomoni.audit.log import Anchor, read_anchors

    anchors = tmp_path / "anchors.jsonl"
    events = _events(3)
    call_command("audit", "anchor", "--anchors", str(anchors))
    events += _events(2)
    call_command("audit", "anchor", "--anchors", str(anchors))
    written = [a for a in read_anchors(anchors) if isinstance(a, Anchor)]
    assert [a.seq for a in written] == [events[2].seq, events[-1].seq]
    call_command("audit", "verify", "--anchors", str(anchors))
    # A forged line (right shape, wrong key) is reported.
    forged = written[0].line().replace(written[0].mac, "0" * 64)
    with anchors.open("a", encoding="utf-8") as out:
        out.write(forged + "\n")
    assert any("署名" in p.message for p in verify(anchors=anchors))


def test_a_cut_tail_is_reported_by_the_anchor(db: None, tmp_path: Path) -> None:
    """Removing the newest events and moving the head back fits the chain, not the anchor."""

    anchors = tmp_path / "anchors.jsonl"
    events = _events(4)
    call_command("audit", "anchor", "--anchors", str(anchors))
    with superuser_without_the_guard(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE seq >= %s", [events[2].seq])
    AuditHead.objects.filter(pk=1).update(seq=events[1].seq, hash=events[1].hash)
    problems = list(verify(anchors=anchors))
    assert [p.seq for p in problems] == [events[3].seq]
    assert "アンカー" in problems[0].message
