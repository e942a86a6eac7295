from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The parts of the app; each module has a ready() that registers its case types, navigation,
# ledger kinds and periodic jobs.
PARTS = ("apps_intake", "apps_cases", "apps_reports")


class LegalConfig(AppConfig):
    name = "gonghui.legal"
    label = "legal"
    verbose_name = _("法律援助")

    def ready(self):
        from importlib import import_module

        from gonghui.accounts import roles

        # Legal cases hold a worker's dispute, pay and documents: only the legal-aid officers and
        # the federation's managers see them (not the plain viewer bundle).
        roles.register_permission("legal.view", _("查看法律援助案件"))
        roles.register_permission("legal.change", _("登记、办理法律援助案件"))
        roles.register_permission("legal.decide", _("审批法律援助申请、指派律师"))
        roles.add_to_roles("legal.view", "handler", "manager", "admin")
        roles.add_to_roles("legal.change", "handler", "manager", "admin")
        roles.add_to_roles("legal.decide", "manager", "admin")
        for part in PARTS:
            import_module(f"gonghui.legal.{part}").ready()
