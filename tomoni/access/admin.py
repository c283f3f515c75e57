from typing import Any

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from tomoni.audit.log import Action, record

from .models import BreakGlass


def _is_auditor(request: HttpRequest) -> bool:
    return getattr(request.user, "role", None) == "auditor" and request.user.is_active


@admin.register(BreakGlass)
class BreakGlassAdmin(admin.ModelAdmin[BreakGlass]):
    """緊急閲覧の一覧: auditors review each grant (who, what, why, when) and mark it checked."""

    list_display = ["created_at", "staff", "object_type", "object_id", "reason", "reviewed_at"]
    list_filter = [("reviewed_at", admin.EmptyFieldListFilter), "object_type"]
    ordering = ["reviewed_at", "-created_at"]
    actions = ["mark_reviewed"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_auditor(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_auditor(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The review action needs it; the change form itself shows read-only fields.
        return _is_auditor(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in BreakGlass._meta.fields]

    @admin.action(description="選択した緊急閲覧を確認済みにする")
    def mark_reviewed(self, request: HttpRequest, queryset: QuerySet[BreakGlass]) -> None:
        with transaction.atomic():
            pending = list(queryset.filter(reviewed_at__isnull=True))
            for grant in pending:
                grant.reviewed_by = request.user  # type: ignore[assignment]
                grant.reviewed_at = timezone.now()
                grant.save(update_fields=["reviewed_by", "reviewed_at"])
                record(Action.CHANGE, request=request, obj=grant, detail={"fields": ["reviewed"]})
        self.message_user(request, f"{len(pending)} 件を確認済みにしました。", messages.SUCCESS)
