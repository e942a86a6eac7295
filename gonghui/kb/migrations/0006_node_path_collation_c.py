"""Copied node paths are collated "C" on PostgreSQL like orgs.UnionNode.path (orgs/0002), so a
subtree's range query (path >= P AND path < P~) means the same whatever the database's locale."""

from django.db import migrations


def collate_c(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in ("kb_article", "kb_searchentry", "kb_searchlog"):
        schema_editor.execute(f'ALTER TABLE {table} ALTER COLUMN node_path TYPE varchar(255) COLLATE "C"')


class Migration(migrations.Migration):
    dependencies = [("kb", "0005_articles_pg_rank")]
    operations = [migrations.RunPython(collate_c, migrations.RunPython.noop)]
