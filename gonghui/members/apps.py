from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "gonghui.members"
    label = "members"
    verbose_name = _("会员")

    def ready(self):
        from gonghui.core import nav

        nav.register("console", "members", _("会员"), "members:list", icon="people", order=20,
                     permission="members.view")
