"""The places catalog as Open Referral HSDS 3.0 JSON: typed models of the parts we use, the
export (``to_hsds``), the checked import (``from_hsds``) and the action that loads it.

The file is ``{"version": "3.0", "services": [service, …]}``; each service carries its
organization and locations inline (the shape of HSDS's ``service_with_definitions``).

Mapping (every Place field, both ways; import reads exactly what export writes):

=================  ==========================================================================
Place              HSDS 3.0
=================  ==========================================================================
uid                service.id
name               service.name
description        service.description
active             service.status: "active" / "inactive" (import: any status but "active"
                   — inactive, temporarily closed, defunct — means 休止)
host, host_uid     service.organization.name / .id (also service.organization_id)
district           service.service_areas[0].name (the 地区 name; matched by name on import)
address            service.service_at_locations[0].location.addresses[0].address_1
                   (location.name = the place name; country "JP"; the other required address
                   parts are left empty because the catalog keeps one free-text 所在地)
days               service.schedules[0].byday, iCal days "MO,TH" (freq WEEKLY). Import takes the
                   days of every schedule; an ordinal prefix (2SA) is read as the day only
opens_at/closes_at service.schedules[0].opens_at / closes_at "10:00+09:00" (local time)
schedule_note      service.schedules[0].description (第2・第4土曜 …)
started_on         service.schedules[0].valid_from (開始日)
paused_on          service.schedules[0].valid_to + 1 day (休止日: the first day at rest; HSDS
                   names the last day the schedule holds)
cost               service.cost_options[0].amount, currency "JPY"
cost_note          service.fees_description
email              service.email
contact_name       service.contacts[0].name
phone              service.phones[0].number
kind               attribute, link_type "kind", taxonomy_term.code = PlaceKind value
welcomes           attributes, link_type "audience", taxonomy_term.code = Welcome value
interests          attributes, link_type "interest", taxonomy_term.name = the keyword
step_free          attribute, link_type "accessibility", taxonomy_term.code "step_free"
transport          attribute, link_type "accessibility", taxonomy_term.code "transport"
capacity           attribute, link_type "capacity", value = the number
atmosphere         attribute, link_type "atmosphere", value = the text
=================  ==========================================================================

Terms are matched by ``taxonomy_term.code``, or by their Japanese label (サロン, 高齢 …), so
a directory written by hand or by another system can name them either way. Attributes with
other link types are ignored. Ids of the parts (schedule, phone …) are derived from the
place's uid, so exporting twice gives the same file.
"""

from __future__ import annotations

import json
import math
import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticError

from tomoni import access
from tomoni.audit.log import Action, record
from tomoni.directory.models import District, Staff

from .actions import clean_place_data
from .models import Place, PlaceKind, Welcome

HSDS_VERSION = "3.0"
TOKYO = ZoneInfo("Asia/Tokyo")
BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")  # date.weekday() order, as Place.days
STATUS_ACTIVE = "active"
STATUS_INACTIVE = "inactive"
TAXONOMY = "tomoni"  # taxonomy_term.taxonomy of the terms we write

# --- typed models of the HSDS 3.0 parts we use ----------------------------------------------
# Extra fields are allowed (HSDS has many we do not read); the ones we use are typed, and
# required where HSDS requires them. Strict: a number where text is due is an error.


class _Part(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)


class TaxonomyTerm(_Part):
    id: uuid.UUID
    name: str
    description: str
    code: str | None = None
    taxonomy: str | None = None


class Attribute(_Part):
    id: uuid.UUID
    link_type: str | None = None
    link_entity: str | None = None
    value: str | None = None
    taxonomy_term: TaxonomyTerm | None = None


class Organization(_Part):
    id: uuid.UUID
    name: str
    description: str


class Address(_Part):
    id: uuid.UUID
    address_1: str
    city: str
    state_province: str
    postal_code: str
    country: str
    address_type: Literal["physical", "postal", "virtual"]


class Location(_Part):
    id: uuid.UUID
    location_type: Literal["physical", "postal", "virtual"]
    name: str | None = None
    addresses: list[Address] = Field(default_factory=list)


class ServiceAtLocation(_Part):
    id: uuid.UUID
    location: Location | None = None


class ServiceArea(_Part):
    id: uuid.UUID
    name: str | None = None


class Schedule(_Part):
    id: uuid.UUID
    freq: Literal["WEEKLY", "MONTHLY"] | None = None
    byday: str | None = None
    opens_at: str | None = None
    closes_at: str | None = None
    description: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None


