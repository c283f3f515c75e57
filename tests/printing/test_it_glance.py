"""The ジェノグラム and エコマップ of a case on paper: a print page and a PDF (A4) whose
Japanese text — names, 続柄, supporters — is real text in the PDF, not lost in the SVG."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import cast

import pytest
from django.urls import reverse
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from tests.cases.conftest import open_for, with_consent
from tomoni.audit.models import AuditEvent
from tomoni.cases.models import Case
from tomoni.directory.models import Staff
from tomoni.ecomap.actions import add_tie
from tomoni.people import actions as people_actions
from tomoni.people.models import Person, Relation

from ..conftest import BrowserClient
from ..methods import send

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(personas: dict[str, Staff]) -> Case:
    """An 8050 case: the mother (head) and her son; the late father; a 民生委員."""
    coordinator = personas["coordinator"]
    case = with_consent(coordinator, open_for(coordinator))
    mother, son = (m.person for m in case.household.memberships.order_by("pk"))
    case.person = son
    case.save(update_fields=["person"])
    people_actions.add_relation(coordinator, mother, son, Relation.Kind.PARENT_CHILD)
    people_actions.register_relative(
        coordinator,
        son,
        {"family_name": "見本", "given_name": "茂", "sex": "male", "deceased": True},
        role="parent",
    )
    father = Person.objects.get(given_name="茂")
    people_actions.add_relation(coordinator, father, mother, Relation.Kind.SPOUSE, union="bereaved")
    add_tie(
        coordinator,
        case.household,
        {
            "kind": "informal",
            "informal_kind": "commissioner",
            "name": "民生委員 例山さん",
            "strength": "weak",
            "direction": "to_family",
        },
    )
    return case


@pytest.mark.pdf
def test_pdf_holds_both_pictures_with_japanese_text(
    personas: dict[str, Staff], as_user: Callable[[Staff | None], BrowserClient], case: Case
) -> None:
    client = as_user(personas["coordinator"])
    page = client.get(reverse("print:glance", args=[case.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count("<svg") == 2 and "style=" not in html
    response = client.get(reverse("print:glance_pdf", args=[case.pk]))
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4
    text = "".join(p.extract_text() for p in reader.pages).replace(" ", "")
    for expected in (
        "ジェノグラム",
        "見本茂",
        "父",
        "親",
        "本人",
        "エコマップ",
        "民生委員例山さん",
        "見本さん世帯",
        "同居",
    ):
        assert expected in text, expected
    fonts = {
        str(font["/BaseFont"])
        for p in reader.pages
        for font in (cast(DictionaryObject, p["/Resources"]).get("/Font") or {}).values()
    }
    assert any("Noto-Sans-JP" in f for f in fonts), fonts
    printed = AuditEvent.objects.filter(action="print", object_type="cases.case")
    assert {e.detail["format"] for e in printed} == {"html", "pdf"}


def test_assessment_print_includes_the_pictures(
    personas: dict[str, Staff], as_user: Callable[[Staff | None], BrowserClient], case: Case
) -> None:
    html = as_user(personas["coordinator"]).get(reverse("print:assessment", args=[case.pk]))
    content = html.content.decode()
    assert "ジェノグラム" in content and "見本 茂（父・男性・死亡）" in content
    assert "民生委員 例山さん" in content


def test_outsiders_404_wrong_method_405(
    personas: dict[str, Staff], as_user: Callable[[Staff | None], BrowserClient], case: Case
) -> None:
    for name in ("print:glance", "print:glance_pdf"):
        url = reverse(name, args=[case.pk])
        for outsider in ("window", "agency_b", "manager", "auditor", "admin"):
            assert as_user(personas[outsider]).get(url).status_code == 404, (outsider, url)
        anonymous = as_user(None).get(url)
        assert anonymous.status_code == 302
        assert send(as_user(personas["coordinator"]), "POST", url).status_code == 405
