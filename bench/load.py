"""Load runner: signed-in users against ``tomoni serve``, in one of two profiles.

    .venv/bin/python bench/load.py --database-url sqlite:////work/main/var/bench/bench-S.sqlite3
    .venv/bin/python bench/load.py --database-url postgres://postgres@127.0.0.1:5432/tomoni_bench_l
    .venv/bin/python bench/load.py --profile day --database-url …   # a city's day, 5 minutes

``--profile stress`` (the default): 32 users, no think time, page by page beside the floor.
``--profile day`` ("a city's day"): 150 staff in the demo's role mix (``DAY_MIX``), each
reading a random page of their role's mix — lists, case and household pages, person and
full-text search (2 characters, 3+, two words) — then thinking 5–15 s, for ``--duration``
seconds (300); p50/p95/p99 per page (``drive_day``). Sign-in, query counting and reporting
are shared; what follows describes the stress profile.

What it does, in one run:

1. Settles the same environment the server gets (``TOMONI_ENV=production``, a throw-away
   ``SECRET_KEY``, plain http on loopback) and picks, through ``tomoni.access``, the records
   each bench account may open (bench/build_dataset.py made the accounts).
2. Counts the SQL queries of one request per page and role in-process (Django's test client
   and ``CaptureQueriesContext`` on the same database and code) — cheap, and no header or
   setting the production server would need.
3. Starts ``tomoni serve`` (gunicorn, 2 sync workers) on a loopback port, signs every virtual
   user in once per role through the real login form and 2段階認証 (one recovery code per
   sign-in, issued through ``tomoni.accounts.actions``), then runs one phase per page: ``--users``
   users in a closed loop (no think time unless ``--think``) for ``--seconds`` after
   ``--warmup`` seconds, each loop bounded by the deadline and a request cap. The floor
   (``web:bench_floor``: the full middleware stack and one indexed query) runs first and
   last; a page's throughput is reported as a ratio to the better of the two.
4. Reads the workers' RSS from ``/proc`` after every phase, stops the server it started, and
   writes ``bench/results/<date>-<label>.json`` and a Markdown table (stdout).

Only 127.0.0.1 is contacted. The dashboard phase runs when ``stats:dashboard`` resolves.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import re
import resource
import secrets
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

RESULTS = ROOT / "bench" / "results"
LOGS = ROOT / "var" / "bench" / "logs"
REQUEST_CAP = 100_000  # per user and phase: the loops end even if the clock misbehaves

COORDINATOR, WINDOW, AGENCY, MANAGER = "coordinator", "window", "agency", "manager"


@dataclass
class Page:
    name: str
    label: str  # what the docs table calls it
    roles: list[str]
    # role -> account -> list of paths to pick from (filled in by plan())
    paths: dict[str, dict[str, list[str]]] = field(default_factory=dict)


def server_env(url: str, port: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        TOMONI_ENV="production",
        DEBUG="0",
        TOMONI_HTTPS="0",
        SECRET_KEY=env.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(50),
        # Production settings refuse to start without the audit chain's key; a bench data
        # set's log is nobody's record, so a fixed key (or BENCH_AUDIT_KEY) signs it.
        TOMONI_AUDIT_KEY=env.get("BENCH_AUDIT_KEY") or "tomoni-bench-audit-key-not-a-secret",
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        PORT=str(port),
        WORKERS="2",
        LOG_LEVEL="WARNING",
        # Static files collected under var/bench/run, apart from a developer's var/static.
        TOMONI_VAR_DIR=str(ROOT / "var" / "bench" / "run"),
        DJANGO_SETTINGS_MODULE="tomoni.settings",
    )
    return env


# --- planning: what each account requests --------------------------------------------------


def accounts() -> dict[str, list[Any]]:
    from tomoni.directory.models import Staff

    by_role: dict[str, list[Any]] = {}
    for staff in Staff.objects.filter(username__startswith="bench-").order_by("username"):
        by_role.setdefault(staff.role, []).append(staff)
    # Agency workers: one per agency first, so that the users spread over agencies.
    agency = sorted(by_role.get(AGENCY, []), key=lambda s: (s.username[-2:], s.username))
    by_role[AGENCY] = agency
    return by_role


def sample_visible(user: Any, model: Any, rng: random.Random, want: int = 40) -> list[int]:
    """Up to ``want`` random records the user may open (tried in random batches of ids)."""
    from tomoni import access

    top = model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    found: list[int] = []
    for _ in range(20):
        batch = [rng.randint(1, top) for _ in range(2000)] if top else []
        found += list(
            access.visible(user, model).filter(pk__in=batch).values_list("pk", flat=True)[:want]
        )
        if len(found) >= want:
            break
    return found[:want]


def plan(users: int, seed: int) -> tuple[list[Page], dict[str, list[Any]], list[str]]:
    from django.urls import NoReverseMatch, reverse
    from fulltext_bench import QUERIES

    from tomoni.cases.models import Case
    from tomoni.lib.synthetic_names import FEMALE, MALE, SURNAMES
    from tomoni.people.models import Household, Person

    rng = random.Random(seed)
    staff = accounts()
    notes: list[str] = []
    roles_used = {COORDINATOR: 0, WINDOW: 0, AGENCY: 0, MANAGER: 0}
    for role in roles_used:
        if not staff.get(role):
            raise SystemExit(f"no bench account with role {role}: run bench/build_dataset.py")
    # How many accounts each role uses: one per virtual user (round robin over the accounts).
    chosen = {role: staff[role][: min(len(staff[role]), users)] for role in roles_used}

    families = [s for s, _ in SURNAMES]
    given = [g for g, _ in MALE + FEMALE]
    kana = [k for _, k in SURNAMES]
    sample = Person.objects.order_by("pk").values_list(
        "family_name", "given_name", "family_kana", "given_kana", "birth_date"
    )
    top = Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 1
    people = list(sample.filter(pk__in=[rng.randint(1, top) for _ in range(200)]))

    def search_paths() -> list[str]:
        base = reverse("people:search")
        queries = [f"{rng.choice(families)} {rng.choice(given)}" for _ in range(10)]
        queries += [rng.choice(families) for _ in range(5)]
        queries += [rng.choice(kana) for _ in range(5)]
        queries += [rng.choice(given) for _ in range(5)]
        return [f"{base}?{urlencode({'q': q})}" for q in queries]

    def candidate_paths() -> list[str]:
        base = reverse("intake:matches")
        out = []
        for family, given_name, family_kana, given_kana, birth in people[:40]:
            typed = {"p-family_name": family, "p-given_name": given_name[:1]}
            if rng.random() < 0.5:
                typed["p-family_kana"] = family_kana
                typed["p-given_kana"] = given_kana
            if birth and rng.random() < 0.5:
                typed["p-birth_date"] = birth.isoformat()
            out.append(f"{base}?{urlencode(typed)}")
        return out

    def fulltext_paths(kinds: list[str]) -> list[str]:
        base = reverse("intake:index")
        words = [w for kind in kinds for w in QUERIES[kind]]
        return [f"{base}?{urlencode({'q': w, 'scope': 'all'})}" for w in words]

    pages = [
        Page("floor", "floor (1 indexed query)", [COORDINATOR, WINDOW, AGENCY]),
        Page("person_search", "person search", [COORDINATOR, WINDOW, AGENCY]),
        Page("household", "household page", [COORDINATOR, WINDOW, AGENCY]),
        Page("case", "case page", [COORDINATOR, AGENCY]),
        Page("consultation_list", "consultation list", [COORDINATOR, WINDOW, AGENCY]),
        Page("case_list", "case list", [COORDINATOR, AGENCY]),
        Page("referral_inbox", "referral inbox", [AGENCY, WINDOW, COORDINATOR]),
        Page("fulltext", "full-text search (3+ chars)", [COORDINATOR, WINDOW, AGENCY]),
        Page("fulltext_and", "full-text search (two words AND)", [COORDINATOR, WINDOW, AGENCY]),
        Page("fulltext_2char", "full-text search (2 chars)", [COORDINATOR, WINDOW, AGENCY]),
        Page("intake_candidates", "intake match candidates", [WINDOW, COORDINATOR, AGENCY]),
        Page("dashboard", "dashboard (stats)", [COORDINATOR, MANAGER]),
    ]
    try:
        dashboard = reverse("stats:dashboard")
    except NoReverseMatch:
        pages = [p for p in pages if p.name != "dashboard"]
        notes.append("dashboard skipped: stats:dashboard does not resolve")
        dashboard = ""

    for page in pages:
        for role in page.roles:
            page.paths[role] = {}
            for user in chosen[role]:
                if page.name == "floor":
                    paths = [reverse("web:bench_floor")]
                elif page.name == "person_search":
                    paths = search_paths()
                elif page.name == "household":
                    ids = sample_visible(user, Household, rng)
                    paths = [reverse("people:household", args=[pk]) for pk in ids]
                elif page.name == "case":
                    ids = sample_visible(user, Case, rng)
                    paths = [reverse("cases:case", args=[pk]) for pk in ids]
                elif page.name == "consultation_list":
                    paths = [reverse("intake:index")]
                elif page.name == "case_list":
                    paths = [reverse("cases:index")]
                elif page.name == "referral_inbox":
                    paths = [reverse("intake:referrals_in")]
                elif page.name == "fulltext":
                    paths = fulltext_paths(["3-char", "5-char"])
                elif page.name == "fulltext_and":
                    paths = fulltext_paths(["2-word AND"])
                elif page.name == "fulltext_2char":
                    paths = fulltext_paths(["2-char"])
                elif page.name == "intake_candidates":
                    paths = candidate_paths()
                else:
                    paths = [dashboard]
                if paths:
                    page.paths[role][user.username] = paths
                else:
                    notes.append(f"{page.name}: {user.username} may open no record; left out")
    return pages, chosen, notes


# --- SQL queries per request, in-process -----------------------------------------------------


def verified(client: Any, user: Any) -> None:
    """Mark a force_login session as past 2段階認証 (the server runs as production, where it
    is required): the one device lookup per request that real sessions cost is then counted."""
    from django_otp import DEVICE_ID_SESSION_KEY

    from tomoni.accounts.models import RecoveryCodeDevice

    session = client.session
    session[DEVICE_ID_SESSION_KEY] = RecoveryCodeDevice.objects.get(user=user).persistent_id
    session.save()


def recovery_codes(chosen: dict[str, list[Any]], users: int) -> dict[str, list[str]]:
    """One recovery code per sign-in the run makes (virtual users share accounts round robin,
    and an authenticator-app code could not be used twice within its 30 seconds)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tomoni.accounts.actions import issue_recovery_codes

    codes: dict[str, list[str]] = {}
    for accounts_of_role in chosen.values():
        for index, account in enumerate(accounts_of_role):
            # A method first: codes back one up. The bench accounts are synthetic.
            TOTPDevice.objects.get_or_create(user=account, defaults={"name": "bench"})
            logins = len(range(index, users, len(accounts_of_role)))
            codes[account.username] = issue_recovery_codes(account, count=max(logins, 1))
    return codes


