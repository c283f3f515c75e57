"""The engine's own substring index over SearchDocument.text.

SQLite: an FTS5 ``trigram`` table with external content (it stores no second copy of the
text) and triggers that keep it in step with every insert, update and delete, including
bulk_create, queryset.update/delete and flush. ``case_sensitive 1`` because the text is
lowercased before it is stored; folding in the tokenizer as well would make SQLite match
non-ASCII case variants that PostgreSQL's LIKE does not.

PostgreSQL: ``pg_trgm`` (a trusted extension: the database owner may create it) and a GIN
index that serves ``LIKE '%…%'``. It sees Japanese only under a UTF-8 LC_CTYPE
(check tomoni.E001).
"""

from django.db import migrations

SQLITE_FORWARD = [
    """
    CREATE VIRTUAL TABLE fulltext_fts USING fts5(
        text,
        content='fulltext_searchdocument',
        content_rowid='id',
        tokenize='trigram case_sensitive 1'
    )
    """,
    """
    CREATE TRIGGER fulltext_searchdocument_ai AFTER INSERT ON fulltext_searchdocument BEGIN
        INSERT INTO fulltext_fts(rowid, text) VALUES (new.id, new.text);
    END
    """,
    """
    CREATE TRIGGER fulltext_searchdocument_ad AFTER DELETE ON fulltext_searchdocument BEGIN
        INSERT INTO fulltext_fts(fulltext_fts, rowid, text) VALUES ('delete', old.id, old.text);
    END
    """,
    """
    CREATE TRIGGER fulltext_searchdocument_au AFTER UPDATE ON fulltext_searchdocument BEGIN
        INSERT INTO fulltext_fts(fulltext_fts, rowid, text) VALUES ('delete', old.id, old.text);
        INSERT INTO fulltext_fts(rowid, text) VALUES (new.id, new.text);
    END
    """,
    # Rows written before this migration (none today; harmless when empty).
    "INSERT INTO fulltext_fts(fulltext_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS fulltext_searchdocument_ai",
    "DROP TRIGGER IF EXISTS fulltext_searchdocument_ad",
    "DROP TRIGGER IF EXISTS fulltext_searchdocument_au",
    "DROP TABLE IF EXISTS fulltext_fts",
]
POSTGRESQL_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS fulltext_searchdocument_text_trgm"
    " ON fulltext_searchdocument USING gin (text gin_trgm_ops)",
]
# The extension stays: other objects may use it by then.
POSTGRESQL_BACKWARD = ["DROP INDEX IF EXISTS fulltext_searchdocument_text_trgm"]


def _run(schema_editor, statements):
    for sql in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


def forward(apps, schema_editor):
    _run(schema_editor, {"sqlite": SQLITE_FORWARD, "postgresql": POSTGRESQL_FORWARD})


def backward(apps, schema_editor):
    _run(schema_editor, {"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRESQL_BACKWARD})


class Migration(migrations.Migration):
    dependencies = [("fulltext", "0001_initial")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
