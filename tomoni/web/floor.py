"""The benchmarks' floor: the least an authenticated page can cost here.

The same middleware as every page (session read and renewal, sign-in check, CSRF, CSP,
security headers) and one indexed query, no template. ``bench/load.py`` reports each key
page's throughput as a ratio to this one, measured in the same run (DESIGN.md §8). It shows
nothing but the name of the user's own agency, so it is harmless to leave switched on.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from tomoni.directory.models import Agency


@require_GET
def floor(request: HttpRequest) -> HttpResponse:
    agency_id: int = getattr(request.user, "agency_id", None) or 0
    name = Agency.objects.filter(pk=agency_id).values_list("name", flat=True).first()
    return HttpResponse(f"ok {name or '-'}\n", content_type="text/plain; charset=utf-8")
