"""Registrations of the legal app's reports part (called from LegalConfig.ready()): the console
entries of the wage-arrears board and the figures."""

from django.utils.translation import gettext_lazy as _


def ready():
    from gonghui.core import nav

    nav.register("console", "legal_arrears", _("欠薪案件"), "legal:arrears", icon="card", order=46,
                 permission="legal.view", group="assistance")
    nav.register("console", "legal_figures", _("援助统计"), "legal:figures", icon="diagram-3", order=47,
                 permission="legal.view", group="assistance")
