from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "gonghui.portal"
    label = "portal"
    verbose_name = _("职工门户")

    def ready(self):
        from gonghui.core import nav

        nav.register("portal", "home", _("首页"), "portal:home", icon="house", order=0)
        nav.register("portal", "services", _("办事"), "portal:services", icon="grid", order=10)
        nav.register("portal", "me", _("我的"), "portal:me", icon="person", order=90)
