"""Relations (親子, 配偶者, きょうだい …) entered from the household and person pages, and
the ジェノグラム page: audited actions, refusals in Japanese, outsiders 404."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tomoni.audit.models import AuditEvent
from tomoni.directory.models import Staff
from tomoni.people import actions
from tomoni.people.models import Household, Person, Relation

from ..conftest import BrowserClient, register_household
from ..methods import send
from .conftest import rows

pytestmark = pytest.mark.django_db

Client = Callable[[Staff | None], BrowserClient]


def members(household: Household) -> list[Person]:
    return [m.person for m in household.memberships.select_related("person").order_by("pk")]


def relation_post(subject: Person, other: Person | None, role: str, **extra: str) -> dict[str, str]:
    data = {
        "subject": str(subject.pk),
        "role": role,
        "other": str(other.pk) if other else "new",
        "union": "",
        "start_date": "",
        "note": "",
        "family_name": "",
        "given_name": "",
        "family_kana": "",
        "given_kana": "",
        "sex": "unknown",
        "birth_date": "",
        "deceased_on": "",
    }
    data.update(extra)
    return data


def test_a_relative_not_in_the_register_is_added_from_the_household_page(
    personas: dict[str, Staff], as_user: Client
) -> None:
    """The late grandfather: a new person, flagged deceased, and the tie in one step;
    both audited; the ジェノグラム then draws him."""
    window = personas["window"]
    household = register_household(window)
    head = members(household)[0]
    client = as_user(window)
    url = reverse("people:household_relation_new", args=[household.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        relation_post(
            head,
            None,
            "parent",
            family_name="見本",
            given_name="茂",
            sex="male",
            deceased="on",
            birth_date="昭和10年1月1日",
        ),
    )
    assert response.status_code == 302
    grandfather = Person.objects.get(given_name="茂")
    assert grandfather.deceased and grandfather.deceased_on is None
    relation = Relation.objects.get(from_person=grandfather, to_person=head)
    assert relation.kind == Relation.Kind.PARENT_CHILD and relation.created_by == window
    assert AuditEvent.objects.filter(object_type="people.relation", action="create").count() == 1
    page = client.get(reverse("people:genogram", args=[household.pk]))
    assert page.status_code == 200
    content = page.content.decode()
    assert "見本 茂（父・男性・死亡）" in content and "<svg" in content


def test_spouse_union_defaults_to_marriage_and_ends_as_divorce(personas: dict[str, Staff]) -> None:
    coordinator = personas["coordinator"]
    a, b = members(register_household(coordinator))
    relation = actions.add_relation(coordinator, a, b, Relation.Kind.SPOUSE)
    assert relation.union == Relation.Union.MARRIED
    actions.end_relation(coordinator, relation, reason="divorced", on=date(2020, 3, 1))
    relation.refresh_from_db()
    assert relation.union == Relation.Union.DIVORCED and relation.is_drawn
    with pytest.raises(ValidationError, match="すでに終了"):
        actions.end_relation(coordinator, relation, reason="mistake")


def test_divorce_is_only_for_spouses_and_a_mistake_is_no_longer_drawn(
    personas: dict[str, Staff],
) -> None:
    coordinator = personas["coordinator"]
    a, b = members(register_household(coordinator))
    relation = actions.add_relation(coordinator, a, b, Relation.Kind.PARENT_CHILD)
    with pytest.raises(ValidationError, match="配偶者の関係にだけ"):
        actions.end_relation(coordinator, relation, reason="divorced")
    actions.end_relation(coordinator, relation, reason="mistake")
    relation.refresh_from_db()
    assert not relation.is_drawn
    # …and the right one can be entered again.
    actions.add_relation(coordinator, b, a, Relation.Kind.PARENT_CHILD)


def test_a_person_cannot_become_their_own_ancestor(
    personas: dict[str, Staff], as_user: Client
) -> None:
    """A parent of B, B parent of C: C as A's parent or grandparent is refused in Japanese
    and nothing is saved."""
    coordinator = personas["coordinator"]
    household = register_household(coordinator, members=3)
    a, b, c = members(household)
    actions.add_relation(coordinator, a, b, Relation.Kind.PARENT_CHILD)
    actions.add_relation(coordinator, b, c, Relation.Kind.PARENT_CHILD)
    for kind in (Relation.Kind.PARENT_CHILD, Relation.Kind.GRANDPARENT):
        with pytest.raises(ValidationError, match="自分自身の祖先"):
            actions.add_relation(coordinator, c, a, kind)
    client = as_user(coordinator)
    before = rows()
    response = client.post(
        reverse("people:household_relation_new", args=[household.pk]),
        relation_post(a, c, "parent"),
    )
    assert response.status_code == 200
    assert "自分自身の祖先" in response.content.decode()
    assert rows() == before


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"role": "uncle"}, "候補にありません"),
        ({"other": "new"}, "姓を入力してください"),
        ({"other": "new", "family_name": "見本", "birth_date": "令和99年1月1日"}, "令和"),
        ({"other": "new", "family_name": "見本", "deceased_on": "2999-01-01"}, ""),
    ],
)
def test_bad_input_changes_nothing(
    personas: dict[str, Staff], as_user: Client, extra: dict[str, str], message: str
) -> None:
    window = personas["window"]
    household = register_household(window)
    head = members(household)[0]
    client = as_user(window)
    before = rows()
    data = relation_post(head, None, "child")
    data.update(extra)
    response = client.post(reverse("people:household_relation_new", args=[household.pk]), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert rows() == before


def test_the_same_relation_twice_is_refused_in_either_direction(personas: dict[str, Staff]) -> None:
    coordinator = personas["coordinator"]
    a, b = members(register_household(coordinator))
    actions.add_relation(coordinator, a, b, Relation.Kind.SIBLING)
    with pytest.raises(ValidationError, match="すでに登録"):
        actions.add_relation(coordinator, b, a, Relation.Kind.SIBLING)


def test_end_relation_from_the_person_page(personas: dict[str, Staff], as_user: Client) -> None:
    window = personas["window"]
    a, b = members(register_household(window))
    relation = actions.add_relation(window, a, b, Relation.Kind.SPOUSE)
    client = as_user(window)
    url = reverse("people:relation_end", args=[a.pk, relation.pk])
    assert client.get(url).status_code == 200
    assert AuditEvent.objects.filter(object_type="people.relation", action="view").exists()
    response = client.post(url, {"reason": "bereaved", "on": "令和7年1月5日"})
    assert response.status_code == 302
    relation.refresh_from_db()
    assert relation.union == "bereaved" and relation.end_date == date(2025, 1, 5)


def test_person_page_adds_a_relation_to_someone_already_related(
    personas: dict[str, Staff], as_user: Client
) -> None:
    window = personas["window"]
    a, b = members(register_household(window))
    actions.add_relation(window, a, b, Relation.Kind.SPOUSE)
    client = as_user(window)
    url = reverse("people:person_relation_new", args=[a.pk])
    page = client.get(url).content.decode()
    assert b.full_name in page
    response = client.post(
        url, relation_post(a, None, "child", family_name="見本", given_name="蓮")
    )
    assert response.status_code == 302
    assert Relation.objects.filter(from_person=a, kind="parent_child").count() == 1


def urls(household: Household, person: Person, relation: Relation) -> dict[str, tuple[str, str]]:
    """Every new URL with the method it answers and one it refuses."""
    return {
        reverse("people:household_relation_new", args=[household.pk]): ("GET", "PUT"),
        reverse("people:person_relation_new", args=[person.pk]): ("GET", "PUT"),
        reverse("people:relation_end", args=[person.pk, relation.pk]): ("GET", "DELETE"),
        reverse("people:genogram", args=[household.pk]): ("GET", "POST"),
    }


def test_outsiders_get_404_anonymous_the_login_wrong_methods_405(
    personas: dict[str, Staff], as_user: Client
) -> None:
    window = personas["window"]
    household = register_household(window)
    a, b = members(household)
    relation = actions.add_relation(window, a, b, Relation.Kind.SPOUSE)
    for url, (method, wrong) in urls(household, a, relation).items():
        for outsider in (
            "agency_a",
            "agency_b",
            "outreach",
            "community",
            "manager",
            "auditor",
            "admin",
        ):
            client = as_user(personas[outsider])
            assert client.get(url).status_code == 404, (outsider, url)
            if method == "GET" and wrong != "POST":
                assert client.post(url, {}).status_code == 404, (outsider, url)
        anonymous = as_user(None).get(url)
        assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
        assert send(as_user(window), wrong, url).status_code == 405, url
    # The same 404 for a relation of another person.
    other = register_household(window)
    x = members(other)[0]
    assert (
        as_user(window).get(reverse("people:relation_end", args=[x.pk, relation.pk])).status_code
        == 404
    )


def test_genogram_read_is_audited_and_shows_only_visible_relatives(
    personas: dict[str, Staff], as_user: Client
) -> None:
    """A relative registered by another agency is left out of the window's picture."""
    window, coordinator = personas["window"], personas["coordinator"]
    household = register_household(window)
    head = members(household)[0]
    stranger = actions.register_person(
        personas["agency_a"], {"family_name": "試験", "given_name": "由美", "sex": "female"}
    )
    actions.add_relation(coordinator, head, stranger, Relation.Kind.SIBLING)
    before = AuditEvent.objects.filter(action="view", object_type="people.household").count()
    page = as_user(window).get(reverse("people:genogram", args=[household.pk])).content.decode()
    assert stranger.full_name not in page
    assert (
        AuditEvent.objects.filter(action="view", object_type="people.household").count()
        == before + 1
    )
    coordinator_page = as_user(coordinator).get(reverse("people:genogram", args=[household.pk]))
    assert stranger.full_name in coordinator_page.content.decode()


def test_genogram_svg_is_csp_safe(personas: dict[str, Staff], as_user: Client) -> None:
    window = personas["window"]
    household = register_household(window)
    html = as_user(window).get(reverse("people:genogram", args=[household.pk])).content.decode()
    assert "style=" not in html and "<script>" not in html
