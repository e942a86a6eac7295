from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KbConfig(AppConfig):
    name = "gonghui.kb"
    label = "kb"
    verbose_name = _("政策咨询与资讯")

    def ready(self):
        from gonghui.kb import apps_articles, apps_questions

        apps_articles.ready()
        apps_questions.ready()
