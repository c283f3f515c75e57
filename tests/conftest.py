"""Shared personas and small factories (STYLE.md §4).

Personas: 窓口 相談員, coordinator, 地域包括 worker (agency A), 障害者相談支援 worker
(agency B), community coordinator, manager, auditor, admin, and the anonymous visitor.
"""

from __future__ import annotations

import itertools
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, settings

from tomoni.directory.inagi import load_master
from tomoni.directory.models import Agency, Role, Staff
from tomoni.people import actions
from tomoni.people.models import Household, Person, Relationship

from . import dbtemplate, democity
from .commandline import DATABASE, copy_home, tomoni
from .dbtemplate import migrate_from_template

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse

    from tomoni.lib.concurrency import Versioned

    # What the test client returns: the response with .content, .json(), .context …
    Response: TypeAlias = _MonkeyPatchedWSGIResponse
else:
    Response = Any

# A shared 2-core machine (and CI) can be slow for a moment: examples are judged by what they
# check, never by how long they took to generate or run.
settings.register_profile("tomoni", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("tomoni")


# The slow groups (markers registered in pyproject.toml): a test in any of them is slow too, and
# `make test-fast` (`-m "not slow"`) leaves it out.
SLOW_GROUPS = ("demo", "matching", "pdf", "browser")

# The fixtures that put the 300-household demo city under a test (tests/democity.py).
DEMO_CITIES = {"demo_city", "demo_city_as_served"}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        fixtures = getattr(item, "fixturenames", None)
        if fixtures is not None and DEMO_CITIES & set(fixtures) and "db" not in fixtures:
            # They open the test's ``db`` themselves, after restoring the city; named last
            # here so that pytest-django sets the test database up for them even when they
            # run alone.
            fixtures.append("db")
        if "browser" in item.path.relative_to(item.config.rootpath).parts[:2]:
            item.add_marker(pytest.mark.browser)  # everything under tests/browser/
        if any(item.get_closest_marker(group) for group in SLOW_GROUPS):
            item.add_marker(pytest.mark.slow)
    # The modules holding slow or grouped tests first, each module kept whole (its module
    # fixtures are built once): pytest-xdist hands out work in this order, so the run ends on
    # short tests and both workers finish together, not one waiting on a demo city.
    # (pytest-django then puts the transactional tests after the others, keeping this order.)
    heavy = {
        item.path
        for item in items
        if item.get_closest_marker("slow") or item.get_closest_marker("xdist_group")
    }
    items.sort(key=lambda item: item.path not in heavy)


PERSONAS: dict[str, tuple[str, str | None]] = {
    "window": (Role.WINDOW, "window"),
    "coordinator": (Role.COORDINATOR, "shakyo"),
    # The 社協's coordinator where the city names the 社協 a 委託先 (tests that use this persona
    # set TOMONI_CONTRACTOR_AGENCIES; elsewhere it is one more coordinator).
    "contractor": (Role.COORDINATOR, "shakyo"),
    "agency_a": (Role.AGENCY, "houkatsu1"),
    "agency_b": (Role.AGENCY, "shogai-soudan"),
    "outreach": (Role.OUTREACH, "shakyo"),
    "community": (Role.COMMUNITY, "chiikifukushi-co"),
    "manager": (Role.MANAGER, "jusou"),
    "auditor": (Role.AUDITOR, None),
    "admin": (Role.ADMIN, None),
}


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix: None,
) -> Iterator[None]:
    """pytest-django's, and SQLite test databases are copied from a migrated one when a copy
    for these migrations exists (tests/dbtemplate.py), instead of running every migration."""
    with migrate_from_template():
        yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    """Master data (areas, districts, agencies) once per test database, as migrations would."""
    with django_db_blocker.unblock():
        load_master()


T = TypeVar("T")


