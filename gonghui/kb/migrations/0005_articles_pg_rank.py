"""PostgreSQL: a small ranking vector beside the full one.

``tsv`` (the GIN-indexed vector of the whole text) decides what matches; ranking every match with it
would decompress kilobytes per row. ``tsv_rank`` holds the title, the start of the body and the
title's pinyin keys — a few hundred bytes kept in the row — and ts_rank reads that instead.
Nothing on SQLite (FTS5 ranks inside its own index).
"""

from django.db import migrations

FORWARD = """ALTER TABLE kb_searchentry ADD COLUMN tsv_rank tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple', coalesce(title_seg, '')), 'A')
    || setweight(to_tsvector('simple', left(coalesce(body_seg, ''), 300)), 'B')
    || setweight(to_tsvector('simple', coalesce(pinyin, '')), 'C')) STORED"""
BACKWARD = "ALTER TABLE kb_searchentry DROP COLUMN IF EXISTS tsv_rank"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("kb", "0004_articles_scheduled")]

    operations = [migrations.RunPython(forward, backward)]
