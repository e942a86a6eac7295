from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnrolmentConfig(AppConfig):
    name = "gonghui.enrolment"
    label = "enrolment"
    verbose_name = _("报名与签到")

    def ready(self):
        pass
