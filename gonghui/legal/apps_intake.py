"""Registrations of the legal app's intake part (called from LegalConfig.ready())."""

from django.utils.translation import gettext_lazy as _


def ready():
    from gonghui.core import nav
    from gonghui.legal import case_type

    case_type.register_type()  # the "legal_aid" case type
    nav.register("console", "legal", _("法律援助"), "legal:cases", icon="scale", order=45,
                 permission="legal.view", group="assistance")
