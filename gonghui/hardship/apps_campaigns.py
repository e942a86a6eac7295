"""Registrations of the hardship app's campaigns part (called from HardshipConfig.ready())."""

from django.utils.translation import gettext_lazy as _


def ready():
    from gonghui.hardship import golden_autumn
    from gonghui.ledger import kinds

    golden_autumn.register_type()
    kinds.register("hardship.golden_autumn", _("金秋助学金"))
    kinds.register("hardship.send_warmth", _("送温暖慰问"))
