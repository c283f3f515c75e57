"""Login throttling with two limits: per account and address, and per address alone.

django-axes compares one failure count against one limit. Password spraying (one guess each
on many accounts) never reaches five failures on any account, so the address needs its own,
higher limit: high enough that an office behind one NAT address is not locked out by
colleagues' typos, low enough that spraying stops after a handful of guesses.
"""

from __future__ import annotations

from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest


class AxesHandler(AxesDatabaseHandler):  # type: ignore[misc]
    """Axes' database handler, plus a per-address limit across usernames.

    Axes resets the attempts of the account that signs in successfully (``username`` and
    address), so an honest typo followed by the right password does not count against the
    address either; only failures nobody followed up with a success add up.
    """

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        per_account = int(super().get_failures(request, credentials))
        if self.address_failures(request) >= settings.TOMONI_LOGIN_IP_FAILURE_LIMIT:
            # Report the per-account limit so that axes' one comparison locks the address.
            return max(per_account, int(get_failure_limit(request, credentials)))
        return per_account

    @staticmethod
    def address_failures(request: HttpRequest) -> int:
        attempts = AccessAttempt.objects.filter(
            ip_address=request.axes_ip_address,  # type: ignore[attr-defined]
            attempt_time__gte=get_cool_off_threshold(request),
        )
        return int(attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0)
