"""Writing and checking the audit chain.

``record()`` is the only way in. It is one INSERT: the database numbers the event, and the
event carries an HMAC of its own content (key: ``TOMONI_AUDIT_KEY``, never in the database).
No lock is shared between requests that append.

``seal()`` chains the events not sealed yet, in order of their numbers, into ``AuditSeal``
rows: position n's HMAC covers the event's number and own HMAC and position n − 1's hash.
Only sealers lock the one ``AuditHead`` row. Sealing runs after an append's commit at most
every ``TOMONI_AUDIT_SEAL_SECONDS`` per process (skipped if another sealer is at work), from
``tomoni audit seal`` on a timer, and before ``anchor`` and ``verify``.

``anchor()`` writes the signed head to a file outside the database; ``verify()`` checks every
event's HMAC, the chain of seals and every anchor.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models, transaction
from django.http import HttpRequest
from django.utils import timezone

from tomoni.lib.client_ip import client_ip

from .models import AuditEvent, AuditHead, AuditSeal

GENESIS = "0" * 64
Action = AuditEvent.Action
logger = logging.getLogger(__name__)


def _object_label(obj: models.Model | None) -> tuple[str, str]:
    if obj is None:
        return "", ""
    return obj._meta.label_lower, str(obj.pk)


def _canonical(event: Any) -> bytes:
    """The event's content as signed: every field but its number (given by the database
    after the HMAC is made; the seal covers the number)."""
    at = event.at.astimezone(UTC).isoformat(timespec="microseconds")
    payload = [
        at,
        event.actor_id,
        event.actor_username,
        event.agency_id,
        event.action,
        event.object_type,
        event.object_id,
        event.ip,
        event.path,
        event.reason,
        event.detail,
    ]
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def safe_path(request: HttpRequest) -> str:
    """The path with the names of its query parameters only: ``/people/?q`` for ``?q=高橋``.

    The log says which screen was asked what kind of question, never what was typed (names,
    birth dates and addresses end up in query strings of searches and candidate panels).
    """
    keys = sorted({key for key in request.GET if key})
    path = request.path
    if keys:
        path += "?" + "&".join(key[:40] for key in keys)
    return path[:300]


def _key() -> bytes:
    key = str(getattr(settings, "TOMONI_AUDIT_KEY", "") or "")
    if not key:
        raise ImproperlyConfigured(
            "監査ログの鍵 TOMONI_AUDIT_KEY (または TOMONI_AUDIT_KEY_FILE) が設定されていません。"
        )
    return key.encode()


def _mac(message: bytes) -> str:
    return hmac.new(_key(), message, hashlib.sha256).hexdigest()


def event_mac(event: Any) -> str:
    """The event's own HMAC-SHA256: without the key, nobody can make an edited or inserted
    event fit."""
    return _mac(_canonical(event))


def seal_mac(position: int, event_seq: int, event_hash: str, prev_hash: str) -> str:
    """A seal's HMAC: this event, at this place, after that seal."""
    return _mac(f"tomoni-audit-seal:{position}:{event_seq}:{event_hash}:{prev_hash}".encode())


def record(
    action: str,
    *,
    actor: Any = None,
    request: HttpRequest | None = None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    reason: str = "",
    detail: dict[str, Any] | None = None,
    username: str = "",
) -> AuditEvent:
    """Append one event. Runs in (or joins) the transaction of the write it describes."""
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    if obj is not None:
        object_type, object_id = _object_label(obj)
    detail = dict(detail or {})
    if action == Action.LIST and request is not None and set(request.GET) - {"page"}:
        # A list asked with a question is a search: kept as 「検索」 and how many it showed;
        # what was asked stays out of the log (safe_path keeps the parameters' names only).
        detail.setdefault("search", "検索")
        if isinstance(detail.get("ids"), list):
            detail.setdefault("hits", len(detail["ids"]))
    event = AuditEvent(
        at=timezone.now(),
        actor_id=getattr(actor, "pk", None),
        actor_username=getattr(actor, "username", "") or username[:150],
        agency_id=getattr(actor, "agency_id", None),
        action=action,
        object_type=object_type,
        object_id=str(object_id)[:40],
        ip=client_ip(request),
        path=(safe_path(request) if request is not None else ""),
        reason=reason[:300],
        detail=detail,
    )
    event.hash = event_mac(event)
    event.save()
    transaction.on_commit(_seal_soon)
    return event


_last_seal = {"at": 0.0}
_seal_lock = threading.Lock()


