"""The demo city: a deterministic, synthetic 稲城市-like population.

``load_city(households=300)`` builds the same city every time for the same seed. The first
households are the situations the 重層 work exists for (DOMAIN.md §2 and the seed): 8050,
ダブルケア, ごみ屋敷, 立ち退き, 夫の施設入所, ひきこもり, ヤングケアラー; the rest are ordinary
households in which such situations recur at realistic rates. Rows go in through
``bulk_create`` in batches, so 100,000 households load in minutes.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from tomoni.audit.log import Action, record
from tomoni.directory.inagi import load_master
from tomoni.directory.models import Agency, District, Staff, Tag
from tomoni.directory.roles import Role
from tomoni.lib.synthetic_names import BUILDINGS, FEMALE, MALE, SURNAMES
from tomoni.people.models import Household, Membership, Person, Relation, Relationship, Sex

from .intake import load_intake, responders

DEMO_PASSWORD = "tomoni-demo-2026"  # noqa: S105 — printed by `tomoni demo` on purpose
REFERENCE_DATE = date(2026, 4, 1)
BATCH = 2000

# username, display name, agency code, role, admin-site access
DEMO_STAFF: list[tuple[str, str, str | None, str, bool]] = [
    ("madoguchi", "窓口 見本子", "window", Role.WINDOW, False),
    ("kyodo", "協働 試験太", "shakyo", Role.COORDINATOR, False),
    ("kyodo-city", "協働 市職員", "jusou", Role.COORDINATOR, False),
    ("houkatsu", "包括 見本男", "houkatsu1", Role.AGENCY, False),
    ("shogai", "障害 試験代", "shogai-soudan", Role.AGENCY, False),
    ("outreach", "訪問 仮名介", "shakyo", Role.OUTREACH, False),
    ("chiiki", "地域 例野美", "chiikifukushi-co", Role.COMMUNITY, False),
    ("kacho", "課長 模擬雄", "jusou", Role.MANAGER, False),
    ("kansa", "監査 想定子", None, Role.AUDITOR, True),
    ("admin", "管理 試作郎", None, Role.ADMIN, True),
]

# 稲城市's 町名: their 郵便番号 and whether their addresses have 丁目 (Japan Post's data, as
# tomoni.people.postal reads it; tests/people/test_demo_addresses.py checks the two agree).
# A 大字 without 丁目 is written with a 番地: 稲城市東長沼2111.
TOWNS: dict[str, tuple[str, bool]] = {
    "大丸": ("206-0801", False),
    "東長沼": ("206-0802", False),
    "向陽台": ("206-0803", True),
    "百村": ("206-0804", False),
    "押立": ("206-0811", False),
    "矢野口": ("206-0812", False),
    "長峰": ("206-0821", True),
    "坂浜": ("206-0822", True),
    "平尾": ("206-0823", True),
    "若葉台": ("206-0824", True),
}


def street(town: str, draws: tuple[int, int, int, int]) -> tuple[str, str]:
    """The 郵便番号 and address of a demo household in ``town``, from four random draws (800–899,
    1–5, 1–30, 1–20): the draws the demo always made there, so that every later name, date and
    pairing of the city stays as it was."""
    lot, chome, ban, go = draws
    code, has_chome = TOWNS.get(town, ("", True))
    if has_chome:
        # 1–3: 長峰 and 平尾 have three 丁目, 若葉台 four, 向陽台 six (坂浜's count is not in
        # the data set: three is assumed).
        return code, f"稲城市{town}{(chome - 1) % 3 + 1}丁目{ban}番{go}号"
    return code, f"稲城市{town}{lot + 1000 * (chome - 1) - 700}番地{go}"


@dataclass
class Member:
    relationship: str
    sex: str
    age: int | None
    surname: tuple[str, str] | None = None  # None: the household's surname
    ended: str = ""  # Membership.EndReason when the person has left


@dataclass
class Plan:
    members: list[Member]
    tags: list[str] = field(default_factory=list)
    notes: str = ""
    registrar: str = "madoguchi"
    kind: str = "ordinary"  # the situation it was drawn from (the demo intake follows it)


def _situations() -> list[Callable[[random.Random], Plan]]:
    m, f = Sex.MALE, Sex.FEMALE
    r = Relationship

    def p8050(rng: random.Random) -> Plan:
        parent = rng.choice([m, f])
        return Plan(
            [Member(r.HEAD, parent, rng.randint(78, 90)), Member(r.CHILD, m, rng.randint(48, 58))],
            ["8050", "hikikomori"],
            "地域包括支援センターより。母の介護認定の訪問時に、長期間ひきこもっている長男の存在が分かった。",
            "houkatsu",
        )

    def double_care(rng: random.Random) -> Plan:
        return Plan(
            [
                Member(r.HEAD, m, rng.randint(38, 46)),
                Member(r.SPOUSE, f, rng.randint(36, 44)),
                Member(r.CHILD, f, rng.randint(1, 6)),
                Member(r.CHILD, m, rng.randint(0, 3)),
                # 妻の実母: 続柄 is relative to the head (the husband).
                Member(r.PARENT_IN_LAW, f, rng.randint(76, 86)),
            ],
            ["double-care"],
            "妻が実母の介護と乳幼児の育児を同時に担っている。実母に認知症の症状。",
        )

    def hoarding(rng: random.Random) -> Plan:
        return Plan(
            [Member(r.HEAD, rng.choice([m, f]), rng.randint(68, 82))],
            ["self-neglect", "isolation"],
            "近隣住民から、家の周りにごみが積まれ悪臭がするとの相談。本人は支援を拒否。",
        )

    def eviction(rng: random.Random) -> Plan:
        return Plan(
            [Member(r.HEAD, rng.choice([m, f]), rng.randint(58, 70))],
            ["isolation"],
            "（民生児童委員より）立ち退きを求められて困っている人がいる。転居先の当てがない。",
        )

    def husband_in_care(rng: random.Random) -> Plan:
        return Plan(
            [
                Member(r.HEAD, m, rng.randint(80, 90), ended="facility"),
                Member(r.SPOUSE, f, rng.randint(76, 86)),
            ],
            [],
            "夫が施設に入ってしまった。夫名義のケーブルテレビの解約ができない。",
        )

    def hikikomori(rng: random.Random) -> Plan:
        return Plan(
            [
                Member(r.HEAD, m, rng.randint(52, 60)),
                Member(r.SPOUSE, f, rng.randint(50, 58)),
                Member(r.CHILD, rng.choice([m, f]), rng.randint(22, 30)),
            ],
            ["hikikomori"],
            "子が高校中退後、数年にわたり自室から出られない。両親は相談先が分からなかった。",
            "shogai",
        )

    def young_carer(rng: random.Random) -> Plan:
        return Plan(
            [
                Member(r.HEAD, f, rng.randint(38, 46)),
                Member(r.CHILD, f, rng.randint(13, 16)),
                Member(r.CHILD, m, rng.randint(6, 9)),
            ],
            ["young-carer"],
            "母が精神疾患で療養中。中学生の長女が家事と弟の世話を担い、欠席が増えている。",
        )

    def untangle(rng: random.Random) -> Plan:
        return Plan(
            [
                Member(r.HEAD, rng.choice([m, f]), rng.randint(40, 55)),
                Member(r.CHILD, rng.choice([m, f]), rng.randint(10, 17)),
            ],
            [],
            "事情が複雑で何から相談してよいか分からない（課題の解きほぐし）。家賃滞納と債務あり。",
        )

    return [
        p8050,
        double_care,
        hoarding,
        eviction,
        husband_in_care,
        hikikomori,
        young_carer,
        untangle,
    ]


def _ordinary(rng: random.Random) -> Plan:
    m, f = Sex.MALE, Sex.FEMALE
    r = Relationship
    kind = rng.random()
    if kind < 0.30:
        return Plan([Member(r.HEAD, rng.choice([m, f]), rng.randint(20, 92))])
    if kind < 0.55:
        age = rng.randint(60, 88)
        return Plan([Member(r.HEAD, m, age), Member(r.SPOUSE, f, max(20, age - rng.randint(0, 5)))])
    head_age = rng.randint(28, 50)
    members = [Member(r.HEAD, m, head_age), Member(r.SPOUSE, f, head_age - rng.randint(0, 4))]
    for _ in range(rng.randint(1, 3)):
        members.append(Member(r.CHILD, rng.choice([m, f]), rng.randint(0, max(0, head_age - 22))))
    if rng.random() < 0.05:
        members.append(Member(r.PARENT, rng.choice([m, f]), rng.randint(head_age + 22, 95)))
    return Plan(members)


def _birth_date(rng: random.Random, age: int | None) -> date | None:
    if age is None:
        return None
    start = date(REFERENCE_DATE.year - age - 1, REFERENCE_DATE.month, REFERENCE_DATE.day)
    return start + timedelta(days=rng.randint(1, 365))


def _phone(rng: random.Random, mobile: bool) -> str:
    if mobile:
        return f"090-0{rng.randint(0, 999):03d}-{rng.randint(0, 9999):04d}"
    return f"042-3{rng.randint(0, 99):02d}-{rng.randint(0, 9999):04d}"


def ensure_staff() -> dict[str, Staff]:
    """The demo accounts, one per role (idempotent)."""
    agencies = {a.code: a for a in Agency.objects.all()}
    password = make_password(DEMO_PASSWORD)
    staff = {}
    for username, name, agency_code, role, is_staff in DEMO_STAFF:
        user, _ = Staff.objects.get_or_create(
            username=username,
            defaults={
                "display_name": name,
                "agency": agencies[agency_code] if agency_code else None,
                "role": role,
                "is_staff": is_staff,
                "password": password,
            },
        )
        staff[username] = user
    return staff


def plans(count: int, seed: int) -> Iterator[tuple[Plan, random.Random]]:
    rng = random.Random(seed)
    situations = _situations()
    for index in range(count):
        if index < len(situations) * 3:
            situation = situations[index % len(situations)]
        elif rng.random() < 0.06:
            situation = rng.choice(situations)
        else:
            situation = _ordinary
        plan = situation(rng)
        plan.kind = situation.__name__.lstrip("_")
        yield plan, rng


@transaction.atomic
def load_city(households: int = 300, seed: int = 20260219) -> dict[str, int]:
    """Load the master data, demo accounts and ``households`` synthetic households."""
    load_master()
    staff = ensure_staff()
    districts = list(District.objects.order_by("order"))
    tags = {t.code: t for t in Tag.objects.all()}
    # A 地域包括支援センター registers the households of its own 圏域: the demo login's for
    # 第1圏域, the other centres' accounts (those that answer referrals) elsewhere.
    centres = responders({a.code: a for a in Agency.objects.all()}, staff)
    start = Household.objects.filter(code__startswith="D").count()
    now = timezone.now()
    totals = {"households": 0, "persons": 0}
    rows = plans(households, seed)
    chunk: list[tuple[Plan, Household, list[Person]]] = []
    kinds: list[str] = []
    for index, (plan, rng) in enumerate(rows, start=start + 1):
        kinds.append(plan.kind)
        surname = rng.choice(SURNAMES)
        district = districts[rng.randrange(len(districts))]
        building = (
            f" {rng.choice(BUILDINGS)}{rng.randint(1, 5)}0{rng.randint(1, 9)}"
            if rng.random() < 0.4
            else ""
        )
        draws = (rng.randint(800, 899), rng.randint(1, 5), rng.randint(1, 30), rng.randint(1, 20))
        postal_code, address = street(district.name, draws)
        registrar = staff[plan.registrar]
        if plan.registrar == "houkatsu":
            registrar = centres[f"houkatsu{district.area.code.removeprefix('area')}"]
        household = Household(
            code=f"D{index:07d}",
            postal_code=postal_code,
            address=f"{address}{building}",
            district=district,
            phone=_phone(rng, mobile=False) if rng.random() < 0.5 else "",
            notes=plan.notes,
            created_by=registrar,
            created_at=now,
            updated_at=now,
        )
        household.refresh_keys()
        people = []
        for member in plan.members:
            family = member.surname or surname
            given = rng.choice(MALE if member.sex == Sex.MALE else FEMALE)
            person = Person(
                family_name=family[0],
                given_name=given[0],
                family_kana=family[1],
                given_kana=given[1],
                birth_date=_birth_date(rng, member.age),
                sex=member.sex,
                phone=_phone(rng, mobile=True)
                if member.age and member.age >= 15 and rng.random() < 0.5
                else "",
                created_by=registrar,
                created_at=now,
                updated_at=now,
            )
            person.refresh_keys()
            people.append(person)
        chunk.append((plan, household, people))
        if len(chunk) >= BATCH:
            _flush(chunk, tags, totals)
            chunk = []
    if chunk:
        _flush(chunk, tags, totals)
    record(
        Action.BULK_LOAD,
        actor=None,
        username="tomoni demo",
        object_type="people.household",
        detail={"households": totals["households"], "persons": totals["persons"], "seed": seed},
    )
    totals.update(load_intake(staff, first=start + 1, kinds=kinds, seed=seed))
    if start == 0:  # cases once per demo city, not again with --add
        from .cases import load_cases

        totals.update(load_cases(staff, seed=seed))
        from .jiritsu import set_benchmarks

        totals["benchmarks"] = set_benchmarks(staff["kacho"])
        from .outreach import load_outreach

        totals.update(load_outreach(staff, seed=seed))
        from .community import load_community

        totals.update(load_community(staff, seed=seed))
        from .glance import load_glance

        totals.update(load_glance(staff))
        from .duplicates import load_duplicates

        totals.update(load_duplicates(staff))
        # The tendencies the actions stored, once more over the whole city: the rows the
        # loader wrote in bulk (households, members) never passed through an action.
        from tomoni.cases.stored_tendencies import recompute_all

        totals["tendencies"] = sum(recompute_all())
    return totals


def _flush(
    chunk: list[tuple[Plan, Household, list[Person]]],
    tags: dict[str, Tag],
    totals: dict[str, int],
) -> None:
    Household.objects.bulk_create([h for _, h, _ in chunk], batch_size=BATCH)
    Person.objects.bulk_create([p for _, _, people in chunk for p in people], batch_size=BATCH)
    memberships = []
    relations = []
    tag_links = []
    HouseholdTag = Household.tags.through
    for plan, household, people in chunk:
        head = people[0]
        spouse = next(
            (
                p
                for m, p in zip(plan.members, people, strict=True)
                if m.relationship == Relationship.SPOUSE
            ),
            None,
        )
        for member, person in zip(plan.members, people, strict=True):
            memberships.append(
                Membership(
                    person=person,
                    household=household,
                    relationship=member.relationship,
                    start_date=None,
                    end_date=REFERENCE_DATE - timedelta(days=90) if member.ended else None,
                    end_reason=member.ended,
                )
            )
            if person is head:
                continue
            if member.relationship == Relationship.SPOUSE:
                relations.append(
                    Relation(
                        from_person=head,
                        to_person=person,
                        kind=Relation.Kind.SPOUSE,
                        union=Relation.Union.MARRIED,
                    )
                )
            elif member.relationship == Relationship.CHILD:
                relations.append(
                    Relation(from_person=head, to_person=person, kind=Relation.Kind.PARENT_CHILD)
                )
                # The head's spouse is the other parent: the ジェノグラム hangs the child from
                # the couple, and the child is 長男 or 長女 to either of them.
                if spouse is not None:
                    relations.append(
                        Relation(
                            from_person=spouse, to_person=person, kind=Relation.Kind.PARENT_CHILD
                        )
                    )
            elif member.relationship == Relationship.PARENT:
                relations.append(
                    Relation(from_person=person, to_person=head, kind=Relation.Kind.PARENT_CHILD)
                )
            elif member.relationship == Relationship.PARENT_IN_LAW and spouse is not None:
                relations.append(
                    Relation(from_person=person, to_person=spouse, kind=Relation.Kind.PARENT_CHILD)
                )
        for code in plan.tags:
            tag_links.append(HouseholdTag(household_id=household.pk, tag_id=tags[code].pk))
    Membership.objects.bulk_create(memberships, batch_size=BATCH)
    Relation.objects.bulk_create(relations, batch_size=BATCH)
    HouseholdTag.objects.bulk_create(tag_links, batch_size=BATCH)
    totals["households"] += len(chunk)
    totals["persons"] += sum(len(people) for _, _, people in chunk)
