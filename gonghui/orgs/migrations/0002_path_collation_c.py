"""On PostgreSQL, collate the materialised path "C": byte order, so prefix queries use the index
and ORDER BY path is tree order whatever the database locale (Wagtail had to fix this later)."""

from django.db import migrations


def collate_c(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute('ALTER TABLE orgs_unionnode ALTER COLUMN path TYPE varchar(255) COLLATE "C"')


class Migration(migrations.Migration):
    dependencies = [("orgs", "0001_initial")]
    operations = [migrations.RunPython(collate_c, migrations.RunPython.noop)]
