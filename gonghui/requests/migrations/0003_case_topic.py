"""Copy each request's category code onto its case (workflow 0004 added Case.topic)."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def copy_topics(apps, schema_editor):
    Case = apps.get_model("workflow", "Case")
    Request = apps.get_model("requests", "Request")
    code = Request.objects.filter(case_id=OuterRef("pk")).values("category__code")[:1]
    Case.objects.filter(case_type="request").update(topic=Subquery(code))


class Migration(migrations.Migration):
    dependencies = [("requests", "0002_seed_categories"), ("workflow", "0004_case_topic")]
    operations = [migrations.RunPython(copy_topics, migrations.RunPython.noop)]
