"""Japanese full-text search (tomoni.fulltext.api), the same results on SQLite and PostgreSQL."""

from __future__ import annotations

import unicodedata

import pytest
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pytest_django import DjangoAssertNumQueries

from tomoni.fulltext.api import (
    MAX_WORDS,
    bigram_text,
    index,
    is_short,
    matching_ids,
    normalize,
    query_words,
    rebuild,
    remove,
    tokens,
    tsvector_literal,
)
from tomoni.fulltext.models import SearchDocument

KIND = "intake.consultation"
DOCS = {
    1: "ケーブルテレビの解約ができない",
    2: "施設入所を検討。家族と面談した。",
    3: "ひきこもりの長男について相談があった",
    4: "ヘルパー派遣の調整を依頼",
    5: "ＡＢＣ商事の件で電話",
    6: "ｶﾀｶﾅで書かれたﾒﾓ",
    7: "家賃を100%滞納している",
    8: "a_b と書かれた書類",
    9: "axb 1000円",
    10: '「"テレビ*"」と(NEAR AND)の記号',
    11: "施設の見学",
}

sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the FTS5 bigram table exists only on SQLite"
)
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the tsvector column is the PostgreSQL index"
)


def found(query: str, kind: str = KIND) -> set[int]:
    return set(matching_ids(kind, query))


@pytest.fixture
def documents(db: None) -> None:
    for object_id, text in DOCS.items():
        index(KIND, object_id, text)


@pytest.mark.parametrize("query", ["解約", "ケーブル", "テレビの解約", "ビの解"])
def test_kanji_and_kana_substrings_are_found(documents: None, query: str) -> None:
    """Any substring of the text finds it, whether it crosses word boundaries or not."""
    assert found(query) == {1}


def test_hiragana_and_katakana_words(documents: None) -> None:
    """Words written in hiragana or katakana are found as written."""
    assert found("ひきこもり") == {3}
    assert found("ヘルパー") == {4}


def test_kana_are_not_folded(documents: None) -> None:
    """Katakana and hiragana are different text here (unlike name search)."""
    assert found("へるぱー") == set()
    assert found("ヒキコモリ") == set()


def test_two_character_words(documents: None) -> None:
    """Two-character words are found through the index, like longer ones."""
    assert found("施設") == {2, 11}
    assert found("面談") == {2}
    assert found("解約") == {1}


def test_one_character_word(documents: None) -> None:
    """A single character is a valid query (a scan: the lists bound it, see intake)."""
    assert found("件") == {5}
    assert found("円") == {9}


def test_every_word_must_match(documents: None) -> None:
    """Words are ANDed: a 2-character word narrows the result of a 4-character one."""
    assert found("施設 面談した") == {2}
    assert found("施設 見学") == {11}
    assert found("面談した 解約") == set()
    assert found("テレビ 施設") == set()


def test_no_false_positives(documents: None) -> None:
    """A word that no document contains finds nothing; near misses do not match."""
    assert found("生活保護") == set()
    assert found("ケーブルラジオ") == set()
    assert found("解除") == set()


def test_full_width_and_half_width_are_normalised(documents: None) -> None:
    """NFKC on both sides: ＡＢＣ = ABC = abc, ｶﾀｶﾅ = カタカナ."""
    assert found("ＡＢＣ") == {5}
    assert found("abc") == {5}
    assert found("Abc商事") == {5}
    assert found("カタカナ") == {6}
    assert found("ｶﾀｶﾅ") == {6}
    assert found("メモ") == {6}


def test_normalize() -> None:
    """Stored text: NFKC, ASCII lowercased, one space between words, no control characters."""
    assert normalize("  ＡＢＣ\u3000ｶﾅ\n\tDef\x00g ") == "abc カナ def g"
    # Only ASCII is lowercased, so both engines agree on every other letter.
    assert normalize("ΣÉ") == "ΣÉ"


def test_query_words() -> None:
    """Punctuation-only words, repeats and words inside other words are dropped."""
    assert query_words("施設 、 施設 施設入所 。") == ["施設入所"]
    assert query_words("解約 テレビ") == ["解約", "テレビ"]
    assert len(query_words("あ い う え お か き く")) == MAX_WORDS


