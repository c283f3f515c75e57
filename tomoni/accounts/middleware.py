from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from . import twofactor

View = TypeVar("View", bound=Callable[..., Any])


def before_second_factor(view: View) -> View:
    """Open to a session that has passed the password but not yet the second step: the
    verify step itself and logout."""
    view.before_second_factor = True  # type: ignore[attr-defined]
    return view


def enrolment(view: View) -> View:
    """Open before the second step only to an account with no second factor yet, so that it
    can set one up; with one, the session must pass it first (or anyone holding the password
    could add their own)."""
    view.two_factor_enrolment = True  # type: ignore[attr-defined]
    return view


class TwoFactorMiddleware:
    """Between the password and the second step every page leads to that step: the verify
    page when the account has a second factor, else the page that sets one up. Nothing else
    is served, so a stolen password alone shows no personal data."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        if getattr(view, "login_required", True) is False:
            return None  # the login page, /healthz
        if getattr(view, "before_second_factor", False) or not twofactor.must_verify(request):
            return None
        if twofactor.has_method(request.user):
            target = reverse("accounts:verify")
        elif not settings.TOMONI_REQUIRE_2FA:
            # Enrolled at login, but an admin has reset the devices since.
            request.session[twofactor.SESSION_ENROLLED] = False
            return None
        elif getattr(view, "two_factor_enrolment", False):
            return None
        else:
            target = reverse("accounts:two_factor")
        url = f"{target}?{urlencode({'next': request.get_full_path()})}"
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return HttpResponseRedirect(url)