def count_queries(pages: list[Page], chosen: dict[str, list[Any]]) -> dict[str, dict[str, Any]]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    out: dict[str, dict[str, Any]] = {}
    for page in pages:
        per_role: dict[str, list[int]] = {}
        statuses = set()
        for role, by_user in page.paths.items():
            staff = {s.username: s for s in chosen[role]}
            for username, paths in list(by_user.items())[:1]:
                client = Client(raise_request_exception=False)
                client.force_login(staff[username])
                verified(client, staff[username])
                for path in paths[:2]:
                    with CaptureQueriesContext(connection) as captured:
                        response = client.get(path)
                    statuses.add(response.status_code)
                    per_role.setdefault(role, []).append(len(captured))
        out[page.name] = {
            "by_role": {role: sorted(set(counts)) for role, counts in per_role.items()},
            "max": max((max(c) for c in per_role.values()), default=0),
            "statuses": sorted(statuses),
        }
    return out


# --- the server -------------------------------------------------------------------------------


def start_server(
    env: dict[str, str], port: int, label: str
) -> tuple[subprocess.Popen[bytes], Path]:
    LOGS.mkdir(parents=True, exist_ok=True)
    log = LOGS / f"serve-{label}.log"
    handle = log.open("wb")
    process = subprocess.Popen(  # noqa: S603 — our own console script, fixed arguments
        [
            str(ROOT / ".venv" / "bin" / "tomoni"),
            "serve",
            "--bind",
            f"127.0.0.1:{port}",
            "--no-collectstatic",
        ],
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )
    return process, log


