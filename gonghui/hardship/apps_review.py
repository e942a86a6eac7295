"""Registrations of the hardship app's review part (called from HardshipConfig.ready()): the
reminder messages and the daily job that sends them."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _


def ready():
    from gonghui.core import periodic
    from gonghui.hardship.services_review import send_review_reminders
    from gonghui.notifications import templates

    templates.register(
        "hardship.reviews_due",
        subject=_("困难职工档案年度复核：{count}户将到期"),
        body=_("您负责的困难职工档案中有{count}户的年度复核将在30天内到期（最早{earliest}），"
               "请及时入户了解家庭现状并完成复核。"),
        sms=_("您有{count}户困难职工档案年度复核将到期，请登录工会工作台办理。"),
    )
    templates.register(
        "hardship.followups_due",
        subject=_("脱困家庭回访：{count}户将到期"),
        body=_("有{count}户已脱困家庭的回访将在7天内到期（最早{earliest}），请按时回访，发现返困及时恢复在档。"),
        sms=_("您有{count}户脱困家庭回访将到期，请登录工会工作台办理。"),
    )
    periodic.register(send_review_reminders, every=timedelta(days=1))