def test_update_replaces_the_indexed_text(documents: None) -> None:
    """Indexing a record again replaces its text; the old words no longer find it."""
    index(KIND, 1, "新しい内容に変わった")
    assert found("解約") == set()
    assert found("ケーブル") == set()
    assert found("新しい内容") == {1}
    assert SearchDocument.objects.filter(kind=KIND, object_id=1).count() == 1


def test_remove(documents: None) -> None:
    """A removed record is no longer found; removing an unknown one does nothing."""
    remove(KIND, 1)
    remove(KIND, 999)
    assert found("ケーブル") == set()
    assert found("解約") == set()
    assert found("施設") == {2, 11}


def test_like_wildcards_match_literally(documents: None) -> None:
    """% and _ in a query are characters, not LIKE wildcards."""
    assert found("100%") == {7}
    assert found("%") == set()  # punctuation only
    assert found("0%") == {7}
    assert found("a_b") == {8}
    assert found("_b") == {8}


def test_fts5_syntax_is_plain_text(documents: None) -> None:
    """Quotes, stars, brackets and FTS5 keywords are searched for as text, never parsed."""
    assert found('"テレビ*"') == {10}
    assert found("テレビ*") == {10}
    assert found('"テレビ') == {10}
    assert found("(near") == {10}
    assert found("NEAR") == {10}
    assert found("AND") == {10}
    assert found("テレビ OR 施設") == set()  # OR is a word here, and no text contains it
    assert found("テレビ NOT 施設") == set()
    assert found("ケーブル*") == set()


@pytest.mark.parametrize(
    "query", ["", "   ", "\u3000", "、。！？", '"', '""', "*", "(", ")", "%", "_", "\\", "- -"]
)
def test_punctuation_only_query_finds_nothing(documents: None, query: str) -> None:
    """A query without letters or digits matches nothing, and never raises."""
    assert found(query) == set()


def test_kinds_are_isolated(documents: None) -> None:
    """A note with the same words is not a consultation, and the same id may be in both."""
    index("notes.note", 1, "支援会議で施設見学を提案")
    index("notes.note", 50, "ケーブルテレビの解約ができない")
    assert found("ケーブル") == {1}
    assert found("ケーブル", "notes.note") == {50}
    assert found("施設", "notes.note") == {1}
    assert found("施設見学", "notes.note") == {1}
    assert found("解約", "other.kind") == set()


