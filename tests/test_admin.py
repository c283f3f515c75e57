"""Master data in the Django admin: admins edit it (audited); the admin never shows people."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import admin
from django.test import Client

from tomoni.audit.models import AuditEvent
from tomoni.directory.models import Agency, Staff


def test_admin_holds_master_data_and_no_personal_data() -> None:
    """Households, persons and consents are not registered in the admin at all."""
    labels = {m._meta.label for m in admin.site._registry}
    assert {"directory.Agency", "directory.Area", "directory.District", "directory.Staff"} <= labels
    assert not labels & {"people.Household", "people.Person", "people.Consent", "people.Membership"}


def test_admin_adds_an_agency_and_it_is_audited(
    personas: dict[str, Staff], as_user: Callable[..., Client]
) -> None:
    client = as_user(personas["admin"])
    response = client.post(
        "/admin/directory/agency/add/",
        {
            "code": "npo-demo",
            "name": "見本NPO法人",
            "field": "other",
            "kind": "community",
            "operation": "external",
            "is_welfare": "on",
            "order": "99",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    agency = Agency.objects.get(code="npo-demo")
    event = AuditEvent.objects.filter(object_type="directory.agency").latest("seq")
    assert (event.action, event.object_id, event.actor_id) == (
        "create",
        str(agency.pk),
        personas["admin"].pk,
    )


def test_case_workers_cannot_enter_the_admin(
    personas: dict[str, Staff], as_user: Callable[..., Client]
) -> None:
    response = as_user(personas["coordinator"]).get("/admin/directory/agency/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_only_the_auditor_reads_the_audit_log(
    personas: dict[str, Staff], as_user: Callable[..., Client]
) -> None:
    assert as_user(personas["auditor"]).get("/admin/audit/auditevent/").status_code == 200
    assert as_user(personas["admin"]).get("/admin/audit/auditevent/").status_code == 403


def test_the_audit_list_names_what_and_who_in_words(
    personas: dict[str, Staff], as_user: Callable[..., Client]
) -> None:
    """Review finding 9 (issue 20): the audit view showed 「cases.plan」 and bare login ids."""
    from tomoni.audit.log import Action, record

    window = personas["window"]
    record(Action.VIEW, actor=window, object_type="cases.plan", object_id="12")
    html = as_user(personas["auditor"]).get("/admin/audit/auditevent/").content.decode()
    assert (
        "支援プラン #12" in html
        and "cases.plan" not in html.split("<tbody")[-1].split("</tbody>")[0]
    )
    assert f"{window.display_name}（{window.username}）" in html
