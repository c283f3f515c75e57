import re

import jaconv
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tomoni.lib.textnorm import digits_only, is_kana, kana_key, name_key, nfkc, normalize_text

HIRAGANA = "".join(chr(c) for c in range(0x3041, 0x3097)) + "ー"
# Characters that stress the folding: voicing marks in every form, dots, odd case mappings.
TRICKY = "かカｶﾞﾟ゛゜\u3099\u309a ・･·\u3000\tİıßẞKΣςǅ㋿ヽヾ"


def _katakana(hiragana: str) -> str:
    # Offset-based, independent of jaconv which the code under test uses.
    return "".join(chr(ord(c) + 0x60) if c != "ー" else c for c in hiragana)


@pytest.mark.parametrize(
    "text", ["ヤマダ　タロウ", "やまだ たろう", "ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダ・タロウ", "ﾔﾏﾀﾞ･ﾀﾛｳ"]
)
def test_kana_key_folds_furigana_spellings(text):
    """Katakana, hiragana and half-width kana, with any spacing or dots, give one key."""
    assert kana_key(text) == "やまだたろう"


def test_kana_key_composes_separate_voicing_marks():
    """A spacing or combining voicing mark joins the kana before it (カ゛ → が)."""
    assert kana_key("カ゛ワ") == "がわ"
    assert kana_key("か\u3099わ") == "がわ"
    assert kana_key("ﾊﾟｸ") == "ぱく"


def test_name_key_ignores_spacing_and_kana_script():
    """Names match regardless of spaces, dots, full-width letters or katakana/hiragana."""
    assert name_key("山田　太郎") == name_key("山田 太郎") == "山田太郎"
    assert name_key("ヤマダ タロウ") == "やまだたろう"
    assert name_key("ＳＭＩＴＨ・ジョン") == "smithじょん"


def test_normalize_text_cleans_input():
    """Full-width ASCII and half-width kana are unified and whitespace collapsed to one space."""
    assert normalize_text("　ＡＢＣ　　１２３\tｶﾀｶﾅ \n") == "ABC 123 カタカナ"
    assert nfkc("ｶﾀｶﾅ１") == "カタカナ1"


@pytest.mark.parametrize("phone", ["０４２-３７８-２１１１", "(042) 378 2111", "042－378－2111"])
def test_digits_only_extracts_phone_digits(phone):
    """Phone numbers in any width or punctuation reduce to their digits."""
    assert digits_only(phone) == "0423782111"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("やまだ たろう", True),
        ("ヤマダ・タロウ", True),
        ("ｺｰﾋｰ", True),
        ("さゝき", True),
        ("山田", False),
        ("yamada", False),
        ("やまだ1", False),
        ("", False),
        (" \u3000", False),
    ],
)
def test_is_kana(text, expected):
    """Only non-empty text of kana, long-vowel marks, spaces and dots counts as kana."""
    assert is_kana(text) is expected


@settings(max_examples=500)
@given(st.one_of(st.text(), st.text(alphabet=TRICKY)))
def test_key_functions_are_idempotent(text):
    """Applying any normaliser twice gives the same result as applying it once."""
    for f in (nfkc, normalize_text, kana_key, name_key, digits_only):
        once = f(text)
        assert f(once) == once


@settings(max_examples=300)
@given(st.text(alphabet=HIRAGANA, min_size=1))
def test_kana_key_same_for_hiragana_and_katakana(hiragana):
    """A reading in hiragana, katakana or half-width katakana gives the hiragana key."""
    katakana = _katakana(hiragana)
    halfwidth = jaconv.z2h(katakana, kana=True, ascii=False, digit=False)
    assert kana_key(hiragana) == kana_key(katakana) == kana_key(halfwidth) == hiragana
    assert is_kana(katakana)


@settings(max_examples=300)
@given(st.text())
def test_digits_only_returns_only_ascii_digits(text):
    """digits_only never returns anything but 0-9."""
    assert re.fullmatch("[0-9]*", digits_only(text))


@settings(max_examples=300)
@given(st.text())
def test_normalize_text_has_no_edge_or_double_spaces(text):
    """normalize_text leaves no leading, trailing or repeated whitespace."""
    out = normalize_text(text)
    assert out == out.strip()
    assert "  " not in out
    assert not re.search(r"\s", out.replace(" ", ""))
