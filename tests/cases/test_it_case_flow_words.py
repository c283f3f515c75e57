"""What the case page says while a case starts (issue 20, finding 4): before the stage moves
the page said 「プランはまだありません。」 with no hint how to start one, and the move's message
read 「「アセスメントを開始」: アセスメントにしました。」."""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse
from django.utils.html import strip_tags

from tomoni.directory.models import Staff

from ..conftest import BrowserClient
from .conftest import open_for, with_consent


def test_a_new_case_says_how_a_plan_starts_and_the_move_says_what_happened(
    personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    coordinator = personas["coordinator"]
    case = with_consent(coordinator, open_for(coordinator))
    actions_taken = as_user(coordinator)
    page = strip_tags(actions_taken.get(case.get_absolute_url()).content.decode())
    assert "プランはまだありません。" in page
    assert "「アセスメントを開始」で段階を進めると、プラン案を作成できます。" in page
    case.refresh_from_db()
    moved = actions_taken.post(
        reverse("cases:move", args=[case.pk, "assess"]), {"version": case.version}, follow=True
    ).content.decode()
    assert "段階を「アセスメント」にしました（アセスメントを開始）。" in moved
    assert "「アセスメントを開始」: アセスメントにしました" not in moved
    assert "アセスメントを記入してから「プラン案の作成へ」" in strip_tags(moved)
