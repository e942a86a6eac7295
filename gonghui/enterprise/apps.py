from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnterpriseConfig(AppConfig):
    name = "gonghui.enterprise"
    label = "enterprise"
    verbose_name = _("进企业、解难题")

    def ready(self):
        from gonghui.accounts import roles
        from gonghui.core import nav
        from gonghui.enterprise.casetype import ENTERPRISE_PROBLEM
        from gonghui.workflow import declarations

        roles.register_permission("enterprise.view", _("查看企业走访和企业难题"))
        roles.register_permission("enterprise.handle", _("登记企业走访、办理企业难题"))
        roles.add_to_roles("enterprise.view", "viewer", "handler", "manager", "admin")
        roles.add_to_roles("enterprise.handle", "handler", "manager", "admin")
        declarations.register(ENTERPRISE_PROBLEM)
        nav.register("console", "enterprise", _("进企业"), "enterprise:list", icon="card", order=30,
                     permission="enterprise.view", group="requests")
