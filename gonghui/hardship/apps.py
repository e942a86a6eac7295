from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The parts of the app; each module has a ready() that registers its case types, navigation,
# ledger kinds and periodic jobs.
PARTS = ("apps_core", "apps_aid", "apps_campaigns", "apps_review")


class HardshipConfig(AppConfig):
    name = "gonghui.hardship"
    label = "hardship"
    verbose_name = _("困难职工帮扶")

    def ready(self):
        from importlib import import_module

        from gonghui.accounts import roles

        # Hardship files hold a household's income, health and bank account: only staff holding
        # these permissions in the subtree see them (not the plain viewer bundle).
        roles.register_permission("hardship.view", _("查看困难职工档案"))
        roles.register_permission("hardship.change", _("登记、维护困难职工档案和帮扶记录"))
        roles.register_permission("hardship.approve", _("审批困难职工建档、帮扶和救助"))
        roles.register_permission("hardship.policy", _("设置困难帮扶政策参数"))
        roles.add_to_roles("hardship.view", "handler", "manager", "admin")
        roles.add_to_roles("hardship.change", "handler", "manager", "admin")
        roles.add_to_roles("hardship.approve", "manager", "admin")
        roles.add_to_roles("hardship.policy", "admin")
        for part in PARTS:
            import_module(f"gonghui.hardship.{part}").ready()