class CostOption(_Part):
    id: uuid.UUID
    amount: float | None = None
    currency: str | None = None
    option: str | None = None


class Phone(_Part):
    id: uuid.UUID
    number: str


class Contact(_Part):
    id: uuid.UUID
    name: str | None = None


class Service(_Part):
    id: uuid.UUID
    name: str
    status: Literal["active", "inactive", "defunct", "temporarily closed"]
    organization_id: uuid.UUID | None = None
    description: str | None = None
    email: str | None = None
    fees_description: str | None = None
    # Not required by HSDS, but a place needs its host organisation.
    organization: Organization
    service_areas: list[ServiceArea] = Field(default_factory=list)
    service_at_locations: list[ServiceAtLocation] = Field(default_factory=list)
    schedules: list[Schedule] = Field(default_factory=list)
    cost_options: list[CostOption] = Field(default_factory=list)
    phones: list[Phone] = Field(default_factory=list)
    contacts: list[Contact] = Field(default_factory=list)
    attributes: list[Attribute] = Field(default_factory=list)


# --- export ---------------------------------------------------------------------------------


def _sub_id(place: Place, part: str) -> str:
    return str(uuid.uuid5(place.uid, part))


def _hhmm(value: time) -> str:
    return value.strftime("%H:%M") + "+09:00"


def _term(place: Place, link_type: str, code: str, name: str, value: str = "") -> dict[str, Any]:
    term_id = uuid.uuid5(uuid.NAMESPACE_URL, f"tomoni:{link_type}:{code}")
    attribute: dict[str, Any] = {
        "id": _sub_id(place, f"attribute:{link_type}:{code}"),
        "link_id": str(place.uid),
        "link_type": link_type,
        "link_entity": "service",
        "taxonomy_term_id": str(term_id),
        "taxonomy_term": {
            "id": str(term_id),
            "code": code,
            "name": name,
            "description": name,
            "taxonomy": TAXONOMY,
        },
    }
    if value:
        attribute["value"] = value
    return attribute


def _attributes(place: Place) -> list[dict[str, Any]]:
    welcome_labels = dict(Welcome.choices)
    attributes = [_term(place, "kind", place.kind, dict(PlaceKind.choices).get(place.kind, ""))]
    attributes += [_term(place, "audience", w, welcome_labels.get(w, w)) for w in place.welcomes]
    attributes += [_term(place, "interest", i, i) for i in place.interests]
    if place.step_free:
        attributes.append(_term(place, "accessibility", "step_free", "段差なし"))
    if place.transport:
        attributes.append(_term(place, "accessibility", "transport", "送迎あり"))
    if place.capacity is not None:
        attributes.append(_term(place, "capacity", "capacity", "定員", str(place.capacity)))
    if place.atmosphere:
        attributes.append(_term(place, "atmosphere", "atmosphere", "雰囲気", place.atmosphere))
    return attributes


def _location(place: Place) -> dict[str, Any]:
    location: dict[str, Any] = {
        "id": _sub_id(place, "location"),
        "location_type": "physical",
        "name": place.name,
        "addresses": [],
    }
    if place.address:
        location["addresses"].append(
            {
                "id": _sub_id(place, "address"),
                "location_id": location["id"],
                "address_1": place.address,
                "city": "",
                "state_province": "",
                "postal_code": "",
                "country": "JP",
                "address_type": "physical",
            }
        )
    return location


def _schedules(place: Place) -> list[dict[str, Any]]:
    if not (
        place.days
        or place.opens_at
        or place.closes_at
        or place.schedule_note
        or place.started_on
        or place.paused_on
    ):
        return []
    schedule: dict[str, Any] = {"id": _sub_id(place, "schedule"), "service_id": str(place.uid)}
    if place.days:
        schedule.update(freq="WEEKLY", wkst="MO", byday=",".join(BYDAY[d] for d in place.days))
    if place.opens_at:
        schedule["opens_at"] = _hhmm(place.opens_at)
    if place.closes_at:
        schedule["closes_at"] = _hhmm(place.closes_at)
    if place.schedule_note:
        schedule["description"] = place.schedule_note
    if place.started_on:
        schedule["valid_from"] = place.started_on.isoformat()
    if place.paused_on:
        schedule["valid_to"] = (place.paused_on - timedelta(days=1)).isoformat()
    return [schedule]


