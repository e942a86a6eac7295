"""The full-text index over kb_searchentry: FTS5 on SQLite, a generated tsvector + GIN on PostgreSQL.

The text is already segmented into words by jieba (search.segment), so both engines only split on
spaces: FTS5's unicode61 tokeniser and PostgreSQL's 'simple' configuration.
"""

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE kb_search_fts USING fts5(
        title_seg, body_seg, pinyin, facet_tokens,
        content='kb_searchentry', content_rowid='id', tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER kb_searchentry_ai AFTER INSERT ON kb_searchentry BEGIN
        INSERT INTO kb_search_fts(rowid, title_seg, body_seg, pinyin, facet_tokens)
        VALUES (new.id, new.title_seg, new.body_seg, new.pinyin, new.facet_tokens);
    END""",
    """CREATE TRIGGER kb_searchentry_ad AFTER DELETE ON kb_searchentry BEGIN
        INSERT INTO kb_search_fts(kb_search_fts, rowid, title_seg, body_seg, pinyin, facet_tokens)
        VALUES ('delete', old.id, old.title_seg, old.body_seg, old.pinyin, old.facet_tokens);
    END""",
    """CREATE TRIGGER kb_searchentry_au AFTER UPDATE ON kb_searchentry BEGIN
        INSERT INTO kb_search_fts(kb_search_fts, rowid, title_seg, body_seg, pinyin, facet_tokens)
        VALUES ('delete', old.id, old.title_seg, old.body_seg, old.pinyin, old.facet_tokens);
        INSERT INTO kb_search_fts(rowid, title_seg, body_seg, pinyin, facet_tokens)
        VALUES (new.id, new.title_seg, new.body_seg, new.pinyin, new.facet_tokens);
    END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS kb_searchentry_au",
    "DROP TRIGGER IF EXISTS kb_searchentry_ad",
    "DROP TRIGGER IF EXISTS kb_searchentry_ai",
    "DROP TABLE IF EXISTS kb_search_fts",
]
POSTGRES_FORWARD = [
    """ALTER TABLE kb_searchentry ADD COLUMN tsv tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', coalesce(title_seg, '')), 'A')
        || setweight(to_tsvector('simple', coalesce(body_seg, '')), 'B')
        || setweight(to_tsvector('simple', coalesce(pinyin, '')), 'C')
        || setweight(to_tsvector('simple', coalesce(facet_tokens, '')), 'D')) STORED""",
    "CREATE INDEX kb_searchentry_tsv ON kb_searchentry USING GIN (tsv)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS kb_searchentry_tsv",
    "ALTER TABLE kb_searchentry DROP COLUMN IF EXISTS tsv",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)
    return run


class Migration(migrations.Migration):
    dependencies = [("kb", "0001_articles_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        ),
    ]