def _seal_soon() -> None:
    """After an append commits: seal, at most every TOMONI_AUDIT_SEAL_SECONDS per process,
    and never waiting for another sealer. A failure is logged, never the request's."""
    interval = float(getattr(settings, "TOMONI_AUDIT_SEAL_SECONDS", 5))
    now = time.monotonic()
    with _seal_lock:
        if interval < 0 or now - _last_seal["at"] < interval:
            return
        _last_seal["at"] = now
    try:
        seal(wait=False)
    except Exception:  # the periodic `tomoni audit seal` and verify seal what is left
        logger.exception("監査ログの封印に失敗しました(次回の封印で再試行されます)")


def seal(*, wait: bool = True, everything: bool = False, batch_size: int = 2000) -> int:
    """Chain the events not sealed yet, in order of their numbers; return how many.

    Looks above ``AuditHead.floor`` (every event up to it is sealed) unless ``everything``:
    an event whose transaction stayed open longer than ``TOMONI_AUDIT_SEAL_HORIZON_SECONDS``
    while later ones were sealed lies below the floor and is found by ``verify`` (which seals
    everything). With ``wait=False`` a sealer already at work (PostgreSQL) means return 0.
    """
    horizon = timezone.now() - timedelta(
        seconds=int(getattr(settings, "TOMONI_AUDIT_SEAL_HORIZON_SECONDS", 600))
    )
    sealed = 0
    with transaction.atomic():
        heads = AuditHead.objects.filter(pk=1)
        if not wait and connection.features.has_select_for_update_skip_locked:
            locked = heads.select_for_update(skip_locked=True).first()
            if locked is None:
                if AuditHead.objects.filter(pk=1).exists():
                    return 0  # another sealer holds it
                locked = AuditHead.objects.create(pk=1, seq=0, hash=GENESIS)
            head = locked
        else:
            head, _ = AuditHead.objects.select_for_update().get_or_create(
                pk=1, defaults={"seq": 0, "hash": GENESIS}
            )
        # Read before the pending events: every event at or below it that the pending query
        # does not see has been in an open transaction since before the horizon.
        floor_candidate = AuditEvent.objects.filter(seq__gt=head.floor, at__lt=horizon).aggregate(
            top=models.Max("seq")
        )["top"]
        pending = AuditEvent.objects.filter(seal__isnull=True).order_by("seq")
        if not everything:
            pending = pending.filter(seq__gt=head.floor)
        position, prev = head.seq, head.hash
        batch: list[AuditSeal] = []
        for event in pending.iterator(chunk_size=batch_size):
            if not hmac.compare_digest(event_mac(event), event.hash):
                # Not ours (inserted or edited without the key): left out of the chain and
                # reported by verify.
                continue
            position += 1
            digest = seal_mac(position, event.seq, event.hash, prev)
            batch.append(
                AuditSeal(position=position, event_id=event.seq, prev_hash=prev, hash=digest)
            )
            prev = digest
            if len(batch) >= batch_size:
                AuditSeal.objects.bulk_create(batch)
                sealed += len(batch)
                batch = []
        if batch:
            AuditSeal.objects.bulk_create(batch)
            sealed += len(batch)
        floor = max(head.floor, floor_candidate or 0)
        if sealed or floor != head.floor:
            AuditHead.objects.filter(pk=1).update(seq=position, hash=prev, floor=floor)
    return sealed


@dataclass(frozen=True)
class Problem:
    seq: int
    message: str


@dataclass(frozen=True)
class Anchor:
    seq: int
    hash: str
    at: str
    mac: str

    @staticmethod
    def _message(seq: int, digest: str, at: str) -> bytes:
        return f"tomoni-audit-anchor:{seq}:{digest}:{at}".encode()

    @classmethod
    def signed(cls, seq: int, digest: str, at: str) -> Anchor:
        return cls(seq, digest, at, _mac(cls._message(seq, digest, at)))

    def valid(self) -> bool:
        return hmac.compare_digest(_mac(self._message(self.seq, self.hash, self.at)), self.mac)

    def line(self) -> str:
        fields = {"seq": self.seq, "hash": self.hash, "at": self.at, "mac": self.mac}
        return json.dumps(fields, separators=(",", ":"))


