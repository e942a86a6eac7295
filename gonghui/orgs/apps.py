from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "gonghui.orgs"
    label = "orgs"
    verbose_name = _("组织")

    def ready(self):
        from gonghui.core import nav

        nav.register(
            "console", "orgs", _("组织架构"), "orgs:list", icon="diagram-3", order=10, permission="orgs.view"
        )
