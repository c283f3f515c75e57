"""Small helpers every app's views share."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone

from tomoni.directory.models import Staff


def staff_of(request: HttpRequest) -> Staff:
    """The signed-in staff member (LoginRequiredMiddleware has already sent anyone else away)."""
    assert isinstance(request.user, Staff)
    return request.user


def add_form_errors(form: Any, error: ValidationError) -> None:
    """An action's refusal, shown at the top of the form that asked for it."""
    for message in error.messages:
        form.add_error(None, message)


def day_start(day: date) -> datetime:
    """Midnight at the start of ``day``, local time, for date-range filters."""
    return timezone.make_aware(datetime.combine(day, time.min))
