"""Every write to households and people: check the policy, write, audit — in one transaction."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from tomoni import access
from tomoni.audit.log import Action, record
from tomoni.cases.models import Case
from tomoni.cases.stored_tendencies import recompute_tendencies
from tomoni.directory.models import District, Staff, Tag
from tomoni.lib import dateranges

from .models import (
    Consent,
    Household,
    MatchReview,
    Membership,
    Merge,
    Person,
    Relation,
    Relationship,
)
from .signals import consent_changed

HOUSEHOLD_FIELDS = ("postal_code", "address", "district", "phone", "notes")
PERSON_FIELDS = (
    "family_name",
    "given_name",
    "family_kana",
    "given_kana",
    "birth_date",
    "sex",
    "phone",
    "notes",
    "deceased",
    "deceased_on",
)


def _assign(obj: Any, fields: Iterable[str], data: dict[str, Any]) -> list[str]:
    changed = []
    for name in fields:
        if name in data and getattr(obj, name) != data[name]:
            setattr(obj, name, data[name])
            changed.append(name)
    return changed


@transaction.atomic
def register_household(
    actor: Staff,
    *,
    address: str = "",
    district: District | None = None,
    postal_code: str = "",
    phone: str = "",
    notes: str = "",
    tags: Iterable[Tag] = (),
    request: HttpRequest | None = None,
) -> Household:
    access.require_create(actor, Household)
    household = Household(
        # A placeholder until the primary key exists; the 世帯番号 is derived from it.
        code=uuid.uuid4().hex[:20],
        address=address,
        district=district,
        postal_code=postal_code,
        phone=phone,
        notes=notes,
        created_by=actor,
    )
    household.save()
    household.code = f"H{household.pk:07d}"
    household.save(update_fields=["code", "phone_key"])
    household.tags.set(list(tags))
    record(Action.CREATE, actor=actor, request=request, obj=household)
    return household


@transaction.atomic
def update_household(
    actor: Staff,
    household: Household,
    data: dict[str, Any],
    *,
    tags: Iterable[Tag] | None = None,
    request: HttpRequest | None = None,
) -> list[str]:
    access.require(actor, access.CHANGE, household)
    changed = _assign(household, HOUSEHOLD_FIELDS, data)
    if tags is not None:
        new = {t.pk for t in tags}
        if new != set(household.tags.values_list("pk", flat=True)):
            household.tags.set(list(new))
            changed.append("tags")
    if changed:
        household.updated_at = timezone.now()
        household.save()
        record(
            Action.CHANGE, actor=actor, request=request, obj=household, detail={"fields": changed}
        )
    return changed


@transaction.atomic
def register_person(
    actor: Staff,
    data: dict[str, Any],
    *,
    household: Household | None = None,
    relationship: str = Relationship.UNKNOWN,
    start_date: date | None = None,
    request: HttpRequest | None = None,
) -> Person:
    """Register a person, and if a household is given, make them a member of it."""
    access.require_create(actor, Person)
    if household is not None:
        access.require(actor, access.CHANGE, household)
    _check_person_dates(data)
    person = Person(created_by=actor)
    _assign(person, PERSON_FIELDS, data)
    person.save()
    record(Action.CREATE, actor=actor, request=request, obj=person)
    if household is not None:
        _add_membership(actor, person, household, relationship, start_date, request)
    return person


@transaction.atomic
def update_person(
    actor: Staff, person: Person, data: dict[str, Any], *, request: HttpRequest | None = None
) -> list[str]:
    access.require(actor, access.CHANGE, person)
    _check_person_dates(data)
    changed = _assign(person, PERSON_FIELDS, data)
    if changed:
        person.updated_at = timezone.now()
        person.save()
        record(Action.CHANGE, actor=actor, request=request, obj=person, detail={"fields": changed})
        if "birth_date" in changed:
            _recompute_tendencies_of(person.pk)
    return changed


def _recompute_tendencies_of(*person_ids: int) -> None:
    """The tendencies ②③ read who the household's members are and their birth dates: the
    cases of every household these persons belong (or belonged) to, or are the main person of."""
    recompute_tendencies(
        Case.objects.filter(
            Q(person__in=person_ids) | Q(household__memberships__person__in=person_ids)
        ).distinct()
    )


def _check_person_dates(data: dict[str, Any]) -> None:
    dateranges.check(data.get("birth_date"), dateranges.BIRTH, "生年月日")
    dateranges.check(data.get("deceased_on"), dateranges.LIFE, "死亡日")


def _add_membership(
    actor: Staff,
    person: Person,
    household: Household,
    relationship: str,
    start_date: date | None,
    request: HttpRequest | None,
) -> Membership:
    dateranges.check(start_date, dateranges.LIFE, "世帯に加わった日")
    if Membership.current.filter(person=person, household=household).exists():
        raise ValidationError("この方はすでにこの世帯の世帯員です。")
    membership = Membership.objects.create(
        person=person, household=household, relationship=relationship, start_date=start_date
    )
    record(
        Action.CREATE,
        actor=actor,
        request=request,
        obj=membership,
        detail={"household": household.pk, "person": person.pk},
    )
    recompute_tendencies(Case.objects.filter(household=household))
    return membership


@transaction.atomic
def add_membership(
    actor: Staff,
    person: Person,
    household: Household,
    relationship: str,
    start_date: date | None = None,
    *,
    request: HttpRequest | None = None,
) -> Membership:
    access.require(actor, access.CHANGE, household)
    access.require(actor, access.CHANGE, person)
    return _add_membership(actor, person, household, relationship, start_date, request)


@transaction.atomic
def end_membership(
    actor: Staff,
    membership: Membership,
    end_date: date,
    reason: str,
    *,
    request: HttpRequest | None = None,
) -> Membership:
    """A member leaves (moves out, enters a facility, dies): the history stays. A write on a
    member: CHANGE on the household and on the person."""
    access.require(actor, access.CHANGE, membership.household)
    access.require(actor, access.CHANGE, membership.person)
    if membership.end_date is not None:
        raise ValidationError("この世帯員の記録はすでに終了しています。")
    dateranges.check(end_date, dateranges.LIFE, "終了日")
    if membership.start_date and end_date < membership.start_date:
        raise ValidationError("終了日は開始日より後にしてください。")
    membership.end_date = end_date
    membership.end_reason = reason
    membership.save(update_fields=["end_date", "end_reason"])
    record(
        Action.CHANGE,
        actor=actor,
        request=request,
        obj=membership,
        detail={"fields": ["end_date", "end_reason"]},
    )
    recompute_tendencies(Case.objects.filter(household_id=membership.household_id))
    return membership


SYMMETRIC = frozenset(
    {
        Relation.Kind.SPOUSE,
        Relation.Kind.SIBLING,
        Relation.Kind.FAMILY_APART,
        Relation.Kind.RELATIVE,
    }
)
# Kinds whose left side is an ancestor of the right side.
DESCENT = (Relation.Kind.PARENT_CHILD, Relation.Kind.GRANDPARENT)


def _ancestry_edges() -> models.QuerySet[Relation]:
    return Relation.objects.filter(kind__in=DESCENT).exclude(
        end_reason__in=[Relation.EndReason.DISSOLVED, Relation.EndReason.MISTAKE]
    )


def is_ancestor(ancestor_id: int, person_id: int) -> bool:
    """Whether ``ancestor_id`` is a parent, grandparent … of ``person_id`` through the
    recorded relations (one query per generation walked)."""
    seen: set[int] = set()
    frontier = {person_id}
    while frontier:
        parents = set(
            _ancestry_edges().filter(to_person__in=frontier).values_list("from_person", flat=True)
        )
        if ancestor_id in parents:
            return True
        seen |= frontier
        frontier = parents - seen
    return False


def _check_relation(from_person: Person, to_person: Person, kind: str, union: str) -> None:
    if kind not in Relation.Kind.values:
        raise ValidationError("関係の種類を選んでください。")
    if from_person.pk == to_person.pk:
        raise ValidationError("同じ人どうしの関係は登録できません。")
    if kind == Relation.Kind.SPOUSE and union not in Relation.Union.values:
        raise ValidationError("配偶者の場合は、婚姻・内縁・離別・死別のどれかを選んでください。")
    if kind != Relation.Kind.SPOUSE and union:
        raise ValidationError("婚姻の状況は配偶者の関係にだけ登録できます。")
    if kind in DESCENT and is_ancestor(to_person.pk, from_person.pk):
        raise ValidationError(
            f"この関係を登録すると、{from_person.full_name}さんが自分自身の祖先になってしまいます。"
            "親子・祖父母と孫の向き（どちらが親か）を確認してください。"
        )
    pairs = models.Q(from_person=from_person, to_person=to_person)
    if kind in SYMMETRIC:
        pairs |= models.Q(from_person=to_person, to_person=from_person)
    existing = Relation.objects.filter(pairs, kind=kind).exclude(
        end_reason__in=[Relation.EndReason.DISSOLVED, Relation.EndReason.MISTAKE]
    )
    if existing.exists():
        raise ValidationError("この2人のこの関係は、すでに登録されています。")


@transaction.atomic
def add_relation(
    actor: Staff,
    from_person: Person,
    to_person: Person,
    kind: str,
    note: str = "",
    *,
    union: str = "",
    start_date: date | None = None,
    request: HttpRequest | None = None,
) -> Relation:
    """A family tie between two people the actor may change. A spouse needs its union
    (婚姻/内縁/離別/死別); a parent or grandparent tie that would make someone their own
    ancestor is refused."""
    access.require(actor, access.CHANGE, from_person)
    access.require(actor, access.CHANGE, to_person)
    if kind == Relation.Kind.SPOUSE and not union:
        union = Relation.Union.MARRIED
    _check_relation(from_person, to_person, kind, union)
    relation = Relation(
        from_person=from_person,
        to_person=to_person,
        kind=kind,
        union=union,
        start_date=start_date,
        note=note,
        created_by=actor,
    )
    relation.full_clean(exclude=["from_person", "to_person", "created_by"])
    relation.save()
    record(
        Action.CREATE,
        actor=actor,
        request=request,
        obj=relation,
        detail={"from": from_person.pk, "to": to_person.pk, "kind": kind},
    )
    return relation


@transaction.atomic
def register_relative(
    actor: Staff,
    subject: Person,
    data: dict[str, Any],
    *,
    role: str,
    union: str = "",
    start_date: date | None = None,
    note: str = "",
    request: HttpRequest | None = None,
) -> Relation:
    """A relative who is not yet in the register (a late grandfather, a son living in
    another city): the person and the tie in one step, or neither."""
    person = register_person(actor, data, request=request)
    first, second, kind = relation_for_role(subject, person, role)
    return add_relation(
        actor, first, second, kind, note, union=union, start_date=start_date, request=request
    )


# The relation as the worker says it ("this person's 父・母") → (left, right, kind).
ROLE_CHOICES = (
    ("parent", "親（父・母）"),
    ("child", "子"),
    ("spouse", "配偶者"),
    ("sibling", "きょうだい"),
    ("grandparent", "祖父母"),
    ("grandchild", "孫"),
    ("family_apart", "別居の家族"),
    ("relative", "その他の親族"),
)


def relation_for_role(subject: Person, other: Person, role: str) -> tuple[Person, Person, str]:
    """``other`` is ``subject``'s <role>: the stored (from, to, kind)."""
    k = Relation.Kind
    table = {
        "parent": (other, subject, k.PARENT_CHILD),
        "child": (subject, other, k.PARENT_CHILD),
        "spouse": (subject, other, k.SPOUSE),
        "sibling": (subject, other, k.SIBLING),
        "grandparent": (other, subject, k.GRANDPARENT),
        "grandchild": (subject, other, k.GRANDPARENT),
        "family_apart": (subject, other, k.FAMILY_APART),
        "relative": (subject, other, k.RELATIVE),
    }
    if role not in table:
        raise ValidationError("関係の種類を選んでください。")
    return table[role]


