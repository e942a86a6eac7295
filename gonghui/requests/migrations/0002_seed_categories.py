from django.db import migrations

SEED = [
    ("wages", "工资与欠薪"),
    ("contract", "劳动合同"),
    ("social_insurance", "社会保险"),
    ("injury_safety", "工伤与安全生产"),
    ("hardship", "生活困难"),
    ("legal", "法律咨询"),
    ("jobs_training", "就业与培训"),
    ("union_affairs", "工会事务"),
    ("suggestion", "意见建议"),
    ("other", "其他"),
]


def seed(apps, schema_editor):
    Category = apps.get_model("requests", "Category")
    for order, (code, name) in enumerate(SEED, start=1):
        Category.objects.get_or_create(code=code, defaults={"name": name, "order": order * 10})


def unseed(apps, schema_editor):
    apps.get_model("requests", "Category").objects.filter(code__in=[c for c, _n in SEED], requests=None).delete()


class Migration(migrations.Migration):
    dependencies = [("requests", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
