from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnrolmentConfig(AppConfig):
    name = "gonghui.enrolment"
    label = "enrolment"
    verbose_name = _("报名与签到")

    def ready(self):
        from datetime import timedelta

        from gonghui.accounts import roles
        from gonghui.core import nav, periodic
        from gonghui.enrolment.services import expire_offers_task
        from gonghui.notifications import templates

        roles.register_permission("enrolment.view", _("查看报名名单和统计"))
        roles.register_permission("enrolment.manage", _("代为报名、移除报名、调整名额"))
        roles.register_permission("enrolment.check_in", _("现场签到"))
        roles.add_to_roles("enrolment.view", "viewer", "handler", "manager", "admin")
        roles.add_to_roles("enrolment.manage", "handler", "manager", "admin")
        roles.add_to_roles("enrolment.check_in", "handler", "manager", "admin")

        templates.register(
            "enrolment.offered",
            subject=_("候补递补：您获得了“{title}”的名额"),
            body=_("您在“{title}”的候补名单上，现在有名额了。请在{deadline}前到“我的报名”确认，逾期名额将让给下一位。"),
            sms=_("您候补的“{title}”有名额了，请在{deadline}前登录职工之家“我的报名”确认。"),
        )
        templates.register(
            "enrolment.offer_expired",
            subject=_("“{title}”的递补名额已失效"),
            body=_("您没有在截止时间前确认“{title}”的递补名额，名额已让给下一位。如仍想参加，可重新报名。"),
        )
        templates.register(
            "enrolment.removed",
            subject=_("您的报名已被工作人员移除"),
            body=_("您报名的“{title}”已被工作人员移除，原因：{reason}。如有疑问请联系主办工会。"),
        )
        templates.register(
            "enrolment.offering_cancelled",
            subject=_("“{title}”已取消"),
            body=_("您报名的“{title}”已取消，原因：{reason}。给您带来不便，敬请谅解。"),
        )
        periodic.register(expire_offers_task, every=timedelta(minutes=5))

        nav.register("console", "enrolment_figures", _("报名统计"), "enrolment:figures", icon="people",
                     order=30, permission="enrolment.view", group="activities")
