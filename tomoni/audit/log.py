"""Writing and checking the audit chain.

``record()`` is the only way in. Each event's hash is an HMAC (key: ``TOMONI_AUDIT_KEY``,
never in the database) over its content and the previous hash; ``anchor()`` writes the signed
head to a file outside the database; ``verify()`` walks the chain, then checks every anchor.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from tomoni.web.client_ip import client_ip

from .models import AuditEvent, AuditHead

GENESIS = "0" * 64
Action = AuditEvent.Action


def _object_label(obj: models.Model | None) -> tuple[str, str]:
    if obj is None:
        return "", ""
    return obj._meta.label_lower, str(obj.pk)


def _canonical(event: AuditEvent) -> bytes:
    at = event.at.astimezone(UTC).isoformat(timespec="microseconds")
    payload = [
        event.seq,
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
        event.prev_hash,
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


def compute_hash(event: AuditEvent) -> str:
    """The event's HMAC-SHA256: without the key, nobody can make a rewritten event fit."""
    return _mac(_canonical(event))


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
    """Append one event. Runs in (or joins) a transaction with the write it describes."""
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
    now = timezone.now()
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(
            pk=1, defaults={"seq": 0, "hash": GENESIS}
        )
        event = AuditEvent(
            seq=head.seq + 1,
            at=now,
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
            prev_hash=head.hash,
        )
        event.hash = compute_hash(event)
        event.save()
        AuditHead.objects.filter(pk=1).update(seq=event.seq, hash=event.hash)
    return event


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
    """Append the signed head of the chain to the anchor file (and to syslog, if asked).

    The file lives outside the database (in production on another machine or an append-only
    mount), so shortening or rewriting the chain later no longer matches an anchor.
    """
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


def verify(batch_size: int = 5000, anchors: Path | None = None) -> Iterator[Problem]:
    """Yield every break in the chain (edited events, missing events, a moved head), then
    every anchor the chain no longer matches."""
    expected_seq = 1
    prev_hash = GENESIS
    last_seq = 0
    events = AuditEvent.objects.order_by("seq").iterator(chunk_size=batch_size)
    for event in events:
        if event.seq != expected_seq:
            yield Problem(event.seq, f"連番 {expected_seq}〜{event.seq - 1} のイベントがありません")
        if event.prev_hash != prev_hash:
            yield Problem(event.seq, "直前のイベントとのつながり(prev_hash)が一致しません")
        if compute_hash(event) != event.hash:
            yield Problem(event.seq, "内容が記録時から変更されています(hash 不一致)")
        prev_hash = event.hash
        expected_seq = event.seq + 1
        last_seq = event.seq
    head = AuditHead.objects.filter(pk=1).first()
    if head is None:
        yield Problem(0, "監査ログの先頭情報がありません")
    elif head.seq != last_seq or (last_seq and head.hash != prev_hash):
        yield Problem(
            head.seq,
            f"先頭情報は #{head.seq} を指していますが、最後のイベントは #{last_seq} です",
        )
    yield from _check_anchors(anchors)


def _check_anchors(path: Path | None) -> Iterator[Problem]:
    for item in read_anchors(path):
        if isinstance(item, Problem):
            yield item
            continue
        if not item.valid():
            yield Problem(item.seq, f"{item.at} のアンカーの署名が一致しません(鍵が違うか改ざん)")
            continue
        if item.seq == 0:
            continue
        stored = AuditEvent.objects.filter(seq=item.seq).values_list("hash", flat=True).first()
        if stored is None:
            yield Problem(
                item.seq, f"{item.at} のアンカーが指す #{item.seq} がありません(削除・切り詰め)"
            )
        elif not hmac.compare_digest(stored, item.hash):
            yield Problem(
                item.seq, f"#{item.seq} が {item.at} のアンカーの時点から書き換えられています"
            )


def head() -> tuple[int, str]:
    row = AuditHead.objects.filter(pk=1).first()
    return (row.seq, row.hash) if row else (0, GENESIS)
