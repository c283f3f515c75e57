"""Full-text search as users meet it: the consultation list and the case list, with the hit
marked in a snippet, only what the viewer may read, and 1-character words said to be partial.
The index is kept by the actions that write (take_consultation, add_note)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tomoni.audit.models import AuditEvent
from tomoni.cases import actions as case_actions
from tomoni.directory.models import Staff
from tomoni.intake import listing as intake_views
from tomoni.intake.models import Consultation
from tomoni.notes.actions import add_note
from tomoni.notes.models import Note, Visibility

from ..cases.conftest import agency, open_for, with_consent
from ..conftest import BrowserClient
from ..intake.conftest import take


def _list(client: BrowserClient, query: str, **params: str) -> str:
    response = client.get(reverse("intake:index"), {"q": query, "scope": "all", **params})
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def records(personas: dict[str, Staff]) -> dict[str, Consultation]:
    window, agency_a = personas["window"], personas["agency_a"]
    rent = take(window, summary="家賃の滞納", text="大家さんから退去を求められている")
    facility = take(window, summary="施設入所の相談", text="ｶﾀｶﾅの書類とＡＢＣ商事の請求書")
    visit = take(window, summary="訪問の依頼")
    add_note(window, visit, text="自宅を訪問し、生活状況を確認した。面談は来週。", method="visit")
    houkatsu = take(agency_a, summary="介護保険の申請", text="")
    add_note(agency_a, houkatsu, text="ケアマネジャーと退院支援を調整した", method="phone")
    return {"rent": rent, "facility": facility, "visit": visit, "houkatsu": houkatsu}


def _found(page: str, *records: Consultation) -> set[str]:
    return {c.code for c in records if c.code in page}


# How the list finds the matches: walking the newest consultations (a user who sees few),
# the index (one who sees many, a rare enough word), the walk after asking the index (common).
PATHS = {"walk": (10**9, 40_000), "index": (0, 40_000), "common": (0, 0)}


@pytest.mark.parametrize("path", sorted(PATHS))
def test_two_characters_three_or_more_and_two_words(
    personas: dict[str, Staff],
    as_user: Callable[..., BrowserClient],
    records: dict[str, Consultation],
    monkeypatch: pytest.MonkeyPatch,
    path: str,
) -> None:
    """2-character words, longer words, and two words ANDed, over a consultation's own text
    and its notes, newest first — the same answer whichever way the list finds them."""
    monkeypatch.setattr(intake_views, "FEW", PATHS[path][0])
    monkeypatch.setattr(intake_views, "INDEX_CAP", PATHS[path][1])
    client = as_user(personas["coordinator"])
    every = records.values()
    assert _found(_list(client, "退去"), *every) == {records["rent"].code}
    assert _found(_list(client, "面談"), *every) == {records["visit"].code}  # in a note
    assert _found(_list(client, "生活状況"), *every) == {records["visit"].code}
    assert _found(_list(client, "退院支援を調整"), *every) == {records["houkatsu"].code}
    assert _found(_list(client, "訪問 面談"), *every) == {records["visit"].code}
    assert _found(_list(client, "訪問 退去"), *every) == set()
    page = _list(client, "相談")
    assert _found(page, *every) == {records["facility"].code}


def test_half_width_and_full_width_are_the_same_text(
    personas: dict[str, Staff],
    as_user: Callable[..., BrowserClient],
    records: dict[str, Consultation],
) -> None:
    """ｶﾀｶﾅ = カタカナ and ＡＢＣ = abc in the query and in the text; the snippet shows the
    characters as they were written."""
    client = as_user(personas["coordinator"])
    for query in ("カタカナ", "ｶﾀｶﾅ", "abc商事", "ＡＢＣ"):
        page = _list(client, query)
        assert _found(page, *records.values()) == {records["facility"].code}, query
    page = _list(client, "カタカナ abc")
    assert "<mark>ｶﾀｶﾅ</mark>の書類と<mark>ＡＢＣ</mark>商事" in page


def test_snippet_marks_the_hit_and_escapes_the_text(
    personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    """A note holding markup shows as text; only <mark> is markup."""
    window = personas["window"]
    consultation = take(window, summary="記録の確認")
    add_note(
        window,
        consultation,
        text='相談者が<script>alert("x")</script>と書いた紙を持参。"家計"の見直し',
        method="visit",
    )
    page = _list(as_user(window), "家計 持参")
    assert consultation.code in page
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "<mark>持参</mark>" in page and "<mark>家計</mark>" in page


@pytest.mark.parametrize("path", sorted(PATHS))
def test_no_hit_from_a_note_the_viewer_may_not_read(
    personas: dict[str, Staff],
    as_user: Callable[..., BrowserClient],
    records: dict[str, Consultation],
    monkeypatch: pytest.MonkeyPatch,
    path: str,
) -> None:
    """Another agency's worker gets no hit, and no snippet, from a note they may not read:
    the note of a consultation of another agency, or an own-agency note of another agency
    on a consultation they see."""
    monkeypatch.setattr(intake_views, "FEW", PATHS[path][0])
    monkeypatch.setattr(intake_views, "INDEX_CAP", PATHS[path][1])
    window, coordinator = personas["window"], personas["coordinator"]
    add_note(
        coordinator,
        records["rent"],
        text="社協内で生活福祉資金の貸付を検討",
        method="meeting",
        visibility=Visibility.OWN_AGENCY,
    )
    page = _list(as_user(coordinator), "貸付")
    assert records["rent"].code in page and "<mark>貸付</mark>" in page
    page = _list(as_user(window), "貸付")
    assert records["rent"].code not in page and "貸付を検討" not in page
    page = _list(as_user(personas["agency_b"]), "退院支援")
    assert records["houkatsu"].code not in page and "退院支援" not in page.split("</form>")[-1]
    page = _list(as_user(personas["agency_a"]), "退院支援")
    assert records["houkatsu"].code in page


def test_one_character_query_says_it_is_partial(
    personas: dict[str, Staff],
    as_user: Callable[..., BrowserClient],
    records: dict[str, Consultation],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A 1-character word has no index: the newest consultations are scanned, and when more
    remain than were scanned the page says the list is partial."""
    client = as_user(personas["coordinator"])
    page = _list(client, "家")
    assert _found(page, *records.values()) == {records["rent"].code}
    assert "この一覧は一部です" not in page  # every consultation was scanned
    monkeypatch.setattr(intake_views, "WALK_BATCHES", (2,))
    page = _list(client, "滞")  # the oldest consultation is not among the newest two
    assert "この一覧は一部です" in page
    assert "1文字の語は索引で探せないため" in page
    assert records["rent"].code not in page
    page = _list(client, "滞納")  # two characters: the index, complete
    assert records["rent"].code in page and "この一覧は一部です" not in page