@transaction.atomic
def end_relation(
    actor: Staff,
    relation: Relation,
    *,
    reason: str,
    on: date | None = None,
    request: HttpRequest | None = None,
) -> Relation:
    """A relation ends and stays as history: a marriage by 離別 or 死別 (still drawn, as a
    divorce or a widowhood), any relation by 解消, or a mistaken entry (no longer drawn)."""
    relation = Relation.objects.select_for_update().get(pk=relation.pk)
    access.require(actor, access.CHANGE, relation.from_person)
    access.require(actor, access.CHANGE, relation.to_person)
    if relation.end_reason:
        raise ValidationError("この関係はすでに終了しています。")
    if reason not in Relation.EndReason.values:
        raise ValidationError("終了の理由を選んでください。")
    marital = (Relation.EndReason.DIVORCED, Relation.EndReason.BEREAVED)
    if reason in marital and relation.kind != Relation.Kind.SPOUSE:
        raise ValidationError("離別・死別は配偶者の関係にだけ選べます。")
    if on is not None and relation.start_date and on < relation.start_date:
        raise ValidationError("終了日は開始日より後にしてください。")
    relation.end_reason = reason
    relation.end_date = on
    fields = ["end_reason", "end_date"]
    if reason in marital:
        relation.union = reason
        fields.append("union")
    relation.save(update_fields=fields)
    record(Action.CHANGE, actor=actor, request=request, obj=relation, detail={"fields": fields})
    return relation


