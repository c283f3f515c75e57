"""緊急閲覧 (break-glass): who may ask, what a reason must say, how long a grant lasts, and the
監査担当's review queue with the manager's counts (issue 14, finding 4)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tomoni import access
from tomoni.access.actions import open_break_glass
from tomoni.access.models import BreakGlass
from tomoni.audit.models import AuditEvent
from tomoni.directory.models import Role, Staff

from .conftest import Response, agency_of, first_member, register_household

REASON = "母親の安否確認の通報が警察からあったため"
CASEWORK = ["window", "coordinator", "agency_b", "outreach"]


def _post(client: Client, target: object, label: str, **fields: object) -> Response:
    data = {
        "object_type": label,
        "object_id": getattr(target, "pk", target),
        "category": BreakGlass.Category.SAFETY,
        "reason": REASON,
        "next": "/",
        **fields,
    }
    return client.post(reverse("access:break_glass"), data)


def test_outsider_404_offers_break_glass_and_it_opens_the_record(
    personas: dict[str, Staff], as_user: Callable[..., Client]
) -> None:
    """An outsider sees the same 404 as for a missing record, with a 緊急閲覧 form; a reason
    category and a written reason open the household for reading, and are audited."""
    household = register_household(personas["window"])
    client = as_user(personas["agency_b"])
    url = reverse("people:household", args=[household.pk])
    refused = client.get(url)
    missing = client.get(reverse("people:household", args=[household.pk + 1000]))
    assert refused.status_code == missing.status_code == 404
    page = refused.content.decode()
    assert "緊急閲覧" in page and "理由の区分" in page and "24時間" in page
    response = _post(client, household, "people.household", next=url)
    assert response.status_code == 302 and response["Location"] == url
    assert client.get(url).status_code == 200
    grant = BreakGlass.objects.get(staff=personas["agency_b"])
    assert grant.reason == REASON and grant.category == BreakGlass.Category.SAFETY
    event = AuditEvent.objects.get(action="break_glass", object_id=str(household.pk))
    assert REASON in event.reason and "生命・身体の安全の確認" in event.reason
    # Read only: the edit page answers 403 (seen, not changeable).
    assert client.get(reverse("people:household_edit", args=[household.pk])).status_code == 403


@pytest.mark.parametrize("persona", ["manager", "auditor", "admin"])
def test_roles_without_casework_cannot_break_the_glass(
    persona: str, personas: dict[str, Staff], as_user: Callable[..., Client]
) -> None:
    """課長, 監査担当 and システム管理者 never work on a case: no offer on the 404 page, the
    request is refused, nothing is granted and the person stays closed."""
    household = register_household(personas["window"])
    person = first_member(household)
    client = as_user(personas[persona])
    url = reverse("people:person", args=[person.pk])
    page = client.get(url)
    assert page.status_code == 404 and "理由を記録して閲覧する" not in page.content.decode()
    assert _post(client, person, "people.person").status_code == 403
    assert not BreakGlass.objects.exists()
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("persona", CASEWORK)
def test_casework_roles_may_break_the_glass(
    persona: str, personas: dict[str, Staff], as_user: Callable[..., Client]
) -> None:
    other = Staff.objects.create_user(
        username="kyoiku-worker",
        password=None,
        role=Role.AGENCY,
        agency=personas["agency_a"].agency,
    )
    household = register_household(other)
    person = first_member(household)
    client = as_user(personas[persona])
    assert _post(client, person, "people.person").status_code == 302
    assert client.get(reverse("people:person", args=[person.pk])).status_code == 200


@pytest.mark.parametrize(
    "reason",
    [
        "",
        "     aaaaa",
        "ああああああああああああ",
        "確認のため",
        "!!!!!!!!!!!!!!!!",
        "a b c d e f g h i",
    ],
)
def test_a_reason_must_say_something(
    reason: str, personas: dict[str, Staff], as_user: Callable[..., Client]
) -> None:
    """At least ten meaningful characters (not spaces, punctuation or one letter repeated):
    anything less is refused with a Japanese message and grants nothing."""
    household = register_household(personas["window"])
    response = _post(as_user(personas["agency_b"]), household, "people.household", reason=reason)
    assert response.status_code == 404
    assert "10文字以上" in response.content.decode() or "理由を入力" in response.content.decode()
    assert not BreakGlass.objects.exists()


def test_a_reason_category_is_required(
    personas: dict[str, Staff], as_user: Callable[..., Client]
) -> None:
    household = register_household(personas["window"])
    response = _post(as_user(personas["agency_b"]), household, "people.household", category="")
    assert response.status_code == 404
    assert "理由の区分を選んでください" in response.content.decode()
    assert not BreakGlass.objects.exists()


def test_grants_last_24_hours_by_default_and_follow_the_setting(
    personas: dict[str, Staff], settings: object
) -> None:
    household = register_household(personas["window"])
    grant = open_break_glass(personas["agency_b"], "people.household", household.pk, REASON)
    assert grant.expires_at - grant.created_at == timedelta(hours=24)
    settings.TOMONI_BREAK_GLASS_HOURS = 2  # type: ignore[attr-defined]
    shorter = open_break_glass(personas["agency_a"], "people.household", household.pk, REASON)
    assert shorter.expires_at - shorter.created_at == timedelta(hours=2)
    BreakGlass.objects.filter(pk=grant.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert not access.can(personas["agency_b"], access.VIEW, household)
    assert access.can(personas["agency_a"], access.VIEW, household)


@pytest.mark.parametrize("object_id", ["99999999999999999999999", "-1", "0", "abc", "１２"])
def test_strange_ids_are_404_not_500(
    object_id: str, personas: dict[str, Staff], as_user: Callable[..., Client]
) -> None:
    response = _post(as_user(personas["agency_b"]), object_id, "people.person")
    assert response.status_code == 404
    assert not BreakGlass.objects.exists()


def test_break_glass_redirects_only_to_this_site(
    personas: dict[str, Staff], as_user: Callable[..., Client]
) -> None:
    household = register_household(personas["window"])
    response = _post(
        as_user(personas["agency_b"]),
        household,
        "people.household",
        next="https://evil.example.com/",
    )
    assert response["Location"] == reverse("home")


def test_break_glass_wrong_method_and_anonymous(
    personas: dict[str, Staff], as_user: Callable[..., Client], client: Client
) -> None:
    assert as_user(personas["agency_b"]).get(reverse("access:break_glass")).status_code == 405
    response = client.post(reverse("access:break_glass"), {})
    assert response.status_code == 302


def test_auditor_reviews_each_grant_with_a_comment(
    personas: dict[str, Staff], as_user: Callable[..., Client]
) -> None:
    """Every grant lands in the 監査担当's queue; marking it reviewed needs a comment and is
    audited; a reviewed grant leaves the queue and cannot be reviewed twice."""
    household = register_household(personas["window"])
    grant = open_break_glass(personas["agency_b"], "people.household", household.pk, REASON)
    auditor = as_user(personas["auditor"])
    home = auditor.get(reverse("home")).content.decode()
    assert "確認待ちの緊急閲覧" in home
    listing = auditor.get(reverse("access:review_list"))
    assert listing.status_code == 200 and REASON in listing.content.decode()
    url = reverse("access:review", args=[grant.pk])
    empty = auditor.post(url, {"comment": "  "}, follow=True)
    assert "所見を入力してください" in empty.content.decode()
    grant.refresh_from_db()
    assert grant.reviewed_at is None
    response = auditor.post(url, {"comment": "理由は妥当。通報に基づく安否確認。"})
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.reviewed_by == personas["auditor"] and grant.reviewed_at is not None
    assert grant.review_comment == "理由は妥当。通報に基づく安否確認。"
    assert AuditEvent.objects.filter(object_type="access.breakglass", action="change").exists()
    assert REASON not in auditor.get(reverse("access:review_list")).content.decode()
    assert REASON in auditor.get(reverse("access:review_list") + "?tab=done").content.decode()
    again = auditor.post(url, {"comment": "二回目"}, follow=True)
    assert "すでに確認済み" in again.content.decode()


@pytest.mark.parametrize("persona", ["admin", "manager", "agency_b", "coordinator", "window"])
def test_only_the_auditor_sees_the_review_queue(
    persona: str, personas: dict[str, Staff], as_user: Callable[..., Client]
) -> None:
    household = register_household(personas["window"])
    grant = open_break_glass(personas["agency_b"], "people.household", household.pk, REASON)
    client = as_user(personas[persona])
    assert client.get(reverse("access:review_list")).status_code == 404
    response = client.post(reverse("access:review", args=[grant.pk]), {"comment": "確認しました"})
    assert response.status_code == 404
    grant.refresh_from_db()
    assert grant.reviewed_at is None


def test_manager_sees_counts_for_their_agency_only(
    personas: dict[str, Staff], as_user: Callable[..., Client], make_staff: Callable[..., Staff]
) -> None:
    """The 課長 sees how many grants their agency's staff opened and how many were reviewed —
    counts only, never the reason or the record."""
    household = register_household(personas["window"])
    colleague = make_staff(Role.AGENCY, agency_of(personas["manager"]).code)
    open_break_glass(colleague, "people.household", household.pk, REASON)
    open_break_glass(colleague, "people.household", household.pk, REASON + "（再）")
    open_break_glass(personas["agency_b"], "people.household", household.pk, REASON)
    manager = as_user(personas["manager"])
    page = manager.get(reverse("access:summary"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "2 件" in text and REASON not in text
    assert "自機関の緊急閲覧" in manager.get(reverse("home")).content.decode()
    for persona in ("auditor", "agency_b", "admin"):
        assert as_user(personas[persona]).get(reverse("access:summary")).status_code == 404
