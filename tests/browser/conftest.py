"""Browser tests: Playwright for Python driving Debian's chromium against a live server.

The browser is the machine's own (`make browser` installs Debian's package when it is missing);
Playwright never downloads one. Each page a flow visits is checked with axe-core (vendored from
npm by `make vendor`, committed under tests/browser/vendor/), and a flow fails on any serious or
critical violation.
"""

from __future__ import annotations

import json
import os
import shutil
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import import_module
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.db import connection
from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright
from pytest_django.plugin import blocking_manager_key

from tomoni.audit import guard
from tomoni.directory.models import Staff

# What the data migrations load, run again after a transactional test's flush.
DATA_MIGRATIONS = (
    ("tomoni.audit.migrations.0002_head", "add_head"),
    ("tomoni.directory.migrations.0002_tags", "add_tags"),
    ("tomoni.directory.migrations.0005_concerns", "add_concerns"),
)
AXE = Path(__file__).with_name("vendor") / "axe.min.js"
PASSWORD = "browser-test-pass-2026"
DESKTOP: ViewportSize = {"width": 1366, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.fspath)).parent == Path(__file__).parent:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.django_db(transaction=True))


@contextmanager
def _sync_orm_allowed() -> Iterator[None]:
    """See ``sync_orm_beside_playwright``: for the teardown (the flush), which runs after it."""
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        yield
    finally:
        if before is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Any:
    """Around the flush that ends a transactional test: the audit log's triggers refuse it (as
    they should elsewhere), so they are lifted just before and put back just after; and the
    rows the data migrations loaded, which the flush empties too, are loaded again. While the
    module's browser is open its fixture keeps the ORM refusal lifted; once it has closed (the
    module's last test) there is no event loop in this thread."""
    blocker = item.config.stash[blocking_manager_key]
    with blocker.unblock(), _sync_orm_allowed():  # the browser is still open here
        guard.remove(connection)
    try:
        return (yield)
    finally:
        with blocker.unblock():
            guard.remove(connection)
            guard.install(connection)
            for module, function in DATA_MIGRATIONS:
                getattr(import_module(module), function)(django_apps, None)


def chromium_path() -> str:
    path = os.environ.get("TOMONI_CHROMIUM") or shutil.which("chromium")
    if not path:
        pytest.fail("chromium がありません。`make browser` で Debian の chromium を入れます。")
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One chromium per test module (starting Playwright and chromium costs about 1 s).

    While Playwright's sync API runs, its event loop runs in this thread, and Django refuses
    synchronous ORM calls in such a thread (SynchronousOnlyOperation). The browser tests make
    theirs (to set up data and to check what a flow wrote) on purpose, so the refusal is lifted
    for as long as the browser is open; that is only while this module's tests run, one after
    the other: pytest closes a module's fixtures before a test of another module starts.
    """
    with _sync_orm_allowed(), sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path())
        yield launched
        launched.close()


class Axe:
    """Runs axe-core on a page and keeps what it found, page by page.

    Only serious and critical violations fail a flow, so the rules that can report nothing
    else are left out: where a rule names its impact, axe gives every violation of it that
    impact (``moderate`` or ``minor`` ones: landmarks, heading order, region …); rules without
    one take their checks' impacts and all run. It halves the time of a check.
    """

    RUN = """async () => {
        const quiet = {};
        for (const rule of axe._audit.rules) {
            if (rule.impact && !["serious", "critical"].includes(rule.impact)) {
                quiet[rule.id] = {enabled: false};
            }
        }
        const found = await axe.run(document, {resultTypes: ["violations"], rules: quiet});
        return found.violations;
    }"""

    def __init__(self) -> None:
        self.source = AXE.read_text(encoding="utf-8")
        self.pages: list[str] = []

    def check(self, page: Page) -> None:
        # Evaluated through the DevTools protocol, so the page's CSP (no inline script) stays on.
        page.evaluate(self.source)
        result = page.evaluate(self.RUN)
        serious = [
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "nodes": [n["target"] for n in v["nodes"][:5]],
            }
            for v in result
            if v["impact"] in ("serious", "critical")
        ]
        self.pages.append(page.url)
        assert not serious, f"axe-core: {page.url}\n" + json.dumps(
            serious, ensure_ascii=False, indent=1
        )


@pytest.fixture
def axe() -> Axe:
    return Axe()


@pytest.fixture(autouse=True)
def cheap_password_hashes(settings: Any) -> None:
    """The flows sign in through the login form, as a worker does; what a password is hashed
    with is not theirs to test (tests/test_security.py checks Argon2, tests/accounts the
    sign-in itself), and Argon2 costs about 0.3 s per hash and per check on this machine."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def staff_with_password(make_staff: Callable[..., Staff]) -> Callable[..., Staff]:
    def make(role: str, agency_code: str | None, username: str) -> Staff:
        user = make_staff(role, agency_code, username)
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
        return user

    return make


@pytest.fixture
def live(live_server: Any, transactional_db: None) -> Any:
    """The live server, once warmed: its first request imports every view (Splink, WeasyPrint
    …), which on a busy 2-core machine takes longer than a browser waits for a page."""
    if not getattr(live_server, "warmed", False):
        with urllib.request.urlopen(live_server.url + "/accounts/login/", timeout=300) as r:  # noqa: S310
            r.read()
        live_server.warmed = True
    return live_server


@pytest.fixture(autouse=True)
def sync_orm_beside_playwright(monkeypatch: pytest.MonkeyPatch) -> None:
    """Playwright's sync API runs an event loop in the test's thread; the test's own ORM calls
    (to set up data and to check what a flow wrote) are synchronous and safe there. Set for
    these tests only: a subprocess started by another test must never inherit it."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def open_as(browser: Browser, live: Any, axe: Axe) -> Iterator[Callable[..., Page]]:
    """A signed-in page for a user: ``open_as(user, phone=False)``. Every page is axe-checked
    by the flows (``axe.check(page)``) after each navigation that shows something new."""
    contexts: list[Any] = []

    def open_page(user: Staff, *, phone: bool = False) -> Page:
        context = browser.new_context(
            base_url=live.url,
            viewport=PHONE if phone else DESKTOP,
            locale="ja-JP",
            timezone_id="Asia/Tokyo",
            is_mobile=phone,
            has_touch=phone,
        )
        context.set_default_timeout(30_000)
        contexts.append(context)
        page = context.new_page()
        page.goto("/accounts/login/")
        axe.check(page)
        page.get_by_label("職員ID").fill(user.username)
        page.get_by_label("パスワード", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="ログイン").click()
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        return page

    yield open_page
    for context in contexts:
        context.close()
