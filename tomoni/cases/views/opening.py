"""ケースを開く: from a consultation (多機関協働へ) or a household (支援機関向けの相談)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

from tomoni import access
from tomoni.directory.models import Agency, Role, Staff
from tomoni.intake.models import Consultation, Referral
from tomoni.people.models import Consent, Household
from tomoni.web.viewutils import form_page, staff_of

from .. import actions
from .. import consent as case_consent
from ..forms import CaseOpenForm
from ..models import Case, ConsentState, TeamMember
from .base import GET_POST

# The case's consent in the words of the 「ケースを開く」 screens.
CONSENT_WORD = {
    ConsentState.GIVEN: "あり",
    ConsentState.NONE: "なし",
    ConsentState.PENDING: "確認中",
}


@require_http_methods(GET_POST)
def new(request: HttpRequest) -> HttpResponse:
    """ケースを開く: from a consultation (多機関協働へ) or a household (支援機関向けの相談)."""
    user = staff_of(request)
    access.require_create(user, Case)
    consultation: Consultation | None = None
    if "consultation" in request.GET:
        consultation = access.read(
            request, Consultation, request.GET["consultation"], access.CHANGE
        )
        household = consultation.household
        if household is None:
            messages.error(request, "相談に世帯が登録されていません。先に世帯を登録してください。")
            return redirect(consultation)
    elif "household" in request.GET:
        household = access.read(request, Household, request.GET["household"])
    else:
        raise Http404("相談か世帯を選んでからケースを開いてください。")
    return _open(request, household, consultation)


def _open(
    request: HttpRequest, household: Household, consultation: Consultation | None
) -> HttpResponse:
    user = staff_of(request)
    members = access.members(user, household, check=False)
    form = CaseOpenForm(request.POST or None, members=members, initial=_initial(consultation))
    takes_over = _takes_over(user, consultation, members) if consultation else None

    def run() -> tuple[Case, bool]:
        case = actions.open_case(
            user,
            household=household,
            consultation=consultation,
            **form.cleaned_data,
            request=request,
        )
        return case, access.can(user, access.VIEW, case)

    return form_page(
        request,
        form,
        run,
        template="cases/case_form.html",
        context={"household": household, "consultation": consultation, "takes_over": takes_over},
        done=lambda opened: _opened(user, opened[0], seen=opened[1], takes_over=takes_over),
        # To the new case, or back where the request was made.
        to=lambda opened: opened[0] if opened[1] else consultation or household,
    )


@dataclass(frozen=True)
class TakesOver:
    """What a case opened from this consultation takes over (open_case does it): the main
    person's consent to sharing, and the agencies that accepted a referral, as 関係機関."""

    person_name: str
    consent: Consent | None  # the current statement, if any (None: never asked)
    consent_word: str  # あり / なし / 確認中
    agencies: list[tuple[Agency, Referral]]


def _takes_over(user: Staff, consultation: Consultation, members: list[access.Member]) -> TakesOver:
    person_id = consultation.person_id
    statement = None
    if person_id is not None:
        rows = access.visible(user, Consent).filter(person_id=person_id, scope=case_consent.SHARE)
        statement = case_consent.latest(rows).get((person_id, case_consent.SHARE))
    state = case_consent.state_of_statement(statement)
    accepted = (
        access.visible(user, Referral)
        .filter(
            consultation=consultation,
            state__in=[Referral.State.ACCEPTED, Referral.State.COMPLETED],
        )
        .select_related("to_agency")
        .order_by("responded_at", "pk")
    )
    if user.role != Role.COORDINATOR:  # the requester's agency joins as the requester
        accepted = accepted.exclude(to_agency_id=user.agency_id)
    agencies: dict[int, tuple[Agency, Referral]] = {}
    for referral in accepted:
        agencies.setdefault(referral.to_agency_id, (referral.to_agency, referral))
    return TakesOver(
        person_name=next((m.name for m in members if m.person_id == person_id), ""),
        consent=statement,
        consent_word=CONSENT_WORD[ConsentState(state)],
        agencies=list(agencies.values()),
    )


def _initial(consultation: Consultation | None) -> dict[str, Any]:
    if consultation is None:
        return {}
    return {
        "title": consultation.summary,
        "person": consultation.person_id,
        "request_text": consultation.text,
        "tags": list(consultation.tags.all()),
    }


def _opened(user: Staff, case: Case, *, seen: bool, takes_over: TakesOver | None) -> str:
    """What was done: what the case took over from the consultation (the consent, the agencies
    now on its team); for a requester who may not see the case until the person consents,
    saying so."""
    if seen:
        said = _took_over(user, case, takes_over) if takes_over else ""
        return f"ケース {case.code} を開きました。{said}"
    return (
        f"多機関協働へ依頼しました（ケース {case.code}）。コーディネーターが担当を決めます。"
        "本人同意が記録されるまで、ケースの内容は多機関協働の担当者だけが見られます。"
    )


def _took_over(user: Staff, case: Case, takes_over: TakesOver) -> str:
    """The consent the case now has, and which of the accepting agencies are on its team."""
    joined = [
        member.agency.name
        for member in access.visible(user, TeamMember)
        .filter(
            case=case,
            end_on__isnull=True,
            agency__in=[agency.pk for agency, _ in takes_over.agencies],
        )
        .select_related("agency")
        .order_by("start_on", "pk")
    ]
    agencies = f"つなぎを受けた {'、'.join(joined)} を関係機関に加えました。" if joined else ""
    if case.consent == ConsentState.GIVEN:
        return (
            f"本人同意「あり」を引き継ぎ、{agencies}"
            if joined
            else "本人同意「あり」を引き継ぎました。"
        )
    word = CONSENT_WORD[ConsentState(case.consent)]
    return f"本人同意は「{word}」です（ケースの画面で記録します）。{agencies}"
