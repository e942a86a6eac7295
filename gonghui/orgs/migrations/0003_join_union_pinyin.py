"""Pinyin search keys of union names (the portal's union search when a worker joins online).

Existing rows are filled here; orgs.services keeps the keys on every write. On PostgreSQL both
columns are collated "C", like the path, so a prefix is an index range (``>= 'jh'`` and
``< 'jh~'``) whatever the database locale.
"""

from django.db import migrations, models


def fill_keys(apps, schema_editor):
    from gonghui.members.pinyin import name_keys

    UnionNode = apps.get_model("orgs", "UnionNode")
    batch = []
    for node in UnionNode.objects.only("pk", "name").iterator(chunk_size=2000):
        node.name_pinyin, node.name_initials = name_keys(node.name)
        batch.append(node)
        if len(batch) >= 2000:
            UnionNode.objects.bulk_update(batch, ["name_pinyin", "name_initials"])
            batch = []
    if batch:
        UnionNode.objects.bulk_update(batch, ["name_pinyin", "name_initials"])


def collate_c(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column, length in (("name_pinyin", 240), ("name_initials", 60)):
        schema_editor.execute(
            f'ALTER TABLE orgs_unionnode ALTER COLUMN {column} TYPE varchar({length}) COLLATE "C"')


class Migration(migrations.Migration):

    dependencies = [
        ('orgs', '0002_path_collation_c'),
    ]

    operations = [
        migrations.AddField(
            model_name='unionnode',
            name='name_initials',
            field=models.CharField(db_index=True, default='', editable=False, max_length=60),
        ),
        migrations.AddField(
            model_name='unionnode',
            name='name_pinyin',
            field=models.CharField(db_index=True, default='', editable=False, max_length=240),
        ),
        migrations.RunPython(collate_c, migrations.RunPython.noop),
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
    ]