def _check_consent(scope: str, on: date, method: str, note: str) -> None:
    if scope not in Consent.Scope.values:
        raise ValidationError("同意の範囲（目的）を選んでください。")
    if method not in Consent.Method.values or method == Consent.Method.UNRECORDED:
        raise ValidationError("同意の方法（書面・口頭・代理人）を選んでください。")
    if on > timezone.localdate():
        raise ValidationError("同意日・撤回日に未来の日付は指定できません。")
    if len(note) > 300:
        raise ValidationError("備考は300文字以内で入力してください。")


@transaction.atomic
def record_consent(
    actor: Staff,
    person: Person,
    *,
    scope: str,
    status: str,
    on: date,
    method: str,
    note: str = "",
    context: str = "",
    request: HttpRequest | None = None,
) -> Consent:
    """One person's answer for one purpose (given, refused, or asked and not yet answered).
    ``context`` says where it was recorded (「相談 S0000012」, 「ケース K000008」)."""
    access.require(actor, access.CHANGE, person)
    if status == Consent.Status.WITHDRAWN:
        raise ValidationError("撤回は、撤回する同意を選んで登録してください。")
    if status not in Consent.Status.values:
        raise ValidationError("同意の状態を選んでください。")
    note = note.strip()
    _check_consent(scope, on, method, note)
    consent = Consent.objects.create(
        person=person,
        scope=scope,
        status=status,
        on=on,
        method=method,
        note=note,
        context=context[:40],
        recorded_by=actor,
    )
    record(Action.CREATE, actor=actor, request=request, obj=consent)
    consent_changed.send(sender=Consent, person_id=person.pk)
    return consent


