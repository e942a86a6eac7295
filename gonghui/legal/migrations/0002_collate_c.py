"""Copied node paths of the legal app are collated "C" on PostgreSQL like orgs.UnionNode.path
(orgs/0002), so a subtree's range query (path >= P AND path < P~) means the same whatever the
database's locale. Add any new path-copy column to PATH_COLUMNS."""

from pathlib import Path

from django.db import migrations

if not (Path(__file__).parent / "0001_initial.py").exists():
    raise RuntimeError(
        "gonghui/legal/migrations/0001_initial.py is missing. To regenerate it, move this file aside first: "
        "mv gonghui/legal/migrations/0002_collate_c.py /tmp/ && "
        ".venv/bin/python manage.py makemigrations legal --name initial && "
        "mv /tmp/0002_collate_c.py gonghui/legal/migrations/")

# model name -> its columns copying a node path
PATH_COLUMNS = {
    "consultation": ("node_path",),
    "legalcase": ("node_path", "union_path"),
    "lawfirm": ("node_path",),
    "lawyer": ("node_path",),
    "legaltally": ("node_path",),  # created later, by 0003, which collates it the same way
}


def collate_c(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model_name, columns in PATH_COLUMNS.items():
        try:
            model = apps.get_model("legal", model_name)
        except LookupError:
            continue
        for column in columns:
            if any(f.column == column for f in model._meta.fields):
                schema_editor.execute(
                    f'ALTER TABLE {model._meta.db_table} ALTER COLUMN {column} TYPE varchar(255) COLLATE "C"')


class Migration(migrations.Migration):
    dependencies = [("legal", "0001_initial")]

    operations = [migrations.RunPython(collate_c, migrations.RunPython.noop)]
