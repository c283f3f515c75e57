from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from tomoni.accounts import actions as account_actions
from tomoni.audit.log import Action, record
from tomoni.cases.stored_tendencies import (
    TENDENCY_AGENCY_FIELDS,
    TENDENCY_CONCERN_FIELDS,
    cases_naming_agency,
    cases_with_concern,
    recompute_tendencies,
)

from .models import Agency, Area, Concern, District, Role, Staff, Tag

# Permissions follow the role (below), not Django's per-model permission groups.
admin.site.unregister(Group)


class AuditedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Master data and accounts: open to the admin role only, each change in the audit chain."""

    def _is_admin(self, request: HttpRequest) -> bool:
        return getattr(request.user, "role", None) == Role.ADMIN and request.user.is_active

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._is_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_admin(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._is_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_admin(request)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            fields = sorted(form.changed_data) if form is not None else []
            action = Action.CHANGE if change else Action.CREATE
            record(action, request=request, obj=obj, detail={"fields": fields})

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            record(Action.DELETE, request=request, obj=obj)
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Model]) -> None:
        with transaction.atomic():
            for obj in queryset:
                record(Action.DELETE, request=request, obj=obj)
            super().delete_queryset(request, queryset)


@admin.register(Area)
class AreaAdmin(AuditedAdmin, admin.ModelAdmin[Area]):
    list_display = ["code", "name", "order"]


@admin.register(District)
class DistrictAdmin(AuditedAdmin, admin.ModelAdmin[District]):
    list_display = ["code", "name", "area", "order"]
    list_filter = ["area"]


@admin.register(Agency)
class AgencyAdmin(AuditedAdmin, admin.ModelAdmin[Agency]):
    list_display = ["name", "field", "kind", "operation", "attends_plenary", "active"]
    list_filter = ["field", "kind", "operation", "attends_plenary", "active"]
    search_fields = ["name", "short_name", "code"]

    def save_model(self, request: HttpRequest, obj: Agency, form: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            # The tendency rules read an agency's code (③), name (reasons) and 福祉分野 flag (④).
            if change and TENDENCY_AGENCY_FIELDS & set(form.changed_data):
                recompute_tendencies(cases_naming_agency(obj.pk))


@admin.register(Concern)
class ConcernAdmin(AuditedAdmin, admin.ModelAdmin[Concern]):
    list_display = ["code", "name", "domain", "on_checklist", "order", "active"]
    list_filter = ["domain", "on_checklist", "active"]

    def save_model(self, request: HttpRequest, obj: Concern, form: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            # ① counts domains, ② reads a concern's code, domain and name.
            if change and TENDENCY_CONCERN_FIELDS & set(form.changed_data):
                recompute_tendencies(cases_with_concern(obj.pk))


@admin.register(Tag)
class TagAdmin(AuditedAdmin, admin.ModelAdmin[Tag]):
    list_display = ["code", "name", "order"]


@admin.register(Staff)
class StaffAdmin(AuditedAdmin, UserAdmin[Staff]):
    list_display = ["username", "display_name", "agency", "role", "is_active"]
    list_filter = ["role", "agency", "is_active"]
    search_fields = ["username", "display_name"]
    # Access comes from the role; Django's superuser flag and permission lists are not used.
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("所属と役割", {"fields": ("display_name", "agency", "role")}),
        ("状態", {"fields": ("is_active", "is_staff", "last_login", "date_joined")}),
    )
    readonly_fields = ("last_login", "date_joined")
    add_fieldsets = (
        *UserAdmin.add_fieldsets,
        ("所属と役割", {"fields": ("display_name", "agency", "role")}),
    )
    actions = ["reset_two_factor"]

    @admin.action(description="選択した職員の2段階認証をリセット")
    def reset_two_factor(self, request: HttpRequest, queryset: QuerySet[Staff]) -> None:
        """For a member who lost the phone or key: every second factor goes (audited); at the
        next login the member sets up a new one. Confirm who is asking before doing this."""
        with transaction.atomic():
            members = list(queryset)
            for member in members:
                account_actions.reset_devices(request, member)
        self.message_user(
            request,
            f"{len(members)}人の2段階認証をリセットしました。"
            "次のログインで設定し直すよう本人に伝えてください。",
        )
