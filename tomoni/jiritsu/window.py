"""Who reads the monthly 生活困窮 sheet, and how (``scope_of``). Which agency is the
自立相談支援機関 is the agency directory's rule: ``tomoni.directory.merged``."""

from __future__ import annotations

from django.conf import settings

from tomoni.directory.merged import is_jiritsu
from tomoni.directory.models import Role, Staff

OWN, ALL, CITY, AGGREGATE = "own", "all", "city", "aggregate"


def scope_of(user: Staff) -> str | None:
    """Who sees the monthly sheet, and how: ``own`` (the 自立相談支援機関's staff) and ``city``
    (the city's coordinators) every number with its list; ``all`` (a 委託先 coordinator, who
    sees only some of the records) every number, no lists; ``aggregate`` (the manager) small
    numbers hidden, no lists; None (everyone else): 404."""
    agency = user.agency
    if agency is not None and user.role in (Role.WINDOW, Role.AGENCY):
        return OWN if is_jiritsu(agency.pk, agency.code) else None
    if user.role == Role.COORDINATOR:
        contractor = agency is not None and agency.code in settings.TOMONI_CONTRACTOR_AGENCIES
        return ALL if contractor else CITY
    if user.role == Role.MANAGER:
        return AGGREGATE
    return None
