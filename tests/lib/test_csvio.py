import codecs
import csv
import io
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tomoni.lib.csvio import (
    CsvEncodingError,
    CsvFormatError,
    iter_csv_rows,
    neutralise,
    read_csv_text,
    write_csv,
)

HEADER = ["氏名", "ふりがな", "電話"]


def _cp932_round_trips(c: str) -> bool:
    try:
        return c.encode("cp932").decode("cp932") == c
    except UnicodeError:
        return False


# Every character CP932 can store and give back unchanged. The header is always written, and
# its kanji make each CP932 file invalid UTF-8, so detection is unambiguous in this test.
# U+0080 and U+F8F0–F8F3 are excluded: CP932 can store them, but no Japanese text uses them,
# so write_csv turns them into 〓.
CP932_CHARS = (
    "".join(
        c
        for c in map(chr, range(0x20, 0x10000))
        if _cp932_round_trips(c) and c != "\x80" and not "\uf8f0" <= c <= "\uf8f3"
    )
    + "\r\n"
)
CELL = {
    # NUL is left out: it is not text, and read_csv_text rejects it as a sign of UTF-16.
    "utf-8-sig": st.text(
        st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=8
    ),
    "cp932": st.text(alphabet=CP932_CHARS, max_size=8),
}


def _rows(encoding: str) -> st.SearchStrategy[list[list[str]]]:
    return st.lists(st.lists(CELL[encoding], min_size=3, max_size=3), max_size=5)


def test_read_csv_text_detects_bom():
    """A UTF-8 BOM is recognised and removed."""
    data = codecs.BOM_UTF8 + "氏名,電話\n".encode()
    assert read_csv_text(data) == ("氏名,電話\n", "utf-8-sig")


def test_read_csv_text_detects_plain_utf8_and_cp932():
    """BOM-less UTF-8 is read as UTF-8, Shift_JIS text as CP932 (incl. 髙 and ①)."""
    text = "氏名,ふりがな\n髙橋 一郎,ﾀｶﾊｼ ｲﾁﾛｳ\n①,\n"
    assert read_csv_text(text.encode("utf-8")) == (text, "utf-8")
    assert read_csv_text(text.encode("cp932")) == (text, "cp932")


@pytest.mark.parametrize(
    "data",
    [
        b"\x81\x20",  # a CP932 lead byte followed by an invalid trail byte
        b"\x80\xff\xfd",  # bytes Python's cp932 decodes, but no Japanese text contains
        "氏名,電話\r\n".encode("utf-16"),  # Excel's "Unicode テキスト"
        "name,phone\r\n".encode("utf-16-le"),  # no BOM: valid UTF-8 apart from the NULs
    ],
)
def test_read_csv_text_rejects_other_encodings(data):
    """Bytes that are not UTF-8 or CP932 text raise CsvEncodingError in Japanese."""
    with pytest.raises(CsvEncodingError, match="文字コードを判別できません"):
        read_csv_text(data)


def test_bom_with_broken_utf8_is_not_guessed_as_cp932():
    """A BOM promises UTF-8, so invalid UTF-8 after it is an error, not 文字化け."""
    with pytest.raises(CsvEncodingError):
        read_csv_text(codecs.BOM_UTF8 + "氏名".encode("cp932"))


def test_iter_csv_rows_numbers_rows_as_excel_does():
    """Rows are numbered from 2; blank lines count, line breaks inside a cell do not."""
    data = '氏名,電話\n山田,042\n\n"佐藤\n花子",03\n鈴木\n'.encode("cp932")
    assert list(iter_csv_rows(data)) == [
        (2, {"氏名": "山田", "電話": "042"}),
        (4, {"氏名": "佐藤\n花子", "電話": "03"}),
        (5, {"氏名": "鈴木", "電話": ""}),
    ]


def test_iter_csv_rows_tolerates_excel_padding():
    """Spaces around headings, unnamed columns and empty trailing cells are ignored."""
    data = "氏名 ,電話,\n山田,042,,\n".encode()
    assert list(iter_csv_rows(data)) == [(2, {"氏名": "山田", "電話": "042"})]


def test_iter_csv_rows_rejects_a_shifted_row():
    """A row with data beyond the last heading is reported with its row number."""
    data = "氏名,住所\n山田,稲城市東長沼2111,1\n".encode()
    with pytest.raises(CsvFormatError, match="2行目: 列が多すぎます"):
        list(iter_csv_rows(data))


def test_iter_csv_rows_rejects_duplicate_headings():
    """Two columns with the same heading would lose data, so they are an error."""
    with pytest.raises(CsvFormatError, match="見出し「氏名」が重複"):
        list(iter_csv_rows("氏名,氏名\n山田,太郎\n".encode()))


def test_write_csv_utf8_has_bom_and_crlf():
    """UTF-8 output starts with a BOM (for Excel) and ends lines with CRLF."""
    data = write_csv([["山田", None, date(2026, 2, 19)]], ["氏名", "電話", "生年月日"])
    assert data == codecs.BOM_UTF8 + "氏名,電話,生年月日\r\n山田,,2026-02-19\r\n".encode()


def test_write_csv_cp932_replaces_missing_characters_with_geta():
    """Characters outside CP932 become 〓; CP932 extensions and look-alikes are kept."""
    row = ["𠮷野家😀𠮷", "髙橋①\u212b\uf8f0", "9時〜17時—か\u3099"]
    data = write_csv([row], ["a", "b", "c"], encoding="cp932")
    assert data.decode("cp932") == "a,b,c\r\n〓野家〓〓,髙橋①\u212b〓,9時～17時―が\r\n"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp932"])
def test_half_width_kana_file_is_read_back(encoding):
    """Half-width ふりがな read back unchanged; in CP932 "ﾃｨ" alone would be valid UTF-8 (è)."""
    rows = [["ﾔﾏﾀﾞ ﾀﾛｳ", "ｻﾄｳ ﾊﾅｺ", "ﾃｨ"]]
    data = write_csv(rows, HEADER, encoding=encoding)
    assert [list(row.values()) for _, row in iter_csv_rows(data)] == rows


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp932"])
@settings(max_examples=150)
@given(data=st.data())
def test_write_then_read_round_trips(encoding, data):
    """Whatever write_csv writes, iter_csv_rows reads back cell for cell."""
    rows = data.draw(_rows(encoding))
    encoded = write_csv(rows, HEADER, encoding=encoding)
    assert read_csv_text(encoded)[1] == encoding
    read = [(n, list(row.values())) for n, row in iter_csv_rows(encoded)]
    # Formula-like cells come back with the leading ' that neutralised them (OWASP).
    expected = [[neutralise(cell) for cell in row] for row in rows]
    assert read == [(n, row) for n, row in enumerate(expected, start=2)]


@pytest.mark.parametrize(
    "cell",
    [
        "=1+1",
        '=HYPERLINK("http://x","y")',
        "+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(A1)",
        "\t=1",
        "\r=1",
        "＝1+1",
        "＋1",
        "－1+1",
        "＠A1",
    ],
)
def test_formula_like_cells_are_written_as_text(cell):
    """OWASP CSV injection: the cell is read back with a leading ', which Excel shows as text."""
    data = write_csv([[cell, "-", "-3"]], ["a", "b", "c"])
    assert list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))[1] == ["'" + cell, "-", "-3"]


def test_plain_text_numbers_and_the_suppression_dash_are_unchanged():
    for cell in ["山田", "-", "-3", "+81", "-12.5", "a=b", " =1"]:
        assert neutralise(cell) == cell
    assert neutralise(-3) == -3 and neutralise(None) is None
