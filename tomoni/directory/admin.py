from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import Agency, Area, District, Staff, Tag


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin[Area]):
    list_display = ["code", "name", "order"]


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin[District]):
    list_display = ["code", "name", "area", "order"]
    list_filter = ["area"]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin[Agency]):
    list_display = ["name", "field", "kind", "operation", "attends_plenary", "active"]
    list_filter = ["field", "kind", "operation", "attends_plenary", "active"]
    search_fields = ["name", "short_name", "code"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin[Tag]):
    list_display = ["code", "name", "order"]


@admin.register(Staff)
class StaffAdmin(UserAdmin[Staff]):
    list_display = ["username", "display_name", "agency", "role", "is_active"]
    list_filter = ["role", "agency", "is_active"]
    search_fields = ["username", "display_name"]
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("所属と役割", {"fields": ("display_name", "agency", "role")}),
    )
    add_fieldsets = (
        *UserAdmin.add_fieldsets,
        ("所属と役割", {"fields": ("display_name", "agency", "role")}),
    )
