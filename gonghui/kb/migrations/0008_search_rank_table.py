"""PostgreSQL: the ranking table, ``kb_searchrank`` — one narrow row per search entry.

Ranking reads ``tsv_rank`` (about 1.5 kB) of every match in its window. In the wide ``kb_searchentry``
row it is moved to TOAST with the body, so each match cost five buffer reads more than its row (a district
staff search's ranking statement: 18 ms there, 13 ms here). This table keeps it in the row (storage MAIN)
and holds what a search needs besides: the full vector ``tsv`` (storage EXTERNAL: only its GIN index is
read), the boost, the sub-kind and the date. The two GIN indexes move here: the full vector's, and the
title's words and pinyin keys' (the 'A' and 'C' parts of ``tsv_rank``, the expression
``search.PG_TITLE_TSV``).

Its ``tsv`` also holds a recency token, ``zr<id // RECENCY_BUCKET>``: search ranks the newest matches of a
common word, and with the tokens of the newest buckets as a key of the same GIN scan, GIN skips straight to
them instead of reading every match of the word (``search._pg_window``).

Triggers keep it in step with ``kb_searchentry`` (insert, upsert, update, delete, truncate), so every
writer — ``search.index_item``, bulk loads with COPY — fills it; the data step below copies the rows
already indexed. Nothing on SQLite (FTS5 ranks inside its own index).
"""

from django.db import migrations

RECENCY_BUCKET = 2000   # ids per recency token; search.PG_BUCKET must be the same
RANK_TSV = f"{{tsv}} || array_to_tsvector(ARRAY['zr' || ({{id}} / {RECENCY_BUCKET})])"

FORWARD = [
    """CREATE TABLE kb_searchrank (
        id bigint PRIMARY KEY,
        tsv tsvector NOT NULL,
        tsv_rank tsvector NOT NULL,
        boost double precision NOT NULL,
        subkind varchar(20) NOT NULL,
        published_at timestamp with time zone)""",
    "ALTER TABLE kb_searchrank ALTER COLUMN tsv SET STORAGE EXTERNAL, ALTER COLUMN tsv_rank SET STORAGE MAIN",
    f"""CREATE FUNCTION kb_searchrank_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.id <> NEW.id) THEN
            DELETE FROM kb_searchrank WHERE id = OLD.id;
        END IF;
        IF TG_OP = 'DELETE' THEN
            RETURN NULL;
        END IF;
        INSERT INTO kb_searchrank (id, tsv, tsv_rank, boost, subkind, published_at)
            VALUES (NEW.id, {RANK_TSV.format(tsv="NEW.tsv", id="NEW.id")}, NEW.tsv_rank, NEW.boost, NEW.subkind,
                    NEW.published_at)
            ON CONFLICT (id) DO UPDATE SET tsv = EXCLUDED.tsv, tsv_rank = EXCLUDED.tsv_rank,
                boost = EXCLUDED.boost, subkind = EXCLUDED.subkind, published_at = EXCLUDED.published_at;
        RETURN NULL;
    END $$""",
    """CREATE FUNCTION kb_searchrank_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        TRUNCATE kb_searchrank;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER kb_searchrank_sync AFTER INSERT OR UPDATE OR DELETE ON kb_searchentry
        FOR EACH ROW EXECUTE FUNCTION kb_searchrank_sync()""",
    """CREATE TRIGGER kb_searchrank_truncate AFTER TRUNCATE ON kb_searchentry
        FOR EACH STATEMENT EXECUTE FUNCTION kb_searchrank_truncate()""",
    # The data step, before the indexes: one sorted fill, then each index built once.
    f"""INSERT INTO kb_searchrank (id, tsv, tsv_rank, boost, subkind, published_at)
        SELECT id, {RANK_TSV.format(tsv="tsv", id="id")}, tsv_rank, boost, subkind, published_at
        FROM kb_searchentry ORDER BY id""",
    "CREATE INDEX kb_searchrank_tsv ON kb_searchrank USING GIN (tsv)",
    "CREATE INDEX kb_searchrank_title ON kb_searchrank USING GIN (ts_filter(tsv_rank, '{a,c}'))",
    "DROP INDEX IF EXISTS kb_searchentry_tsv",
    "DROP INDEX IF EXISTS kb_searchentry_title_tsv",
    "ANALYZE kb_searchrank",
]
BACKWARD = [
    "CREATE INDEX IF NOT EXISTS kb_searchentry_tsv ON kb_searchentry USING GIN (tsv)",
    """CREATE INDEX IF NOT EXISTS kb_searchentry_title_tsv ON kb_searchentry
        USING GIN (to_tsvector('simple'::regconfig, coalesce(title_seg, '') || ' ' || coalesce(pinyin, '')))""",
    "DROP TRIGGER IF EXISTS kb_searchrank_truncate ON kb_searchentry",
    "DROP TRIGGER IF EXISTS kb_searchrank_sync ON kb_searchentry",
    "DROP FUNCTION IF EXISTS kb_searchrank_truncate()",
    "DROP FUNCTION IF EXISTS kb_searchrank_sync()",
    "DROP TABLE IF EXISTS kb_searchrank",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)
    return run


class Migration(migrations.Migration):
    dependencies = [("kb", "0007_search_title_index")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
