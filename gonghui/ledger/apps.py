from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "gonghui.ledger"
    label = "ledger"
    verbose_name = _("服务台账")

    def ready(self):
        from gonghui.accounts import roles
        from gonghui.core import nav

        roles.register_permission("ledger.view", _("查看服务台账"))
        roles.add_to_roles("ledger.view", "viewer", "handler", "manager", "admin")
        # The list lives under the members' console (/console/members/services/).
        nav.register("console", "ledger", _("服务台账"), "members:services", icon="journal-text", order=22,
                     permission="ledger.view", group="members")