def shared_data(django_db_blocker: Any, build: Callable[[], T]) -> Iterator[T]:
    """For a module-scoped fixture: ``yield from shared_data(django_db_blocker, build)`` runs
    ``build()`` once for the module's tests, which only read what it made.

    It runs in a transaction kept open while they run (each test's own transaction is a
    savepoint inside it, rolled back as usual) and rolled back when the module ends, so no
    other module sees the data. Every test of the module that runs while the fixture is up
    sees the data too (pytest-xdist may run them in any order): keep such a module to the
    tests that use it, and group them with ``pytest.mark.xdist_group`` so that one worker
    builds the data once.
    """
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            value = build()
        except BaseException:
            atomic.__exit__(*sys.exc_info())
            raise
    try:
        yield value
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


V = TypeVar("V", bound="Versioned")
R = TypeVar("R")


def as_seen_now(move: Callable[..., R], actor: Staff, obj: V, *args: Any, **kwargs: Any) -> R:
    """A screen's move (``version`` required) as a worker who has just opened the page: at the
    version the record has now. For a stale page, pass ``version=`` to the action itself."""
    obj.refresh_from_db(fields=["version"])
    return move(actor, obj, *args, version=obj.version, **kwargs)


@pytest.fixture
def demo_city(
    request: pytest.FixtureRequest, django_db_setup: None, django_db_blocker: Any
) -> Iterator[dict[str, int]]:
    """The 300-household demo city (tests/democity.py: built once per test process), with the
    test's own transaction on top; ``load_city``'s totals. Ask for it instead of ``db``."""
    yield from democity.city_for_test(request, django_db_blocker)


@pytest.fixture
def demo_city_as_served(
    request: pytest.FixtureRequest, django_db_setup: None, django_db_blocker: Any
) -> Iterator[dict[str, int]]:
    """``demo_city`` as `tomoni demo` serves it: the 社協 a 委託先 while it was loaded."""
    yield from democity.city_for_test(
        request, django_db_blocker, democity.Variant(contractors=democity.AS_SERVED)
    )


@pytest.fixture(scope="session")
def migrated_home(tmp_path_factory: pytest.TempPathFactory, django_db_setup: None) -> Path:
    """A home whose database `tomoni migrate` built (tests/commandline.py); copy it to use it.

    It starts from the migrated test database when this process has one (tests/dbtemplate.py:
    the same migrations, the same schema), so `tomoni migrate` finds nothing left to apply —
    3 s instead of 15 s of a subprocess; otherwise `tomoni migrate` builds it all."""
    home = tmp_path_factory.mktemp("migrated")
    template = dbtemplate.path()
    if template.exists():
        shutil.copyfile(template, home / DATABASE)
    done = tomoni(home, "migrate", "-v0")
    assert done.returncode == 0, done.stderr
    return home


@pytest.fixture(scope="session")
def demo_home(migrated_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``migrated_home`` with `tomoni demo --households 3` run on it; copy it to use it."""
    home = copy_home(migrated_home, tmp_path_factory.mktemp("demo") / "home")
    done = tomoni(home, "demo", "--households", "3")
    assert done.returncode == 0, done.stderr
    return home


@pytest.fixture(autouse=True)
def cheap_password_hashes_for_the_demo(request: pytest.FixtureRequest) -> None:
    """A demo city gives its logins a password (hashed once per city): the demo tests build
    cities of every size, Argon2 costs about 0.3 s a hash here, and what a password is hashed
    with is tests/test_security.py's to check, not theirs."""
    if request.node.get_closest_marker("demo"):
        settings = request.getfixturevalue("settings")
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def _files_per_test(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where each test's files go: a directory named for the test, made only when the test
    writes (storage and the anchor file make their directories), so the 3,000 tests that
    write nothing make no directories to create and to clean up."""
    return tmp_path_factory.mktemp("per-test")


_TEST_NUMBER = itertools.count()


@pytest.fixture(autouse=True)
def _test_files(_files_per_test: Path) -> Path:
    return _files_per_test / str(next(_TEST_NUMBER))


@pytest.fixture(autouse=True)
def attachment_storage(settings: Any, _test_files: Path) -> Any:
    """Attached files go to a fresh directory per test, never into the worktree's var/."""
    location = _test_files / "attachments"
    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(location)},
        },
    }
    return location