def service_of(place: Place) -> dict[str, Any]:
    """One place as an HSDS 3.0 service (with its organization and location inline)."""
    service: dict[str, Any] = {
        "id": str(place.uid),
        "organization_id": str(place.host_uid),
        "name": place.name,
        "description": place.description,
        "status": STATUS_ACTIVE if place.active else STATUS_INACTIVE,
        "organization": {"id": str(place.host_uid), "name": place.host, "description": ""},
        "service_areas": [],
        "service_at_locations": [
            {
                "id": _sub_id(place, "service_at_location"),
                "service_id": str(place.uid),
                "location_id": _sub_id(place, "location"),
                "location": _location(place),
            }
        ],
        "schedules": _schedules(place),
        "cost_options": [],
        "phones": [],
        "contacts": [],
        "attributes": _attributes(place),
    }
    if place.email:
        service["email"] = place.email
    if place.cost_note:
        service["fees_description"] = place.cost_note
    if place.district is not None:
        service["service_areas"].append(
            {
                "id": _sub_id(place, "service_area"),
                "service_id": str(place.uid),
                "name": place.district.name,
                "description": "地区",
            }
        )
    if place.cost is not None:
        service["cost_options"].append(
            {
                "id": _sub_id(place, "cost"),
                "service_id": str(place.uid),
                "option": "参加費",
                "currency": "JPY",
                "amount": place.cost,
            }
        )
    if place.phone:
        service["phones"].append(
            {"id": _sub_id(place, "phone"), "service_id": str(place.uid), "number": place.phone}
        )
    if place.contact_name:
        service["contacts"].append(
            {
                "id": _sub_id(place, "contact"),
                "service_id": str(place.uid),
                "name": place.contact_name,
            }
        )
    return service


def to_hsds(places: list[Place]) -> dict[str, Any]:
    return {"version": HSDS_VERSION, "services": [service_of(p) for p in places]}


def export_places(actor: Staff, *, request: HttpRequest | None = None) -> dict[str, Any]:
    """The catalog the actor may see, as HSDS 3.0; audited as an export."""
    places = list(access.visible(actor, Place).select_related("district").order_by("pk"))
    record(
        Action.EXPORT,
        actor=actor,
        request=request,
        object_type="participation.place",
        detail={"format": "hsds-3.0", "count": len(places)},
    )
    return to_hsds(places)


# --- import ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportProblem:
    """One problem of an import file, named by record (1-based) and HSDS field path."""

    index: int | None  # None: the file as a whole
    record_id: str
    record_name: str
    field: str
    message: str

    def __str__(self) -> str:
        if self.index is None:
            where = "ファイル全体"
        else:
            parts = [
                p for p in (self.record_name and f"「{self.record_name}」", self.record_id) if p
            ]
            where = f"{self.index}件目" + (f"（{' '.join(parts)}）" if parts else "")
        field = f" {self.field}" if self.field else ""
        return f"{where}{field}: {self.message}"


class ImportRejected(ValidationError):
    """The file has problems; nothing was imported."""

    def __init__(self, problems: list[ImportProblem]) -> None:
        super().__init__([str(p) for p in problems])
        self.problems = problems


PYDANTIC_MESSAGES = {
    "missing": "必須の項目がありません。",
    "string_type": "文字列で指定してください。",
    "uuid_parsing": "UUID の形式で指定してください。",
    "uuid_type": "UUID の形式で指定してください。",
    "float_type": "数値で指定してください。",
    "int_type": "整数で指定してください。",
    "list_type": "配列で指定してください。",
    "model_type": "オブジェクトで指定してください。",
    "dict_type": "オブジェクトで指定してください。",
    "literal_error": "決められた値のいずれかを指定してください",
}


def _path(prefix: str, loc: tuple[int | str, ...]) -> str:
    text = prefix
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def _pydantic_message(error: Any) -> str:
    message = PYDANTIC_MESSAGES.get(error["type"], f"値が正しくありません（{error['msg']}）。")
    if error["type"] == "literal_error":
        message += f"（{error.get('ctx', {}).get('expected', '')}）。"
    return message


class _RecordErrors:
    def __init__(self, index: int, raw: dict[str, Any]) -> None:
        self.index = index
        name, rid = raw.get("name"), raw.get("id")
        self.name = name if isinstance(name, str) else ""
        self.id = rid if isinstance(rid, str) else ""
        self.problems: list[ImportProblem] = []

    def add(self, field: str, message: str) -> None:
        self.problems.append(ImportProblem(self.index, self.id, self.name, field, message))


