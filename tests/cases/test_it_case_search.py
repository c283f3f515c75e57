"""The case list's keyword search: the case summary, or a case note the user may read."""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse
from django.utils import timezone

from tomoni.cases import actions
from tomoni.directory.models import Staff
from tomoni.notes.actions import add_note
from tomoni.notes.models import Visibility

from ..conftest import BrowserClient
from .conftest import agency, open_for, with_consent


def _codes(client: BrowserClient, query: str) -> str:
    response = client.get(reverse("cases:index"), {"tab": "all", "q": query})
    assert response.status_code == 200
    return response.content.decode()


def test_search_finds_cases_by_summary_and_by_readable_notes(
    personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    coordinator, agency_a = personas["coordinator"], personas["agency_a"]
    found = with_consent(coordinator, open_for(coordinator))
    actions.add_team_member(coordinator, found, agency("houkatsu1"))
    other = with_consent(coordinator, open_for(coordinator))
    actions.add_team_member(coordinator, other, agency("houkatsu1"))
    add_note(coordinator, found, text="ケーブルテレビの解約手続きに同行した", method="accompany")
    add_note(
        coordinator,
        other,
        text="ケーブルテレビの件は社協内で検討中",
        method="meeting",
        visibility=Visibility.OWN_AGENCY,
        on=timezone.localdate(),
    )
    as_coordinator = as_user(coordinator)
    page = _codes(as_coordinator, "ケーブルテレビ")
    assert found.code in page and other.code in page  # the coordinator's agency wrote both
    page = _codes(as_user(agency_a), "ケーブルテレビ")
    # The team agency reads the shared note only: the own-agency one must not make it match.
    assert found.code in page and other.code not in page
    page = _codes(as_coordinator, "解約")  # two characters
    assert found.code in page and other.code not in page
    page = _codes(as_coordinator, "8050世帯")  # the summary (open_for's title)
    assert found.code in page and other.code in page
    page = _codes(as_user(personas["agency_b"]), "ケーブルテレビ")
    assert found.code not in page and other.code not in page  # not on the team
