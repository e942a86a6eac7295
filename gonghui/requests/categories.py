"""The ten categories a new installation starts with (the data migration seeds them).

The names are marked for translation so the English interface shows English names; names admins
add later are shown as typed.
"""

from django.utils.translation import gettext_noop

SEED = [
    ("wages", gettext_noop("工资与欠薪")),
    ("contract", gettext_noop("劳动合同")),
    ("social_insurance", gettext_noop("社会保险")),
    ("injury_safety", gettext_noop("工伤与安全生产")),
    ("hardship", gettext_noop("生活困难")),
    ("legal", gettext_noop("法律咨询")),
    ("jobs_training", gettext_noop("就业与培训")),
    ("union_affairs", gettext_noop("工会事务")),
    ("suggestion", gettext_noop("意见建议")),
    ("other", gettext_noop("其他")),
]
WAGES = "wages"


def ensure_seeded() -> None:
    """Create the seed categories that are missing (the data migration does this on install; tests
    that flush the database and the demo call it again)."""
    from gonghui.requests.models import Category

    for order, (code, name) in enumerate(SEED, start=1):
        Category.objects.get_or_create(code=code, defaults={"name": name, "order": order * 10})
