"""Registrations of the kb app's articles part (called from KbConfig.ready())."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _


def ready():
    from gonghui.accounts import roles
    from gonghui.core import nav, periodic
    from gonghui.kb.services_articles import publish_due_articles

    roles.register_permission("kb.view", _("查看政策资讯"))
    roles.register_permission("kb.write", _("撰写政策资讯"))
    roles.register_permission("kb.publish", _("审核发布政策资讯"))
    roles.register_permission("kb.manage", _("维护栏目与同义词"))
    roles.add_to_roles("kb.view", "viewer", "handler", "manager", "admin")
    roles.add_to_roles("kb.write", "handler", "manager", "admin")
    roles.add_to_roles("kb.publish", "manager", "admin")
    roles.add_to_roles("kb.manage", "admin")

    nav.register("portal", "kb", _("政策咨询"), "kb:home", icon="book", order=40)
    nav.register("console", "kb", _("政策资讯"), "kb:articles", icon="journal-text", order=40,
                 permission="kb.view", group="requests")

    periodic.register(publish_due_articles, every=timedelta(minutes=5))