@pytest.fixture(autouse=True)
def audit_anchor_file(settings: Any, _test_files: Path) -> Any:
    """Audit anchors go to a fresh file per test, never into the worktree's var/."""
    settings.TOMONI_AUDIT_ANCHOR_FILE = _test_files / "anchors" / "anchors.jsonl"
    return settings.TOMONI_AUDIT_ANCHOR_FILE


@pytest.fixture
def master(db: None) -> None:
    # A transactional test flushes the tables; put the master data back if so.
    if not Agency.objects.exists():
        load_master()


@pytest.fixture
def make_staff(master: None) -> Callable[..., Staff]:
    counter = {"n": 0}

    def make(role: str, agency_code: str | None, username: str | None = None) -> Staff:
        counter["n"] += 1
        agency = Agency.objects.get(code=agency_code) if agency_code else None
        return Staff.objects.create_user(
            username=username or f"{role}-{counter['n']}",
            # No password: personas sign in with force_login; hashing argon2 for hundreds of
            # personas would dominate the suite's time. Login tests set their own passwords.
            password=None,
            display_name=f"テスト 職員{counter['n']}",
            role=role,
            agency=agency,
            is_staff=role in (Role.ADMIN, Role.AUDITOR),
        )

    return make


@pytest.fixture
def personas(make_staff: Callable[..., Staff]) -> dict[str, Staff]:
    return {name: make_staff(role, agency, name) for name, (role, agency) in PERSONAS.items()}


class BrowserClient(Client):
    """Enforces CSRF like a browser; ``post`` sends the token a rendered page would carry."""

    def __init__(self) -> None:
        super().__init__(enforce_csrf_checks=True)

    def post(self, path: str, data: Any = None, **extra: Any) -> Response:  # type: ignore[override]
        if "csrftoken" not in self.cookies:
            super().get("/accounts/login/", follow=True)
        data = dict(data or {})
        data.setdefault("csrfmiddlewaretoken", self.cookies["csrftoken"].value)
        return super().post(path, data, **extra)


@pytest.fixture
def as_user() -> Callable[[Staff | None], BrowserClient]:
    """A client signed in as the user (None: anonymous)."""

    def make(user: Staff | None) -> BrowserClient:
        client = BrowserClient()
        if user is not None:
            client.force_login(user)
        return client

    return make


class Queries:
    """The ``queries`` fixture: ``queries(client, url, **params)`` is the SQL one GET of the page
    runs (the page must answer 200); ``queries.differ(few, many)`` the failure message of a
    query budget: both counts, and what the larger page ran."""

    def __call__(self, client: Client, url: str, **params: Any) -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, params)
        assert response.status_code == 200
        return [q["sql"] for q in captured.captured_queries]

    @staticmethod
    def differ(few: list[str], many: list[str]) -> str:
        listing = "\n".join(many)
        return f"{len(few)} queries for the small page, {len(many)} for the large one:\n{listing}"


@pytest.fixture
def queries(db: None) -> Queries:
    """Counts the queries of a page, for the query budgets."""
    return Queries()


def register_household(user: Staff, members: int = 2, **fields: Any) -> Household:
    """A household with ``members`` people, registered through the actions as ``user``."""
    household = actions.register_household(
        user, address=fields.pop("address", "稲城市東長沼1丁目1番1号"), **fields
    )
    relationships = [Relationship.HEAD, Relationship.SPOUSE, Relationship.CHILD, Relationship.CHILD]
    for index in range(members):
        actions.register_person(
            user,
            {
                "family_name": "見本",
                "given_name": ["太郎", "花子", "一郎", "幸子"][index % 4],
                "family_kana": "みほん",
                "given_kana": ["たろう", "はなこ", "いちろう", "さちこ"][index % 4],
                "sex": "male" if index % 2 == 0 else "female",
            },
            household=household,
            relationship=relationships[index % 4],
        )
    return household


def agency_of(staff: Staff) -> Agency:
    """The agency of a staff member who has one (every persona but the auditor and admin)."""
    assert staff.agency is not None, staff
    return staff.agency


def first_member(household: Household) -> Person:
    return household.memberships.select_related("person").order_by("pk")[0].person
