from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RequestsConfig(AppConfig):
    name = "gonghui.requests"
    label = "requests"
    verbose_name = _("职工诉求")

    def ready(self):
        from gonghui.accounts import roles
        from gonghui.core import nav
        from gonghui.requests import (
            casetype,  # noqa: F401  (registers the "request" case type)
            notify,  # noqa: F401  (registers the message templates)
        )

        roles.register_permission("requests.view", _("查看职工诉求"))
        roles.register_permission("requests.handle", _("办理职工诉求"))
        roles.register_permission("requests.supervise", _("督办、质检职工诉求"))
        roles.register_permission("requests.manage_categories", _("维护诉求类别"))
        roles.add_to_roles("requests.view", "viewer", "handler", "manager", "admin")
        roles.add_to_roles("requests.handle", "handler", "manager", "admin")
        roles.add_to_roles("requests.supervise", "manager", "admin")
        roles.add_to_roles("requests.manage_categories", "admin")

        nav.register("console", "requests", _("职工诉求"), "requests:inbox", icon="pencil", order=25,
                     permission="requests.view", group="requests")
        nav.register("console", "request_reports", _("诉求统计"), "requests:reports", icon="diagram-3",
                     order=26, permission="requests.view", group="requests")
