"""The shell: home, the 事業 pages, /healthz, logout and the 404 page (break-glass:
test_it_break_glass.py)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from tomoni.directory.models import Staff
from tomoni.web.nav import PROGRAMS, Program


def test_healthz_answers_json_without_login(client: Client, db: None) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok", "database": "ok"}


def test_healthz_get_only(client: Client, db: None) -> None:
    assert client.post("/healthz").status_code == 405


@pytest.mark.parametrize("url", ["/", "/programs/consultation/", "/people/", "/households/new/"])
def test_anonymous_is_sent_to_login(client: Client, db: None, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


def test_home_shows_the_programs_of_the_role(
    personas: dict[str, Staff], as_user: Callable[..., Client]
) -> None:
    """The menu and the cards follow the role: a manager has 統計, the window does not."""
    window = as_user(personas["window"]).get("/").content.decode()
    manager = as_user(personas["manager"]).get("/").content.decode()
    for label in ("相談支援", "多機関協働", "アウトリーチ", "参加支援", "地域づくり", "会議"):
        assert label in window
    assert 'href="/stats/"' not in window
    assert 'href="/stats/"' in manager
    # Only roles that search people get the search box.
    assert 'name="q"' in window and 'name="q"' not in manager


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.slug)
def test_program_pages(
    program: Program, personas: dict[str, Staff], as_user: Callable[..., Client]
) -> None:
    """Each 事業 page says what it is and what is coming; roles outside it get 404."""
    for name, user in personas.items():
        response = as_user(user).get(reverse("web:program", args=[program.slug]))
        if user.role in program.roles:
            assert response.status_code == 200, name
            assert program.label in response.content.decode()
        else:
            assert response.status_code == 404, name


def test_program_wrong_method(personas: dict[str, Staff], as_user: Callable[..., Client]) -> None:
    client = as_user(personas["window"])
    assert client.post(reverse("web:program", args=["consultation"])).status_code == 405


def test_unknown_program_is_404(personas: dict[str, Staff], as_user: Callable[..., Client]) -> None:
    assert as_user(personas["window"]).get("/programs/nothing/").status_code == 404


def test_logout_is_post_only(personas: dict[str, Staff], as_user: Callable[..., Client]) -> None:
    client = as_user(personas["window"])
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_post_without_csrf_token_is_refused(
    personas: dict[str, Staff], as_user: Callable[..., Client]
) -> None:
    client = as_user(personas["window"])
    response = client.post(reverse("people:household_new"), {"csrfmiddlewaretoken": "bogus"})
    assert response.status_code == 403
