"""Roles, importable without the app registry (the access policy names them)."""

from django.db import models


class Role(models.TextChoices):
    """One role per staff account (DESIGN.md §1)."""

    WINDOW = "window", "総合窓口 相談員"
    COORDINATOR = "coordinator", "多機関協働 コーディネーター"
    AGENCY = "agency", "支援機関 職員"
    OUTREACH = "outreach", "アウトリーチ 支援員"
    COMMUNITY = "community", "地域福祉・生活支援コーディネーター"
    MANAGER = "manager", "管理職"
    AUDITOR = "auditor", "監査担当"
    ADMIN = "admin", "システム管理者"
