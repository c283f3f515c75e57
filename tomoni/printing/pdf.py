"""PDF from the print templates, with WeasyPrint and nothing but our own static files.

The print page and its PDF are one HTML document. WeasyPrint loads what it links to (the
print CSS, and through it the vendored Noto Sans JP) via :class:`StaticOnlyFetcher`, which
maps ``STATIC_URL`` paths to files found by the staticfiles finders (or in ``STATIC_ROOT``
after ``collectstatic``) and refuses every other URL: no http(s), no data:, no file outside
the static roots. Rendering never touches the network (municipal closed networks) and cannot
be made to read other files on the server.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from weasyprint import HTML  # type: ignore[import-untyped]
from weasyprint.urls import (  # type: ignore[import-untyped]
    FatalURLFetchingError,
    URLFetcher,
    URLFetcherResponse,
)

# "/static/tomoni/css/print.css" in a template resolves to "file:///static/tomoni/css/print.css",
# and the fetcher below maps that back to the static file.
BASE_URL = "file:///"

_TYPES = {".css": "text/css; charset=utf-8", ".ttf": "font/ttf", ".otf": "font/otf"}


class RefusedURL(ValueError):
    """A URL that is not one of our static files."""


class PdfError(RuntimeError):
    """The PDF could not be made (a static file the template needs is missing)."""


def static_path(url: str) -> Path:
    """The file behind one of our static URLs; :class:`RefusedURL` for anything else."""
    parts = urlsplit(url)
    static_url = settings.STATIC_URL or ""
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        raise RefusedURL(f"印刷では自システムの静的ファイル以外は読み込みません: {url}")
    path = unquote(parts.path)
    if not static_url.startswith("/") or not path.startswith(static_url):
        raise RefusedURL(f"静的ファイルではありません: {url}")
    name = path[len(static_url) :]
    if not name or any(segment in ("", ".", "..") for segment in name.split("/")):
        raise RefusedURL(f"静的ファイルではありません: {url}")
    found = finders.find(name)
    if isinstance(found, str):
        return Path(found)
    # After collectstatic with the manifest storage the template names hashed files, which
    # only STATIC_ROOT holds; path() joins safely inside it.
    try:
        collected = Path(staticfiles_storage.path(name))
    except (NotImplementedError, ValueError) as error:
        raise RefusedURL(f"静的ファイルが見つかりません: {url}") from error
    if not collected.is_file():
        raise RefusedURL(f"静的ファイルが見つかりません: {url}")
    return collected


class StaticOnlyFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint ships no types
    """WeasyPrint's fetcher, reduced to serving :func:`static_path` files."""

    def __init__(self, **kwargs: Any) -> None:
        # A missing font or stylesheet would print garbled Japanese: stop instead.
        super().__init__(allowed_protocols={"file"}, fail_on_errors=True, **kwargs)

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        path = static_path(url)
        content_type = _TYPES.get(path.suffix.lower()) or (
            mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        )
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})


def render_pdf(html: str) -> bytes:
    """An A4 PDF (the page size is in print.css) of one print template's HTML."""
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=StaticOnlyFetcher())
    try:
        pdf = document.write_pdf()
    except FatalURLFetchingError as error:  # a BaseException: Django would not catch it
        raise PdfError(str(error)) from error.__cause__
    assert isinstance(pdf, bytes)
    return pdf
