"""The consultation list's count: exact for the plain list, capped for a word search
(「N 件以上」), and the same rows whichever way the search finds them."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.urls import reverse

from tomoni.directory.models import Staff
from tomoni.intake import listing as views
from tomoni.lib.paging import CountingPaginator
from tomoni.notes.actions import add_note
from tomoni.notes.models import Visibility

from ..conftest import BrowserClient
from .conftest import take

LIST = reverse("intake:index")
# The ways a search may go: back to the index after the newest one; the cap reached in the
# second batch of the newest (the index otherwise); every consultation in one batch.
WALKS = [(1,), (4, 4), (2000, 6000)]


def _page(client: BrowserClient, **params: str) -> tuple[str, list[str]]:
    response = client.get(LIST, {"scope": "all", **params})
    assert response.status_code == 200
    html = response.content.decode()
    status = re.search(r'role="status">([^<]*)<', html)
    assert status is not None
    return status.group(1), re.findall(r'<a href="/consultations/\d+/">(S\d{7})</a>', html)


@pytest.fixture
def five(personas: dict[str, Staff]) -> list[str]:
    """Five consultations about ケーブルテレビ (two of them only through a note), newest first,
    and two about something else."""
    window = personas["window"]
    codes = []
    for n in range(5):
        if n % 2:
            obj = take(window, summary=f"生活の相談その{n}")
            add_note(window, obj, text="ケーブルテレビの解約について話した。", method="visit")
        else:
            obj = take(window, summary=f"ケーブルテレビの解約その{n}")
        take(window, summary=f"家賃の相談その{n}")
        codes.append(obj.code)
    return codes[::-1]


@pytest.mark.parametrize("walk", WALKS)
def test_a_word_search_over_the_cap_says_more_than(
    walk: tuple[int, ...],
    five: list[str],
    personas: dict[str, Staff],
    as_user: Callable[..., BrowserClient],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Past the cap the count reads 「3 件以上」, the newest matches are paged, and a note
    that says so is shown."""
    monkeypatch.setattr(views, "COUNT_CAP", 3)
    monkeypatch.setattr(views, "WALK_BATCHES", walk)
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    client = as_user(personas["coordinator"])
    status, codes = _page(client, q="ケーブル")
    assert status.startswith("3 件以上（1〜2 件目）")
    assert codes == five[:2]
    status, codes = _page(client, q="ケーブル", page="2")
    assert status.startswith("3 件以上（3〜3 件目）")
    assert codes == five[2:3]
    assert "新しい順に 3 件までを表示しています" in client.get(
        LIST, {"scope": "all", "q": "ケーブル"}
    ).content.decode("utf-8")


@pytest.mark.parametrize("walk", WALKS)
def test_a_word_search_under_the_cap_counts_exactly(
    walk: tuple[int, ...],
    five: list[str],
    personas: dict[str, Staff],
    as_user: Callable[..., BrowserClient],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Up to the cap the count is exact, with no 「以上」, whichever way the rows are found."""
    monkeypatch.setattr(views, "WALK_BATCHES", walk)
    client = as_user(personas["coordinator"])
    status, codes = _page(client, q="ケーブル")
    assert status.startswith("5 件・")
    assert codes == five
    assert "件以上" not in client.get(LIST, {"scope": "all", "q": "ケーブル"}).content.decode()


def test_the_cap_label_has_a_thousands_separator() -> None:
    """The default cap reads 「1,000 件以上」."""
    paginator = CountingPaginator(list(range(views.COUNT_CAP)), 50, cap=1000, more=True)
    assert (paginator.count, paginator.more, paginator.cap_label) == (1000, True, "1,000")


@pytest.mark.parametrize("walk", WALKS)
def test_a_note_kept_to_its_agency_finds_nothing_elsewhere(
    walk: tuple[int, ...],
    personas: dict[str, Staff],
    as_user: Callable[..., BrowserClient],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The access rules are the same on both ways of searching: the coordinator does not
    find a consultation by the words of the window's 自機関のみ note; the window does."""
    monkeypatch.setattr(views, "WALK_BATCHES", walk)
    window = personas["window"]
    obj = take(window, summary="生活の相談")
    add_note(window, obj, text="内密に相談した。", method="phone", visibility=Visibility.OWN_AGENCY)
    for n in range(4):
        take(window, summary=f"家賃の相談その{n}")
    assert _page(as_user(personas["coordinator"]), q="内密")[1] == []
    assert _page(as_user(personas["window"]), q="内密")[1] == [obj.code]
    assert _page(as_user(personas["agency_b"]), q="生活の相談")[1] == []


def test_the_plain_list_counts_exactly_with_the_same_rows(
    five: list[str],
    personas: dict[str, Staff],
    as_user: Callable[..., BrowserClient],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No cap without words (10 件), newest first, the ◎ concern still joined for the rows."""
    monkeypatch.setattr(views, "COUNT_CAP", 3)
    client = as_user(personas["coordinator"])
    status, codes = _page(client)
    assert status.startswith("10 件・")
    assert len(codes) == 10
    assert codes[1] == five[0]
