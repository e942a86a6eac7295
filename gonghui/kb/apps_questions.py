"""Registrations of the kb app's questions part (called from KbConfig.ready())."""

from django.utils.translation import gettext_lazy as _


def _chain_request_hook() -> None:
    """Keep answered consultation questions in the search index whichever page or API closes or
    reopens them: our hook runs after the requests type's own one, in the engine's transaction."""
    from gonghui.requests import casetype

    original = casetype.REQUEST.on_transition
    if getattr(original, "_kb_questions", False):
        return

    def on_transition(case, transition, data, by):
        if original is not None:
            original(case, transition, data, by)
        from gonghui.kb.services_questions import after_request_transition

        after_request_transition(case, transition, data, by)

    on_transition._kb_questions = True
    casetype.REQUEST.on_transition = on_transition


def ready():
    from gonghui.core import nav

    _chain_request_hook()
    nav.register("console", "kb_questions", _("在线咨询"), "kb:questions", icon="chat", order=41,
                 permission="requests.view")
    nav.register("console", "kb_figures", _("咨询统计"), "kb:figures", icon="diagram-3", order=42,
                 permission="kb.view")
