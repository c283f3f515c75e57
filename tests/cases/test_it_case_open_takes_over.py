"""「多機関協働へ」: what a case opened from a consultation takes over, said on the screens
(issue 20, finding 4). The model already carries the main person's consent and joins the
agencies that accepted a referral; the 「ケースを開く」 page says so before, the message after,
and the case page shows 同意あり (the review saw 確認中) with the agency on the team."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.urls import reverse

from tomoni.cases.models import Case, ConsentState
from tomoni.directory.models import Staff
from tomoni.intake import actions as intake_actions
from tomoni.intake.models import ConsentVersion, Consultation

from ..conftest import BrowserClient, Response, first_member, register_household
from .conftest import agency

Client = Callable[[Staff | None], BrowserClient]


def _taken_and_accepted(personas: dict[str, Staff], as_user: Client, consent: str) -> Consultation:
    """The window takes a consultation through its form for a person it registered, refers it
    to the 地域包括 and the centre accepts."""
    window = personas["window"]
    person = first_member(register_household(window))
    response = as_user(window).post(
        reverse("intake:new"),
        {
            "received_on": "令和8年11月2日",
            "received_time": "10:00",
            "method": "phone",
            "is_new": "1",
            "urgency": "normal",
            "consent": consent,
            "summary": "母の介護と長男のひきこもり",
            "person": person.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    consultation = Consultation.objects.get(person=person)
    referral = intake_actions.refer(
        window, consultation, agency("houkatsu1"), "母の介護保険の申請をお願いします。"
    )
    intake_actions.move_referral(personas["agency_a"], referral, "accept", version=referral.version)
    return consultation


def _text(response: Response) -> str:
    """The page's words without tags, spaces folded."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_open_page_says_what_the_case_takes_over(
    personas: dict[str, Staff], as_user: Client
) -> None:
    consultation = _taken_and_accepted(personas, as_user, ConsentVersion.GIVEN)
    page = as_user(personas["coordinator"]).get(
        reverse("cases:new") + f"?consultation={consultation.pk}"
    )
    assert page.status_code == 200
    text = _text(page)
    assert "本人同意 あり" in text and "同意として引き継ぎます" in text
    assert f"相談 {consultation.code}" in text  # where it was given
    houkatsu = agency("houkatsu1").name
    assert re.search(rf"関係機関として加わる機関 {re.escape(houkatsu)}", text), text


def _opened(
    personas: dict[str, Staff], as_user: Client, by: str = "coordinator"
) -> tuple[Case, str]:
    """``by`` opens the case 「多機関協働へ」: the case and the page it lands on."""
    consultation = _taken_and_accepted(personas, as_user, ConsentVersion.GIVEN)
    person = consultation.person
    assert person is not None
    response = as_user(personas[by]).post(
        reverse("cases:new") + f"?consultation={consultation.pk}",
        {"title": "8050世帯の支援", "person": str(person.pk)},
        follow=True,
    )
    return Case.objects.get(consultation=consultation), _text(response)


@pytest.mark.parametrize("by", ["coordinator", "window"])
def test_a_case_opened_from_a_consultation_with_consent_shows_it_and_the_team(
    personas: dict[str, Staff], as_user: Client, by: str
) -> None:
    """The review saw 同意あり become 確認中: the case page shows 同意あり, and the agency that
    accepted the referral on its team, whether the coordinator or the window opens it."""
    case, text = _opened(personas, as_user, by)
    assert case.consent == ConsentState.GIVEN
    assert "同意あり" in text and "同意 確認中" not in text
    team = text.split("支援チーム", 1)[1].split("本人同意", 1)[0]
    assert f"{agency('houkatsu1').name} 関係機関" in team


def test_the_message_says_what_the_case_took_over(
    personas: dict[str, Staff], as_user: Client
) -> None:
    case, text = _opened(personas, as_user)
    assert (
        f"ケース {case.code} を開きました。本人同意「あり」を引き継ぎ、"
        f"つなぎを受けた {agency('houkatsu1').name} を関係機関に加えました。"
    ) in text


def test_without_consent_the_screens_say_it_is_still_to_be_asked(
    personas: dict[str, Staff], as_user: Client
) -> None:
    consultation = _taken_and_accepted(personas, as_user, ConsentVersion.NONE)
    client = as_user(personas["coordinator"])
    url = reverse("cases:new") + f"?consultation={consultation.pk}"
    assert "本人同意 確認中 主な本人" in _text(client.get(url))
    response = client.post(url, {"title": "見守りの相談"}, follow=True)
    case = Case.objects.get(consultation=consultation)
    assert case.consent == ConsentState.PENDING
    assert f"ケース {case.code} を開きました。本人同意は「確認中」です" in _text(response)
