"""The shell: home, the 事業 pages, /healthz, logout, the 404 page and break-glass."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from tomoni.access.models import BreakGlass
from tomoni.audit.models import AuditEvent
from tomoni.directory.models import Staff
from tomoni.web.nav import PROGRAMS, Program

from .conftest import register_household


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


def test_outsider_404_offers_break_glass_and_it_opens_the_record(
    personas: dict[str, Staff], as_user: Callable[..., Client]
) -> None:
    """An outsider sees the same 404 as for a missing record, with a 緊急閲覧 form; giving a
    reason opens the household for a limited time and is audited."""
    household = register_household(personas["window"])
    client = as_user(personas["agency_b"])
    url = reverse("people:household", args=[household.pk])
    refused = client.get(url)
    missing = client.get(reverse("people:household", args=[household.pk + 1000]))
    assert refused.status_code == missing.status_code == 404
    assert "緊急閲覧" in refused.content.decode()
    response = client.post(
        reverse("web:break_glass"),
        {
            "object_type": "people.household",
            "object_id": household.pk,
            "reason": "本人の安否確認の通報があったため",
            "next": url,
        },
    )
    assert response.status_code == 302 and response["Location"] == url
    assert client.get(url).status_code == 200
    grant = BreakGlass.objects.get(staff=personas["agency_b"])
    assert grant.reason == "本人の安否確認の通報があったため"
    assert AuditEvent.objects.filter(action="break_glass", object_id=str(household.pk)).exists()


def test_break_glass_without_reason_changes_nothing(
    personas: dict[str, Staff], as_user: Callable[..., Client]
) -> None:
    household = register_household(personas["window"])
    client = as_user(personas["agency_b"])
    response = client.post(
        reverse("web:break_glass"),
        {"object_type": "people.household", "object_id": household.pk, "reason": "", "next": "/"},
    )
    assert response.status_code == 404
    assert "理由" in response.content.decode()
    assert not BreakGlass.objects.exists()


def test_break_glass_redirects_only_to_this_site(
    personas: dict[str, Staff], as_user: Callable[..., Client]
) -> None:
    household = register_household(personas["window"])
    response = as_user(personas["agency_b"]).post(
        reverse("web:break_glass"),
        {
            "object_type": "people.household",
            "object_id": household.pk,
            "reason": "本人の安否確認のため",
            "next": "https://evil.example.com/",
        },
    )
    assert response["Location"] == reverse("home")


def test_break_glass_wrong_method_and_anonymous(
    personas: dict[str, Staff], as_user: Callable[..., Client], client: Client
) -> None:
    assert as_user(personas["agency_b"]).get(reverse("web:break_glass")).status_code == 405
    response = client.post(reverse("web:break_glass"), {})
    assert response.status_code == 302


def test_post_without_csrf_token_is_refused(
    personas: dict[str, Staff], as_user: Callable[..., Client]
) -> None:
    client = as_user(personas["window"])
    response = client.post(reverse("people:household_new"), {"csrfmiddlewaretoken": "bogus"})
    assert response.status_code == 403


def test_auditor_reviews_break_glass_grants(
    personas: dict[str, Staff], as_user: Callable[..., Client]
) -> None:
    """Grants are listed for the auditor, who marks them checked (audited); others cannot."""
    from tomoni.access.actions import open_break_glass

    household = register_household(personas["window"])
    grant = open_break_glass(
        personas["agency_b"], "people.household", household.pk, "安否確認のため"
    )
    auditor = as_user(personas["auditor"])
    listing = auditor.get("/admin/access/breakglass/")
    assert listing.status_code == 200 and "安否確認のため" in listing.content.decode()
    response = auditor.post(
        "/admin/access/breakglass/", {"action": "mark_reviewed", "_selected_action": [grant.pk]}
    )
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.reviewed_by == personas["auditor"] and grant.reviewed_at is not None
    assert AuditEvent.objects.filter(object_type="access.breakglass", action="change").exists()
    assert as_user(personas["admin"]).get("/admin/access/breakglass/").status_code == 403
