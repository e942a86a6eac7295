from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "gonghui.courses"
    label = "courses"
    verbose_name = _("职工教育培训")

    def ready(self):
        pass
