"""On PostgreSQL, collate the copied node path "C" like orgs.UnionNode.path (see orgs/0002)."""

from django.db import migrations


def collate_c(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute('ALTER TABLE workflow_case ALTER COLUMN node_path TYPE varchar(255) COLLATE "C"')


class Migration(migrations.Migration):
    dependencies = [("workflow", "0001_initial")]
    operations = [migrations.RunPython(collate_c, migrations.RunPython.noop)]