def _code_of(attribute: Attribute) -> str:
    term = attribute.taxonomy_term
    if term is not None and term.code:
        return term.code
    if term is not None:
        return term.name
    return attribute.value or ""


def _choice(code: str, choices: list[tuple[str, str]]) -> str | None:
    for value, label in choices:
        if code in (value, label):
            return value
    return None


def _read_time(text: str | None, field: str, errors: _RecordErrors) -> time | None:
    if text is None or text == "":
        return None
    try:
        value = time.fromisoformat(text.strip())
    except ValueError:
        errors.add(field, f"時刻「{text}」は HH:MM の形式で指定してください。")
        return None
    if value.tzinfo is not None:
        moment = datetime.combine(date(2000, 1, 1), value).astimezone(TOKYO)
        value = moment.time()
    return value.replace(tzinfo=None, second=0, microsecond=0)


BYDAY_PART = re.compile(r"^[+-]?\d{0,2}(MO|TU|WE|TH|FR|SA|SU)$")


def _read_schedules(service: Service, data: dict[str, Any], errors: _RecordErrors) -> None:
    days: set[int] = set()
    for i, schedule in enumerate(service.schedules):
        field = f"schedules[{i}]"
        for part in (p.strip().upper() for p in (schedule.byday or "").split(",") if p.strip()):
            match = BYDAY_PART.match(part)
            if match is None:
                errors.add(f"{field}.byday", f"曜日「{part}」は MO,TU … SU で指定してください。")
            else:
                days.add(BYDAY.index(match.group(1)))
    data["days"] = sorted(days)
    first = service.schedules[0] if service.schedules else Schedule(id=uuid.uuid4())
    data["opens_at"] = _read_time(first.opens_at, "schedules[0].opens_at", errors)
    data["closes_at"] = _read_time(first.closes_at, "schedules[0].closes_at", errors)
    data["schedule_note"] = first.description or ""
    data["started_on"] = first.valid_from
    data["paused_on"] = first.valid_to + timedelta(days=1) if first.valid_to else None


def _read_attributes(service: Service, data: dict[str, Any], errors: _RecordErrors) -> None:
    kinds: list[str] = []
    data.update(welcomes=[], interests=[], step_free=False, transport=False)
    data.update(capacity=None, atmosphere="")
    for i, attribute in enumerate(service.attributes):
        field, code = f"attributes[{i}]", _code_of(attribute)
        if attribute.link_type == "kind":
            kind = _choice(code, PlaceKind.choices)
            if kind is None:
                errors.add(
                    f"{field}.taxonomy_term", f"種類「{code}」は登録できる種類にありません。"
                )
            else:
                kinds.append(kind)
        elif attribute.link_type == "audience":
            welcome = _choice(code, Welcome.choices)
            if welcome is None:
                errors.add(
                    f"{field}.taxonomy_term", f"対象「{code}」は登録できる対象にありません。"
                )
            elif welcome not in data["welcomes"]:
                data["welcomes"].append(welcome)
        elif attribute.link_type == "interest":
            term = attribute.taxonomy_term
            data["interests"].append(term.name if term else (attribute.value or ""))
        elif attribute.link_type == "accessibility":
            key = {"段差なし": "step_free", "送迎あり": "transport"}.get(code, code)
            if key not in ("step_free", "transport"):
                errors.add(
                    f"{field}.taxonomy_term",
                    f"「{code}」は段差なし・送迎ありのどちらでもありません。",
                )
            else:
                data[key] = True
        elif attribute.link_type == "capacity":
            text = (attribute.value or "").strip()
            if not (
                text.isascii() and text.isdigit() and len(text) <= 10 and int(text) <= MAX_AMOUNT
            ):
                errors.add(
                    f"{field}.value", f"定員「{text[:20]}」は0以上の整数で指定してください。"
                )
            else:
                data["capacity"] = int(text)
        elif attribute.link_type == "atmosphere":
            data["atmosphere"] = attribute.value or ""
    named = any(a.link_type == "kind" for a in service.attributes)
    if named and not kinds:
        return  # the unknown term is already reported
    if len(set(kinds)) != 1:
        errors.add("attributes", "種類（link_type が kind の属性）をちょうど1つ指定してください。")
    else:
        data["kind"] = kinds[0]


