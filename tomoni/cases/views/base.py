"""What the case views share: opening a case to change it, and the page of one small form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from tomoni import access
from tomoni.web.viewutils import form_page

from ..models import Case

GET_POST = ["GET", "POST"]
PAGE_SIZE = 50


def changeable(request: HttpRequest, pk: int) -> Case:
    return access.read(request, Case, pk, access.CHANGE)


def case_form(
    request: HttpRequest,
    case: Case,
    form: Any,
    run: Callable[[], str],
    *,
    heading: str,
    submit: str,
    anchor: str = "",
) -> HttpResponse:
    """A small form of the case page (``run`` returns what it did): posted from the case page;
    shown alone (keeping what was typed) when it has errors, or when opened directly."""
    return form_page(
        request,
        form,
        run,
        template="cases/form_page.html",
        context={"case": case, "heading": heading, "submit": submit},
        done=lambda message: message,
        to=f"{case.get_absolute_url()}#{anchor}" if anchor else case,
    )