def anchor(path: Path | None = None, *, to_syslog: bool = False) -> Anchor:
    """Seal, then append the signed head of the chain to the anchor file (and syslog).

    The file lives outside the database (in production on another machine or an append-only
    mount), so shortening or rewriting the chain later no longer matches an anchor.
    """
    seal()
    seq, digest = head()
    at = timezone.now().astimezone(UTC).isoformat(timespec="seconds")
    signed = Anchor.signed(seq, digest, at)
    target = Path(path or settings.TOMONI_AUDIT_ANCHOR_FILE)
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("a", encoding="utf-8") as out:
        out.write(signed.line() + "\n")
        out.flush()
        os.fsync(out.fileno())
    if to_syslog:
        import syslog

        syslog.openlog("tomoni-audit", 0, syslog.LOG_AUTH)
        syslog.syslog(syslog.LOG_NOTICE, "anchor " + signed.line())
    return signed


def read_anchors(path: Path | None = None) -> Iterator[Anchor | Problem]:
    """The anchors in the file, oldest first; an unreadable line is a problem of its own."""
    target = Path(path or settings.TOMONI_AUDIT_ANCHOR_FILE)
    if not target.exists():
        return
    with target.open(encoding="utf-8") as lines:
        for number, text in enumerate(lines, start=1):
            if not text.strip():
                continue
            try:
                fields = json.loads(text)
                yield Anchor(
                    int(fields["seq"]), str(fields["hash"]), str(fields["at"]), str(fields["mac"])
                )
            except (ValueError, KeyError, TypeError):
                yield Problem(0, f"アンカー {number} 行目が読めません")


def verify(
    batch_size: int = 5000,
    anchors: Path | None = None,
    *,
    seal_first: bool = True,
    later_anchors_ok: bool = False,
) -> Iterator[Problem]:
    """Yield every problem: events whose own HMAC does not fit (edited, or inserted without
    the key; they are never sealed), seals that are missing, out of order or do not fit, a
    head that does not name the last seal, and every anchor the chain no longer matches.

    ``Problem.seq`` is the event's number, or the seal's position for chain problems.
    After a restore (``later_anchors_ok``), anchors beyond the restored head are the events
    lost since the backup, not damage: they are left to ``anchors_beyond_head()``."""
    if seal_first:
        seal(everything=True)
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=batch_size):
        if not hmac.compare_digest(event_mac(event), event.hash):
            yield Problem(event.seq, "内容が記録時から変更されています(HMAC 不一致)")
    expected = 1
    prev = GENESIS
    seals = AuditSeal.objects.select_related("event").order_by("position")
    for item in seals.iterator(chunk_size=batch_size):
        if item.position != expected:
            yield Problem(
                expected, f"封印 {expected}〜{item.position - 1} がありません(イベントの削除)"
            )
        if item.prev_hash != prev:
            yield Problem(item.position, "直前の封印とのつながり(prev_hash)が一致しません")
        digest = seal_mac(item.position, item.event_id, item.event.hash, item.prev_hash)
        if not hmac.compare_digest(digest, item.hash):
            yield Problem(item.position, f"封印 {item.position} (#{item.event_id}) が一致しません")
        prev = item.hash
        expected = item.position + 1
    last = expected - 1
    row = AuditHead.objects.filter(pk=1).first()
    if row is None:
        yield Problem(0, "監査ログの先頭情報がありません")
    elif row.seq != last or (last and row.hash != prev):
        yield Problem(row.seq, f"先頭情報は {row.seq} を指していますが、最後の封印は {last} です")
    yield from _check_anchors(anchors, upto=last if later_anchors_ok else None)


def anchors_beyond_head(path: Path | None = None) -> int:
    """How many anchors point past the chain's head (after a restore: events lost)."""
    position = head()[0]
    return sum(1 for a in read_anchors(path) if isinstance(a, Anchor) and a.seq > position)


def _check_anchors(path: Path | None, upto: int | None = None) -> Iterator[Problem]:
    for item in read_anchors(path):
        if isinstance(item, Problem):
            yield item
            continue
        if not item.valid():
            yield Problem(item.seq, f"{item.at} のアンカーの署名が一致しません(鍵が違うか改ざん)")
            continue
        if item.seq == 0 or (upto is not None and item.seq > upto):
            continue
        stored = AuditSeal.objects.filter(position=item.seq).values_list("hash", flat=True).first()
        if stored is None:
            yield Problem(
                item.seq, f"{item.at} のアンカーが指す封印 {item.seq} がありません(削除・切り詰め)"
            )
        elif not hmac.compare_digest(stored, item.hash):
            yield Problem(
                item.seq, f"封印 {item.seq} が {item.at} のアンカーの時点から変わっています"
            )


def head() -> tuple[int, str]:
    """The newest seal: (its position, which is the number of events sealed; its hash)."""
    row = AuditHead.objects.filter(pk=1).first()
    return (row.seq, row.hash) if row else (0, GENESIS)
