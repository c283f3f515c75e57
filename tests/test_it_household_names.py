"""Households named by their people, not by a raw code (issue 20, finding 9): the case list
showed 「D0000151」 where a worker looks for a family, and household pages were titled
「世帯 H0000308」. A household is called after the member a page may name (the 世帯主 first);
the code stays beside it as 世帯番号. Someone who may not see the people sees only the code."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.urls import reverse
from django.utils.html import strip_tags

from tomoni import access
from tomoni.cases import actions
from tomoni.directory.models import Staff
from tomoni.people.models import Person

from .cases.conftest import open_for, with_consent
from .conftest import BrowserClient, agency_of, register_household


def _title(html: str) -> str:
    found = re.search(r"<title>(.*?)</title>", html, re.S)
    assert found
    return found.group(1).strip()


def _h1(html: str) -> str:
    found = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    assert found
    return " ".join(strip_tags(found.group(1)).split())


def test_the_household_page_is_named_after_its_head(
    personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    window = personas["window"]
    household = register_household(window, members=2)
    html = as_user(window).get(household.get_absolute_url()).content.decode()
    assert _h1(html) == "見本 太郎さんの世帯"
    assert _title(html).startswith("見本 太郎さんの世帯")
    assert f"世帯番号 {household.code}" in strip_tags(html)


def test_the_case_list_names_the_main_person_not_the_household_code(
    personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    coordinator = personas["coordinator"]
    case = open_for(coordinator)
    assert case.person is not None
    html = as_user(coordinator).get(reverse("cases:index") + "?tab=all").content.decode()
    row = next(r for r in html.split("<tr>") if case.code in r)
    cells = [" ".join(strip_tags(c).split()) for c in row.split("</td>")]
    assert cells[1].startswith(f"{case.person.full_name}さん"), cells[1]
    assert case.household.code in cells[1]  # still there, as 世帯番号


def test_a_team_member_who_may_not_open_the_person_sees_the_code_only(
    personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    """An agency on the team sees the case (with consent) but not, on its own, the person's
    record: the list names no one and shows the 世帯番号."""
    coordinator, agency = personas["coordinator"], personas["agency_a"]
    case = with_consent(coordinator, open_for(coordinator))
    actions.add_team_member(coordinator, case, agency_of(agency))
    assert case.person is not None
    assert not access.visible(agency, Person).filter(pk=case.person.pk).exists()
    html = as_user(agency).get(reverse("cases:index") + "?tab=all").content.decode()
    row = next(r for r in html.split("<tr>") if case.code in r)
    assert case.person.given_name not in row
    assert f"世帯番号 {case.household.code}" in strip_tags(row)
