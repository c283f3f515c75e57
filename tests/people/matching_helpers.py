"""Small factories for the 名寄せ tests: a pair in the review queue, and a person known to
every kind of record that can point at a person."""

from __future__ import annotations

from typing import Any

from django.apps import apps

from tomoni.attachments.actions import attach
from tomoni.cases import actions as case_actions
from tomoni.directory.models import Concern, Staff
from tomoni.ecomap.actions import add_tie
from tomoni.intake import actions as intake_actions
from tomoni.intake.models import ConsentVersion, Method
from tomoni.outreach import actions as outreach_actions
from tomoni.outreach.models import Reason
from tomoni.participation import actions as participation_actions
from tomoni.people import actions
from tomoni.people.models import Household, MatchReview, Membership, Person, Relation, Relationship

# The smallest file the attachment checks take for a PDF.
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def person(actor: Staff, household: Household | None = None, **fields: Any) -> Person:
    data = {
        "family_name": "見本",
        "given_name": "太郎",
        "family_kana": "みほん",
        "given_kana": "たろう",
        "birth_date": None,
        "sex": "male",
    }
    data.update(fields)
    return actions.register_person(
        actor, data, household=household, relationship=Relationship.HEAD if household else ""
    )


def queue(a: Person, b: Person, probability: float = 0.98) -> MatchReview:
    """A 確認待ち pair, as `tomoni dedupe --db` leaves it."""
    first, second = sorted((a, b), key=lambda p: p.pk)
    return MatchReview.objects.create(
        person_a=first,
        person_b=second,
        probability=probability,
        reasons={"氏名": "一致", "生年月日": "一致", "住所": "不一致"},
    )


def known_everywhere(coordinator: Staff, outreach: Staff, survivor: Person) -> Person:
    """A second record of ``survivor``'s person, with a consultation, a case (with a concern),
    an outreach engagement, a participation plan, a consent, relations and two households —
    one of them the survivor's own, so the memberships collide."""
    home = actions.register_household(coordinator, address="稲城市百村1-2-3")
    dup = person(coordinator, home, given_name="太朗", birth_date=survivor.birth_date)
    sister = person(coordinator, home, given_name="花子", sex="female")
    shared = survivor.memberships.get().household
    actions.add_membership(coordinator, dup, shared, Relationship.CHILD)
    actions.add_relation(coordinator, dup, sister, Relation.Kind.SIBLING)
    actions.add_relation(coordinator, survivor, dup, Relation.Kind.OTHER, "重複登録")
    actions.record_consent(
        coordinator,
        dup,
        scope="share",
        status="given",
        on=survivor.created_at.date(),
        method="oral",
    )
    intake_actions.take_consultation(
        coordinator,
        method=Method.PHONE,
        summary="家賃の支払いが難しい",
        consent=ConsentVersion.GIVEN,
        person=dup,
    )
    case = case_actions.open_case(coordinator, household=home, title="世帯の支援", person=dup)
    case_actions.set_concern(
        coordinator, case, person=dup, concern=Concern.objects.order_by("pk")[0]
    )
    outreach_actions.open_engagement(
        coordinator, household=home, person=dup, reason=Reason.HIKIKOMORI, workers=[outreach]
    )
    participation_actions.create_plan(coordinator, dup, {"goal": "外に出る"})
    attach(coordinator, dup, PDF, name="同意書.pdf", kind="consent_form")
    add_tie(
        coordinator,
        home,
        {"kind": "informal", "informal_kind": "neighbour", "name": "隣の試験さん", "person": dup},
    )
    return dup


def snapshot() -> dict[str, set[tuple[Any, ...]]]:
    """Every row that points at a person, with the fields a merge may change."""
    shot: dict[str, set[tuple[Any, ...]]] = {}
    for model, attname in actions.person_references():
        extra = ("end_date", "end_reason") if model is Membership else ()
        rows = model._default_manager.values_list("pk", attname, *extra)
        shot[f"{model._meta.label_lower}.{attname}"] = set(rows)
    shot["persons"] = set(Person.objects.values_list("pk", "merged_into_id"))
    return shot


def referencing(person: Person) -> dict[str, int]:
    """How many rows of each kind point at ``person``."""
    counts = {}
    for model, attname in actions.person_references():
        n = model._default_manager.filter(**{attname: person.pk}).count()
        if n:
            counts[f"{model._meta.label_lower}.{attname}"] = n
    return counts


def model(label: str) -> Any:
    return apps.get_model(label)