def wait_ready(port: int, process: subprocess.Popen[bytes], timeout: float = 120) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("tomoni serve exited; see its log")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit("tomoni serve did not answer /healthz")


def worker_rss(master: int) -> list[int]:
    """RSS in MB of the gunicorn workers (the children of the process we started)."""
    sizes = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        ppid = int(text.rsplit(")", 1)[1].split()[1])
        if ppid != master:
            continue
        status = (stat.parent / "status").read_text()
        found = re.search(r"VmRSS:\s+(\d+) kB", status)
        if found:
            sizes.append(int(found.group(1)) // 1024)
    return sorted(sizes)


# --- the load -----------------------------------------------------------------------------------


def csrf_token(client: Any, page: Any) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    return found.group(1) if found else str(client.cookies.get("csrftoken"))


async def login(client: Any, username: str, password: str, code: str) -> None:
    """The real login form, then 2段階認証 with a recovery code where the server asks."""
    page = await client.get("/accounts/login/")
    data = {"username": username, "password": password}
    response = await client.post(
        "/accounts/login/", data={**data, "csrfmiddlewaretoken": csrf_token(client, page)}
    )
    if response.status_code != 302:
        raise SystemExit(f"login failed for {username}: HTTP {response.status_code}")
    response = await client.get("/")
    if response.status_code == 302 and "/accounts/2fa/verify/" in response.headers["location"]:
        page = await client.get(response.headers["location"])
        form = {"kind": "recovery", "r-code": code, "csrfmiddlewaretoken": csrf_token(client, page)}
        response = await client.post("/accounts/2fa/verify/", data=form)
        if response.status_code != 302:
            raise SystemExit(f"2段階認証 failed for {username}: HTTP {response.status_code}")


@dataclass
class Phase:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0


async def run_phase(
    page: Page,
    sessions: list[dict[str, Any]],
    names: list[dict[str, str]],
    seconds: float,
    warmup: float,
    seed: int,
    think: float = 0.0,
) -> Phase:
    """Every user requests the page in a loop until the deadline. Requests begun during the
    warm-up are not counted; requests begun before the deadline are, however long they take,
    and the phase lasts until the last of them ends (so a slow page cannot hide)."""
    result = Phase()
    loop = asyncio.get_running_loop()
    measure_from = loop.time() + warmup
    deadline = measure_from + seconds
    last = deadline

    async def user(index: int) -> None:
        nonlocal last
        rng = random.Random(seed * 1000 + index)
        role = page.roles[index % len(page.roles)]
        client = sessions[index][role]
        paths = page.paths[role].get(names[index][role]) or next(iter(page.paths[role].values()))
        for _ in range(REQUEST_CAP):
            began_at = loop.time()
            if began_at >= deadline:
                return
            path = rng.choice(paths)
            began = time.perf_counter()
            try:
                response = await client.get(path)
                status = response.status_code
            except Exception:  # timeouts, resets: an error like any other
                status = 0
            elapsed = (time.perf_counter() - began) * 1000
            if think:
                await asyncio.sleep(rng.uniform(0.5, 1.5) * think)
            if began_at < measure_from:
                continue
            last = max(last, loop.time())
            result.latencies.append(elapsed)
            result.statuses[status] = result.statuses.get(status, 0) + 1
            if status != 200:
                result.errors += 1

    await asyncio.gather(*(user(i) for i in range(len(sessions))))
    result.seconds = last - measure_from
    return result


async def drain(client: Any, path: str) -> None:
    """Wait until the server answers four floor requests at once quickly: the backlog a slow
    page left (gunicorn works through requests whose client already gave up) is gone."""

    async def quick() -> bool:
        began = time.perf_counter()
        try:
            await client.get(path)
        except Exception:  # still busy
            return False
        return time.perf_counter() - began < 0.5

    for _ in range(300):
        if all(await asyncio.gather(*(quick() for _ in range(4)))):
            return
        await asyncio.sleep(0.5)


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def drive(
    pages: list[Page],
    chosen: dict[str, list[Any]],
    codes: dict[str, list[str]],
    args: argparse.Namespace,
    master: int,
) -> tuple[dict[str, Any], list[int]]:
    import httpx
    from build_dataset import BENCH_PASSWORD

    limits = httpx.Limits(max_connections=4, max_keepalive_connections=4)
    sessions: list[dict[str, Any]] = []
    names: list[dict[str, str]] = []
    roles = sorted({role for page in pages for role in page.roles})
    base = f"http://127.0.0.1:{args.port}"
    for index in range(args.users):
        clients, who = {}, {}
        for role in roles:
            account = chosen[role][index % len(chosen[role])]
            client = httpx.AsyncClient(base_url=base, timeout=30, limits=limits)
            code = codes[account.username].pop()
            await login(client, account.username, BENCH_PASSWORD, code)
            clients[role], who[role] = client, account.username
        sessions.append(clients)
        names.append(who)
    print(f"{len(sessions)} users signed in as {', '.join(roles)}", flush=True)

    results: dict[str, Any] = {}
    peak: list[int] = []
    # The floor again after the pages (did the machine change?); the dashboard, whose backlog
    # takes minutes to drain at L, runs last of all.
    slow = [page for page in pages if page.name == "dashboard"]
    order = [(page.name, page) for page in pages if page not in slow]
    order += [("floor_end", pages[0]), *((page.name, page) for page in slow)]
    for number, (key, page) in enumerate(order):
        phase = await run_phase(
            page, sessions, names, args.seconds, args.warmup, args.seed + number, args.think
        )
        rss = worker_rss(master)
        peak.extend(rss)
        if number < len(order) - 1:
            await drain(
                sessions[0][pages[0].roles[0]],
                next(iter(pages[0].paths[pages[0].roles[0]].values()))[0],
            )
        count = len(phase.latencies)
        results[key] = {
            "label": "floor, again after the pages" if key == "floor_end" else page.label,
            "requests": count,
            "errors": phase.errors,
            "statuses": {str(k): v for k, v in sorted(phase.statuses.items())},
            "seconds": round(phase.seconds, 1),
            "throughput_rps": round(count / phase.seconds, 1) if phase.seconds else 0.0,
            "p50_ms": round(percentile(phase.latencies, 0.50), 1),
            "p95_ms": round(percentile(phase.latencies, 0.95), 1),
            "p99_ms": round(percentile(phase.latencies, 0.99), 1),
            "mean_ms": round(statistics.fmean(phase.latencies), 1) if count else 0.0,
            "worker_rss_mb": rss,
        }
        row = results[key]
        print(
            f"{key:<20} {row['requests']:>6} req {row['throughput_rps']:>7.1f}/s "
            f"p50 {row['p50_ms']:>7.1f} p95 {row['p95_ms']:>7.1f} p99 {row['p99_ms']:>7.1f} ms "
            f"errors {row['errors']} rss {rss}",
            flush=True,
        )
    for clients in sessions:
        for client in clients.values():
            await client.aclose()
    floor = max(results["floor"]["throughput_rps"], results["floor_end"]["throughput_rps"]) or 1
    for row in results.values():
        row["ratio_to_floor"] = round(row["throughput_rps"] / floor, 2)
    return results, sorted(peak)[-2:]


# --- the city's day: many staff, reading at a human pace ------------------------------------------

# The demo's staff who read these pages (tomoni/demo/city.py DEMO_STAFF): 窓口 1, 多機関協働
# 2 (社協 and city), 支援機関 2 (包括, 障害), 課長 1 — scaled to --users. Outreach, community,
# auditor and admin read no page of this mix. --mix overrides it.
DAY_MIX = {WINDOW: 1, COORDINATOR: 2, AGENCY: 2, MANAGER: 1}
# Not a page a person reads: the floor is the stress profile's yardstick only.
DAY_SKIP = {"floor"}


def day_roles(users: int, mix: dict[str, int]) -> list[str]:
    """The role of each of ``users`` virtual staff, in ``mix`` proportions (largest
    remainder), interleaved so that any prefix is mixed too."""
    total = sum(mix.values())
    shares = {role: users * weight / total for role, weight in mix.items()}
    counts = {role: int(share) for role, share in shares.items()}
    for role in sorted(shares, key=lambda r: counts[r] - shares[r])[: users - sum(counts.values())]:
        counts[role] += 1
    order: list[str] = []
    while len(order) < users:
        for role in mix:
            if counts[role] > order.count(role):
                order.append(role)
    return order


async def drive_day(
    pages: list[Page],
    chosen: dict[str, list[Any]],
    codes: dict[str, list[str]],
    args: argparse.Namespace,
    master: int,
) -> tuple[dict[str, Any], list[int], dict[str, int]]:
    """Every user signs in once, then until the deadline: picks one of the pages their role
    reads (uniformly) and one of its paths, requests it, and thinks ``--think-min`` to
    ``--think-max`` seconds. Users start spread over the first think interval; requests
    begun during the warm-up are not counted. Latency is recorded per page."""
    import httpx
    from build_dataset import BENCH_PASSWORD

    roles = day_roles(args.users, args.mix)
    base = f"http://127.0.0.1:{args.port}"
    limits = httpx.Limits(max_connections=2, max_keepalive_connections=1)
    clients: list[Any] = []
    accounts_used: list[str] = []
    seen: dict[str, int] = {}
    for role in roles:
        index = seen.get(role, 0)
        seen[role] = index + 1
        account = chosen[role][index % len(chosen[role])]
        clients.append(httpx.AsyncClient(base_url=base, timeout=60, limits=limits))
        accounts_used.append(account.username)
    gate = asyncio.Semaphore(4)  # sign-ins hash passwords: a few at a time, like a morning

    async def sign_in(client: Any, username: str) -> None:
        async with gate:
            await login(client, username, BENCH_PASSWORD, codes[username].pop())

    await asyncio.gather(*(sign_in(c, u) for c, u in zip(clients, accounts_used, strict=True)))
    print(f"{len(clients)} staff signed in: {dict(sorted(seen.items()))}", flush=True)

    readable = {
        role: [p for p in pages if p.name not in DAY_SKIP and role in p.paths] for role in seen
    }
    loop = asyncio.get_running_loop()
    measure_from = loop.time() + args.warmup
    deadline = measure_from + args.duration
    phases = {page.name: Phase() for page in pages if page.name not in DAY_SKIP}
    last = deadline

    async def staff(index: int) -> None:
        nonlocal last
        rng = random.Random(args.seed * 1000 + index)
        role, client = roles[index], clients[index]
        await asyncio.sleep(rng.uniform(0, args.think_max))
        for _ in range(REQUEST_CAP):
            began_at = loop.time()
            if began_at >= deadline:
                return
            page = rng.choice(readable[role])
            paths = page.paths[role].get(accounts_used[index]) or next(
                iter(page.paths[role].values())
            )
            began = time.perf_counter()
            try:
                response = await client.get(rng.choice(paths))
                status = response.status_code
            except Exception:  # timeouts, resets: an error like any other
                status = 0
            elapsed = (time.perf_counter() - began) * 1000
            if began_at >= measure_from:
                last = max(last, loop.time())
                phase = phases[page.name]
                phase.latencies.append(elapsed)
                phase.statuses[status] = phase.statuses.get(status, 0) + 1
                phase.errors += status != 200
            await asyncio.sleep(rng.uniform(args.think_min, args.think_max))

    await asyncio.gather(*(staff(i) for i in range(len(clients))))
    rss = worker_rss(master)
    for client in clients:
        await client.aclose()
    seconds = last - measure_from
    results: dict[str, Any] = {}
    labels = {page.name: page.label for page in pages}
    for name, phase in phases.items():
        count = len(phase.latencies)
        results[name] = {
            "label": labels[name],
            "requests": count,
            "errors": phase.errors,
            "statuses": {str(k): v for k, v in sorted(phase.statuses.items())},
            "throughput_rps": round(count / seconds, 2) if seconds else 0.0,
            "p50_ms": round(percentile(phase.latencies, 0.50), 1),
            "p95_ms": round(percentile(phase.latencies, 0.95), 1),
            "p99_ms": round(percentile(phase.latencies, 0.99), 1),
            "max_ms": round(max(phase.latencies), 1) if count else 0.0,
        }
        row = results[name]
        print(
            f"{name:<20} {count:>6} req p50 {row['p50_ms']:>7.1f} p95 {row['p95_ms']:>7.1f} "
            f"p99 {row['p99_ms']:>7.1f} max {row['max_ms']:>7.1f} ms errors {phase.errors}",
            flush=True,
        )
    return results, rss, dict(sorted(seen.items()))


def day_table(results: dict[str, Any], queries: dict[str, Any]) -> str:
    lines = [
        "| page | requests | p50 ms | p95 ms | p99 ms | max ms | errors | queries |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for key, row in results.items():
        lines.append(
            f"| {row['label']} | {row['requests']} | {row['p50_ms']} | {row['p95_ms']} | "
            f"{row['p99_ms']} | {row['max_ms']} | {row['errors']} | "
            f"{queries.get(key, {}).get('max', '')} |"
        )
    return "\n".join(lines)


def parse_mix(text: str) -> dict[str, int]:
    """``window=1,coordinator=2`` → {"window": 1, "coordinator": 2}."""
    mix = {}
    for part in text.split(","):
        role, _, weight = part.partition("=")
        if role.strip() not in (WINDOW, COORDINATOR, AGENCY, MANAGER) or not weight.isdigit():
            raise argparse.ArgumentTypeError(f"--mix: {part!r} (role=weight, roles {DAY_MIX})")
        mix[role.strip()] = int(weight)
    return mix


# --- reporting ------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = re.search(r"MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text())
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(int(mem.group(1)) / 1024 / 1024, 1) if mem else None,
        "python": platform.python_version(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def database_info() -> dict[str, Any]:
    from django.db import connection

    from tomoni.cases.models import Case
    from tomoni.fulltext.models import SearchDocument
    from tomoni.intake.models import Consultation, Referral
    from tomoni.notes.models import Note
    from tomoni.people.models import Household, Person

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("select sqlite_version()")
            version = "SQLite " + cursor.fetchone()[0]
        else:
            cursor.execute("show server_version")
            version = "PostgreSQL " + cursor.fetchone()[0]
    counts: dict[str, int] = {}
    for model in (Household, Person, Consultation, Referral, Case, Note, SearchDocument):
        counts[model._meta.model_name or ""] = model.objects.count()
    return {"engine": version, "rows": counts}


def table(results: dict[str, Any], queries: dict[str, Any]) -> str:
    lines = [
        "| page | p50 ms | p95 ms | p99 ms | req/s | ratio to floor | errors | queries |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for key, row in results.items():
        q = queries.get(key if key != "floor_end" else "floor", {}).get("max", "")
        lines.append(
            f"| {row['label']} | {row['p50_ms']} | {row['p95_ms']} | {row['p99_ms']} | "
            f"{row['throughput_rps']} | {row['ratio_to_floor']} | {row['errors']} | {q} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--label", default="", help="e.g. L-postgresql (default: from the URL)")
    parser.add_argument(
        "--profile",
        choices=["stress", "day"],
        default="stress",
        help="stress: page by page, no think time (default); day: a city's day, mixed pages",
    )
    parser.add_argument("--users", type=int, help="default 32 (stress), 150 (day)")
    parser.add_argument("--duration", type=float, default=300, help="day: measured seconds")
    parser.add_argument("--think-min", type=float, default=5, help="day: seconds")
    parser.add_argument("--think-max", type=float, default=15, help="day: seconds")
    parser.add_argument(
        "--mix",
        type=parse_mix,
        default=DAY_MIX,
        help="day: role=weight,… (default: the demo's staff, " + str(DAY_MIX) + ")",
    )
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--think", type=float, default=0.0, help="mean seconds a user waits between requests"
    )
    parser.add_argument("--pages", default="", help="comma-separated page names (floor is kept)")
    parser.add_argument("--note", default="", help="free text stored with the results")
    args = parser.parse_args()
    if args.users is None:
        args.users = 150 if args.profile == "day" else 32
    if not re.match(
        r"^(sqlite:///|postgres(ql)?://[^/]*@?(127\.0\.0\.1|localhost)[:/])", args.database_url
    ):
        raise SystemExit("loopback databases only (sqlite file or PostgreSQL on 127.0.0.1)")
    env = server_env(args.database_url, args.port)
    same = ["DATABASE_URL", "TOMONI_ENV", "DEBUG", "TOMONI_HTTPS", "SECRET_KEY", "ALLOWED_HOSTS"]
    same += ["LOG_LEVEL", "DJANGO_SETTINGS_MODULE", "TOMONI_VAR_DIR", "TOMONI_AUDIT_KEY"]
    os.environ.update({key: env[key] for key in same})
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # the manifest pages need
    info = database_info()
    label = args.label or f"{'sqlite' if 'sqlite' in info['engine'].lower() else 'postgresql'}"
    if args.profile == "day" and not label.endswith("-day"):
        label += "-day"
    started = datetime.now(UTC)
    host = machine()  # the load average before this run adds its own
    pages, chosen, notes = plan(args.users, args.seed)
    if args.pages:
        wanted = {"floor", *args.pages.split(",")}
        pages = [p for p in pages if p.name in wanted]
    if args.profile == "day":
        for page in pages:
            page.paths = {r: paths for r, paths in page.paths.items() if r in args.mix}
        pages = [p for p in pages if p.paths or p.name == "floor"]
    print(f"{label}: {info['engine']}, rows {info['rows']}", flush=True)
    codes = recovery_codes(chosen, args.users)
    queries = count_queries(pages, chosen)
    for name, row in queries.items():
        print(f"queries {name:<20} {row['by_role']} statuses {row['statuses']}", flush=True)
    before = resource.getrusage(resource.RUSAGE_SELF)
    process, log = start_server(env, args.port, label)
    try:
        wait_ready(args.port, process)
        if args.profile == "day":
            results, peak, staff = asyncio.run(drive_day(pages, chosen, codes, args, process.pid))
        else:
            results, peak = asyncio.run(drive(pages, chosen, codes, args, process.pid))
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
    after = resource.getrusage(resource.RUSAGE_SELF)
    client_cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    for key, row in results.items():
        row["queries_per_request"] = queries.get(key if key != "floor_end" else "floor", {})
    if args.profile == "day":
        write_day(args, label, started, host, info, notes, staff, peak, client_cpu, results)
        print(day_table(results, queries))
        return
    report = {
        "date": started.isoformat(timespec="seconds"),
        "label": label,
        "machine": host,
        "database": info,
        "users": args.users,
        "seconds_per_page": args.seconds,
        "warmup_seconds": args.warmup,
        "server": "tomoni serve: gunicorn, 2 sync workers, 1 thread, TOMONI_ENV=production",
        "client": "bench/load.py: asyncio + httpx, closed loop, same machine",
        "think_seconds": args.think,
        "client_cpu_seconds": round(client_cpu, 1),
        "worker_rss_mb_peak": peak,
        "notes": [*notes, *([args.note] if args.note else [])],
        "pages": results,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{started:%Y%m%dT%H%M}-{label}.json"
    out.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(table(results, queries))
    print(f"\nwrote {out.relative_to(ROOT)}; server log {log.relative_to(ROOT)}")


def write_day(
    args: argparse.Namespace,
    label: str,
    started: datetime,
    host: dict[str, Any],
    info: dict[str, Any],
    notes: list[str],
    staff: dict[str, int],
    rss: list[int],
    client_cpu: float,
    results: dict[str, Any],
) -> None:
    report = {
        "date": started.isoformat(timespec="seconds"),
        "label": label,
        "profile": "day: each user reads a random page of their role, then thinks",
        "machine": host,
        "database": info,
        "users": args.users,
        "staff_by_role": staff,
        "measured_seconds": args.duration,
        "warmup_seconds": args.warmup,
        "think_seconds": [args.think_min, args.think_max],
        "server": "tomoni serve: gunicorn, 2 sync workers, 1 thread, TOMONI_ENV=production",
        "client": "bench/load.py --profile day: asyncio + httpx, same machine",
        "client_cpu_seconds": round(client_cpu, 1),
        "worker_rss_mb_at_end": rss,
        "notes": [*notes, *([args.note] if args.note else [])],
        "pages": results,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{started:%Y%m%dT%H%M}-{label}.json"
    out.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