def _read_cost(service: Service, data: dict[str, Any], errors: _RecordErrors) -> None:
    data["cost"] = None
    data["cost_note"] = service.fees_description or ""
    if not service.cost_options:
        return
    option = service.cost_options[0]
    if option.currency not in (None, "", "JPY"):
        errors.add("cost_options[0].currency", "費用は円（JPY）で指定してください。")
    amount = option.amount
    if amount is not None and (amount < 0 or amount > MAX_AMOUNT or amount != int(amount)):
        errors.add(
            "cost_options[0].amount",
            f"費用は0以上{MAX_AMOUNT:,}以下の整数（円）で指定してください。",
        )
    elif amount is not None:
        data["cost"] = int(amount)


def _place_data(
    service: Service, districts: dict[str, District], errors: _RecordErrors
) -> dict[str, Any]:
    organization = service.organization
    if service.organization_id not in (None, organization.id):
        errors.add("organization_id", "organization.id と一致しません。")
    data: dict[str, Any] = {
        "name": service.name,
        "description": service.description or "",
        "active": service.status == STATUS_ACTIVE,
        "host": organization.name,
        "email": service.email or "",
        "contact_name": (service.contacts[0].name or "") if service.contacts else "",
        "phone": service.phones[0].number if service.phones else "",
        "district": None,
        "address": "",
    }
    if service.service_areas and service.service_areas[0].name:
        name = service.service_areas[0].name
        data["district"] = districts.get(name)
        if data["district"] is None:
            errors.add("service_areas[0].name", f"地区「{name}」は登録されていません。")
    if service.service_at_locations:
        location = service.service_at_locations[0].location
        if location is not None and location.addresses:
            data["address"] = location.addresses[0].address_1
    _read_schedules(service, data, errors)
    _read_attributes(service, data, errors)
    _read_cost(service, data, errors)
    return data


@dataclass(frozen=True)
class ImportRecord:
    uid: uuid.UUID
    host_uid: uuid.UUID
    data: dict[str, Any]  # the Place fields, cleaned


LABELS = {f.name: f.verbose_name for f in Place._meta.fields}


def _check_place(data: dict[str, Any], errors: _RecordErrors) -> dict[str, Any] | None:
    """The product's own checks: clean_place_data, then the model's field checks."""
    try:
        cleaned = clean_place_data(data)
    except ValidationError as error:
        for message in error.messages:
            errors.add("", message)
        return None
    try:
        Place(**cleaned).full_clean(exclude=["uid", "host_uid"], validate_unique=False)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            label = str(LABELS.get(name, ""))
            for message in messages:
                errors.add(name, f"{label}: {message}" if label else message)
        return None
    return cleaned


MAX_AMOUNT = 2**31 - 1  # a PositiveIntegerField on PostgreSQL
MAX_DEPTH = 16  # deeper than any HSDS service (a schedule inside a service is 3 levels)
# Deeper than this the parser itself would give up (RecursionError): refused before parsing.
MAX_FILE_DEPTH = 200
MAX_INT_DIGITS = 18  # 2**63 has 19 digits; Python refuses to read 4300 or more


@dataclass(frozen=True)
class _BadNumber:
    """A number of the file that is no amount: NaN, Infinity, 1e400, a 5000-digit integer."""

    text: str

    def message(self) -> str:
        if self.text.lstrip("-") in ("NaN", "Infinity"):
            return f"数値「{self.text}」は使えません。有限の数値で指定してください。"
        shown = self.text if len(self.text) <= 20 else f"{self.text[:20]}…"
        return f"数値「{shown}」は大きすぎます。"


def _parse_float(text: str) -> float | _BadNumber:
    value = float(text)
    return value if math.isfinite(value) else _BadNumber(text)


def _parse_int(text: str) -> int | _BadNumber:
    return int(text) if len(text.lstrip("-")) <= MAX_INT_DIGITS else _BadNumber(text)


def _hostile(value: Any, path: str, depth: int = 0) -> tuple[str, str] | None:
    """The first value of a record that no field may hold, as (field, message): a number
    that is not finite or too large, a NUL character, nesting deeper than HSDS has."""
    if isinstance(value, _BadNumber):
        return path, value.message()
    if isinstance(value, str):
        return (path, "NUL 文字（\\u0000）は使えません。") if "\x00" in value else None
    if isinstance(value, float) and not math.isfinite(value):
        return path, _BadNumber(repr(value)).message()
    if not isinstance(value, dict | list):
        return None
    if depth >= MAX_DEPTH:
        return path, "入れ子が深すぎます。"
    items = value.items() if isinstance(value, dict) else enumerate(value)
    for key, item in items:
        if isinstance(key, str) and "\x00" in key:
            return path, "項目名に NUL 文字（\\u0000）は使えません。"
        inner = f"{path}[{key}]" if isinstance(key, int) else f"{path}.{key}".lstrip(".")
        if found := _hostile(item, inner, depth + 1):
            return found
    return None


