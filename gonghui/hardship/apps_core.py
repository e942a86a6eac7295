"""Registrations of the hardship app's core part (called from HardshipConfig.ready())."""

from django.utils.translation import gettext_lazy as _


def ready():
    from gonghui.core import nav
    from gonghui.hardship import registration

    registration.ready()  # the "hardship_registration" case type
    nav.register("console", "hardship", _("困难帮扶"), "hardship:files", icon="heart", order=40,
                 permission="hardship.view", group="assistance")
