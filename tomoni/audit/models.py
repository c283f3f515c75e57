"""The audit log: append-only, each event signed, sealed into a keyed chain in batches.

Appending is one INSERT: the database numbers the event (``seq``) and the event carries an
HMAC of its own content (``hash``). A sealer (``tomoni.audit.log.seal``) then chains the
events it has not sealed yet, in order of ``seq``, into ``AuditSeal`` rows under the one
``AuditHead`` lock; only sealers queue on that lock, never the requests that append.
"""

from __future__ import annotations

from typing import Any

from django.db import models


class AuditEvent(models.Model):
    """One thing somebody did or saw. Holds identifiers, never the personal data itself."""

    class Action(models.TextChoices):
        VIEW = "view", "閲覧"
        LIST = "list", "一覧・検索"
        CREATE = "create", "登録"
        CHANGE = "change", "変更"
        DELETE = "delete", "削除"
        EXPORT = "export", "出力"
        PRINT = "print", "印刷"
        LOGIN = "login", "ログイン"
        LOGIN_FAILED = "login_failed", "ログイン失敗"
        LOGOUT = "logout", "ログアウト"
        BREAK_GLASS = "break_glass", "緊急閲覧"
        DENIED = "denied", "拒否"
        BULK_LOAD = "bulk_load", "一括登録"

    # Numbered by the database at insert; a rolled-back transaction leaves a gap, so the
    # chain's completeness is the seals' positions (AuditSeal), not these numbers.
    seq = models.BigAutoField("連番", primary_key=True)
    at = models.DateTimeField("日時", db_index=True)
    actor_id = models.BigIntegerField("職員ID", null=True, blank=True, db_index=True)
    actor_username = models.CharField("職員", max_length=150, blank=True)
    agency_id = models.BigIntegerField("機関ID", null=True, blank=True)
    action = models.CharField("操作", max_length=20, choices=Action.choices)
    object_type = models.CharField("対象種別", max_length=60, blank=True)
    object_id = models.CharField("対象ID", max_length=40, blank=True)
    ip = models.CharField("IPアドレス", max_length=45, blank=True)
    path = models.CharField("画面", max_length=300, blank=True)
    reason = models.CharField("理由", max_length=300, blank=True)
    detail = models.JSONField("詳細", default=dict, blank=True)
    # HMAC-SHA256 (TOMONI_AUDIT_KEY) of the fields above except seq, computed at append.
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["seq"]
        verbose_name = "監査イベント"
        verbose_name_plural = "監査イベント"
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("監査ログは変更できません。")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("監査ログは削除できません。")


class AuditSeal(models.Model):
    """An event's place in the chain: position n follows n − 1 without gaps; ``hash`` is the
    HMAC over the position, the event's number and own HMAC, and the previous seal's hash."""

    position = models.PositiveBigIntegerField("位置", primary_key=True)
    event = models.OneToOneField(
        AuditEvent, on_delete=models.PROTECT, related_name="seal", verbose_name="イベント"
    )
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["position"]
        verbose_name = "監査ログの封印"

    def __str__(self) -> str:
        return f"{self.position} → #{self.event_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        raise PermissionError("封印は tomoni.audit.log.seal() だけが作ります。")

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("監査ログは削除できません。")


class AuditHead(models.Model):
    """The single row that names the newest seal, locked by sealers only.

    ``seq`` is the position of the newest seal and ``hash`` its hash. ``floor``: every event
    numbered up to it was sealed, so a sealer looks only above it for events to seal.
    """

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)
    floor = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = "監査ログの先頭"

    def __str__(self) -> str:
        return f"#{self.seq}"
