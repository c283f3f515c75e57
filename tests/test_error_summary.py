"""Errors on a long form are found at once (issue 20, finding 3): a summary at the top lists
every error, links each to its field, and takes the focus (tomoni.js: ``data-autofocus``).
Before, the red banner said only 「入力内容を確認してください。」 and listed nothing."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.urls import reverse

from tomoni.directory.models import Staff

from .conftest import BrowserClient


def _summary(html: str) -> str:
    found = re.search(
        r'<div class="notice notice--error error-summary"[^>]*>(.*?)</div>', html, re.S
    )
    assert found, "no error summary"
    return found.group(1)


def test_the_intake_summary_lists_and_links_each_error(
    personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    html = (
        as_user(personas["window"])
        .post(reverse("intake:new"), {"received_on": "", "method": "", "summary": ""})
        .content.decode()
    )
    summary = _summary(html)
    assert "data-autofocus" in html and 'tabindex="-1"' in html
    assert '<a href="#id_received_on">受付日: 受付日を入力してください。</a>' in summary
    assert '<a href="#id_summary">相談の要旨（1行）: 相談の要旨を入力してください。</a>' in summary
    count = int(re.search(r"入力内容を確認してください（(\d+)件）", summary).group(1))  # type: ignore[union-attr]
    assert count == summary.count("<li>") >= 3
    # Each link leads to an element of the page.
    for anchor in re.findall(r'href="#([^"]+)"', summary):
        assert f'id="{anchor}"' in html, anchor


def test_a_case_form_and_a_person_form_summarise_too(
    personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    window = as_user(personas["window"])
    html = window.post(reverse("people:household_new"), {"postal_code": "12"}).content.decode()
    assert "入力内容を確認してください（" in _summary(html)


def test_an_unsent_intake_form_starts_in_its_first_field(
    personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    html = as_user(personas["window"]).get(reverse("intake:new")).content.decode()
    field = re.search(r'<input[^>]*id="id_received_on"[^>]*>', html)
    assert field and "autofocus" in field.group(0)
    assert "error-summary" not in html
