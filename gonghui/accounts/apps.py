from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "gonghui.accounts"
    label = "accounts"
    verbose_name = _("账号")

    def ready(self):
        from datetime import timedelta

        from gonghui.accounts import roles  # noqa: F401  (registers the foundation's roles)
        from gonghui.accounts.tasks import prune_login_codes
        from gonghui.core import nav, periodic

        periodic.register(prune_login_codes, every=timedelta(hours=6))

        nav.register("console", "grants", _("账号授权"), "accounts:grants", icon="person-lock", order=80,
                     permission="accounts.manage", group="admin")