@transaction.atomic
def withdraw_consent(
    actor: Staff,
    consent: Consent,
    *,
    on: date,
    method: str,
    note: str = "",
    context: str = "",
    request: HttpRequest | None = None,
) -> Consent:
    """Withdrawal is a new record pointing at the consent it withdraws. Whatever access rested
    on the consent ends in this transaction (``consent_changed``)."""
    access.require(actor, access.CHANGE, consent.person)
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if consent.status != Consent.Status.GIVEN:
        raise ValidationError("撤回できるのは「同意あり」の記録だけです。")
    if Consent.objects.filter(withdraws=consent).exists():
        raise ValidationError("この同意はすでに撤回されています。")
    if on < consent.on:
        raise ValidationError("撤回日は同意日より後にしてください。")
    note = note.strip()
    _check_consent(consent.scope, on, method, note)
    withdrawal = Consent.objects.create(
        person=consent.person,
        scope=consent.scope,
        status=Consent.Status.WITHDRAWN,
        on=on,
        method=method,
        note=note,
        context=context[:40],
        withdraws=consent,
        recorded_by=actor,
    )
    record(Action.CREATE, actor=actor, request=request, obj=withdrawal)
    consent_changed.send(sender=Consent, person_id=consent.person_id)
    return withdrawal


def current_consent(person: Person, scope: str) -> Consent | None:
    """The latest statement for a scope: given, refused or withdrawn (None: never asked)."""
    return (
        Consent.objects.filter(person=person, scope=scope).order_by("-recorded_at", "-pk").first()
    )


