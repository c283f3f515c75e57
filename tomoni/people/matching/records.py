"""The one shape every part of 名寄せ compares: a person as an agency registered them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class Record:
    """One registration of a person, as typed; normalisation happens when comparing.

    record_id is unique within one comparison run (a CSV row's id, or a Person's pk as str).
    Empty strings and None mean "not recorded", which counts neither for nor against a match.
    """

    record_id: str
    name: str = ""
    kana: str = ""
    birthdate: date | None = None
    sex: str = ""
    address: str = ""
    phone: str = ""
