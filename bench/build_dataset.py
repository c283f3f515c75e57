"""Build the large-city data set L (or S, a tenth) for the benchmarks.

    .venv/bin/python bench/build_dataset.py --size S --engine sqlite
    .venv/bin/python bench/build_dataset.py --size L --engine postgresql --fresh

L: 200,000 persons, 100,000 households, 300,000 consultations, 30,000 cases, 2,000,000
notes (支援経過記録); S is a tenth of each. SQLite goes to ``var/bench/bench-<size>.sqlite3``,
PostgreSQL to the database ``tomoni_bench_<size>`` at 127.0.0.1:5432 (created as user
postgres from template0 with the C.UTF-8 locale, which tomoni.E001 checks).
``--database-url`` names another target; the database ``test`` (CI's) is refused.

Rows go in through bulk paths only: ``COPY`` on PostgreSQL, ``executemany`` in one
transaction per batch on SQLite, with explicit ids so that no row waits for another's id.
Person search keys are computed by ``Person.refresh_keys()`` and the full-text documents by
``tomoni.fulltext.api.normalize`` under the kinds the apps use (``intake.consultation``,
``notes.note``), so the pages see what real data would give them. SQLite's triggers fill the
bigram index as rows go in; on PostgreSQL the documents go in by COPY without their
``tsvector``, which ``tomoni.fulltext.api.index_unindexed`` computes at the end before the GIN
index is built once; then ``ANALYZE``. SQLite gets no
``ANALYZE`` (a fresh installation has no statistics either).

Everything is synthetic and deterministic for a seed: family names are built from the demo's
obviously synthetic words (見本, 試験 … plus 田/山/川 …), dates spread over 年度 2022–2026
with more in recent years, consultations taken mostly by the window and partly by agencies,
referrals to the city's support agencies in every state, cases in every stage with teams of
2–4 agencies and consent mostly given, notes skewed (a few records have many).

Bench staff accounts (password ``BENCH_PASSWORD``) are listed by ``--list-users``; the load
runner (bench/load.py) signs in as them.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import shutil
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_PASSWORD = "tomoni-bench-2026"  # noqa: S105 — synthetic accounts on a scratch database
SIZES = {
    "L": {
        "households": 100_000,
        "persons": 200_000,
        "consultations": 300_000,
        "cases": 30_000,
        "notes": 2_000_000,
    }
}
SIZES["S"] = {name: count // 10 for name, count in SIZES["L"].items()}
SIZES["XS"] = {name: count // 1000 for name, count in SIZES["L"].items()}  # smoke test
PG_HOST = "127.0.0.1:5432"
BATCH = 20_000
START = date(2022, 4, 1)  # 令和4年度
END = date(2026, 11, 20)
DAYS = (END - START).days

# (username prefix, role, agency code, how many)
STAFF_PLAN: list[tuple[str, str, str | None, int]] = [
    ("bench-coordinator", "coordinator", "shakyo", 5),
    ("bench-coordinator-city", "coordinator", "jusou", 3),
    ("bench-window", "window", "window", 24),
    ("bench-outreach", "outreach", "shakyo", 4),
    ("bench-community", "community", "chiikifukushi-co", 3),
    ("bench-manager", "manager", "jusou", 2),
    ("bench-auditor", "auditor", None, 1),
]
# Agencies whose workers take consultations, receive referrals and sit on case teams.
AGENCY_WORKERS = [
    "houkatsu1",
    "houkatsu2",
    "houkatsu3",
    "houkatsu4",
    "shogai-soudan",
    "chikatsu",
    "kodomokatei",
    "oyako",
    "jiritsu",
    "seiho",
    "kenri",
    "hokenjo",
    "iryo",
    "koreifukushi",
    "shogaifukushi",
    "boshifushi",
    "kyoiku",
    "shohi",
]
WORKERS_PER_AGENCY = 3

SUFFIXES = [
    ("", ""),
    ("田", "だ"),
    ("山", "やま"),
    ("川", "かわ"),
    ("野", "の"),
    ("沢", "さわ"),
    ("原", "はら"),
    ("村", "むら"),
    ("本", "もと"),
    ("木", "き"),
    ("島", "じま"),
    ("井", "い"),
    ("谷", "や"),
    ("森", "もり"),
    ("浦", "うら"),
]
SUMMARIES = [
    "家賃の滞納について",
    "母の介護と長男のひきこもり",
    "生活費が足りない",
    "子どもの不登校",
    "ごみが片付けられない",
    "借金の返済が難しい",
    "仕事が見つからない",
    "認知症の父の一人暮らし",
    "障害のある娘の今後",
    "近所との関係のこと",
    "住まいを失いそう",
    "夫の施設入所について",
    "ヤングケアラーの心配",
    "公共料金の未払い",
    "精神的に不安定で眠れない",
    "ＤＶの相談",
    "就労の継続が難しい",
    "医療費の支払い",
]
CONSULTATION_TEXTS = [
    "本人より来所。{summary}とのこと。詳しく話を伺った。",
    "家族から電話があり、{summary}について相談したいとのこと。",
    "民生委員より、{summary}の世帯があると情報提供があった。",
    "地域包括支援センターから、{summary}について相談があった。",
    "本人は困りごとを一人で抱えており、{summary}について今後も相談を続ける。",
]


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="S")
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--database-url", default="", help="overrides --engine")
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the target")
    parser.add_argument("--seed", type=int, default=20261127)
    parser.add_argument("--list-users", action="store_true", help="print the bench accounts")
    return parser.parse_args(argv)


def database_url(size: str, engine: str) -> str:
    if engine == "sqlite":
        return f"sqlite:///{ROOT / 'var' / 'bench' / f'bench-{size}.sqlite3'}"
    return f"postgres://postgres@{PG_HOST}/tomoni_bench_{size.lower()}"


def prepare_target(url: str, fresh: bool) -> None:
    """Create the database (or file directory); with ``fresh``, drop what was there."""
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        if fresh:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    name = url.rsplit("/", 1)[1]
    if name in {"test", "postgres", "template0", "template1"}:
        raise SystemExit(f"refusing to use the database {name!r}")
    host, port = PG_HOST.split(":")
    base = ["-h", host, "-p", port, "-U", "postgres"]
    tool = shutil.which("createdb") or "createdb"
    if fresh:
        subprocess.run(  # noqa: S603 — fixed arguments, our own database name
            [shutil.which("dropdb") or "dropdb", *base, "--if-exists", name], check=True
        )
    exists = subprocess.run(  # noqa: S603
        [
            shutil.which("psql") or "psql",
            *base,
            "-tAc",
            f"SELECT 1 FROM pg_database WHERE datname='{name}'",  # noqa: S608 — our own name
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    if not exists:
        subprocess.run(  # noqa: S603
            [tool, *base, "-T", "template0", "-E", "UTF8", "--locale=C.UTF-8", name], check=True
        )


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tomoni.settings")
    import django

    django.setup()


class Writer:
    """Appends rows to one table: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self) -> None:
        from django.db import connection

        self.connection = connection
        self.pg = connection.vendor == "postgresql"

    def ts(self, moment: datetime) -> str:
        text = moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
        return text + "+00" if self.pg else text

    def defaults(self, model: Any, given: Sequence[str]) -> tuple[list[str], list[Any]]:
        """The columns not given, with the value each gets (model default, '' or NULL)."""
        names, values = [], []
        for field in model._meta.concrete_fields:
            if field.attname in given or (field.primary_key and "id" in given):
                continue
            if field.primary_key:
                continue
            value = field.get_default()
            if field.null and not field.has_default():
                value = None
            if isinstance(value, dict | list):
                value = json.dumps(value)
            elif isinstance(value, datetime):
                value = self.ts(value)
            elif isinstance(value, date):
                value = value.isoformat()
            names.append(field.column)
            values.append(value)
        return names, values

    def write(self, model: Any, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        fields = {f.attname: f.column for f in model._meta.concrete_fields}
        extra_names, extra_values = self.defaults(model, columns)
        names = [fields[c] for c in columns] + extra_names
        table = model._meta.db_table
        count = 0
        rows = iter(rows)
        while True:
            batch = []
            for row in rows:
                batch.append((*row, *extra_values))
                if len(batch) >= BATCH:
                    break
            if not batch:
                break
            count += len(batch)
            self._flush(table, names, batch)
        return count

    def _flush(self, table: str, names: list[str], batch: list[tuple[Any, ...]]) -> None:
        from django.db import transaction

        cols = ", ".join(f'"{n}"' for n in names)
        with transaction.atomic(), self.connection.cursor() as cursor:
            if self.pg:
                with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                    for row in batch:
                        copy.write_row(row)
            else:
                marks = ", ".join("?" for _ in names)
                sql = f"INSERT INTO {table} ({cols}) VALUES ({marks})"  # noqa: S608 — model names
                cursor.cursor.executemany(sql, batch)


def weighted_day(rng: random.Random) -> int:
    """A day index in [0, DAYS): later years busier (the programme grows)."""
    return min(DAYS - 1, int(DAYS * math.sqrt(rng.random())))


class Builder:
    def __init__(self, size: str, seed: int) -> None:
        from django.db import connection

        self.n = SIZES[size]
        self.rng = random.Random(seed)
        self.w = Writer()
        self.connection = connection
        self.started = time.monotonic()

    def log(self, message: str) -> None:
        print(f"[{time.monotonic() - self.started:7.1f} s] {message}", flush=True)

    def day(self, index: int) -> date:
        return START + timedelta(days=index)

    def moment(self, index: int) -> datetime:
        hour = self.rng.randint(0, 8) + 0  # 9:00–17:59 JST is 0:00–8:59 UTC
        return datetime(*self.day(index).timetuple()[:3], hour, self.rng.randint(0, 59), tzinfo=UTC)

    # --- master data and staff --------------------------------------------------------
    def staff(self) -> None:
        from django.contrib.auth.hashers import make_password

        from tomoni.directory.inagi import load_master
        from tomoni.directory.models import Agency, District, Staff

        load_master()
        self.agencies = {a.code: a.pk for a in Agency.objects.all()}
        self.districts = list(District.objects.values_list("pk", flat=True))
        password = make_password(BENCH_PASSWORD)
        plan = list(STAFF_PLAN) + [
            (f"bench-agency-{code}", "agency", code, WORKERS_PER_AGENCY) for code in AGENCY_WORKERS
        ]
        accounts = []
        for prefix, role, agency, count in plan:
            for number in range(1, count + 1):
                username = f"{prefix}-{number:02d}"
                accounts.append(
                    Staff(
                        username=username,
                        password=password,
                        display_name=f"負荷試験 {role}{number:02d}",
                        role=role,
                        agency_id=self.agencies[agency] if agency else None,
                        is_staff=role in ("admin", "auditor"),
                    )
                )
        Staff.objects.bulk_create(accounts, batch_size=500, ignore_conflicts=True)
        staff = list(Staff.objects.filter(username__startswith="bench-"))
        by_role: dict[str, list[Staff]] = {}
        for member in staff:
            by_role.setdefault(member.role, []).append(member)
        self.window = [s.pk for s in by_role["window"]]
        self.coordinators = [s.pk for s in by_role["coordinator"]]
        self.agency_staff = [s for s in by_role["agency"]]
        self.agency_of = {s.pk: s.agency_id for s in staff}
        self.staff_by_agency: dict[int, list[int]] = {}
        for member in staff:
            if member.agency_id:
                self.staff_by_agency.setdefault(member.agency_id, []).append(member.pk)
        self.support_agencies = [self.agencies[code] for code in AGENCY_WORKERS]
        self.log(f"master data and {len(staff)} bench staff")

    def registrar(self) -> int:
        if self.rng.random() < 0.75:
            return self.rng.choice(self.window)
        return self.rng.choice(self.agency_staff).pk

    # --- households, persons, memberships ---------------------------------------------
    def people(self) -> None:
        from tomoni.lib.synthetic_names import FEMALE, MALE, SURNAMES
        from tomoni.people.models import Household, Membership, Person

        rng, w = self.rng, self.w
        households, persons = self.n["households"], self.n["persons"]
        # Household sizes 1–4 whose mean is persons/households (2 for L and S).
        sizes = [1] * households
        extra = persons - households
        while extra > 0:
            index = rng.randrange(households)
            if sizes[index] < 4:
                sizes[index] += 1
                extra -= 1
        self.members: list[list[int]] = []
        self.household_creator: list[int] = []
        person_rows: list[tuple[Any, ...]] = []
        membership_rows: list[tuple[Any, ...]] = []
        household_rows: list[tuple[Any, ...]] = []
        pid = 0
        families = [(s + x, k + y) for s, k in SURNAMES for x, y in SUFFIXES]
        # A Zipf-like spread of family names: a few common, most rare.
        weights = [1 / (rank + 1) ** 0.8 for rank in range(len(families))]
        for hid in range(1, households + 1):
            creator = self.registrar()
            self.household_creator.append(creator)
            family, family_kana = rng.choices(families, weights)[0]
            phone = f"042-3{rng.randint(10, 99)}-{rng.randint(0, 9999):04d}"
            household = Household(phone=phone)
            household.refresh_keys()
            created = self.ts_day(weighted_day(rng))
            household_rows.append(
                (
                    hid,
                    f"B{hid:07d}",
                    f"206-0{rng.randint(800, 899)}",
                    f"稲城市見本町{rng.randint(1, 5)}丁目{rng.randint(1, 30)}番"
                    f"{rng.randint(1, 20)}号",
                    rng.choice(self.districts),
                    phone,
                    household.phone_key,
                    household.phone_rev,
                    creator,
                    created,
                    created,
                )
            )
            ids = []
            for index in range(sizes[hid - 1]):
                pid += 1
                male = rng.random() < 0.5
                given, given_kana = rng.choice(MALE if male else FEMALE)
                age = rng.randint(40, 95) if index == 0 else rng.randint(0, 70)
                birth = END - timedelta(days=age * 365 + rng.randint(0, 364))
                person = Person(
                    family_name=family,
                    given_name=given,
                    family_kana=family_kana,
                    given_kana=given_kana,
                    phone=f"090-{rng.randint(0, 9999):04d}-{rng.randint(0, 9999):04d}"
                    if rng.random() < 0.6
                    else "",
                )
                person.refresh_keys()
                person_rows.append(
                    (
                        pid,
                        person.family_name,
                        person.given_name,
                        person.family_kana,
                        person.given_kana,
                        birth.isoformat() if rng.random() < 0.95 else None,
                        "male" if male else "female",
                        person.phone,
                        person.name_key,
                        person.family_key,
                        person.given_key,
                        person.kana_key,
                        person.family_kana_key,
                        person.given_kana_key,
                        person.phone_key,
                        person.phone_rev,
                        creator,
                        created,
                        created,
                    )
                )
                relationship = "head" if index == 0 else rng.choice(["spouse", "child", "parent"])
                membership_rows.append((pid, pid, hid, relationship, None, None))
                ids.append(pid)
            self.members.append(ids)
        w.write(
            Household,
            [
                "id",
                "code",
                "postal_code",
                "address",
                "district_id",
                "phone",
                "phone_key",
                "phone_rev",
                "created_by_id",
                "created_at",
                "updated_at",
            ],
            household_rows,
        )
        w.write(
            Person,
            [
                "id",
                "family_name",
                "given_name",
                "family_kana",
                "given_kana",
                "birth_date",
                "sex",
                "phone",
                "name_key",
                "family_key",
                "given_key",
                "kana_key",
                "family_kana_key",
                "given_kana_key",
                "phone_key",
                "phone_rev",
                "created_by_id",
                "created_at",
                "updated_at",
            ],
            person_rows,
        )
        w.write(
            Membership,
            ["id", "person_id", "household_id", "relationship", "start_date", "end_date"],
            membership_rows,
        )
        self.log(f"{households:,} households, {pid:,} persons")

    def ts_day(self, index: int) -> str:
        return self.w.ts(self.moment(index))

    # --- consultations, concerns, referrals --------------------------------------------
    def consultations(self) -> None:
        from tomoni.directory.models import Concern
        from tomoni.fulltext.api import normalize
        from tomoni.fulltext.models import SearchDocument
        from tomoni.intake.models import Consultation, ConsultationConcern, Referral

        rng, w = self.rng, self.w
        count = self.n["consultations"]
        households = self.n["households"]
        concerns = list(Concern.objects.values_list("pk", flat=True))
        outcomes = [
            "listened",
            "referred",
            "collaboration",
            "continuing",
            "outreach",
            "participation",
        ]
        outcome_weights = [40, 30, 3, 17, 5, 5]
        # Consultation i is about household hh (a few households come back many times).
        self.c_day: list[int] = []
        self.c_receiver: list[int] = []
        self.c_agency: list[int] = []
        self.c_household: list[int] = []
        self.c_person: list[int | None] = []
        rows, concern_rows, docs = [], [], []
        days = sorted(weighted_day(rng) for _ in range(count))
        cc_id = 0
        for cid in range(1, count + 1):
            day = days[cid - 1]
            hh = min(households, int(households * rng.random() ** 1.3) + 1)
            creator = self.household_creator[hh - 1]
            if rng.random() < 0.6:
                receiver = creator
            elif rng.random() < 0.8:
                receiver = rng.choice(self.window)
            else:
                receiver = rng.choice(self.agency_staff).pk
            agency = self.agency_of[receiver]
            roll = rng.random()
            if roll < 0.85:
                assignee: int | None = receiver
            elif roll < 0.95:
                assignee = rng.choice(self.staff_by_agency[agency])
            else:
                assignee = None
            person = rng.choice(self.members[hh - 1]) if rng.random() < 0.92 else None
            recent = day > DAYS - 30
            outcome = (
                "" if recent and rng.random() < 0.4 else rng.choices(outcomes, outcome_weights)[0]
            )
            summary = rng.choice(SUMMARIES)
            text = rng.choice(CONSULTATION_TEXTS).format(summary=summary)
            at = self.moment(day)
            received = w.ts(at)
            rows.append(
                (
                    cid,
                    f"BC{cid:08d}",
                    received,
                    receiver,
                    agency,
                    assignee,
                    rng.choice(["visit", "phone", "phone", "home_visit", "email", "other"]),
                    rng.random() < 0.7,
                    person,
                    hh,
                    summary,
                    text,
                    rng.choices(["normal", "soon", "urgent"], [85, 12, 3])[0],
                    "given" if rng.random() < 0.8 else "none",
                    outcome,
                    w.ts(at + timedelta(days=rng.randint(0, 20))) if outcome else None,
                    received,
                    received,
                )
            )
            for index, concern in enumerate(rng.sample(concerns, rng.choice([1, 1, 2, 2, 3]))):
                cc_id += 1
                concern_rows.append((cc_id, cid, concern, index == 0))
            docs.append((cid, normalize(f"{summary}\n{text}")))
            self.c_day.append(day)
            self.c_receiver.append(receiver)
            self.c_agency.append(agency)
            self.c_household.append(hh)
            self.c_person.append(person)
        self.c_outcome = [row[14] for row in rows]
        w.write(
            Consultation,
            [
                "id",
                "code",
                "received_at",
                "receiver_id",
                "agency_id",
                "assignee_id",
                "method",
                "is_new",
                "person_id",
                "household_id",
                "summary",
                "text",
                "urgency",
                "consent",
                "outcome",
                "outcome_at",
                "created_at",
                "updated_at",
            ],
            rows,
        )
        del rows
        w.write(
            ConsultationConcern, ["id", "consultation_id", "concern_id", "is_primary"], concern_rows
        )
        del concern_rows
        now = w.ts(datetime(2026, 11, 20, tzinfo=UTC))
        self.doc_id = 0

        def documents() -> Iterator[tuple[Any, ...]]:
            for object_id, text in docs:
                self.doc_id += 1
                yield (self.doc_id, "intake.consultation", object_id, text, now)

        w.write(SearchDocument, ["id", "kind", "object_id", "text", "updated_at"], documents())
        self.log(f"{count:,} consultations ({cc_id:,} concerns, their search documents)")

        # Referrals: every 'referred' consultation, a tenth of them to two agencies.
        referral_rows = []
        rid = 0
        last_day = DAYS - 1
        for index, outcome in enumerate(self.c_outcome):
            if outcome != "referred":
                continue
            cid = index + 1
            targets = rng.sample(
                [a for a in self.support_agencies if a != self.c_agency[index]],
                2 if rng.random() < 0.1 else 1,
            )
            for to in targets:
                rid += 1
                day = min(last_day, self.c_day[index] + rng.randint(0, 3))
                sent = self.moment(day)
                age = last_day - day
                if age < 5:
                    state = rng.choices(["sent", "accepted", "declined"], [60, 35, 5])[0]
                elif age < 90:
                    state = rng.choices(
                        ["sent", "accepted", "completed", "declined", "withdrawn"],
                        [4, 40, 46, 6, 4],
                    )[0]
                else:
                    state = rng.choices(
                        ["accepted", "completed", "declined", "withdrawn"], [5, 82, 8, 5]
                    )[0]
                responder = (
                    rng.choice(self.staff_by_agency.get(to) or self.coordinators)
                    if state != "sent" and state != "withdrawn"
                    else None
                )
                responded = w.ts(sent + timedelta(days=1)) if responder else None
                completed = state == "completed"
                referral_rows.append(
                    (
                        rid,
                        cid,
                        self.c_agency[index],
                        to,
                        self.c_receiver[index],
                        w.ts(sent),
                        "本人の同意を得て、相談の概要を共有します。",
                        state,
                        (self.day(day) + timedelta(days=rng.randint(2, 4))).isoformat(),
                        responder,
                        responded,
                        "対象外のため" if state == "declined" else "",
                        responder if completed else None,
                        w.ts(sent + timedelta(days=rng.randint(5, 60))) if completed else None,
                        "つないだ先で支援が始まった。" if completed else "",
                        self.c_receiver[index] if state == "withdrawn" else None,
                        w.ts(sent + timedelta(days=2)) if state == "withdrawn" else None,
                        "本人の意向により" if state == "withdrawn" else "",
                        1,
                    )
                )
        w.write(
            Referral,
            [
                "id",
                "consultation_id",
                "from_agency_id",
                "to_agency_id",
                "sent_by_id",
                "sent_at",
                "shared_summary",
                "state",
                "due_on",
                "responded_by_id",
                "responded_at",
                "decline_reason",
                "completed_by_id",
                "completed_at",
                "outcome_note",
                "withdrawn_by_id",
                "withdrawn_at",
                "withdraw_reason",
                "version",
            ],
            referral_rows,
        )
        self.log(f"{rid:,} referrals")

    # --- cases -------------------------------------------------------------------------
    def cases(self) -> None:
        from tomoni.cases.models import Case, StageChange, TeamMember

        rng, w = self.rng, self.w
        count = self.n["cases"]
        stages = [
            "received",
            "assessment",
            "draft_plan",
            "meeting",
            "decided",
            "in_support",
            "evaluation",
            "closed",
            "suspended",
        ]
        stage_weights = [6, 8, 6, 4, 5, 28, 8, 32, 3]
        candidates = rng.sample(range(len(self.c_day)), count)
        candidates.sort()
        case_rows, team_rows, change_rows = [], [], []
        self.case_day: list[int] = []
        self.case_team: list[list[int]] = []
        self.case_lead: list[int] = []
        tid = 0
        lead_agencies = [self.agencies["shakyo"], self.agencies["jusou"], *self.support_agencies]
        for case_id, index in enumerate(candidates, start=1):
            day = min(DAYS - 1, self.c_day[index] + rng.randint(0, 30))
            opened = self.day(day)
            origin = "consultation" if rng.random() < 0.8 else "agency_request"
            stage = rng.choices(stages, stage_weights)[0]
            ended = stage in ("closed", "suspended")
            lead = rng.choice(self.coordinators)
            at = w.ts(self.moment(day))
            consent = rng.choices(["given", "none", "pending"], [80, 8, 12])[0]
            case_rows.append(
                (
                    case_id,
                    f"BK{case_id:07d}",
                    self.c_household[index],
                    self.c_person[index],
                    rng.choice(SUMMARIES),
                    origin,
                    index + 1 if origin == "consultation" else None,
                    self.c_agency[index] if origin == "agency_request" else None,
                    "複数の課題があり、多機関での協働を依頼します。"
                    if origin == "agency_request"
                    else "",
                    lead,
                    stage,
                    at,
                    consent,
                    opened.isoformat(),
                    (opened + timedelta(days=rng.randint(60, 400))).isoformat() if ended else None,
                    None if ended else (opened + timedelta(days=90)).isoformat(),
                    "{}",
                    1,
                    lead,
                    at,
                    at,
                )
            )
            team = rng.sample(lead_agencies, rng.randint(2, 4))
            for position, agency in enumerate(team):
                tid += 1
                team_rows.append(
                    (
                        tid,
                        case_id,
                        agency,
                        "lead" if position == 0 else "related",
                        "",
                        opened.isoformat(),
                        None,
                    )
                )
            change_rows.append((case_id, case_id, "", "received", lead, at, ""))
            self.case_day.append(day)
            self.case_team.append(team)
            self.case_lead.append(lead)
        w.write(
            Case,
            [
                "id",
                "code",
                "household_id",
                "person_id",
                "title",
                "origin",
                "consultation_id",
                "requested_by_id",
                "request_text",
                "lead_id",
                "stage",
                "stage_changed_at",
                "consent",
                "opened_on",
                "closed_on",
                "review_on",
                "tendency_overrides",
                "version",
                "created_by_id",
                "created_at",
                "updated_at",
            ],
            case_rows,
        )
        w.write(
            TeamMember,
            ["id", "case_id", "agency_id", "role", "contact", "start_on", "end_on"],
            team_rows,
        )
        w.write(
            StageChange,
            ["id", "case_id", "from_stage", "to_stage", "by_id", "at", "note"],
            change_rows,
        )
        self.log(f"{count:,} cases, {tid:,} team members")

    # --- notes and their search documents ------------------------------------------------
    def notes(self) -> None:
        from fulltext_bench import FAMILY, GIVEN, PLACES, SENTENCES

        from tomoni.fulltext.api import normalize
        from tomoni.fulltext.models import SearchDocument
        from tomoni.notes.models import Note

        rng, w = self.rng, self.w
        total = self.n["notes"]
        on_cases = total * 35 // 100
        on_consultations = total - on_cases

        # Skewed: a record's weight is drawn from a heavy-tailed distribution, so most have a
        # handful of notes and a few long-running ones have a hundred or more.
        def owners(count: int, slots: int) -> list[int]:
            weights = [rng.paretovariate(1.6) for _ in range(count)]
            total_weight = sum(weights)
            cumulative, running = [], 0.0
            for weight in weights:
                running += weight
                cumulative.append(running)
            picks = rng.choices(range(count), cum_weights=cumulative, k=slots)
            del total_weight
            picks.sort()
            return picks

        def text() -> str:
            return "".join(
                sentence.format(
                    name=rng.choice(FAMILY) + " " + rng.choice(GIVEN),
                    family=rng.choice(FAMILY),
                    place=rng.choice(PLACES),
                    n=rng.randint(1, 30),
                    age=rng.randint(18, 60),
                    date=f"{rng.randint(1, 12)}月{rng.randint(1, 28)}日",
                )
                for sentence in rng.sample(SENTENCES, rng.randint(2, 4))
            )

        pg = w.pg
        if pg:
            with self.connection.cursor() as cursor:
                cursor.execute("DROP INDEX IF EXISTS fulltext_searchdocument_bigrams")
        note_columns = [
            "id",
            "consultation_id",
            "case_id",
            "on",
            "method",
            "author_id",
            "agency_id",
            "text",
            "visibility",
            "created_at",
        ]
        methods = [
            "visit",
            "phone",
            "phone",
            "home_visit",
            "accompany",
            "meeting",
            "email",
            "other",
        ]
        nid = 0
        now = w.ts(datetime(2026, 11, 20, tzinfo=UTC))

        def chunks(
            kind: str, picks: list[int]
        ) -> Iterator[tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]]:
            nonlocal nid
            notes, docs = [], []
            for index in picks:
                nid += 1
                if kind == "consultation":
                    start = self.c_day[index]
                    author = (
                        self.c_receiver[index]
                        if rng.random() < 0.8
                        else rng.choice(self.staff_by_agency[self.c_agency[index]])
                    )
                    record = (index + 1, None)
                else:
                    start = self.case_day[index]
                    if rng.random() < 0.4:
                        author = self.case_lead[index]
                    else:
                        agency = rng.choice(self.case_team[index])
                        author = rng.choice(self.staff_by_agency.get(agency) or self.coordinators)
                    record = (None, index + 1)
                day = min(DAYS - 1, start + int(rng.expovariate(1 / 60)))
                body = text()
                notes.append(
                    (
                        nid,
                        *record,
                        self.day(day).isoformat(),
                        rng.choice(methods),
                        author,
                        self.agency_of[author],
                        body,
                        "own_agency" if rng.random() < 0.08 else "shared",
                        w.ts(self.moment(day)),
                    )
                )
                self.doc_id += 1
                docs.append((self.doc_id, "notes.note", nid, normalize(body), now))
                if len(notes) >= 50_000:
                    yield notes, docs
                    notes, docs = [], []
            if notes:
                yield notes, docs

        for kind, count, slots in (
            ("consultation", len(self.c_day), on_consultations),
            ("case", len(self.case_day), on_cases),
        ):
            for notes, docs in chunks(kind, owners(count, slots)):
                w.write(Note, note_columns, notes)
                w.write(SearchDocument, ["id", "kind", "object_id", "text", "updated_at"], docs)
                if nid % 200_000 < 50_000:
                    self.log(f"{nid:,} notes")
        self.log(f"{nid:,} notes and their search documents")
        if pg:
            from tomoni.fulltext.api import index_unindexed

            self.log(f"{index_unindexed(batch_size=10_000):,} tsvectors computed")
            with self.connection.cursor() as cursor:
                cursor.execute(_gin_index())
            self.log("GIN index built")

    def finish(self) -> None:
        # The five tendencies stored per case (cases.CaseTendencies), which the actions keep
        # and the rows above bypassed: computed by the app's own code, as after an upgrade.
        from tomoni.cases.stored_tendencies import recompute_all

        self.log(f"{sum(recompute_all()):,} cases' tendencies stored")
        if not self.w.pg:
            with self.connection.cursor() as cursor:
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            return
        from django.apps import apps

        with self.connection.cursor() as cursor:
            for model in apps.get_models():
                table = model._meta.db_table
                pk = model._meta.pk
                if pk is None or pk.get_internal_type() not in ("BigAutoField", "AutoField"):
                    continue
                # Table and column names come from the models, not from input.
                top = f"(SELECT MAX({pk.column}) FROM {table})"  # noqa: S608
                sequence = f"pg_get_serial_sequence('{table}', '{pk.column}')"
                sql = f"SELECT setval({sequence}, GREATEST({top}, 1))"
                cursor.execute(sql)
            cursor.execute("ANALYZE")
        self.log("sequences set, ANALYZE done")