# --- 名寄せ: review, merge, unmerge ----------------------------------------------------------
#
# A false merge in welfare data is worse than a missed one, so nothing merges by itself: the
# engine only fills the review queue (tomoni.people.matching.review), and a person confirms a
# pair, which merges it. Every merge records each row it re-pointed, so unmerge puts exactly
# those rows back, and both are audited.

# References that are the history of 名寄せ itself, not the person's record: never moved.
_NOT_MOVED = frozenset({"people.matchreview", "people.merge"})


def person_references() -> list[tuple[type[models.Model], str]]:
    """Every (model, foreign-key attname) pointing at a Person, found through Django's
    related objects, so references that later apps add are moved too."""
    found = []
    for rel in Person._meta.related_objects:
        model = rel.related_model
        assert isinstance(model, type) and issubclass(model, models.Model)
        if model._meta.label_lower in _NOT_MOVED or rel.many_to_many or rel.one_to_one:
            continue
        field = rel.field
        found.append((model, field.attname))
    return found


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _lock_review(review: MatchReview) -> MatchReview:
    locked = MatchReview.objects.select_for_update().get(pk=review.pk)
    if locked.status != MatchReview.Status.PENDING:
        raise ValidationError(
            "この候補は、すでに他の職員が判断しました。一覧を開き直してください。"
        )
    return locked


@transaction.atomic
def reject_match(
    actor: Staff, review: MatchReview, *, request: HttpRequest | None = None
) -> MatchReview:
    """「別人」: the pair leaves the queue for good (the engine will not add it again)."""
    access.require(actor, access.CHANGE, review)
    review = _lock_review(review)
    review.status = MatchReview.Status.REJECTED
    review.decided_by = actor
    review.decided_at = timezone.now()
    review.save(update_fields=["status", "decided_by", "decided_at"])
    record(Action.CHANGE, actor=actor, request=request, obj=review, detail={"status": "rejected"})
    return review


@transaction.atomic
def confirm_match(
    actor: Staff, review: MatchReview, survivor: Person, *, request: HttpRequest | None = None
) -> Merge:
    """「同一人物」: a person confirms the pair, and the other record merges into ``survivor``."""
    access.require(actor, access.CHANGE, review)
    review = _lock_review(review)
    if survivor.pk not in (review.person_a_id, review.person_b_id):
        raise ValidationError("残す記録は、この候補の2人のどちらかを選んでください。")
    merged_id = review.person_b_id if survivor.pk == review.person_a_id else review.person_a_id
    review.status = MatchReview.Status.CONFIRMED
    review.decided_by = actor
    review.decided_at = timezone.now()
    review.save(update_fields=["status", "decided_by", "decided_at"])
    record(
        Action.CHANGE,
        actor=actor,
        request=request,
        obj=review,
        detail={"status": "confirmed", "survivor": survivor.pk, "merged": merged_id},
    )
    return _merge(actor, survivor.pk, merged_id, review, request)


