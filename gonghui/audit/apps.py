from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "gonghui.audit"
    label = "audit"
    verbose_name = _("审计")

    def ready(self):
        from gonghui.core import nav

        nav.register("console", "audit", _("审计日志"), "audit:list", icon="journal-text", order=90,
                     permission="audit.view", group="admin")
