from typing import Any

from django.apps import apps
from django.contrib import admin
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest

from tomoni.directory.models import Staff

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    """Read-only view for auditors; nobody can add, change or delete events."""

    list_display = ["seq", "at", "who", "action", "target", "ip"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_username", "object_id"]
    ordering = ["-seq"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[AuditEvent]:
        # The staff member's name beside the login id, in the list's one query.
        name = Staff.objects.filter(pk=OuterRef("actor_id")).values("display_name")[:1]
        return super().get_queryset(request).annotate(actor_name=Subquery(name))

    @admin.display(description="職員", ordering="actor_username")
    def who(self, event: AuditEvent) -> str:
        name = getattr(event, "actor_name", None)
        if not event.actor_username:
            return "—"
        return f"{name}（{event.actor_username}）" if name else event.actor_username

    @admin.display(description="対象", ordering="object_type")
    def target(self, event: AuditEvent) -> str:
        """「支援プラン #12」 rather than 「cases.plan 12」."""
        try:
            label = str(apps.get_model(event.object_type)._meta.verbose_name)
        except (LookupError, ValueError):
            label = event.object_type
        return f"{label} #{event.object_id}" if event.object_id else label

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
