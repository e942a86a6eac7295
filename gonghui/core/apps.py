from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "gonghui.core"
    label = "core"
    verbose_name = _("平台")

    def ready(self):
        from datetime import timedelta

        from gonghui.core import periodic
        from gonghui.core.tasks import refresh_planner_statistics

        periodic.register(refresh_planner_statistics, every=timedelta(hours=6))