def _depth(text: str) -> int:
    """The deepest nesting of a JSON text (brackets outside strings)."""
    deepest = depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def from_hsds(document: Any) -> list[ImportRecord]:
    """Check a whole HSDS document; raise ImportRejected listing every problem."""
    if isinstance(document, dict) and isinstance(document.get("services"), list):
        raw_services = document["services"]
    else:
        top = ImportProblem(None, "", "", "services", "services の配列を持つ JSON にしてください。")
        raise ImportRejected([top])
    districts = {d.name: d for d in District.objects.all()}
    problems: list[ImportProblem] = []
    records: list[ImportRecord] = []
    seen: dict[uuid.UUID, int] = {}
    for index, raw in enumerate(raw_services, start=1):
        errors = _RecordErrors(index, raw if isinstance(raw, dict) else {})
        if hostile := _hostile(raw, ""):
            errors.add(*hostile)
            problems += errors.problems
            continue
        try:
            service = Service.model_validate_json(json.dumps(raw, ensure_ascii=False))
        except PydanticError as error:
            for item in error.errors():
                errors.add(_path("", item["loc"]).lstrip("."), _pydantic_message(item))
            problems += errors.problems
            continue
        if service.id in seen:
            errors.add("id", f"{seen[service.id]}件目と同じ ID です。")
        seen.setdefault(service.id, index)
        data = _place_data(service, districts, errors)
        cleaned = None if errors.problems else _check_place(data, errors)
        if cleaned is not None and not errors.problems:
            records.append(ImportRecord(service.id, service.organization.id, cleaned))
        problems += errors.problems
    if problems:
        raise ImportRejected(problems)
    return records


def parse_file(content: bytes) -> list[ImportRecord]:
    """The records of an uploaded file (UTF-8 JSON), or ImportRejected."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        message = "UTF-8 の JSON ファイルを指定してください。"
        raise ImportRejected([ImportProblem(None, "", "", "", message)]) from None
    if _depth(text) > MAX_FILE_DEPTH:
        message = f"JSON の入れ子が深すぎます（{MAX_FILE_DEPTH}段まで）。"
        raise ImportRejected([ImportProblem(None, "", "", "", message)])
    try:
        document = json.loads(
            text, parse_constant=_BadNumber, parse_float=_parse_float, parse_int=_parse_int
        )
    except json.JSONDecodeError as error:
        message = f"JSON として読めません（{error.lineno}行目 {error.colno}文字目）。"
        raise ImportRejected([ImportProblem(None, "", "", "", message)]) from None
    return from_hsds(document)


@dataclass(frozen=True)
class ImportResult:
    created: int
    changed: int


@transaction.atomic
def import_places(
    actor: Staff,
    records: list[ImportRecord],
    *,
    request: HttpRequest | None = None,
    source: str = "",
) -> ImportResult:
    """Upsert places by HSDS id in one transaction: all records, or none."""
    access.require_create(actor, Place)
    existing = {
        p.uid: p
        for p in Place.objects.select_for_update()
        .order_by("pk")
        .filter(uid__in=[r.uid for r in records])
    }
    created = changed = 0
    for item in records:
        place = existing.get(item.uid)
        if place is None:
            place, action = Place(uid=item.uid), Action.CREATE
            created += 1
        else:
            access.require(actor, access.CHANGE, place)
            action = Action.CHANGE
            changed += 1
        for name, value in item.data.items():
            setattr(place, name, value)
        place.host_uid = item.host_uid
        place.full_clean(exclude=["uid", "host_uid"])
        place.updated_at = timezone.now()
        place.save()
        detail = {"fields": sorted(item.data), "via": "hsds"}
        record(action, actor=actor, request=request, obj=place, detail=detail)
    record(
        Action.BULK_LOAD,
        actor=actor,
        request=request,
        object_type="participation.place",
        detail={"format": "hsds-3.0", "created": created, "changed": changed, "source": source},
    )
    return ImportResult(created, changed)
