"""Attachments: the type checked from the bytes, hostile names made harmless, nothing stored
on refusal, storage outside the web root, bytes served only through the access policy
(404 for outsiders, audited reads, no-store, a safe Content-Disposition)."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import FileResponse
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from tomoni.attachments import actions
from tomoni.attachments.filecheck import safe_name
from tomoni.attachments.models import CaseAttachment, PersonAttachment
from tomoni.audit.models import AuditEvent
from tomoni.cases import actions as case_actions
from tomoni.cases.models import ConsentState
from tomoni.directory.models import Agency, Staff
from tomoni.intake import actions as intake_actions
from tomoni.people import actions as people_actions
from tomoni.people.models import Consent, Person

from ..conftest import BrowserClient, first_member, register_household
from ..consent import set_consent
from ..methods import send

pytestmark = pytest.mark.django_db
Client = Callable[[Staff | None], BrowserClient]

PDF = b"%PDF-1.7\n1 0 obj<</Type/Catalog>>endobj\ntrailer<<>>\n%%EOF\n"


def image(fmt: str, size: tuple[int, int] = (40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, fmt)
    return out.getvalue()


def stored(location: Path) -> list[Path]:
    return [p for p in location.rglob("*") if p.is_file()]


def upload_post(data: bytes, name: str, kind: str = "letter", **extra: Any) -> dict[str, Any]:
    return {"file": SimpleUploadedFile(name, data), "kind": kind, "title": "", **extra}


@pytest.fixture
def person(personas: dict[str, Staff]) -> Person:
    return first_member(register_household(personas["window"]))


def test_pdf_upload_is_stored_outside_the_web_root_and_audited(
    personas: dict[str, Staff], as_user: Client, person: Person, attachment_storage: Path
) -> None:
    client = as_user(personas["window"])
    url = reverse("attachments:new", args=["person", person.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, upload_post(PDF, "診断書 2026.pdf", "medical"))
    assert response.status_code == 302 and response["Location"] == person.get_absolute_url()
    attachment = PersonAttachment.objects.get()
    assert attachment.original_name == "診断書 2026.pdf"
    assert attachment.content_type == "application/pdf" and attachment.size == len(PDF)
    files = stored(attachment_storage)
    assert len(files) == 1 and files[0].read_bytes() == PDF
    assert "診断書" not in attachment.storage_key  # a random key, never the user's name
    static_root = Path(django_settings.STATIC_ROOT).resolve()
    assert static_root not in files[0].resolve().parents
    assert AuditEvent.objects.filter(
        object_type="attachments.personattachment", action="create"
    ).exists()


def test_bytes_are_served_with_no_store_a_safe_disposition_and_an_audit_event(
    personas: dict[str, Staff], as_user: Client, person: Person
) -> None:
    attachment = actions.attach(
        personas["window"], person, PDF, name="同意書.pdf", kind="consent_form"
    )
    client = as_user(personas["window"])
    before = AuditEvent.objects.filter(action="view", object_type="attachments.personattachment")
    count = before.count()
    page = client.get(attachment.get_absolute_url())
    assert page.status_code == 200 and "<iframe" in page.content.decode()
    download = client.get(reverse("attachments:download", args=["person", attachment.pk]))
    assert download.status_code == 200
    assert isinstance(download, FileResponse)
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert download["Cache-Control"] == "no-store"
    disposition = download["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=utf-8''" in disposition
    assert "%E5%90%8C%E6%84%8F%E6%9B%B8.pdf" in disposition  # 同意書.pdf, encoded
    inline = client.get(reverse("attachments:inline", args=["person", attachment.pk]))
    assert inline["Content-Disposition"].startswith("inline;")
    assert inline["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in inline["Content-Security-Policy"]
    assert page["X-Frame-Options"] == "DENY"  # every other page stays unframeable
    reads = AuditEvent.objects.filter(action="view", object_type="attachments.personattachment")
    assert reads.count() == count + 3
    assert {e.detail.get("file") for e in reads.order_by("seq")[count:]} == {
        None,
        "download",
        "inline",
    }


def test_images_get_an_upright_preview_without_their_metadata(
    personas: dict[str, Staff], as_user: Client, person: Person
) -> None:
    attachment = actions.attach(
        personas["window"], person, image("PNG", (3000, 2000)), name="photo.png", kind="photo"
    )
    response = as_user(personas["window"]).get(
        reverse("attachments:preview", args=["person", attachment.pk])
    )
    assert response["Content-Type"] == "image/jpeg" and response["Cache-Control"] == "no-store"
    assert isinstance(response, FileResponse)
    with Image.open(io.BytesIO(b"".join(response.streaming_content))) as preview:
        assert max(preview.size) == 1200 and not preview.getexif()


TIFF = image("TIFF")
REFUSED = [
    (b"<html><script>alert(1)</script></html>", "letter.pdf", "形式は添付できません"),
    (b"MZ\x90\x00" + b"\x00" * 100, "photo.jpg", "形式は添付できません"),
    (b"\x00\x00\x00\x18ftypheic" + b"\x00" * 100, "IMG_0001.HEIC", "HEIC"),
    (b"", "empty.pdf", "空です"),
    (image("PNG")[:40], "broken.png", "壊れているか"),
    (PDF[:-7], "cut.pdf", "途中で切れている"),
    (b"GIF89a" + b"\x00" * 40, "anim.gif", "形式は添付できません"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "map.svg", "形式は添付できません"),
]


@pytest.mark.parametrize(("data", "name", "message"), REFUSED)
def test_refused_files_leave_nothing_behind(
    personas: dict[str, Staff],
    as_user: Client,
    person: Person,
    attachment_storage: Path,
    data: bytes,
    name: str,
    message: str,
) -> None:
    client = as_user(personas["window"])
    events = AuditEvent.objects.count()
    response = client.post(
        reverse("attachments:new", args=["person", person.pk]), upload_post(data, name)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert PersonAttachment.objects.count() == 0 and stored(attachment_storage) == []
    assert AuditEvent.objects.count() == events


def test_a_file_over_the_limit_is_refused_while_it_streams_in(
    personas: dict[str, Staff],
    as_user: Client,
    person: Person,
    attachment_storage: Path,
    settings: Any,
) -> None:
    settings.TOMONI_ATTACHMENT_MAX_BYTES = 64 * 1024
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024  # past this Django would write a temp file
    big = PDF[:-6] + b"0" * (200 * 1024) + b"\n%%EOF\n"
    client = as_user(personas["window"])
    response = client.post(
        reverse("attachments:new", args=["person", person.pk]), upload_post(big, "big.pdf")
    )
    assert response.status_code == 200 and "大きすぎます" in response.content.decode()
    assert PersonAttachment.objects.count() == 0 and stored(attachment_storage) == []
    with pytest.raises(ValidationError, match="大きすぎます"):
        actions.attach(personas["window"], person, big, name="big.pdf", kind="letter")


@pytest.mark.parametrize(
    "raw",
    [
        "../../etc/passwd.pdf",
        "..\\..\\Windows\\system32\\evil.pdf",
        "a\x00b\x1b[31mc\r\n.pdf",
        "invoice\u202efdp.exe",
        "x" * 500 + ".pdf",
        ".htaccess",
        'CON<>:"|?*.pdf',
        "",
        "診断書.PDF",
    ],
)
def test_hostile_names_become_plain_names(raw: str) -> None:
    name = safe_name(raw, "application/pdf")
    assert "/" not in name and "\\" not in name and not name.startswith(".")
    assert all(ord(c) >= 0x20 and c not in '\u202e<>:"|?*' for c in name)
    assert len(name) <= 100 and name.endswith(".pdf")


def test_a_renamed_file_keeps_its_real_type(personas: dict[str, Staff], person: Person) -> None:
    """A PNG called .pdf is stored and served as the PNG it is, under a .png name."""
    attachment = actions.attach(
        personas["window"], person, image("PNG"), name="scan.pdf", kind="photo"
    )
    assert attachment.content_type == "image/png" and attachment.original_name == "scan.pdf.png"
    tiff = actions.attach(personas["window"], person, TIFF, name="scan.tif", kind="letter")
    assert tiff.content_type == "image/tiff" and tiff.preview_key


def test_a_consent_points_to_its_signed_form(
    personas: dict[str, Staff], as_user: Client, person: Person
) -> None:
    window = personas["window"]
    consent = people_actions.record_consent(
        window, person, scope="share", status="given", on=timezone.localdate(), method="written"
    )
    client = as_user(window)
    response = client.post(
        reverse("attachments:new", args=["person", person.pk]),
        upload_post(PDF, "同意書.pdf", "consent_form", consent=str(consent.pk)),
    )
    assert response.status_code == 302
    assert list(consent.signed_forms.all()) == list(PersonAttachment.objects.all())
    other = first_member(register_household(window))
    with pytest.raises(ValidationError, match="同意を記録した本人"):
        actions.attach(window, other, PDF, name="x.pdf", kind="consent_form", consent=consent)
    assert Consent.objects.count() == 1


def test_removal_deletes_the_bytes_and_keeps_the_record(
    personas: dict[str, Staff],
    as_user: Client,
    person: Person,
    attachment_storage: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    window = personas["window"]
    attachment = actions.attach(window, person, image("JPEG"), name="wrong.jpg", kind="photo")
    assert len(stored(attachment_storage)) == 2  # the file and its preview
    client = as_user(window)
    url = reverse("attachments:remove", args=["person", attachment.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"reason": "別の方の書類だった"}).status_code == 302
    attachment.refresh_from_db()
    assert attachment.is_removed and attachment.removed_by == window
    assert stored(attachment_storage) == []
    assert (
        client.get(reverse("attachments:download", args=["person", attachment.pk])).status_code
        == 404
    )
    assert "削除されました" in client.get(attachment.get_absolute_url()).content.decode()
    assert client.post(url, {"reason": ""}).status_code == 302


@pytest.fixture
def case_file(personas: dict[str, Staff]) -> CaseAttachment:
    """A case of the coordinator with agency A and the 社協 (the outreach worker's agency)
    on the team, consent given, and a 診断書 attached."""
    coordinator = personas["coordinator"]
    household = register_household(coordinator)
    case = case_actions.open_case(coordinator, household=household, title="世帯の支援")
    set_consent(coordinator, case, ConsentState.GIVEN, on=timezone.localdate())
    for code in ("houkatsu1", "shakyo"):
        case_actions.add_team_member(coordinator, case, Agency.objects.get(code=code))
    case.refresh_from_db()
    attachment = actions.attach(coordinator, case, PDF, name="診断書.pdf", kind="medical")
    assert isinstance(attachment, CaseAttachment)
    return attachment


def test_case_files_are_read_like_case_notes(
    personas: dict[str, Staff], as_user: Client, case_file: CaseAttachment
) -> None:
    """The team agency reads and attaches; the outreach worker on the team sees the case but
    not its documents (nor its notes); other agencies get 404."""
    url = case_file.get_absolute_url()
    assert as_user(personas["agency_a"]).get(url).status_code == 200
    assert as_user(personas["outreach"]).get(case_file.case.get_absolute_url()).status_code == 200
    assert as_user(personas["outreach"]).get(url).status_code == 404
    assert as_user(personas["agency_b"]).get(url).status_code == 404
    new = reverse("attachments:new", args=["case", case_file.case_id])
    assert as_user(personas["agency_a"]).get(new).status_code == 200
    assert as_user(personas["outreach"]).get(new).status_code == 403


def test_consultation_files_follow_the_consultation(
    personas: dict[str, Staff], as_user: Client
) -> None:
    window = personas["window"]
    consultation = intake_actions.take_consultation(
        window, method="phone", summary="家賃の相談", consent="given"
    )
    attachment = actions.attach(window, consultation, PDF, name="督促状.pdf", kind="letter")
    assert as_user(window).get(attachment.get_absolute_url()).status_code == 200
    assert as_user(personas["agency_a"]).get(attachment.get_absolute_url()).status_code == 404


def all_urls(slug: str, pk: int, parent: int) -> dict[str, tuple[str, str]]:
    return {
        reverse("attachments:new", args=[slug, parent]): ("GET", "PUT"),
        reverse("attachments:detail", args=[slug, pk]): ("GET", "POST"),
        reverse("attachments:download", args=[slug, pk]): ("GET", "POST"),
        reverse("attachments:inline", args=[slug, pk]): ("GET", "POST"),
        reverse("attachments:preview", args=[slug, pk]): ("GET", "POST"),
        reverse("attachments:remove", args=[slug, pk]): ("POST", "GET"),
    }


def test_every_url_404_for_outsiders_login_for_anonymous_405_for_wrong_methods(
    personas: dict[str, Staff], as_user: Client, person: Person, case_file: CaseAttachment
) -> None:
    window = personas["window"]
    photo = actions.attach(window, person, image("PNG"), name="p.png", kind="photo")
    checks = [
        (all_urls("person", photo.pk, person.pk), window, ("agency_a", "agency_b", "coordinator")),
        (
            all_urls("case", case_file.pk, case_file.case_id),
            personas["coordinator"],
            ("agency_b", "window"),
        ),
    ]
    for urls, owner, outsiders in checks:
        for url, (method, wrong) in urls.items():
            for name in (*outsiders, "community", "manager", "auditor", "admin"):
                if name == "coordinator":
                    continue  # coordinators see every person: not an outsider here
                response = send(as_user(personas[name]), method, url, {"reason": "test"})
                assert response.status_code == 404, (name, url)
            anonymous = send(as_user(None), method, url)
            assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
            assert send(as_user(owner), wrong, url).status_code == 405, url
    for bad in ("household", "..", "person1"):
        assert as_user(window).get(f"/attachments/{bad}/{photo.pk}/").status_code == 404
    assert as_user(window).get(f"/attachments/person/{photo.pk + 10**6}/").status_code == 404
    assert as_user(window).get(f"/attachments/new/person/{10**9}/").status_code == 404
