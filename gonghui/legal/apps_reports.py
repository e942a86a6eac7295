"""Registrations of the legal app's reports part (called from LegalConfig.ready()): the console
entries of the wage-arrears board and the figures, and the signals that keep the figures' tallies."""

from django.utils.translation import gettext_lazy as _


def ready():
    from gonghui.core import nav

    nav.register("console", "legal_arrears", _("欠薪案件"), "legal:arrears", icon="card", order=46,
                 permission="legal.view", group="assistance")
    nav.register("console", "legal_figures", _("援助统计"), "legal:figures", icon="diagram-3", order=47,
                 permission="legal.view", group="assistance")

    # The figures counted ahead (LegalTally) follow every change of a case.
    from django.db.models.signals import post_delete, post_save, pre_save

    from gonghui.legal import tally
    from gonghui.legal.models import LegalCase
    from gonghui.workflow.signals import case_transitioned

    pre_save.connect(tally.before_case_saved, sender=LegalCase, dispatch_uid="legal_tally_before")
    post_save.connect(tally.after_case_saved, sender=LegalCase, dispatch_uid="legal_tally_after")
    post_delete.connect(tally.after_case_deleted, sender=LegalCase, dispatch_uid="legal_tally_deleted")
    case_transitioned.connect(tally.after_transition, sender="legal_aid", dispatch_uid="legal_tally_transition")
