from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    """Read-only view for auditors; nobody can add, change or delete events."""

    list_display = ["seq", "at", "actor_username", "action", "object_type", "object_id", "ip"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_username", "object_id"]
    ordering = ["-seq"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return getattr(request.user, "role", None) == "auditor"

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return getattr(request.user, "role", None) == "auditor"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
