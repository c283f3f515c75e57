"""A differential crawl by role over the demo city (issue 14).

Every demo account walks the pages it can reach (GET only, following links on our own site,
breadth first, up to ``--pages`` pages each). Every page any account reached is then replayed
as every other account. A replayed page is a leak when it shows, to the account replaying it,
personal data the policy does not give that account:

- a record's own page (``/persons/7/``, ``/cases/3/`` …) answering 200 to an account for which
  ``access.can(VIEW)`` is false;
- the name or the phone number of a person the account may not see in any way the policy
  allows: the person record itself, a member of a household, case or engagement it may open
  (``access.members``), the subject of a referral, consultation or participation plan it may
  open, either side of a 名寄せ pair it may review.

Names that several persons share are judged leniently (a leak only if the account may see none
of those persons); phone numbers are unique in the demo and judged strictly.

Runs in-process with Django's test client against a fresh SQLite copy of the demo city:

    .venv/bin/python bench/crawl.py [--households 120] [--pages 150] [--json out.json]

Exit status 1 when anything leaked. Not part of ``make test`` (it takes minutes).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Never follow these (they change state on GET-less forms, stream files, or log out).
SKIP = re.compile(r"(logout|\.pdf$|\.xlsx$|\.csv$|\.json$|\.ics$|/export|/admin/)")
DETAIL = re.compile(
    r"^/(persons|households|consultations|referrals|cases|meetings|outreach|tasks)/(\d+)/$"
)


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            for name, value in attrs:
                if name == "href" and value:
                    self.hrefs.append(value)


@dataclass
class Finding:
    user: str
    url: str
    kind: str
    detail: str


@dataclass
class Report:
    pages: dict[str, int] = field(default_factory=dict)
    replays: int = 0
    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0
    ambiguous: list[str] = field(default_factory=list)


def _setup(households: int) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="tomoni-crawl-"))
    os.environ["TOMONI_VAR_DIR"] = str(workdir)
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/crawl.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tomoni.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from tomoni.demo.city import load_city

    load_city(households)


def _internal(href: str) -> str | None:
    href, _fragment = urldefrag(href)
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    url = parts.path + (f"?{parts.query}" if parts.query else "")
    if SKIP.search(parts.path) or parts.path.startswith("/static/"):
        return None
    return url


def _walk(client: object, start: str, limit: int) -> list[str]:
    seen: list[str] = []
    queue: deque[str] = deque([start])
    queued = {start}
    while queue and len(seen) < limit:
        url = queue.popleft()
        response = client.get(url)  # type: ignore[attr-defined]
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        seen.append(url)
        parser = Links()
        parser.feed(response.content.decode(errors="replace"))
        for href in parser.hrefs:
            link = _internal(href)
            if link and link not in queued and "page=" not in link:
                queued.add(link)
                queue.append(link)
    return seen


def _allowed(user: object) -> tuple[set[int], set[str], set[str]]:
    """Ids of persons the user may see something of, and their names and phones."""
    from tomoni import access
    from tomoni.cases.models import Case
    from tomoni.intake.models import Consultation, Referral
    from tomoni.outreach.models import Engagement
    from tomoni.participation.models import ParticipationPlan
    from tomoni.people.models import Household, MatchReview, Person

    ids = set(access.visible(user, Person).values_list("pk", flat=True))
    named: set[int] = set()
    for model in (Household, Case, Engagement):
        for record in access.visible(user, model):
            named |= {m.person_id for m in access.members(user, record, check=False) if m.name}
    ids |= set(access.visible(user, Referral).values_list("consultation__person_id", flat=True))
    ids |= set(access.visible(user, Consultation).values_list("person_id", flat=True))
    ids |= set(access.visible(user, ParticipationPlan).values_list("person_id", flat=True))
    for a, b in access.visible(user, MatchReview).values_list("person_a_id", "person_b_id"):
        ids |= {a, b}
    ids.discard(None)  # type: ignore[arg-type]
    everyone = ids | named
    names = set(Person.objects.filter(pk__in=everyone).values_list("family_name", "given_name"))
    phones = set(
        Person.objects.filter(pk__in=ids).exclude(phone="").values_list("phone", flat=True)
    )
    households = access.visible(user, Household)
    phones |= set(households.exclude(phone="").values_list("phone", flat=True))
    # The household telephone of a person the user may see (the subject of a referral it
    # received): the referral shows where to call.
    phones |= set(
        Household.objects.filter(memberships__person_id__in=ids)
        .exclude(phone="")
        .values_list("phone", flat=True)
    )
    shown = {f"{f} {g}" for f, g in names}
    # Who called about a consultation the user may open is on that consultation's page.
    consultations = access.visible(user, Consultation)
    shown |= set(consultations.exclude(caller_name="").values_list("caller_name", flat=True))
    phones |= set(consultations.exclude(caller_phone="").values_list("caller_phone", flat=True))
    # Informal supporters drawn on the エコマップ of a household the user may open.
    from tomoni.ecomap.models import EcomapTie

    shown |= set(
        EcomapTie.objects.filter(household__in=households)
        .exclude(name="")
        .values_list("name", flat=True)
    )
    return everyone, shown, phones


def _public_names() -> set[str]:
    """Names that are not personal data of a resident: staff, 協議体 members, attendees.

    A synthetic resident whose name is also one of these cannot be told apart on a page by
    text alone; such names are reported separately, not as leaks.
    """
    from tomoni.community.models import CouncilMember
    from tomoni.directory.models import Staff
    from tomoni.meetings.models import Attendance

    names = set(Staff.objects.values_list("display_name", flat=True))
    names |= set(CouncilMember.objects.values_list("name", flat=True))
    names |= set(Attendance.objects.exclude(name="").values_list("name", flat=True))
    return {" ".join(n.split()) for n in names}


def _detail_allowed(user: object, path: str) -> bool:
    from tomoni import access
    from tomoni.cases.models import Case, Task
    from tomoni.intake.models import Consultation, Referral
    from tomoni.meetings.models import Meeting
    from tomoni.outreach.models import Engagement
    from tomoni.people.models import Household, Person

    match = DETAIL.match(path)
    assert match
    model = {
        "persons": Person,
        "households": Household,
        "consultations": Consultation,
        "referrals": Referral,
        "cases": Case,
        "meetings": Meeting,
        "outreach": Engagement,
        "tasks": Task,
    }[match.group(1)]
    record = model._default_manager.filter(pk=int(match.group(2))).first()
    return record is not None and access.can(user, access.VIEW, record)


def crawl(households: int, pages: int) -> Report:
    started = time.monotonic()
    _setup(households)
    from django.test import Client

    from tomoni.demo.city import DEMO_STAFF
    from tomoni.directory.models import Staff
    from tomoni.people.models import Household, Person

    users = {username: Staff.objects.get(username=username) for username, *_ in DEMO_STAFF}
    clients = {}
    for username, user in users.items():
        client = Client()
        client.force_login(user)
        clients[username] = client
    report = Report()
    reached: dict[str, set[str]] = {}
    for username, client in clients.items():
        urls = _walk(client, "/", pages)
        reached[username] = set(urls)
        report.pages[username] = len(urls)
    all_names = {
        f"{f} {g}": pk for pk, f, g in Person.objects.values_list("pk", "family_name", "given_name")
    }
    all_phones = set(Person.objects.exclude(phone="").values_list("phone", flat=True)) | set(
        Household.objects.exclude(phone="").values_list("phone", flat=True)
    )
    public = _public_names()
    report.ambiguous = sorted(name for name in all_names if name in public)
    for name in report.ambiguous:
        del all_names[name]
    every_url = sorted(set().union(*reached.values()))
    for username, client in clients.items():
        user = users[username]
        _ids, names, phones = _allowed(user)
        for url in every_url:
            response = client.get(url)
            report.replays += 1
            if response.status_code != 200:
                continue
            path = urlsplit(url).path
            if DETAIL.match(path) and not _detail_allowed(user, path):
                report.findings.append(Finding(username, url, "page", "200 outside the policy"))
                continue
            body = response.content.decode(errors="replace")
            for name in all_names:
                if name in body and name not in names:
                    report.findings.append(Finding(username, url, "name", name))
            for phone in all_phones:
                if phone in body and phone not in phones:
                    report.findings.append(Finding(username, url, "phone", phone))
    report.seconds = time.monotonic() - started
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--households", type=int, default=120)
    parser.add_argument("--pages", type=int, default=150, help="pages per account")
    parser.add_argument("--json", type=Path, help="write the report here")
    args = parser.parse_args()
    report = crawl(args.households, args.pages)
    print(f"pages reached per account: {report.pages}")
    print(f"replays: {report.replays:,} in {report.seconds:.0f} s")
    for finding in report.findings[:50]:
        print(f"LEAK {finding.user} {finding.url} {finding.kind}: {finding.detail}")
    print(f"resident names also used by staff or council members (not judged): {report.ambiguous}")
    print(f"findings: {len(report.findings)}")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "pages": report.pages,
                    "replays": report.replays,
                    "seconds": round(report.seconds),
                    "ambiguous_names": report.ambiguous,
                    "findings": [f.__dict__ for f in report.findings],
                },
                ensure_ascii=False,
                indent=2,
            ),
            encoding="utf-8",
        )
    return 1 if report.findings else 0


if __name__ == "__main__":
    raise SystemExit(main())