def _gin_index() -> str:
    """The statement migration 0003 builds the bigram index with (dropped during the load)."""
    import importlib

    module = importlib.import_module("tomoni.fulltext.migrations.0003_bigram_index")
    statement: str = module.GIN_INDEX
    assert "fulltext_searchdocument_bigrams" in statement
    return statement


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    url = args.database_url or database_url(args.size, args.engine)
    if args.list_users:
        plan = list(STAFF_PLAN) + [
            (f"bench-agency-{code}", "agency", code, WORKERS_PER_AGENCY) for code in AGENCY_WORKERS
        ]
        for prefix, role, agency, count in plan:
            print(f"{prefix}-01 … -{count:02d}  {role:<12} {agency or ''}")
        print(f"password: {BENCH_PASSWORD}")
        return
    prepare_target(url, args.fresh)
    setup_django(url)
    from django.core.management import call_command

    from tomoni.people.models import Household

    started = time.monotonic()
    call_command("migrate", interactive=False, verbosity=0)
    if Household.objects.exists():
        raise SystemExit(f"{url} already holds data: use --fresh to rebuild it")
    builder = Builder(args.size, args.seed)
    builder.log(f"building {args.size} into {url}")
    builder.staff()
    builder.people()
    builder.consultations()
    builder.cases()
    builder.notes()
    builder.finish()
    print(f"done in {time.monotonic() - started:.0f} s: DATABASE_URL={url}")


if __name__ == "__main__":
    main()