def test_combined_with_another_queryset_in_one_query(
    db: None, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    """pk__in=matching_ids(...) joins a caller's (policy-limited) queryset in one query."""
    targets = [
        SearchDocument.objects.create(kind="test.target", object_id=n, text="") for n in range(3)
    ]
    for target, text in zip(targets, ["施設の解約", "施設入所の相談", "家計の相談"], strict=True):
        index("test.searched", target.pk, text)
    # Stands in for access.visible(): the caller may see only the first two targets.
    visible = SearchDocument.objects.filter(pk__in=[targets[0].pk, targets[1].pk])
    with django_assert_num_queries(1):
        hits = set(
            visible.filter(pk__in=matching_ids("test.searched", "施設")).values_list(
                "pk", flat=True
            )
        )
    assert hits == {targets[0].pk, targets[1].pk}
    with django_assert_num_queries(1):
        hits = set(
            visible.filter(pk__in=matching_ids("test.searched", "相談")).values_list(
                "pk", flat=True
            )
        )
    assert hits == {targets[1].pk}  # the third also matches, but is not visible
    assert list(visible.filter(pk__in=matching_ids("test.searched", "入所の相談 施設"))) == [
        targets[1]
    ]
    assert not visible.filter(pk__in=matching_ids("test.searched", "、")).exists()


def test_rebuild_replaces_a_kind(documents: None) -> None:
    """rebuild() swaps one kind's documents for the rows given, in batches, lazily."""
    index("notes.note", 1, "ケーブルテレビの解約")
    rows = ((n, f"見本{n}の施設入所" if n % 2 else f"試験{n}の面談") for n in range(1, 8))
    assert rebuild(KIND, rows, batch_size=3) == 7
    assert SearchDocument.objects.filter(kind=KIND).count() == 7
    assert found("ケーブル") == set()
    assert found("施設入所") == {1, 3, 5, 7}
    assert found("面談") == {2, 4, 6}
    assert found("見本5") == {5}
    assert found("ｹｰﾌﾞﾙ", "notes.note") == {1}


def test_rebuild_with_no_rows_empties_the_kind(documents: None) -> None:
    assert rebuild(KIND, []) == 0
    assert found("解約") == set()


@sqlite_only
def test_sqlite_fts5_bigram_table_and_triggers(documents: None) -> None:
    """The FTS5 table exists with its triggers and follows inserts, updates and deletes."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT type, name FROM sqlite_master WHERE name LIKE 'fulltext_%' "
            "AND type IN ('table', 'trigger') ORDER BY name"
        )
        names = {name for _, name in cursor.fetchall()}
        assert {"fulltext_bigrams", "fulltext_searchdocument_bi"} <= names
        assert {"fulltext_searchdocument_bd", "fulltext_searchdocument_bu"} <= names
        assert "fulltext_fts" not in names  # the trigram table is gone
        index(KIND, 2, "変更後の内容")
        remove(KIND, 4)
        cursor.execute("INSERT INTO fulltext_bigrams(fulltext_bigrams) VALUES ('integrity-check')")
        cursor.execute(
            "SELECT count(*) FROM fulltext_bigrams WHERE fulltext_bigrams MATCH %s", ['"変更"']
        )
        assert cursor.fetchone() == (1,)


@sqlite_only
def test_sqlite_queryset_update_keeps_the_index_in_step(documents: None) -> None:
    """On SQLite even an update that bypasses the API is followed by the index."""
    SearchDocument.objects.filter(kind=KIND, object_id=3).update(text="生活困窮の相談")
    assert found("ひきこもり") == set()
    assert found("生活困窮") == {3}


def test_queryset_delete_keeps_the_index_in_step(documents: None) -> None:
    """Deleting documents (a kind, a flush) leaves nothing behind that a query could find."""
    SearchDocument.objects.filter(kind=KIND, object_id=3).delete()
    assert found("ひきこもり") == set()
    index(KIND, 3, "ひきこもりの相談")
    assert found("ひきこもり") == {3}


@sqlite_only
def test_sqlite_the_index_drives_the_query(db: None) -> None:
    """Every word of 2+ characters goes to FTS5 MATCH, whose hits drive the query (rowid
    lookups, not a walk through the kind); no LIKE is needed for plain words."""
    sql, params = matching_ids(KIND, "テレビ 解約").query.sql_with_params()
    assert "MATCH" in sql and "LIKE" not in sql
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " / ".join(row[-1] for row in cursor.fetchall())
    assert "USING INTEGER PRIMARY KEY" in plan, plan
    assert "MATCH" in str(matching_ids(KIND, "解約").query)


def test_index_is_one_statement(
    db: None, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    """index() inserts or replaces in a single upsert, so callers can index inside actions."""
    with django_assert_num_queries(1):
        index(KIND, 1, "最初の内容")
    with django_assert_num_queries(1):
        index(KIND, 1, "次の内容")
    assert found("次の内容") == {1}


@postgresql_only
def test_postgresql_gin_index_serves_the_phrase(documents: None) -> None:
    """The tsvector match that matching_ids() writes can use the GIN index.

    Whether the planner prefers it depends on the table's size (bench/fulltext_bench.py);
    with sequential scans off, it must be usable at all.
    """
    sql, params = matching_ids(KIND, "ケーブル 解約").query.sql_with_params()
    assert "@@" in sql and "LIKE" not in sql
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        # Only the match: with a handful of rows the planner rightly prefers the kind index.
        (tsquery,) = [param for param in params if "<->" in str(param)]
        cursor.execute(
            "EXPLAIN SELECT id FROM fulltext_searchdocument WHERE bigrams @@ CAST(%s AS tsquery)",
            [tsquery],
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "fulltext_searchdocument_bigrams" in plan, plan


def test_tokens_are_bigrams_of_runs() -> None:
    """Runs of letters and digits become overlapping bigrams; a gap keeps runs apart."""
    assert tokens("施設入所") == ["施設", "設入", "入所"]
    assert tokens("東京、京都") == ["東京", None, "京都"]
    assert tokens("金、施設 a") == ["施設"]
    assert tokens("、。") == []
    assert bigram_text("東京、京都") == "東京 0 京都"
    assert tsvector_literal("東京、京都 東京") == "'東京':1,5 '京都':3"


def test_a_phrase_does_not_span_a_gap(documents: None) -> None:
    """「東京都」 is not in 「東京、京都」, although its bigrams are, one after the other."""
    index(KIND, 20, "東京、京都")
    assert found("東京都") == set()
    assert found("京都") == {20}


def test_is_short() -> None:
    """Only a query without any word of 2+ letters or digits is too short for the index."""
    assert is_short("金")
    assert is_short("金 円")
    assert is_short("a-b")
    assert not is_short("金 施設")
    assert not is_short("a-12")
    assert not is_short("")
    assert not is_short("、")


# Random queries against a reference: every content word must be a substring.
ALPHABET = '解約施設テレビのケーブル面談入所ひきこもりabcABCＡｶﾀ01%_\\"*()、 \u3000'


def _reference(query: str) -> set[int]:
    words = [
        word
        for word in normalize(query).split()
        if any(unicodedata.category(char)[0] in "LN" for char in word)
    ]
    if not words:
        return set()
    return {n for n, text in DOCS.items() if all(word in normalize(text) for word in words)}


def _slice(text: str) -> st.SearchStrategy[str]:
    return st.tuples(st.integers(0, len(text)), st.integers(1, 6)).map(
        lambda bounds: text[bounds[0] : bounds[0] + bounds[1]]
    )


# Words that occur in the documents (any slice, punctuation included) and random ones.
WORDS = st.one_of(
    st.sampled_from(sorted(DOCS.values())).flatmap(_slice),
    st.text(alphabet=ALPHABET, min_size=1, max_size=6),
)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=st.lists(WORDS, max_size=3).map(" ".join))
def test_matches_the_substring_reference(documents: None, query: str) -> None:
    """For any query, the result is exactly the documents containing every word."""
    if len(normalize(query).split()) > MAX_WORDS:
        return
    assert found(query) == _reference(query)


@pytest.mark.parametrize(
    "query", ["施設", "テレビ", "ケーブルテレビ", "施設 面談", "abc", '"テレビ*"', "100%", "a_b"]
)
def test_among_finds_the_same_records_within_the_ids(documents: None, query: str) -> None:
    """``among=`` checks only the given records, with the same answer for each of them."""
    among = [1, 2, 5, 7, 8, 10, 12]
    assert set(matching_ids(KIND, query, among=among)) == found(query) & set(among)
    subquery = SearchDocument.objects.filter(object_id__in=among).values("object_id")
    assert set(matching_ids(KIND, query, among=subquery)) == found(query) & set(among)


def test_the_index_is_written_in_the_writer_s_transaction(documents: None) -> None:
    """index() joins the caller's transaction: a write that fails leaves no hit behind."""
    with pytest.raises(RuntimeError), transaction.atomic():
        index(KIND, 30, "ロールバックされる記録")
        assert found("ロールバック") == {30}
        raise RuntimeError
    assert found("ロールバック") == set()


@pytest.mark.django_db(transaction=True)
def test_the_migration_indexes_existing_rows() -> None:
    """Migration 0003 builds the bigram index for the documents already stored."""
    executor = MigrationExecutor(connection)
    before, after = [("fulltext", "0002_engine_index")], [("fulltext", "0003_bigram_index")]
    try:
        executor.migrate(before)
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO fulltext_searchdocument (kind, object_id, text, updated_at)"
                " VALUES (%s, %s, %s, %s)",
                [KIND, 1, normalize("移行前からある施設入所の記録"), timezone.now()],
            )
        executor = MigrationExecutor(connection)
        executor.migrate(after)
        assert found("施設") == {1}
        assert found("入所の記録") == {1}
        assert found("記録 移行") == {1}
    finally:
        MigrationExecutor(connection).migrate(after)
