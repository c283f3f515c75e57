"""Small helpers every app's views share.

``form_page`` is the one shape of a form that calls an action: show the form; on a valid POST
run the action; show its Japanese refusal (a ``ValidationError``, ``ConflictError``
included: nothing was changed) at the top of the form, keeping what was typed; or say what
was done and go on. ``audit_page`` records, once per page, which personal records a list
showed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, time
from typing import Any, Literal, TypeVar

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from tomoni.audit.log import Action, record
from tomoni.directory.models import Staff

T = TypeVar("T")


def staff_of(request: HttpRequest) -> Staff:
    """The signed-in staff member (LoginRequiredMiddleware has already sent anyone else away)."""
    assert isinstance(request.user, Staff)
    return request.user


def add_form_errors(form: Any, error: ValidationError) -> None:
    """An action's refusal, shown at the top of the form that asked for it."""
    for message in error.messages:
        form.add_error(None, message)


def form_page(
    request: HttpRequest,
    form: Any,
    run: Callable[[], T],
    *,
    template: str = "",
    context: dict[str, Any] | None = None,
    page: Callable[[Any], HttpResponse] | None = None,
    done: str | Callable[[T], str],
    to: Any = None,
    refused: Callable[[ValidationError], None] | None = None,
) -> HttpResponse:
    """The form on ``template`` (with ``context``), or ``page(form)`` when it is shown on a
    page of its own making (the meeting page, say); on a valid POST, ``run()`` the action.

    ``done``: the success message (or made from what ``run`` returned). ``to``: where to go
    then: a URL or a record, a function of what ``run`` returned, or (None) that itself.
    ``refused``: called with the action's refusal after it is shown on the form (to put the
    newest saved version beside what was typed after a conflict, say); it may add to
    ``context``."""
    if request.method == "POST" and form.is_valid():
        try:
            result = run()
        except ValidationError as error:  # ConflictError included: nothing was changed
            add_form_errors(form, error)
            if refused is not None:
                refused(error)
        else:
            messages.success(request, done(result) if callable(done) else done)
            target: Any = result if to is None else to(result) if callable(to) else to
            return redirect(target)
    if page is not None:
        return page(form)
    return render(request, template, {"form": form, **(context or {})})


def audit_list(request: HttpRequest, object_type: str, ids: Iterable[int], **detail: Any) -> None:
    """Record that the page showed these records of ``object_type`` (one LIST event)."""
    detail = {"ids": list(ids), **detail}
    record(Action.LIST, request=request, object_type=object_type, detail=detail)


def audit_page(request: HttpRequest, object_type: str, page: Page[Any], **detail: Any) -> None:
    """Record that a list showed this page of records (their ids, one LIST event)."""
    audit_list(request, object_type, (obj.pk for obj in page.object_list), **detail)


def day_start(day: date) -> datetime:
    """Midnight at the start of ``day``, local time, for date-range filters."""
    return timezone.make_aware(datetime.combine(day, time.min))


def set_hidden(form: Any, name: str, value: int) -> None:
    """After a conflict: the form now stands on the newest saved version (``name``), so
    sending it again, after reading it, is a deliberate change of that newer version."""
    form.data = form.data.copy()
    form.data[name] = str(value)


def post_action(
    request: HttpRequest, run: Callable[[], T], *, done: str | Callable[[T], str], to: Any
) -> HttpResponse:
    """A button that calls an action (a POST with no form page of its own): what it did, or
    its refusal, as a message; then to ``to`` (a URL, a URL name or a record) either way."""
    try:
        result = run()
    except ValidationError as error:  # ConflictError included: nothing was changed
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done(result) if callable(done) else done)
    return redirect(to)


Encoding = Literal["utf-8-sig", "cp932"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def spreadsheet(
    request: HttpRequest,
    fmt: str,
    name: str,
    *,
    xlsx: Callable[[str], bytes],
    csv: Callable[[Encoding], bytes],
    object_type: str,
    object_id: str,
    **detail: Any,
) -> HttpResponse:
    """A table downloaded as Excel (``fmt`` "xlsx"; ``xlsx`` gets the 出力 line for its 説明
    sheet) or CSV (UTF-8 with BOM, or Shift_JIS with ?encoding=cp932), audited as an export;
    any other ``fmt`` is 404."""
    if fmt not in ("xlsx", "csv"):
        raise Http404()
    encoding: Encoding = "cp932" if request.GET.get("encoding") == "cp932" else "utf-8-sig"
    record(
        Action.EXPORT,
        request=request,
        object_type=object_type,
        object_id=object_id,
        detail={"format": fmt, "encoding": encoding, **detail},
    )
    if fmt == "xlsx":
        response = HttpResponse(
            xlsx(f"出力 {timezone.localtime():%Y-%m-%d %H:%M}"), content_type=XLSX
        )
    else:
        charset = "shift_jis" if encoding == "cp932" else "utf-8"
        response = HttpResponse(csv(encoding), content_type=f"text/csv; charset={charset}")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
