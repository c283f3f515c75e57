"""名寄せ screens: the review queue, the side-by-side pair, the merge history with 元に戻す.

Coordinators see every pair; the 総合窓口 window the pairs of persons in its own scope
(tomoni.access.policy). Everyone else gets 404, as for a record that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from tomoni import access
from tomoni.web.viewutils import audit_list, post_action, staff_of

from . import actions
from .models import MatchReview, Membership, Merge, Person

# The fields the scorer explains, in the order the comparison shows them.
FIELDS = ("氏名", "ふりがな", "生年月日", "性別", "住所", "電話")


def _require_scope(request: HttpRequest, model: type[MatchReview] | type[Merge]) -> None:
    if not access.has_scope(request.user, model):
        raise access.NotVisible()


@require_GET
def match_queue(request: HttpRequest) -> HttpResponse:
    _require_scope(request, MatchReview)
    reviews = (
        access.visible(request.user, MatchReview)
        .filter(
            status=MatchReview.Status.PENDING,
            person_a__merged_into__isnull=True,
            person_b__merged_into__isnull=True,
        )
        .select_related("person_a", "person_b")
        .order_by("-probability", "pk")
    )
    page = Paginator(reviews, settings.TOMONI_SEARCH_PAGE_SIZE).get_page(request.GET.get("page"))
    ids = [p for r in page.object_list for p in (r.person_a_id, r.person_b_id)]
    audit_list(request, "people.person", ids)
    return render(request, "people/match_queue.html", {"page_obj": page})


@dataclass(frozen=True)
class Side:
    person: Person
    addresses: list[str]
    history: list[tuple[str, int]]


def _side(request: HttpRequest, person: Person) -> Side:
    """What a worker needs to judge one record: where they live and what hangs on them."""
    current = access.visible(request.user, Membership).filter(person=person, end_date__isnull=True)
    addresses = [
        m.household.address or m.household.code
        for m in current.select_related("household").order_by("-pk")
    ]
    history = []
    for model, attname in actions.person_references():
        # Counted through the policy: a window sees how much of it is its own to see.
        count = access.visible(request.user, model).filter(**{attname: person.pk}).count()
        if count:
            label = "統合した記録" if model is Person else str(model._meta.verbose_name_plural)
            history.append((label, count))
    return Side(person, addresses, history)


@require_GET
def match_review(request: HttpRequest, pk: int) -> HttpResponse:
    review = access.read(request, MatchReview, pk)
    a, b = review.person_a, review.person_b
    audit_list(request, "people.person", [a.pk, b.pk])
    reasons: dict[str, Any] = review.reasons or {}
    rows = [(name, reasons.get(name, "")) for name in FIELDS]
    rows += [(k, v) for k, v in reasons.items() if k not in FIELDS]
    context = {
        "review": review,
        "sides": [_side(request, a), _side(request, b)],
        "reasons": rows,
        "can_decide": review.status == MatchReview.Status.PENDING
        and not (a.merged_into_id or b.merged_into_id)
        and access.can(request.user, access.CHANGE, review),
    }
    return render(request, "people/match_review.html", context)


@require_POST
def match_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    review = access.get_for_user(request.user, MatchReview, pk, access.CHANGE)
    survivor_id = request.POST.get("survivor", "")
    survivor = {str(review.person_a_id): review.person_a, str(review.person_b_id): review.person_b}
    if survivor_id not in survivor:
        messages.error(request, "残す記録を選んでください。")
        return redirect(review)
    try:
        merge = actions.confirm_match(
            staff_of(request), review, survivor[survivor_id], request=request
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(review)
    messages.success(
        request,
        f"同一人物として {merge.survivor.full_name} さんの記録に統合しました。"
        "誤りに気づいたときは「統合の履歴」から元に戻せます。",
    )
    return redirect("people:match_queue")


@require_POST
def match_reject(request: HttpRequest, pk: int) -> HttpResponse:
    review = access.get_for_user(request.user, MatchReview, pk, access.CHANGE)
    try:
        actions.reject_match(staff_of(request), review, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(review)
    messages.success(request, "別人として記録しました。この組は今後候補に出ません。")
    return redirect("people:match_queue")


@require_GET
def merge_history(request: HttpRequest) -> HttpResponse:
    _require_scope(request, Merge)
    merges = access.visible(request.user, Merge).select_related(
        "survivor", "merged", "merged_by", "undone_by"
    )
    page = Paginator(merges, settings.TOMONI_SEARCH_PAGE_SIZE).get_page(request.GET.get("page"))
    ids = [p for m in page.object_list for p in (m.survivor_id, m.merged_id)]
    audit_list(request, "people.person", ids)
    return render(request, "people/merge_history.html", {"page_obj": page})


@require_POST
def merge_undo(request: HttpRequest, pk: int) -> HttpResponse:
    merge = access.get_for_user(request.user, Merge, pk, access.CHANGE)
    return post_action(
        request,
        lambda: actions.unmerge(staff_of(request), merge, request=request),
        done="統合を元に戻しました。この組は確認待ちに戻りました。",
        to="people:merge_history",
    )
