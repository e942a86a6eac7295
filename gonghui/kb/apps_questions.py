"""Registrations of the kb app's questions part (called from KbConfig.ready())."""

from django.utils.translation import gettext_lazy as _


def _after_request_transition(sender, *, case, transition, data, by, **kwargs):
    """Keep answered consultation questions in the search index whichever page or API closes or
    reopens them (in the engine's transaction)."""
    from gonghui.kb.services_questions import after_request_transition

    after_request_transition(case, transition, data, by)


def ready():
    from gonghui.core import nav
    from gonghui.workflow.signals import case_transitioned

    case_transitioned.connect(_after_request_transition, sender="request",
                              dispatch_uid="kb.questions.after_request_transition")
    nav.register("console", "kb_questions", _("在线咨询"), "kb:questions", icon="chat", order=41,
                 permission="requests.view", group="requests")
    nav.register("console", "kb_figures", _("咨询统计"), "kb:figures", icon="diagram-3", order=42,
                 permission="kb.view", group="requests")
