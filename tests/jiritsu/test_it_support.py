"""The 自立相談支援 record of a consultation, over HTTP: the window records it; others read it
only as far as they read the consultation; bad input is refused in Japanese and changes
nothing; a stale screen is refused."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from tomoni.audit.models import AuditEvent
from tomoni.directory.models import Staff
from tomoni.jiritsu.models import Gain, Support

from ..methods import send
from .conftest import day, support, take

GOOD = {
    "started_on": "",
    "plan_on": "",
    "housing_applied_on": "",
    "housing_decided_on": "",
    "budget_from": "",
    "work_prep_from": "",
    "shelter_from": "",
    "employment_target_on": "",
    "gain": "",
    "gain_on": "",
}


def _form(**values: str) -> dict[str, str]:
    return {**GOOD, **values}


def test_the_window_records_the_items_with_the_dates_people_entered(
    personas: dict[str, Staff], as_user: Any
) -> None:
    consultation = take(personas["window"], day(5, 8))
    url = reverse("jiritsu:support", args=[consultation.pk])
    client = as_user(personas["window"])
    page = client.get(url).content.decode()
    assert "自立相談支援の開始日" in page and "住居確保給付金の申請日" in page
    response = client.post(
        url,
        _form(
            started_on=f"令和{day(5).year - 2018}年5月8日",
            plan_on=day(5, 20).isoformat(),
            housing_applied_on=day(5, 21).isoformat(),
            housing_decided_on=day(6, 3).isoformat(),
            employment_target_on=day(5, 20).isoformat(),
            gain=Gain.WORK,
            gain_on=day(8, 1).isoformat(),
        ),
    )
    assert response.status_code == 302
    saved = Support.objects.get(consultation=consultation)
    assert (saved.started_on, saved.plan_on, saved.gain_on) == (day(5, 8), day(5, 20), day(8, 1))
    assert saved.version == 1
    assert AuditEvent.objects.filter(object_type="jiritsu.support", action="create").exists()
    # The consultation page shows it, in 和暦.
    shown = client.get(reverse("intake:consultation", args=[consultation.pk])).content.decode()
    assert "作成 令和" in shown and "就労した" in shown


def test_an_update_needs_the_version_the_screen_showed(
    personas: dict[str, Staff], as_user: Any
) -> None:
    consultation = take(personas["window"], day(5, 8))
    record = support(personas["window"], consultation)
    url = reverse("jiritsu:support", args=[consultation.pk])
    client = as_user(personas["window"])
    fields = _form(started_on=day(5, 8).isoformat(), plan_on=day(5, 30).isoformat())
    ok = client.post(url, {**fields, "version": str(record.version)})
    assert ok.status_code == 302
    stale = client.post(url, {**fields, "plan_on": day(6, 1).isoformat(), "version": "1"})
    assert stale.status_code == 200
    assert "他の職員がこの自立相談支援の記録を更新しました" in stale.content.decode()
    record.refresh_from_db()
    assert record.plan_on == day(5, 30) and record.version == 2


def test_bad_input_is_refused_in_japanese_and_changes_nothing(
    personas: dict[str, Staff], as_user: Any
) -> None:
    consultation = take(personas["window"], day(5, 8))
    url = reverse("jiritsu:support", args=[consultation.pk])
    client = as_user(personas["window"])
    cases = [
        (_form(), "自立相談支援の開始日を入力してください。"),
        (_form(started_on="あした"), "日付"),
        (
            _form(started_on=day(5, 1).isoformat()),
            "自立相談支援の開始日は、相談の受付日以降の日付にしてください。",
        ),
        (
            _form(started_on=day(5, 8).isoformat(), housing_decided_on=day(6, 1).isoformat()),
            "住居確保給付金の支給決定日には、申請日も入力してください。",
        ),
        (
            _form(started_on=day(5, 8).isoformat(), gain=Gain.INCOME),
            "就労・増収は、どちらか（就労した・増収した）とその日を両方入力してください。",
        ),
        (
            _form(started_on=day(5, 8).isoformat(), plan_on=day(5, 2).isoformat()),
            "支援プランの作成日は、自立相談支援の開始日以降の日付にしてください。",
        ),
    ]
    for data, message in cases:
        response = client.post(url, data)
        assert response.status_code in (200, 400), data
        assert message in response.content.decode(), message
    assert not Support.objects.exists()


def test_outsiders_get_404_and_agencies_without_the_right_cannot_record(
    personas: dict[str, Staff], as_user: Any
) -> None:
    consultation = take(personas["window"], day(5, 8))
    url = reverse("jiritsu:support", args=[consultation.pk])
    data = _form(started_on=day(5, 8).isoformat())
    for name in ("agency_a", "agency_b", "outreach", "community", "manager", "auditor", "admin"):
        client = as_user(personas[name])
        assert client.get(url).status_code == 404, name
        assert client.post(url, data).status_code == 404, name
    # The coordinator reads the consultation but is not the 自立相談支援機関: no form, 403.
    coordinator = as_user(personas["coordinator"])
    page = coordinator.get(url)
    assert page.status_code == 200 and "<form" not in page.content.decode().split("<main")[-1]
    assert coordinator.post(url, data).status_code == 403
    # An agency's own consultation: readable, but 自立相談支援 is not its work.
    theirs = take(personas["agency_a"], day(5, 8))
    own = as_user(personas["agency_a"])
    assert own.post(reverse("jiritsu:support", args=[theirs.pk]), data).status_code == 403
    assert not Support.objects.exists()


def test_anonymous_is_sent_to_login_and_wrong_method_is_405(
    personas: dict[str, Staff], as_user: Any
) -> None:
    consultation = take(personas["window"], day(5, 8))
    url = reverse("jiritsu:support", args=[consultation.pk])
    response = as_user(None).get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert send(as_user(personas["window"]), "PUT", url).status_code == 405
