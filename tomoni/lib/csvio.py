"""CSV as Japanese municipalities exchange it: UTF-8 (with or without BOM) or CP932."""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Literal

_GETA = "〓"
# What Python (like Windows) decodes the CP932 bytes 0x80, 0xA0 and 0xFD–0xFF to: no Japanese
# text file contains them, so seeing them means the file is in some other encoding.
_CP932_UNUSED = re.compile("[\u0080\uf8f0-\uf8f3]")
# Characters Excel users type that CP932 lacks but has a look-alike for; everything else
# that CP932 cannot hold becomes 〓, the traditional mark for a missing character. The unused
# code points above are written as 〓 too, so that read_csv_text accepts what we write.
_CP932_SUBSTITUTES = str.maketrans(
    {"—": "―", "¦": "￤", "·": "・", "\u0080": _GETA}
    | dict.fromkeys(map(chr, range(0xF8F0, 0xF8F4)), _GETA)
)
_DECOMPOSED_KANA = re.compile("[\u3041-\u30ff][\u3099\u309a]")


class CsvEncodingError(ValueError):
    """The bytes are neither UTF-8 nor CP932; the message is shown to staff."""


class CsvFormatError(ValueError):
    """The CSV cannot be read as a table under its header row; the message is shown to staff."""


def read_csv_text(data: bytes) -> tuple[str, str]:
    """Decode an uploaded CSV; return (text, encoding) with encoding one of
    'utf-8-sig', 'utf-8', 'cp932'.

    UTF-8 is tried before CP932 because Japanese CP932 text is practically never valid UTF-8,
    while the reverse guess would silently produce 文字化け.
    """
    # NUL bytes mean UTF-16 (Excel's "Unicode テキスト") or a binary file such as .xlsx;
    # both would otherwise "decode" as CP932 garbage, since CP932 accepts almost any bytes.
    if b"\x00" not in data:
        # A BOM says UTF-8; guessing CP932 after a failure would only garble the text.
        bom = data.startswith(codecs.BOM_UTF8)
        candidates = ["utf-8-sig"] if bom else ["utf-8", "cp932"]
        for encoding in candidates:
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            if encoding != "cp932" or not _CP932_UNUSED.search(text):
                return text, encoding
    raise CsvEncodingError(
        "文字コードを判別できません（UTF-8 または Shift_JIS(CP932) で保存してください）"
    )


def iter_csv_rows(data: bytes) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (row number, {header: value}) for each data row; the first data row is 2.

    Row numbers count records, as Excel numbers its rows, so a cell with a line break does
    not shift them. Blank lines are skipped but counted. Columns with an empty header are
    dropped; missing trailing cells read as ''.
    """
    text, _ = read_csv_text(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    row_number = 0
    header: list[str] = []
    try:
        for row_number, cells in enumerate(reader, start=1):
            if row_number == 1:
                header = _check_header(cells)
                continue
            if not cells:
                continue
            yield row_number, _row_dict(row_number, header, cells)
    except csv.Error as exc:
        raise CsvFormatError(f"{row_number + 1}行目: CSV として読めません（{exc}）") from exc


def _check_header(cells: list[str]) -> list[str]:
    # Spaces around a heading are invisible in Excel, so "氏名 " must still mean 氏名.
    header = [cell.strip() for cell in cells]
    seen: set[str] = set()
    for name in header:
        if name and name in seen:
            raise CsvFormatError(f"1行目: 見出し「{name}」が重複しています")
        seen.add(name)
    return header


def _row_dict(row_number: int, header: list[str], cells: list[str]) -> dict[str, str]:
    extra = cells[len(header) :]
    if any(cell.strip() for cell in extra):
        # Usually an unquoted comma inside a value: every later column would be shifted.
        raise CsvFormatError(
            f"{row_number}行目: 列が多すぎます（見出しは{len(header)}列、この行は{len(cells)}列）"
        )
    padded = cells + [""] * (len(header) - len(cells))
    return {name: value for name, value in zip(header, padded, strict=False) if name}


# OWASP "CSV injection": a cell starting with one of these is run as a formula by Excel (and
# LibreOffice) — =HYPERLINK(…) sends data away, +cmd|… / @SUM(…) start programs. Full-width
# forms too: Japanese IME input turns ＝ into = as the cell is read.
FORMULA_STARTS = frozenset("=+-@\t\r＝＋－＠")
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")


def is_formula_like(value: object) -> bool:
    """A text cell a spreadsheet would take as a formula. Plain signed numbers ("-3") and
    the suppression dash "-" are data, never a formula, and stay as they are."""
    return (
        isinstance(value, str)
        and value[:1] in FORMULA_STARTS
        and value != "-"
        and not _PLAIN_NUMBER.fullmatch(value)
    )


def neutralise(value: object) -> object:
    """The cell as written to a CSV: formula-like text gets a leading ' (OWASP), so Excel
    shows it as text; everything else unchanged. Every CSV export goes through this."""
    return "'" + value if is_formula_like(value) else value  # type: ignore[operator]


def append_xlsx_row(sheet: Any, values: Sequence[object]) -> None:
    """``sheet.append(values)`` for every Excel export: a text cell is always stored as text
    (openpyxl would store "=…" as a formula) and formula-like text gets Excel's own quote
    prefix, so it shows as typed and is never run."""
    sheet.append(list(values))
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
            if is_formula_like(cell.value):
                cell.quotePrefix = True


def write_csv(
    rows: Iterable[Sequence[object]],
    header: Sequence[str],
    *,
    encoding: Literal["utf-8-sig", "cp932"] = "utf-8-sig",
) -> bytes:
    """Encode a table as CSV for Excel (CRLF line ends); None becomes an empty cell.

    UTF-8 gets a BOM because Excel reads BOM-less UTF-8 as CP932. In CP932, characters it
    cannot hold (𠮷, emoji) become 〓 instead of failing the whole export. Formula-like text
    is neutralised (``neutralise``).
    """
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow([neutralise(cell) for cell in header])
    writer.writerows([neutralise(cell) for cell in row] for row in rows)
    text = buffer.getvalue()
    if encoding == "utf-8-sig":
        return text.encode("utf-8-sig")
    # Text pasted from macOS can carry kana with a separate voicing mark (か + ゛), which
    # CP932 has only in composed form. Composing just those keeps NFC away from e.g. Å (U+212B),
    # which CP932 has but whose NFC form it lacks.
    text = _DECOMPOSED_KANA.sub(lambda m: unicodedata.normalize("NFC", m[0]), text)
    text = text.translate(_CP932_SUBSTITUTES)
    return text.encode("cp932", errors="tomoni-geta")


def _replace_with_geta(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    return _GETA * (exc.end - exc.start), exc.end


codecs.register_error("tomoni-geta", _replace_with_geta)