def _merge(
    actor: Staff,
    survivor_id: int,
    merged_id: int,
    review: MatchReview,
    request: HttpRequest | None,
) -> Merge:
    persons = {
        p.pk: p for p in Person.objects.select_for_update().filter(pk__in=[survivor_id, merged_id])
    }
    survivor, merged = persons[survivor_id], persons[merged_id]
    # The actor must be allowed to change both records, not only to see the pair.
    access.require(actor, access.CHANGE, survivor)
    access.require(actor, access.CHANGE, merged)
    if survivor.merged_into_id or merged.merged_into_id:
        raise ValidationError("どちらかの記録は、すでに別の記録に統合されています。")
    today = timezone.localdate()
    moves: list[dict[str, Any]] = []
    for model, attname in person_references():
        manager = model._default_manager
        for row in manager.filter(**{attname: merged.pk}).order_by("pk"):
            before: dict[str, Any] = {attname: merged.pk}
            setattr(row, attname, survivor.pk)
            try:
                row.validate_constraints()
            except ValidationError:
                if not isinstance(row, Membership):
                    # e.g. a relation between the two records themselves, or a concern the
                    # survivor already has on the same case: it stays, recorded, on the
                    # merged record (its history is kept, nothing is deleted).
                    moves.append({"model": model._meta.label_lower, "pk": row.pk, "kept": True})
                    continue
                # Both records were current members of one household: the survivor's
                # membership stands; the merged one's is moved and ended today.
                before.update(end_date=_json_value(row.end_date), end_reason=row.end_reason)
                row.end_date = max(today, row.start_date or today)
                row.end_reason = Membership.EndReason.OTHER
                row.validate_constraints()
            after = {name: _json_value(getattr(row, name)) for name in before}
            manager.filter(pk=row.pk).update(**after)
            moves.append(
                {"model": model._meta.label_lower, "pk": row.pk, "before": before, "after": after}
            )
    merged.merged_into = survivor
    merged.updated_at = timezone.now()
    merged.save(update_fields=["merged_into", "updated_at"])
    merge = Merge.objects.create(
        survivor=survivor, merged=merged, review=review, moves=moves, merged_by=actor
    )
    moved = sum(1 for m in moves if not m.get("kept"))
    # The merged record's consents (and cases) are the survivor's now.
    consent_changed.send(sender=Consent, person_id=survivor.pk)
    _recompute_tendencies_of(survivor.pk, merged.pk)
    record(
        Action.CREATE,
        actor=actor,
        request=request,
        obj=merge,
        detail={
            "survivor": survivor.pk,
            "merged": merged.pk,
            "moved": moved,
            "kept": len(moves) - moved,
        },
    )
    record(
        Action.CHANGE,
        actor=actor,
        request=request,
        obj=merged,
        detail={"fields": ["merged_into"], "merged_into": survivor.pk},
    )
    return merge


@transaction.atomic
def unmerge(actor: Staff, merge: Merge, *, request: HttpRequest | None = None) -> Merge:
    """「元に戻す」: every row the merge moved goes back exactly; the pair returns to the
    queue as 確認待ち, so a person decides again (別人, or the other record kept)."""
    access.require(actor, access.CHANGE, merge)
    merge = Merge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at is not None:
        raise ValidationError("この統合は、すでに取り消されています。")
    persons = {
        p.pk: p
        for p in Person.objects.select_for_update().filter(
            pk__in=[merge.survivor_id, merge.merged_id]
        )
    }
    survivor, merged = persons[merge.survivor_id], persons[merge.merged_id]
    access.require(actor, access.CHANGE, survivor)
    if survivor.merged_into_id:
        raise ValidationError(
            "残した記録が、その後さらに別の記録に統合されています。先にそちらを元に戻してください。"
        )
    restored = 0
    for move in reversed(merge.moves):
        if move.get("kept"):
            continue
        model = apps.get_model(move["model"])
        rows = model._default_manager.filter(pk=move["pk"])
        current = rows.values(*move["after"]).first()
        if current is None or {k: _json_value(v) for k, v in current.items()} != move["after"]:
            raise ValidationError(
                "統合の後に動かされた記録があるため、元に戻せません。"
                "後から行った統合があれば、先にそちらを元に戻してください。"
            )
        rows.update(**move["before"])
        restored += 1
    merged.merged_into = None
    merged.updated_at = timezone.now()
    merged.save(update_fields=["merged_into", "updated_at"])
    for person_id in (survivor.pk, merged.pk):
        consent_changed.send(sender=Consent, person_id=person_id)
    _recompute_tendencies_of(survivor.pk, merged.pk)
    merge.undone_by = actor
    merge.undone_at = timezone.now()
    merge.save(update_fields=["undone_by", "undone_at"])
    if merge.review_id is not None:
        MatchReview.objects.filter(pk=merge.review_id).update(
            status=MatchReview.Status.PENDING, decided_by=None, decided_at=None
        )
    record(
        Action.CHANGE,
        actor=actor,
        request=request,
        obj=merge,
        detail={"undone": True, "restored": restored},
    )
    record(
        Action.CHANGE,
        actor=actor,
        request=request,
        obj=merged,
        detail={"fields": ["merged_into"], "merged_into": None},
    )
    return merge
