"""Every form says which field is missing, in Japanese (issue 20, finding 3): Django's generic
「このフィールドは必須です。」 appeared for 姓, 受付日 and 開催日."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django import forms
from django.urls import reverse

import tomoni.urls  # noqa: F401 — imports every view, so every form class exists
from tomoni.directory.models import Staff
from tomoni.lib.forms import RequiredInJapanese
from tomoni.web.views import LoginForm

from .conftest import BrowserClient

GENERIC = "このフィールドは必須です。"


def _subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_form_of_tomoni_derives_from_the_japanese_base() -> None:
    ours = {c for c in _subclasses(forms.BaseForm) if c.__module__.startswith("tomoni.")}
    assert len(ours) > 50
    plain = sorted(
        f"{c.__module__}.{c.__name__}"
        for c in ours
        if not issubclass(c, RequiredInJapanese) and c is not LoginForm
    )
    assert plain == [], "derive from tomoni.lib.forms.Form / ModelForm"


@pytest.mark.parametrize(
    ("persona", "url", "expected"),
    [
        ("window", reverse("intake:new"), "受付日を入力してください。"),
        ("coordinator", reverse("meetings:new"), "開催日を入力してください。"),
        ("coordinator", reverse("meetings:new"), "開始時刻を入力してください。"),
    ],
)
def test_an_empty_form_names_each_missing_field(
    persona: str,
    url: str,
    expected: str,
    personas: dict[str, Staff],
    as_user: Callable[..., BrowserClient],
) -> None:
    page = as_user(personas[persona]).post(url, {}).content.decode()
    assert expected in page
    assert GENERIC not in page


def test_the_login_form_names_the_missing_field(client: BrowserClient, db: None) -> None:
    page = client.post(reverse("login"), {}).content.decode()
    assert "職員IDを入力してください。" in page and GENERIC not in page
