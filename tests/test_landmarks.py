"""Landmarks a screen reader can tell apart (issue 20, finding 11: axe-core's landmark-unique
on list pages). A page's regions, searches and navigations each need a name of their own: a
section named by its heading around a scrolling table named the same was two landmarks a
listener could not tell apart, and two unnamed search forms (the header's and the page's) the
same. Checked here over HTTP on the pages the review flagged, by reading the landmarks as
axe-core does (role and accessible name)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings

from tomoni.directory.models import Staff

from .cases.conftest import open_for
from .community.conftest import make_activity, make_event
from .conftest import BrowserClient, first_member, register_household
from .intake.conftest import take

LANDMARK_TAGS = {"nav": "navigation", "main": "main", "aside": "complementary"}


class Landmarks(HTMLParser):
    """(role, accessible name) of every landmark: elements with a landmark role, <nav>, <main>,
    <aside>, and <section>/<form> that have a name (only then are they region/form landmarks)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str | None, str | None]] = []  # role, label, labelledby
        self.text_of: dict[str, list[str]] = {}
        self._open: list[tuple[str, str | None]] = []  # (tag, id) of elements being read

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        role = a.get("role")
        named = a.get("aria-label") or a.get("aria-labelledby")
        if role is None and tag in LANDMARK_TAGS:
            role = LANDMARK_TAGS[tag]
        elif role is None and tag == "section" and named:
            role = "region"
        elif role is None and tag == "form" and named:
            role = "form"
        if role in ("region", "search", "navigation", "form", "complementary", "main"):
            self.found.append((role, a.get("aria-label"), a.get("aria-labelledby")))
        if a.get("id") and tag not in ("input", "img", "br", "hr", "meta", "link"):
            self.text_of[a["id"] or ""] = []
            self._open.append((tag, a["id"]))
        else:
            self._open.append((tag, None))

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            open_tag, _ = self._open.pop()
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        for _, element_id in self._open:
            if element_id:
                self.text_of[element_id].append(data)

    def names(self) -> list[tuple[str, str]]:
        def name(label: str | None, labelledby: str | None) -> str:
            if labelledby:
                return " ".join(
                    " ".join("".join(self.text_of.get(i, [])).split()) for i in labelledby.split()
                )
            return label or ""

        return [(role, name(label, by)) for role, label, by in self.found]


def duplicates(html: str) -> list[tuple[str, str]]:
    parser = Landmarks()
    parser.feed(html)
    counts = Counter(parser.names())
    return [landmark for landmark, n in counts.items() if n > 1]


def test_the_reader_sees_duplicates() -> None:
    """The check itself: a named section around a region of the same name is a duplicate, a
    differently named one is not."""
    section = '<section aria-labelledby="h"><h2 id="h">一覧</h2>{}</section>'
    same = section.format('<div role="region" aria-label="一覧"></div>')
    assert duplicates(same) == [("region", "一覧")]
    other = section.format('<div role="region" aria-label="一覧の表"></div>')
    assert duplicates(other) == []
    searches = '<form role="search"></form><form role="search"></form>'
    assert duplicates(searches) == [("search", "")]


@pytest.mark.parametrize(
    ("persona", "path"),
    [
        ("window", "/consultations/"),
        ("window", "/people/?q=見本"),
        ("coordinator", "/cases/?tab=all"),
        ("coordinator", "/community/"),
        ("coordinator", "/community/agencies/"),
        ("coordinator", "/community/areas/area1/"),
        ("community", "activity"),
        ("community", "event"),
    ],
)
def test_every_landmark_has_a_name_of_its_own(
    persona: str, path: str, personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    household = register_household(personas["window"], members=1)
    take(personas["window"], person=first_member(household), household=household)
    open_for(personas["coordinator"])
    if path == "activity":
        path = make_activity(personas["community"]).get_absolute_url()
    elif path == "event":
        path = make_event(personas["community"]).get_absolute_url()
    response = as_user(personas[persona]).get(path)
    assert response.status_code == 200
    assert duplicates(response.content.decode()) == []


SECTION = re.compile(r'<section[^>]*aria-labelledby="([^"]+)"[^>]*>(.*?)</section>', re.S)


def _templates() -> list[Path]:
    root = Path(settings.BASE_DIR) / "tomoni"
    return sorted(root.glob("**/templates/**/*.html"))


def test_no_template_names_a_section_and_its_table_alike() -> None:
    """Every template, data or not: a named <section> whose scrolling table (role=region) is
    named by the same heading, or labelled with the heading's words, is one name for two
    landmarks. The table's region says what it is on its own (「…の表」)."""
    found = []
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        for heading_id, body in SECTION.findall(text):
            heading = re.search(rf'id="{re.escape(heading_id)}"[^>]*>(.*?)</h\d>', text, re.S)
            words = re.sub(r"<[^>]+>", "", heading.group(1)).strip() if heading else None
            for region in re.findall(r'role="region"[^>]*', body):
                if f'aria-labelledby="{heading_id}"' in region or (
                    words and f'aria-label="{words}"' in region
                ):
                    found.append(f"{path.relative_to(settings.BASE_DIR)}: {heading_id}")
    assert found == [], "\n".join(found)
