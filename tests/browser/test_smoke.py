from __future__ import annotations

from collections.abc import Callable

from tomoni.directory.models import Role, Staff

from .conftest import Axe


def test_home(staff_with_password: Callable[..., Staff], open_as: Callable, axe: Axe) -> None:
    user = staff_with_password(Role.WINDOW, "window", "madoguchi")
    page = open_as(user)
    axe.check(page)
