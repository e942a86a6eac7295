"""PostgreSQL: a GIN index over the title's words and pinyin keys alone.

Search ranks the newest matches (an id range) and, beside them, older items whose TITLE matches; the
full vector ``tsv`` cannot tell a title word from a body word without reading every match's row, so
this index finds title matches directly. The expression must stay the same as ``search.PG_TITLE_TSV``.
Nothing on SQLite (FTS5 filters by column itself).
"""

from django.db import migrations

FORWARD = """CREATE INDEX kb_searchentry_title_tsv ON kb_searchentry
    USING GIN (to_tsvector('simple'::regconfig, coalesce(title_seg, '') || ' ' || coalesce(pinyin, '')))"""
BACKWARD = "DROP INDEX IF EXISTS kb_searchentry_title_tsv"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("kb", "0006_node_path_collation_c")]

    operations = [migrations.RunPython(forward, backward)]
