"""Every アウトリーチ screen over HTTP: anonymous → login, outsiders 404, wrong method 405, the
phone form, stage moves (illegal and stale), the workers form and the quiet tab."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from tomoni.directory.models import Role, Staff
from tomoni.outreach import actions
from tomoni.outreach.models import Contact, Engagement, Reason, Stage
from tomoni.people.models import Household

from ..conftest import BrowserClient, as_seen_now, first_member, register_household


def _today() -> date:
    return timezone.localdate()


def open_engagement(
    coordinator: Staff, worker: Staff, *, days_ago: int = 40, household: Household | None = None
) -> Engagement:
    household = household or register_household(coordinator)
    return actions.open_engagement(
        coordinator,
        household=household,
        person=first_member(household),
        reason=Reason.HIKIKOMORI,
        workers=[worker],
        request_text="近所の方から、長男を何年も見かけないと相談",
        opened_on=_today() - timedelta(days=days_ago),
    )


@pytest.fixture
def engagement(personas: dict[str, Staff]) -> Engagement:
    return open_engagement(personas["coordinator"], personas["outreach"])


def _urls(e: Engagement) -> list[str]:
    return [
        reverse("outreach:engagement", args=[e.pk]),
        reverse("outreach:contact", args=[e.pk]),
        reverse("outreach:move", args=[e.pk, "attempt"]),
        reverse("outreach:workers", args=[e.pk]),
    ]


# --- who may see what ----------------------------------------------------------------------


def test_anonymous_is_sent_to_login(
    engagement: Engagement, as_user: Callable[..., BrowserClient]
) -> None:
    client = as_user(None)
    for path in [reverse("outreach:index"), *_urls(engagement)]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == f"/accounts/login/?next={quote(path)}"


@pytest.mark.parametrize("name", ["agency_b", "community", "manager", "other_outreach"])
def test_outsiders_get_404_and_change_nothing(
    name: str,
    engagement: Engagement,
    personas: dict[str, Staff],
    make_staff: Callable[..., Staff],
    as_user: Callable[..., BrowserClient],
) -> None:
    user = make_staff(Role.OUTREACH, "shakyo") if name == "other_outreach" else personas[name]
    client = as_user(user)
    for path in _urls(engagement):
        assert client.get(path).status_code == 404, path
    contact_url = reverse("outreach:contact", args=[engagement.pk])
    response = client.post(
        contact_url, {"on": _today().isoformat(), "method": "visit", "outcome": "met"}
    )
    assert response.status_code == 404
    move_url = reverse("outreach:move", args=[engagement.pk, "attempt"])
    assert client.post(move_url, {"version": engagement.version}).status_code == 404
    assert not Contact.objects.filter(engagement=engagement).exists()
    engagement.refresh_from_db()
    assert engagement.stage == Stage.NOTICED
    # … and the list does not name it.
    listing = client.get(reverse("outreach:index"), {"tab": "all"})
    assert engagement.code not in listing.content.decode()


def test_the_assigned_worker_and_the_coordinator_see_it(
    engagement: Engagement, personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    for name in ("outreach", "coordinator"):
        response = as_user(personas[name]).get(engagement.get_absolute_url())
        assert response.status_code == 200
        page = response.content.decode()
        assert "見本 太郎" in page and "長期のひきこもり" in page
        assert "40日間接触なし" in page


def test_wrong_method_is_405(
    engagement: Engagement, personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    client = as_user(personas["outreach"])
    assert client.post(engagement.get_absolute_url()).status_code == 405
    assert client.post(reverse("outreach:index")).status_code == 405
    token: dict[str, Any] = {"HTTP_X_CSRFTOKEN": client.cookies["csrftoken"].value}
    contact_url = reverse("outreach:contact", args=[engagement.pk])
    assert client.delete(contact_url, **token).status_code == 405
    move_url = reverse("outreach:move", args=[engagement.pk, "attempt"])
    assert client.put(move_url, **token).status_code == 405
    engagement.refresh_from_db()
    assert engagement.stage == Stage.NOTICED


def test_unknown_move_is_404(
    engagement: Engagement, personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    client = as_user(personas["coordinator"])
    url = reverse("outreach:move", args=[engagement.pk, "teleport"])
    assert client.post(url, {"version": engagement.version}).status_code == 404


# --- the phone form ------------------------------------------------------------------------


def test_contact_form_has_large_radio_buttons_for_every_method(
    engagement: Engagement, personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    response = as_user(personas["outreach"]).get(reverse("outreach:contact", args=[engagement.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="viewport"' in page
    assert "tomoni/css/outreach.css" in page
    for value in ("visit", "letter", "phone", "via", "accompany"):
        assert f'type="radio" name="method" value="{value}"' in page, value
    for value in ("absent", "refused", "no_reply", "met", "talked", "replied"):
        assert f'type="radio" name="outcome" value="{value}"' in page, value
    visit = re.search(r'<input type="radio" name="method" value="visit"[^>]*>', page)
    assert visit is not None and "checked" in visit.group(0)
    outcome = re.findall(r'<input type="radio" name="outcome"[^>]*>', page)
    assert outcome and not any("checked" in tag for tag in outcome)  # chosen each time
    assert "outreach-submit" in page and ">記録</button>" in page
    assert response.context["form"]["on"].value() == response.context["form"].initial["on"]


def _page_header(page: str) -> str:
    found = re.search(r'<div class="page-header">(.*?)</div>', page, re.S)
    assert found is not None
    return strip_tags(found.group(1))


def test_contact_form_names_the_person_with_the_code_secondary(
    engagement: Engagement, personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    """Review finding 5 (issue 20): the form named only 「A000003」, not whom the visit is for."""
    assert engagement.person is not None
    page = as_user(personas["outreach"]).get(reverse("outreach:contact", args=[engagement.pk]))
    header = _page_header(page.content.decode())
    assert f"{engagement.person.full_name}さん" in header
    assert header.index(engagement.person.full_name) < header.index(engagement.code)


def _whole_household(personas: dict[str, Staff]) -> Engagement:
    """An engagement with a whole household (no one person), the outreach worker assigned."""
    return actions.open_engagement(
        personas["coordinator"],
        household=register_household(personas["coordinator"]),
        person=None,
        reason=Reason.HIKIKOMORI,
        workers=[personas["outreach"]],
    )


def test_contact_form_of_a_whole_household_names_the_household(
    personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    engagement = _whole_household(personas)
    household = engagement.household
    page = as_user(personas["outreach"]).get(reverse("outreach:contact", args=[engagement.pk]))
    header = _page_header(page.content.decode())
    assert f"世帯 {household.code}（世帯全体）" in header
    assert engagement.code in header


def test_assigned_worker_records_a_visit(
    engagement: Engagement, personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    client = as_user(personas["outreach"])
    day = _today() - timedelta(days=2)
    response = client.post(
        reverse("outreach:contact", args=[engagement.pk]),
        {"on": day.isoformat(), "method": "visit", "outcome": "absent", "note": "手紙を投函"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == f"{engagement.get_absolute_url()}#contacts"
    assert "接触を記録しました。" in response.content.decode()
    engagement.refresh_from_db()
    assert engagement.last_contact_on == day
    saved = Contact.objects.get(engagement=engagement)
    assert (saved.method, saved.outcome, saved.note, saved.by) == (
        "visit",
        "absent",
        "手紙を投函",
        personas["outreach"],
    )
    assert "2日間接触なし" in response.content.decode()


def test_accompaniment_mismatch_is_refused_keeping_the_typed_data(
    engagement: Engagement, personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    client = as_user(personas["outreach"])
    response = client.post(
        reverse("outreach:contact", args=[engagement.pk]),
        {
            "on": _today().isoformat(),
            "method": "visit",
            "outcome": "met",
            "accompaniment": "medical",
            "note": "病院の予約を一緒に取った",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "方法「同行」で記録してください" in page
    assert "病院の予約を一緒に取った" in page
    assert not Contact.objects.filter(engagement=engagement).exists()
    engagement.refresh_from_db()
    assert engagement.last_contact_on is None


def test_bad_date_and_missing_outcome_are_explained(
    engagement: Engagement, personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    client = as_user(personas["outreach"])
    future = _today() + timedelta(days=3)
    response = client.post(
        reverse("outreach:contact", args=[engagement.pk]),
        {"on": future.isoformat(), "method": "phone", "note": "留守電"},
    )
    page = response.content.decode()
    assert "未来の日付の接触は記録できません。" in page
    assert "結果を選んでください。" in page
    assert "留守電" in page
    assert not Contact.objects.filter(engagement=engagement).exists()


def test_wareki_date_is_accepted(
    engagement: Engagement, personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    client = as_user(personas["outreach"])
    day = _today() - timedelta(days=1)
    wareki = f"令和{day.year - 2018}年{day.month}月{day.day}日"
    client.post(
        reverse("outreach:contact", args=[engagement.pk]),
        {"on": wareki, "method": "phone", "outcome": "talked"},
    )
    engagement.refresh_from_db()
    assert engagement.last_contact_on == day


# --- stage moves ---------------------------------------------------------------------------


def test_legal_move_over_http(
    engagement: Engagement, personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    client = as_user(personas["outreach"])
    response = client.post(
        reverse("outreach:move", args=[engagement.pk, "attempt"]),
        {"version": engagement.version},
        follow=True,
    )
    assert "段階を「接触の試み」にしました（接触を試みる）。" in response.content.decode()
    engagement.refresh_from_db()
    assert engagement.stage == Stage.ATTEMPTING


def test_illegal_move_shows_the_reason_and_changes_nothing(
    engagement: Engagement, personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    client = as_user(personas["outreach"])
    response = client.post(
        reverse("outreach:move", args=[engagement.pk, "connect"]),
        {"version": engagement.version},
    )
    assert response.status_code == 200
    assert "「把握」の段階からは「つながった" in response.content.decode()
    engagement.refresh_from_db()
    assert (engagement.stage, engagement.version) == (Stage.NOTICED, 1)
    assert engagement.steps.count() == 1


def test_end_needs_a_note_and_keeps_nothing_half_done(
    engagement: Engagement, personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    client = as_user(personas["coordinator"])
    response = client.post(
        reverse("outreach:move", args=[engagement.pk, "end"]), {"version": engagement.version}
    )
    assert "「終了」の理由を入力してください。" in response.content.decode()
    engagement.refresh_from_db()
    assert engagement.stage == Stage.NOTICED


def test_stale_version_is_a_conflict(
    engagement: Engagement, personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    stale = engagement.version
    as_seen_now(actions.move_engagement, personas["coordinator"], engagement, "attempt")
    client = as_user(personas["outreach"])
    response = client.post(
        reverse("outreach:move", args=[engagement.pk, "relate"]), {"version": stale}
    )
    assert "他の職員が更新しました。" in response.content.decode()
    engagement.refresh_from_db()
    assert engagement.stage == Stage.ATTEMPTING
    # The form now stands on the current version, so a deliberate retry works.
    assert response.context["form"]["version"].value() == str(engagement.version)
    retry = client.post(
        reverse("outreach:move", args=[engagement.pk, "relate"]),
        {"version": engagement.version},
    )
    assert retry.status_code == 302
    engagement.refresh_from_db()
    assert engagement.stage == Stage.RELATING


def test_finished_engagement_refuses_a_contact(
    engagement: Engagement, personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    as_seen_now(actions.move_engagement, personas["coordinator"], engagement, "end", note="転居")
    client = as_user(personas["outreach"])
    page = client.get(reverse("outreach:contact", args=[engagement.pk])).content.decode()
    assert "先に再開してください" in page
    response = client.post(
        reverse("outreach:contact", args=[engagement.pk]),
        {"on": _today().isoformat(), "method": "visit", "outcome": "met"},
    )
    assert "続けるには先に再開してください。" in response.content.decode()
    assert not Contact.objects.filter(engagement=engagement).exists()


# --- the engagement page's rhythm -----------------------------------------------------------


def test_rhythm_counts_attempts_and_reached_per_month(
    engagement: Engagement, personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    worker = personas["outreach"]
    today = _today()
    for outcome in ("absent", "refused", "met"):
        actions.record_contact(worker, engagement, on=today, method="visit", outcome=outcome)
    response = as_user(worker).get(engagement.get_absolute_url())
    months = response.context["months"]
    assert len(months) == 12
    assert months[-1].start == today.replace(day=1)
    assert (months[-1].attempts, months[-1].reached) == (3, 1)
    assert sum(m.attempts for m in months[:-1]) == 0
    page = response.content.decode()
    assert "最後の接触は<strong>今日</strong>" in page  # not 「0 日」 (issue 20 finding 5)
    # Newest first: the last recorded (met) is at the top of the list.
    assert [c.outcome for c in response.context["contacts"]] == ["met", "refused", "absent"]


def test_case_link_only_when_the_case_is_visible(
    personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    from tests.cases.conftest import open_for

    coordinator = personas["coordinator"]
    case = open_for(coordinator)
    engagement = actions.open_engagement(
        coordinator,
        household=case.household,
        reason=Reason.SELF_NEGLECT,
        workers=[personas["outreach"]],
        case=case,
    )
    coordinator_page = as_user(coordinator).get(engagement.get_absolute_url()).content.decode()
    assert case.get_absolute_url() in coordinator_page
    worker_page = as_user(personas["outreach"]).get(engagement.get_absolute_url())
    assert worker_page.context["case_visible"] is False
    assert case.get_absolute_url() not in worker_page.content.decode()


# --- the list ------------------------------------------------------------------------------


@override_settings(TOMONI_OUTREACH_QUIET_DAYS=10)
def test_quiet_tab_lists_exactly_those_over_the_threshold(
    personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    coordinator, worker = personas["coordinator"], personas["outreach"]
    never = open_engagement(coordinator, worker, days_ago=20)
    at_threshold = open_engagement(coordinator, worker, days_ago=10)
    just_under = open_engagement(coordinator, worker, days_ago=9)
    recent = open_engagement(coordinator, worker, days_ago=20)
    actions.record_contact(
        worker, recent, on=_today() - timedelta(days=3), method="phone", outcome="no_reply"
    )
    old_contact = open_engagement(coordinator, worker, days_ago=30)
    actions.record_contact(
        worker, old_contact, on=_today() - timedelta(days=12), method="visit", outcome="met"
    )
    ended = open_engagement(coordinator, worker, days_ago=40)
    as_seen_now(actions.move_engagement, coordinator, ended, "end", note="転居")

    response = as_user(coordinator).get(reverse("outreach:index"), {"tab": "quiet"})
    rows = response.context["rows"]
    assert {r.engagement.pk for r in rows} == {never.pk, at_threshold.pk, old_contact.pk}
    assert all(r.quiet for r in rows)
    # Oldest touch first.
    assert [r.engagement.pk for r in rows] == [never.pk, old_contact.pk, at_threshold.pk]
    page = response.content.decode()
    assert "20日間接触なし" in page and "12日間接触なし" in page
    assert just_under.code not in page and recent.code not in page and ended.code not in page

    everything = as_user(coordinator).get(reverse("outreach:index"), {"tab": "all"})
    flags = {r.engagement.pk: r.quiet for r in everything.context["rows"]}
    assert flags[never.pk] and not flags[just_under.pk] and not flags[ended.pk]


def test_mine_tab_and_default_for_an_outreach_worker(
    personas: dict[str, Staff],
    make_staff: Callable[..., Staff],
    as_user: Callable[..., BrowserClient],
) -> None:
    coordinator, worker = personas["coordinator"], personas["outreach"]
    colleague = make_staff(Role.OUTREACH, "shakyo")
    mine = open_engagement(coordinator, worker)
    theirs = open_engagement(coordinator, colleague)
    response = as_user(worker).get(reverse("outreach:index"))
    assert response.context["tab"] == "mine"
    assert [r.engagement.pk for r in response.context["rows"]] == [mine.pk]
    page = as_user(coordinator).get(reverse("outreach:index"), {"tab": "all"})
    assert {r.engagement.pk for r in page.context["rows"]} == {mine.pk, theirs.pk}
    coordinators_own = as_user(coordinator).get(reverse("outreach:index"), {"tab": "mine"})
    assert coordinators_own.context["rows"] == []


# --- opening and workers -------------------------------------------------------------------


def test_coordinator_opens_an_engagement_from_the_household(
    personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    coordinator, worker = personas["coordinator"], personas["outreach"]
    household = register_household(coordinator)
    client = as_user(coordinator)
    household_page = client.get(household.get_absolute_url()).content.decode()
    new_url = f"{reverse('outreach:new')}?household={household.pk}"
    assert (
        new_url.replace("&", "&amp;") in household_page and "アウトリーチを開始" in household_page
    )
    person = first_member(household)
    response = client.post(
        new_url,
        {
            "person": person.pk,
            "reason": Reason.REFUSAL,
            "workers": [worker.pk],
            "request_text": "民生委員から",
            "opened_on": _today().isoformat(),
        },
        follow=True,
    )
    created = Engagement.objects.get(household=household)
    assert response.redirect_chain[-1][0] == created.get_absolute_url()
    assert (created.person, created.reason) == (person, Reason.REFUSAL)
    assert list(created.workers.all()) == [worker]


def test_opening_needs_a_worker_and_keeps_what_was_typed(
    personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    coordinator = personas["coordinator"]
    household = register_household(coordinator)
    response = as_user(coordinator).post(
        f"{reverse('outreach:new')}?household={household.pk}",
        {"reason": Reason.ISOLATION, "request_text": "隣人から心配の声", "opened_on": "令和"},
    )
    page = response.content.decode()
    assert "担当の支援員を1人以上選んでください。" in page
    assert "隣人から心配の声" in page
    assert not Engagement.objects.filter(household=household).exists()


def test_household_must_be_visible_to_open_an_engagement(
    personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    household = register_household(personas["agency_a"])
    url = f"{reverse('outreach:new')}?household={household.pk}"
    # The outreach worker may open engagements, but does not see this household.
    assert as_user(personas["outreach"]).get(url).status_code == 404
    # The agency worker sees the household but may not open an engagement: no button, 403.
    client = as_user(personas["agency_a"])
    assert "アウトリーチを開始" not in client.get(household.get_absolute_url()).content.decode()
    assert client.get(url).status_code == 403
    assert as_user(personas["coordinator"]).get(reverse("outreach:new")).status_code == 404


def test_coordinator_changes_workers_and_the_worker_may_not(
    engagement: Engagement,
    personas: dict[str, Staff],
    make_staff: Callable[..., Staff],
    as_user: Callable[..., BrowserClient],
) -> None:
    colleague = make_staff(Role.OUTREACH, "shakyo")
    url = reverse("outreach:workers", args=[engagement.pk])
    assert as_user(personas["outreach"]).get(url).status_code == 403
    client = as_user(personas["coordinator"])
    refused = client.post(url, {"workers": [personas["agency_a"].pk]})
    assert refused.status_code == 200
    assert list(engagement.workers.all()) == [personas["outreach"]]
    client.post(url, {"workers": [colleague.pk]})
    assert list(engagement.workers.all()) == [colleague]


def test_a_contact_recorded_today_says_today_not_zero_days(
    engagement: Engagement, personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    """Review finding 5 (issue 20): after saving a contact, the page said 「0日間接触なし」."""
    client = as_user(personas["outreach"])
    page = client.post(
        reverse("outreach:contact", args=[engagement.pk]),
        {"on": _today().isoformat(), "method": "phone", "outcome": "talked", "note": ""},
        follow=True,
    ).content.decode()
    text = strip_tags(page)
    assert "最後の接触は今日" in text
    assert "0日間接触なし" not in text and "最後の接触から 0 日" not in text


def _h1_and_title(page: str) -> tuple[str, str]:
    h1 = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S)
    title = re.search(r"<title>(.*?)</title>", page, re.S)
    assert h1 is not None and title is not None
    return " ".join(strip_tags(h1.group(1)).split()), title.group(1).strip()


def test_the_engagement_page_is_named_after_the_person(
    engagement: Engagement, personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    """Issue 20, finding 9 (raw ids): the page was titled 「アウトリーチ A000001」; the worker
    looks for the person. The code stays, secondary."""
    assert engagement.person is not None
    page = as_user(personas["outreach"]).get(engagement.get_absolute_url()).content.decode()
    h1, title = _h1_and_title(page)
    assert h1 == f"{engagement.person.full_name}さんのアウトリーチ"
    assert title.startswith(h1)
    assert f"アウトリーチ {engagement.code}" in _page_header(page)


def test_a_whole_household_engagement_is_named_after_the_household(
    personas: dict[str, Staff], as_user: Callable[..., BrowserClient]
) -> None:
    engagement = _whole_household(personas)
    household = engagement.household
    page = as_user(personas["outreach"]).get(engagement.get_absolute_url()).content.decode()
    h1, _ = _h1_and_title(page)
    assert h1 == f"世帯 {household.code}（世帯全体）のアウトリーチ"
