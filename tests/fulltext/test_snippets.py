"""The hit snippet: the user's characters around the first hit, words marked, all escaped."""

from __future__ import annotations

from tomoni.fulltext.snippets import ELLIPSIS, WIDTH, contains_all, highlight


def test_marks_every_word_as_written_and_escapes_the_rest() -> None:
    html = highlight('ｶﾀｶﾅの<script>alert("x")</script>とＡＢＣ商事', "カタカナ abc")
    assert html == (
        "<mark>ｶﾀｶﾅ</mark>の&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;と<mark>ＡＢＣ</mark>商事"
    )


def test_a_long_text_shows_the_part_around_the_first_hit() -> None:
    text = "本人より電話あり。" * 500 + "最後に施設入所の相談。" + "次回は訪問予定。" * 50
    html = str(highlight(text, "施設入所"))
    assert html.startswith(ELLIPSIS) and html.endswith(ELLIPSIS)
    assert "最後に<mark>施設入所</mark>の相談" in html
    assert len(html.replace("<mark>", "").replace("</mark>", "")) <= WIDTH + 2


def test_without_a_hit_the_beginning_unmarked() -> None:
    assert highlight("家計の相談", "施設") == "家計の相談"
    assert highlight("", "施設") == ""


def test_whitespace_is_one_space_and_composed_kana_stay_whole() -> None:
    assert highlight("面談\n\n  ｶﾞｲﾄﾞの件", "ガイド") == "面談 <mark>ｶﾞｲﾄﾞ</mark>の件"


def test_contains_all_follows_the_index_rules() -> None:
    assert contains_all("ＡＢＣ商事の件", "abc 件")
    assert not contains_all("ＡＢＣ商事の件", "abc 施設")
    assert not contains_all("ケア", "けあ")  # kana are not folded
    assert not contains_all("何か", "、")
