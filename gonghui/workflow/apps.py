from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "gonghui.workflow"
    label = "workflow"
    verbose_name = _("办理流程")

    def ready(self):
        from datetime import timedelta

        from gonghui.accounts import roles
        from gonghui.core import nav, periodic
        from gonghui.workflow.tasks import sweep_due_cases

        roles.register_permission("workflow.manage_calendar", _("维护节假日调休日历"))
        roles.add_to_roles("workflow.manage_calendar", "admin")
        periodic.register(sweep_due_cases, every=timedelta(minutes=5))
        nav.register("console", "calendar", _("节假日日历"), "workflow:calendar", icon="calendar", order=95,
                     permission="workflow.manage_calendar", group="admin")
