"""Figures of earlier 年度 from CSV (`tomoni import history`): 稲城市 started in 令和6年度 on
paper, and its 統計 should not show that year as zeros.

The file has a header row 年度,項目,値 (備考 optional), one figure a line. 年度 is 令和6, R6,
令和6年度 or 2024; 項目 is 「表キー/項目」 as ``figures.history_keys()`` lists them
(``consultations/新規``); 値 is a count (0 or more). UTF-8 with or without BOM, or CP932.

Every line is checked before anything is written: any problem rejects the whole file with a
Japanese message per line (``ValidationError``). Importing the same (年度, 項目) again replaces
its value (a corrected file is simply loaded again). Who may import: whoever may set the
targets (``policy.CREATE["stats.Target"]``, the manager); every import is audited.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from tomoni import access
from tomoni.audit.log import Action, record
from tomoni.directory.models import Staff
from tomoni.lib.csvio import CsvEncodingError, CsvFormatError, iter_csv_rows, read_csv_text
from tomoni.lib.fiscal import fiscal_year, fiscal_year_label
from tomoni.lib.wareki import ERAS

from . import figures
from .actions import FIRST_FY, MAX_VALUE
from .models import HistoricalFigure, Target

COLUMNS = ("年度", "項目", "値", "備考")
REQUIRED = COLUMNS[:3]
Encoding = Literal["auto", "utf-8", "cp932"]
Rows = list[tuple[int, dict[str, str]]]

_ERA = {era.name: era for era in ERAS} | {era.letter: era for era in ERAS}
_YEAR = re.compile(r"(?P<era>明治|大正|昭和|平成|令和|[MTSHR])?(?P<y>元|[0-9]{1,4})(?:年度?)?")


def read_rows(data: bytes, encoding: Encoding = "auto") -> Rows:
    """The file's data rows as (line number, {column: value}); ``auto`` tries UTF-8 (with or
    without BOM), then CP932. A file that cannot be read is a ``ValidationError``."""
    if encoding != "auto":
        name = "UTF-8" if encoding == "utf-8" else "Shift_JIS(CP932)"
        try:
            # Decoded as named, then read by csvio like any file (it is UTF-8 by then).
            data = data.decode("utf-8-sig" if encoding == "utf-8" else "cp932").encode("utf-8")
        except UnicodeDecodeError:
            raise ValidationError(
                f"ファイルを {name} として読めません（--encoding auto で自動判別できます）。"
            ) from None
    try:
        rows = list(iter_csv_rows(data))
    except (CsvEncodingError, CsvFormatError) as error:
        raise ValidationError(str(error)) from None
    header = _header(data)
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise ValidationError(
            f"1行目: 見出しに「{'」「'.join(missing)}」がありません（{','.join(COLUMNS)}）。"
        )
    return rows


def _header(data: bytes) -> set[str]:
    text, _ = read_csv_text(data)
    first = next(csv.reader(io.StringIO(text, newline="")), [])
    return {cell.strip() for cell in first}


def parse_fy(text: str) -> int:
    """The 年度 named by 令和6, 令和6年度, R6, 令和元年度 or 2024 (full-width digits too)."""
    found = _YEAR.fullmatch(unicodedata.normalize("NFKC", text).strip().upper())
    if found is None:
        raise ValueError(text)
    number = 1 if found["y"] == "元" else int(found["y"])
    if found["era"] is None:
        if number < 1000:
            raise ValueError(text)
        return number
    if number < 1:
        raise ValueError(text)
    return _ERA[found["era"]].start.year + number - 1


def _parse_value(text: str) -> int:
    digits = unicodedata.normalize("NFKC", text).strip().replace(",", "")
    if not digits.isascii() or not digits.isdigit() or int(digits) > MAX_VALUE:
        raise ValueError(text)
    return int(digits)


def _normal(key: str) -> str:
    """Keys compare as NFKC without spaces around the slash: 「cases／新規」 is cases/新規."""
    return re.sub(r"\s*/\s*", "/", unicodedata.normalize("NFKC", key).strip())


@dataclass(frozen=True)
class Line:
    line: int
    fy: int
    key: str
    value: int
    note: str


@dataclass
class ImportResult:
    lines: list[Line]
    dry_run: bool
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    years: list[int] = field(default_factory=list)


def parse(rows: Iterable[tuple[int, dict[str, str]]]) -> list[Line]:
    """Every line checked; all the problems at once, each with its line number."""
    keys = {_normal(key): key for key, _ in figures.history_keys()}
    last = fiscal_year(timezone.localdate()) - 1
    problems: list[str] = []
    lines: list[Line] = []
    seen: dict[tuple[int, str], int] = {}
    for number, row in rows:
        cells = {name: (row.get(name) or "").strip() for name in COLUMNS}
        if not any(cells.values()):
            continue  # a line of empty cells, as Excel leaves them
        here: list[str] = []
        fy = 0
        try:
            fy = parse_fy(cells["年度"])
        except ValueError:
            here.append(f"年度「{cells['年度']}」を読めません。")
        else:
            if not FIRST_FY <= fy <= last:
                here.append(
                    f"{fy}年度は取り込めません（{fiscal_year_label(FIRST_FY)}から"
                    f"{fiscal_year_label(last)}まで。今年度は記録から集計します）。"
                )
        key = keys.get(_normal(cells["項目"]))
        if key is None:
            here.append(
                f"項目「{cells['項目']}」はありません"
                "（`tomoni import history --keys` で一覧を表示できます）。"
            )
        value = 0
        try:
            value = _parse_value(cells["値"])
        except ValueError:
            here.append(f"値「{cells['値']}」は0以上の整数で入力してください。")
        if len(cells["備考"]) > 200:
            here.append("備考は200文字以内にしてください。")
        if not here and key is not None:
            earlier = seen.setdefault((fy, key), number)
            if earlier != number:
                here.append(f"{fiscal_year_label(fy)}の「{key}」は{earlier}行目にもあります。")
        if here:
            problems.extend(f"{number}行目: {problem}" for problem in here)
        elif key is not None:
            lines.append(Line(number, fy, key, value, cells["備考"]))
    if problems:
        raise ValidationError(problems)
    if not lines:
        raise ValidationError("取り込む行がありません。")
    return lines


@transaction.atomic
def import_history(
    actor: Staff,
    rows: Iterable[tuple[int, dict[str, str]]],
    *,
    source: str,
    dry_run: bool = False,
    request: HttpRequest | None = None,
) -> ImportResult:
    """Import (or, with ``dry_run``, only check and count) the figures of earlier 年度: all
    lines or none. Audited as 一括登録 (one event: the file, the years, the counts)."""
    access.require_create(actor, Target)
    lines = parse(rows)
    result = ImportResult(lines, dry_run, years=sorted({line.fy for line in lines}))
    existing = {
        (f.fy, f.key): f
        for f in HistoricalFigure.objects.select_for_update().filter(fy__in=result.years)
    }
    now = timezone.now()
    for line in lines:
        figure = existing.get((line.fy, line.key))
        if figure is None:
            result.created += 1
            if not dry_run:
                HistoricalFigure.objects.create(
                    fy=line.fy,
                    key=line.key,
                    value=line.value,
                    note=line.note,
                    source=source[:200],
                    imported_at=now,
                    imported_by=actor,
                )
        elif (figure.value, figure.note) == (line.value, line.note):
            result.unchanged += 1
        else:
            result.changed += 1
            if not dry_run:
                figure.value, figure.note = line.value, line.note
                figure.source, figure.imported_at, figure.imported_by = source[:200], now, actor
                figure.save()
    if not dry_run:
        record(
            Action.BULK_LOAD,
            actor=actor,
            request=request,
            object_type="stats.historicalfigure",
            detail={
                "source": source[:200],
                "fy": result.years,
                "created": result.created,
                "changed": result.changed,
                "unchanged": result.unchanged,
            },
        )
    return result
