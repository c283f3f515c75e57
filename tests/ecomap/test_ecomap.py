"""The エコマップ page and its ties: drawn from the case team, referrals, アウトリーチ and
参加支援, plus the supporters the worker adds; audited actions; outsiders 404."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tomoni.audit.models import AuditEvent
from tomoni.cases import actions as case_actions
from tomoni.cases.models import ConsentState, TeamRole
from tomoni.directory.models import Agency, Staff
from tomoni.ecomap import actions
from tomoni.ecomap.data import nodes_of
from tomoni.ecomap.models import EcomapTie
from tomoni.people.family import family_of
from tomoni.people.models import Household

from ..conftest import BrowserClient, first_member, register_household
from ..consent import set_consent
from ..methods import send

pytestmark = pytest.mark.django_db
Client = Callable[[Staff | None], BrowserClient]


def tie_post(**extra: str) -> dict[str, str]:
    data = {
        "kind": "informal",
        "informal_kind": "commissioner",
        "name": "民生委員 例山さん",
        "agency": "",
        "place": "",
        "person": "",
        "strength": "normal",
        "direction": "to_family",
        "note": "",
    }
    data.update(extra)
    return data


@pytest.fixture
def household(personas: dict[str, Staff]) -> Household:
    """The coordinator's case on a window household: 地域包括 leads, 障害者相談支援 helps."""
    coordinator = personas["coordinator"]
    household = register_household(personas["window"])
    case = case_actions.open_case(coordinator, household=household, title="世帯の支援")
    set_consent(coordinator, case, ConsentState.GIVEN, on=timezone.localdate())
    case_actions.add_team_member(
        coordinator, case, Agency.objects.get(code="houkatsu1"), role=TeamRole.LEAD
    )
    case_actions.add_team_member(coordinator, case, Agency.objects.get(code="shogai-soudan"))
    return household


def test_team_agencies_are_drawn_with_default_strengths(
    personas: dict[str, Staff], household: Household
) -> None:
    coordinator = personas["coordinator"]
    nodes = {n.name: n for n in nodes_of(coordinator, family_of(coordinator, household))}
    lead = Agency.objects.get(code="houkatsu1")
    assert nodes[lead.short_name or lead.name].strength == "strong"
    assert {n.detail for n in nodes.values()} == {"主担当", "関係機関"}
    # The window does not see the case: no agency lines for it.
    window = personas["window"]
    assert nodes_of(window, family_of(window, household)) == []


def test_worker_adds_an_informal_supporter_and_restates_an_agency_tie(
    personas: dict[str, Staff], as_user: Client, household: Household
) -> None:
    coordinator = personas["coordinator"]
    client = as_user(coordinator)
    url = reverse("ecomap:tie_new", args=[household.pk])
    assert client.get(url).status_code == 200
    member = first_member(household)
    assert client.post(url, tie_post(person=str(member.pk))).status_code == 302
    lead = Agency.objects.get(code="houkatsu1")
    response = client.post(
        url, tie_post(kind="agency", agency=str(lead.pk), strength="stressful", direction="both")
    )
    assert response.status_code == 302
    assert AuditEvent.objects.filter(object_type="ecomap.ecomaptie", action="create").count() == 2
    nodes = {n.key: n for n in nodes_of(coordinator, family_of(coordinator, household))}
    assert nodes[f"agency:{lead.pk}"].strength == "stressful"
    assert nodes[f"agency:{lead.pk}"].detail == "主担当"
    informal = next(n for n in nodes.values() if n.kind == "informal")
    assert informal.name == "民生委員 例山さん" and informal.member == "本人"
    page = client.get(reverse("ecomap:household", args=[household.pk])).content.decode()
    assert "民生委員 例山さん" in page and "<svg" in page and "style=" not in page


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"informal_kind": ""}, "支援者の種類を選んでください"),
        ({"kind": "agency"}, "機関を選んでください"),
        ({"kind": "place"}, "居場所・社会資源を選んでください"),
        ({"strength": "furious"}, "候補にありません"),
        ({"name": "長" * 61}, "60 文字以下"),
    ],
)
def test_bad_input_changes_nothing(
    personas: dict[str, Staff],
    as_user: Client,
    household: Household,
    extra: dict[str, str],
    message: str,
) -> None:
    client = as_user(personas["coordinator"])
    events = AuditEvent.objects.count()
    response = client.post(reverse("ecomap:tie_new", args=[household.pk]), tie_post(**extra))
    assert response.status_code == 200 and message in response.content.decode()
    assert EcomapTie.objects.count() == 0 and AuditEvent.objects.count() == events


def test_a_member_of_another_household_is_refused(
    personas: dict[str, Staff], household: Household
) -> None:
    coordinator = personas["coordinator"]
    stranger = first_member(register_household(coordinator))
    with pytest.raises(ValidationError, match="この世帯の世帯員から"):
        actions.add_tie(
            coordinator,
            household,
            {"kind": "informal", "informal_kind": "friend", "person": stranger},
        )


def test_ending_a_tie_takes_it_off_the_map(
    personas: dict[str, Staff], as_user: Client, household: Household
) -> None:
    coordinator = personas["coordinator"]
    tie = actions.add_tie(
        coordinator, household, {"kind": "informal", "informal_kind": "neighbour", "name": "隣家"}
    )
    response = as_user(coordinator).post(reverse("ecomap:tie_end", args=[household.pk, tie.pk]))
    assert response.status_code == 302
    tie.refresh_from_db()
    assert tie.end_on == timezone.localdate()
    assert all(
        n.kind != "informal" for n in nodes_of(coordinator, family_of(coordinator, household))
    )
    with pytest.raises(ValidationError, match="すでに終了"):
        actions.end_tie(coordinator, tie)


def test_outsiders_404_anonymous_login_wrong_method_405(
    personas: dict[str, Staff], as_user: Client, household: Household
) -> None:
    window = personas["window"]
    tie = actions.add_tie(
        window, household, {"kind": "informal", "informal_kind": "friend", "name": "友人"}
    )
    urls = {
        reverse("ecomap:household", args=[household.pk]): ("GET", "POST"),
        reverse("ecomap:tie_new", args=[household.pk]): ("GET", "PUT"),
        reverse("ecomap:tie_end", args=[household.pk, tie.pk]): ("POST", "GET"),
    }
    for url, (method, wrong) in urls.items():
        for name in (
            "agency_a",
            "agency_b",
            "outreach",
            "community",
            "manager",
            "auditor",
            "admin",
        ):
            assert send(as_user(personas[name]), method, url).status_code == 404, (name, url)
        anonymous = send(as_user(None), method, url)
        assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
        assert send(as_user(window), wrong, url).status_code == 405
    other = register_household(window)
    assert (
        as_user(window).post(reverse("ecomap:tie_end", args=[other.pk, tie.pk])).status_code == 404
    )


def test_the_page_read_is_audited(
    personas: dict[str, Staff], as_user: Client, household: Household
) -> None:
    before = AuditEvent.objects.filter(action="view", object_type="people.household").count()
    assert (
        as_user(personas["window"])
        .get(reverse("ecomap:household", args=[household.pk]))
        .status_code
        == 200
    )
    assert (
        AuditEvent.objects.filter(action="view", object_type="people.household").count()
        == before + 1
    )
