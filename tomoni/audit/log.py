"""Writing and checking the audit chain.

``record()`` is the only way in. Each event's hash covers its content and the previous hash;
``verify()`` walks the chain and reports the first event that does not fit.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from typing import Any

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


def compute_hash(event: AuditEvent) -> str:
    return hashlib.sha256(_canonical(event)).hexdigest()


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


def verify(batch_size: int = 5000) -> Iterator[Problem]:
    """Yield every break in the chain: edited events, missing events, a moved head."""
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


def head() -> tuple[int, str]:
    row = AuditHead.objects.filter(pk=1).first()
    return (row.seq, row.hash) if row else (0, GENESIS)
