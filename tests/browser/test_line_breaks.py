"""Japanese lines break between phrases, not inside a word (issue 20, finding 10: names and
words broken mid-word in narrow columns, 「子ど / も食堂」 in the 地区 table). Chromium's
``word-break: auto-phrase`` (BudouX's phrases) keeps a word on one line where the line has
room for it: 「子ども / 食堂」 may part, 「子ど / も」 may not."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page

from tomoni.directory.models import District, Role, Staff
from tomoni.participation import actions as participation_actions

from .conftest import Axe

# Each text in a table cell holding ``word``: on how many lines ``word`` is drawn.
LINES_OF = """word => [...document.querySelectorAll('td, th')].flatMap(cell => {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    const found = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const at = node.data.indexOf(word);
        if (at === -1) continue;
        const range = document.createRange();
        range.setStart(node, at);
        range.setEnd(node, at + word.length);
        const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
        found.push(tops.size);
    }
    return found;
})"""


def test_a_word_in_a_narrow_column_stays_on_one_line(
    staff_with_password: Callable[..., Staff], open_as: Callable[..., Page], axe: Axe
) -> None:
    keeper = staff_with_password(Role.COMMUNITY, "chiikifukushi-co", "chiiki")
    district = District.objects.get(code="yanokuchi")
    for name, kind in (
        ("矢野口ふれあいサロン", "salon"),
        ("矢野口こども食堂", "kodomo_shokudo"),
        ("矢野口しごと体験", "work_experience"),
    ):
        participation_actions.save_place(
            keeper, None, {"name": name, "kind": kind, "host": "矢野口の会", "district": district}
        )
    for phone in (False, True):
        page = open_as(keeper, phone=phone)
        page.goto("/community/")
        axe.check(page)
        page.evaluate("document.fonts.ready.then(() => true)")  # lines as drawn in Noto Sans JP
        for word in ("子ども", "食堂", "就労体験", "サロン"):
            lines = page.evaluate(LINES_OF, word)
            assert lines, f"「{word}」 not in the 地区 table"
            assert set(lines) == {1}, f"「{word}」 drawn on {lines} lines (phone={phone})"
