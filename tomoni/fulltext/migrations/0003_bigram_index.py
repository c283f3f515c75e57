"""Replace the trigram index with the bigram index (every word of 2+ characters).

SQLite: drop the FTS5 ``trigram`` table and its triggers; create ``fulltext_bigrams``, a
contentless FTS5 table (it stores no copy of the text, only the index) with ``unicode61``
over the space-separated bigrams (``remove_diacritics 0``; ``categories`` so that marks and
characters newer than SQLite's Unicode tables stay inside a token), and triggers that cut
the text with ``tomoni_bigrams()`` (registered in apps.py; a contentless table deletes a
row by being told its tokens again). Existing rows are indexed in one statement.

PostgreSQL: drop the ``pg_trgm`` index (nothing scans ``LIKE '%…%'`` over a whole kind any
more); add the ``tsvector`` column ``bigrams``, fill it for existing rows in batches, then
build its GIN index (faster than maintaining it row by row).
"""

import importlib

from django.db import migrations

TRIGGERS = [
    """
    CREATE TRIGGER fulltext_searchdocument_bi AFTER INSERT ON fulltext_searchdocument BEGIN
        INSERT INTO fulltext_bigrams(rowid, bigrams) VALUES (new.id, tomoni_bigrams(new.text));
    END
    """,
    """
    CREATE TRIGGER fulltext_searchdocument_bd AFTER DELETE ON fulltext_searchdocument BEGIN
        INSERT INTO fulltext_bigrams(fulltext_bigrams, rowid, bigrams)
        VALUES ('delete', old.id, tomoni_bigrams(old.text));
    END
    """,
    """
    CREATE TRIGGER fulltext_searchdocument_bu AFTER UPDATE ON fulltext_searchdocument BEGIN
        INSERT INTO fulltext_bigrams(fulltext_bigrams, rowid, bigrams)
        VALUES ('delete', old.id, tomoni_bigrams(old.text));
        INSERT INTO fulltext_bigrams(rowid, bigrams) VALUES (new.id, tomoni_bigrams(new.text));
    END
    """,
]
SQLITE_FORWARD = [
    "DROP TRIGGER IF EXISTS fulltext_searchdocument_ai",
    "DROP TRIGGER IF EXISTS fulltext_searchdocument_ad",
    "DROP TRIGGER IF EXISTS fulltext_searchdocument_au",
    "DROP TABLE IF EXISTS fulltext_fts",
    """
    CREATE VIRTUAL TABLE fulltext_bigrams USING fts5(
        bigrams,
        content='',
        columnsize=0,
        tokenize="unicode61 remove_diacritics 0 categories 'L* N* M* Co Cn'"
    )
    """,
    *TRIGGERS,
    "INSERT INTO fulltext_bigrams(rowid, bigrams)"
    " SELECT id, tomoni_bigrams(text) FROM fulltext_searchdocument",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS fulltext_searchdocument_bi",
    "DROP TRIGGER IF EXISTS fulltext_searchdocument_bd",
    "DROP TRIGGER IF EXISTS fulltext_searchdocument_bu",
    "DROP TABLE IF EXISTS fulltext_bigrams",
]
GIN_INDEX = (
    "CREATE INDEX IF NOT EXISTS fulltext_searchdocument_bigrams"
    " ON fulltext_searchdocument USING gin (bigrams)"
)
POSTGRESQL_BACKWARD = [
    "DROP INDEX IF EXISTS fulltext_searchdocument_bigrams",
    "ALTER TABLE fulltext_searchdocument DROP COLUMN IF EXISTS bigrams",
]


def _execute(schema_editor, statements):
    for sql in statements:
        schema_editor.execute(sql)


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _execute(schema_editor, SQLITE_FORWARD)
    elif vendor == "postgresql":
        from tomoni.fulltext.api import index_unindexed

        _execute(
            schema_editor,
            [
                "DROP INDEX IF EXISTS fulltext_searchdocument_text_trgm",
                "ALTER TABLE fulltext_searchdocument ADD COLUMN bigrams tsvector",
            ],
        )
        index_unindexed(using=schema_editor.connection)
        _execute(schema_editor, [GIN_INDEX])


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _execute(schema_editor, SQLITE_BACKWARD)
        old = importlib.import_module("tomoni.fulltext.migrations.0002_engine_index")
        _execute(schema_editor, old.SQLITE_FORWARD)
    elif vendor == "postgresql":
        _execute(schema_editor, POSTGRESQL_BACKWARD)
        old = importlib.import_module("tomoni.fulltext.migrations.0002_engine_index")
        _execute(schema_editor, old.POSTGRESQL_FORWARD)


class Migration(migrations.Migration):
    dependencies = [("fulltext", "0002_engine_index")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
