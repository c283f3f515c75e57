"""The anonymiser on every case of the demo city: each member's and relative's name (in the
ways people write it), kana, address and phone are planted in the case's notes, and none of
them survives in the anonymised text."""

from __future__ import annotations

import jaconv
import pytest

from tomoni.cases.anonymise import anonymise, folded, register_for_case
from tomoni.cases.models import ENDED, Case
from tomoni.directory.models import Staff
from tomoni.lib.textnorm import digits_only
from tomoni.notes.actions import add_note
from tomoni.notes.models import Note, NoteMethod
from tomoni.people.family import family_of
from tomoni.people.models import Person

from .. import democity

# The city comes from tests/democity.py, restored before the test's own transaction.
pytestmark = [pytest.mark.demo, pytest.mark.xdist_group(democity.GROUP)]

FULL_WIDTH = str.maketrans("0123456789-", "０１２３４５６７８９－")


def planted_text(case: Case, people: list[Person], addresses: list[str], phones: list[str]) -> str:
    lines = []
    for p in people:
        kana = f"{p.family_kana} {p.given_kana}"
        lines += [
            f"{p.family_name} {p.given_name}さんと{p.family_name}{p.given_name}の件。",
            f"{p.family_name}さん、{p.given_name}さん、{p.given_name}が来所した。",
            f"ふりがな {kana}／{jaconv.hira2kata(kana)}／{jaconv.z2h(jaconv.hira2kata(kana))}。",
            f"{p.given_kana}ちゃんは元気。",
        ]
    for address in addresses:
        lines.append(f"住所は{address}、{address.translate(FULL_WIDTH)}。")
    for phone in phones:
        lines.append(f"電話 {phone} / {digits_only(phone)} / {phone.translate(FULL_WIDTH)}。")
    return "\n".join(lines)


def test_nothing_of_the_register_survives_on_any_demo_case(demo_city: dict[str, int]) -> None:
    coordinator = Staff.objects.get(username="kyodo")
    cases = list(Case.objects.select_related("household", "person").order_by("pk"))
    assert len(cases) >= 20
    checked = 0
    for case in cases:
        family = family_of(coordinator, case.household, subject=case.person)
        people = list(family.persons.values())
        addresses = [case.household.address]
        phones = [p for p in [case.household.phone, *(x.phone for x in people)] if p]
        text = planted_text(case, people, addresses, phones)
        if case.stage not in ENDED:
            add_note(coordinator, case, text=text, method=NoteMethod.HOME_VISIT)
            texts = [
                case.title,
                case.request_text,
                *Note.objects.filter(case=case).values_list("text", flat=True),
            ]
        else:  # a closed case takes no notes: the same text goes through as one
            texts = [case.title, case.request_text, text]
        register = register_for_case(coordinator, case)
        out = folded("\n".join(anonymise(t, register) for t in texts))
        digits = digits_only("\n".join(anonymise(t, register) for t in texts))
        for p in people:
            for written in (
                p.family_name + p.given_name,
                p.family_kana + p.given_kana,
                f"{p.family_name}さん",
                f"{p.given_name}さん",
                f"{p.given_name}が",
                f"{p.given_kana}ちゃん",
            ):
                assert folded(written) not in out, (case.code, written)
        for phone in phones:
            assert digits_only(phone) not in digits, (case.code, phone)
        for address in addresses:
            assert folded(address) not in out, (case.code, address)
            assert folded(address.split("丁目")[0]) not in out, (case.code, address)
        assert "本人" in out
        checked += 1
    assert checked == len(cases)