def test_the_list_audits_the_quoted_notes(
    personas: dict[str, Staff],
    as_user: Callable[..., BrowserClient],
    records: dict[str, Consultation],
) -> None:
    """The notes whose text the snippets quote are named in the list's audit event."""
    _list(as_user(personas["coordinator"]), "面談")
    event = AuditEvent.objects.filter(object_type="intake.consultation").latest("pk")
    note = Note.objects.get(consultation=records["visit"])
    # A list asked with a question is kept as 「検索」 with its hit count, never the words typed.
    assert event.detail == {
        "ids": [records["visit"].pk],
        "notes": [note.pk],
        "search": "検索",
        "hits": 1,
    }
    assert "面談" not in str(event.detail) and "面談" not in event.path


@pytest.mark.parametrize("path", sorted(PATHS))
def test_queries_do_not_grow_with_the_matches(
    personas: dict[str, Staff],
    as_user: Callable[..., BrowserClient],
    monkeypatch: pytest.MonkeyPatch,
    path: str,
) -> None:
    """Whichever way the list finds them, more matches (and more rows to mark, one query
    for their notes) cost no more queries."""
    monkeypatch.setattr(intake_views, "FEW", PATHS[path][0])
    monkeypatch.setattr(intake_views, "INDEX_CAP", PATHS[path][1])
    window = personas["window"]
    client = as_user(window)
    consultation = take(window, summary="電話の記録")
    add_note(window, consultation, text="面談した", method="visit")
    _list(client, "面談")
    with CaptureQueriesContext(connection) as few:
        _list(client, "面談")
    for n in range(5):
        other = take(window, summary=f"相談{n}")
        add_note(window, other, text=f"{n}回目の面談をした", method="visit")
    with CaptureQueriesContext(connection) as many:
        page = _list(client, "面談")
    assert page.count("<mark>面談</mark>") == 6
    assert len(many) == len(few)


def _case_list(client: BrowserClient, query: str) -> str:
    response = client.get(reverse("cases:index"), {"tab": "all", "q": query})
    assert response.status_code == 200
    return response.content.decode()


def test_case_list_marks_note_hits_and_says_when_notes_were_not_searched(
    personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    coordinator, agency_a = personas["coordinator"], personas["agency_a"]
    case = with_consent(coordinator, open_for(coordinator))
    case_actions.add_team_member(coordinator, case, agency("houkatsu1"))
    add_note(coordinator, case, text="通帳の<b>管理</b>について本人と面談", method="visit")
    page = _case_list(as_user(agency_a), "面談")
    assert case.code in page
    assert "&lt;b&gt;管理&lt;/b&gt;について本人と<mark>面談</mark>" in page
    page = _case_list(as_user(personas["agency_b"]), "面談")
    assert case.code not in page and "<mark>" not in page
    page = _case_list(as_user(coordinator), "帳")
    assert case.code not in page  # notes are not searched for one character
    assert "1文字の語では支援経過記録を検索できない" in page
