"""A print page's PDF as a response: one way for every printed document."""

from __future__ import annotations

from django.http import HttpResponse


def pdf_response(html: str, filename: str) -> HttpResponse:
    """The PDF of a print template's HTML, shown inline under ``filename``.

    WeasyPrint is imported with the first PDF, not when the URLs load: it takes about 0.7 s,
    a quarter of every `tomoni` command's start and of each server worker's."""
    from .pdf import render_pdf  # deferred on purpose (above)

    response = HttpResponse(render_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
