"""The 名寄せ screens over HTTP: queue, pair comparison, confirm/reject, history, 元に戻す."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tomoni.directory.models import Staff
from tomoni.people import actions
from tomoni.people.models import MatchReview, Merge, Person

from ..conftest import BrowserClient
from .matching_helpers import person, queue

pytestmark = pytest.mark.django_db

Client = Callable[[Staff | None], BrowserClient]


@pytest.fixture
def review(personas: dict[str, Staff]) -> MatchReview:
    window = personas["window"]
    return queue(person(window), person(window, given_name="太朗", family_kana="ミホン"))


def test_queue_lists_pending_pairs_with_score(
    personas: dict[str, Staff], as_user: Client, review: MatchReview
) -> None:
    for name in ("coordinator", "window"):
        response = as_user(personas[name]).get(reverse("people:match_queue"))
        assert response.status_code == 200
        body = response.content.decode()
        assert "見本 太朗" in body and "98%" in body and review.get_absolute_url() in body


def test_outsiders_get_404(
    personas: dict[str, Staff], as_user: Client, review: MatchReview
) -> None:
    merge = actions.confirm_match(personas["coordinator"], review, review.person_a)
    urls = [
        ("get", reverse("people:match_queue")),
        ("get", reverse("people:merge_history")),
        ("get", review.get_absolute_url()),
        ("post", reverse("people:match_reject", args=[review.pk])),
        ("post", reverse("people:merge_undo", args=[merge.pk])),
    ]
    for name in ("agency_a", "agency_b", "outreach", "community", "manager", "auditor", "admin"):
        client = as_user(personas[name])
        for method, url in urls:
            assert getattr(client, method)(url).status_code == 404, (name, url)
    assert not Merge.objects.get().is_undone


def test_window_sees_only_pairs_in_its_scope(
    personas: dict[str, Staff], as_user: Client, review: MatchReview
) -> None:
    other = queue(person(personas["agency_a"]), person(personas["window"], given_name="次郎"))
    client = as_user(personas["window"])
    assert client.get(other.get_absolute_url()).status_code == 404
    body = client.get(reverse("people:match_queue")).content.decode()
    assert review.get_absolute_url() in body and other.get_absolute_url() not in body
    assert (
        client.post(
            reverse("people:match_confirm", args=[other.pk]), {"survivor": other.person_a_id}
        ).status_code
        == 404
    )
    assert as_user(personas["coordinator"]).get(other.get_absolute_url()).status_code == 200


def test_pair_page_compares_side_by_side_with_reasons(
    personas: dict[str, Staff], as_user: Client, review: MatchReview
) -> None:
    body = as_user(personas["coordinator"]).get(review.get_absolute_url()).content.decode()
    assert "<caption>2つの記録と、項目ごとの判断の根拠</caption>" in body
    assert "見本 太郎" in body and "見本 太朗" in body and "ミホン たろう" in body
    assert '<th scope="row">住所</th>' in body and "不一致" in body
    assert "同じ方として統合する" in body and "別人として記録する" in body


def test_confirm_merges_and_history_undoes(
    personas: dict[str, Staff], as_user: Client, review: MatchReview
) -> None:
    client = as_user(personas["window"])
    survivor, dup = review.person_a, review.person_b
    url = reverse("people:match_confirm", args=[review.pk])
    assert client.get(url).status_code == 405
    response = client.post(url, {"survivor": survivor.pk}, follow=True)
    assert "記録に統合しました" in response.content.decode()
    dup.refresh_from_db()
    assert dup.merged_into == survivor
    # The merged record leaves searches; its page says where it went.
    search = client.get(reverse("people:search"), {"q": "見本"}).content.decode()
    assert survivor.get_absolute_url() in search and dup.get_absolute_url() not in search
    page = client.get(dup.get_absolute_url()).content.decode()
    assert "統合済み" in page and survivor.get_absolute_url() in page
    # History, then 元に戻す.
    merge = Merge.objects.get()
    history = client.get(reverse("people:merge_history")).content.decode()
    assert "元に戻す" in history
    undo = reverse("people:merge_undo", args=[merge.pk])
    assert client.get(undo).status_code == 405
    response = client.post(undo, follow=True)
    assert "統合を元に戻しました" in response.content.decode()
    dup.refresh_from_db()
    assert dup.merged_into is None
    assert "取消済み" in client.get(reverse("people:merge_history")).content.decode()


def test_confirm_needs_a_survivor(
    personas: dict[str, Staff], as_user: Client, review: MatchReview
) -> None:
    client = as_user(personas["coordinator"])
    response = client.post(
        reverse("people:match_confirm", args=[review.pk]), {"survivor": "999999"}, follow=True
    )
    assert "残す記録を選んでください" in response.content.decode()
    assert not Merge.objects.exists() and not Person.objects.filter(merged_into__isnull=False)


def test_reject(personas: dict[str, Staff], as_user: Client, review: MatchReview) -> None:
    client = as_user(personas["coordinator"])
    response = client.post(reverse("people:match_reject", args=[review.pk]), follow=True)
    assert "別人として記録しました" in response.content.decode()
    review.refresh_from_db()
    assert review.status == MatchReview.Status.REJECTED
    assert (
        review.get_absolute_url() not in client.get(reverse("people:match_queue")).content.decode()
    )
    # Decided: the page shows the decision, no buttons; a second decision is refused.
    page = client.get(review.get_absolute_url()).content.decode()
    assert "別人" in page and "同じ方として統合する" not in page
    client.post(reverse("people:match_confirm", args=[review.pk]), {"survivor": review.person_a_id})
    assert not Merge.objects.exists()


def test_anonymous_is_sent_to_login(as_user: Client, review: MatchReview) -> None:
    response = as_user(None).get(reverse("people:match_queue"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_queue_query_count_does_not_grow(personas: dict[str, Staff], as_user: Client) -> None:
    coordinator = personas["coordinator"]
    client = as_user(coordinator)

    def count_for(pairs: int) -> int:
        for _ in range(pairs):
            queue(person(coordinator), person(coordinator, given_name="太朗"))
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("people:match_queue")).status_code == 200
        return len(ctx.captured_queries)

    assert count_for(2) == count_for(20)


def test_search_page_links_the_queue_for_reviewers_only(
    personas: dict[str, Staff], as_user: Client
) -> None:
    link = reverse("people:match_queue")
    for name, shown in (("coordinator", True), ("window", True), ("agency_a", False)):
        body = as_user(personas[name]).get(reverse("people:search")).content.decode()
        assert (link in body) is shown, name
