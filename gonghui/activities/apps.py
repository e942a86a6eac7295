from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

LEDGER_KIND = "activities.attended"


class ActivitiesConfig(AppConfig):
    name = "gonghui.activities"
    label = "activities"
    verbose_name = _("职工文体活动")

    def ready(self):
        from gonghui.accounts import roles
        from gonghui.core import nav
        from gonghui.ledger import kinds
        from gonghui.notifications import templates

        roles.register_permission("activities.view", _("查看职工文体活动"))
        roles.register_permission("activities.manage", _("组织职工文体活动（新建、发布、总结）"))
        roles.add_to_roles("activities.view", "viewer", "handler", "manager", "admin")
        roles.add_to_roles("activities.manage", "handler", "manager", "admin")

        nav.register("console", "activities", _("文体活动"), "activities:console_list", icon="calendar-event",
                     order=10, permission="activities.view", group="activities")

        kinds.register(LEDGER_KIND, _("参加职工文体活动"))
        _register_event_kind()

        templates.register(
            "activities.cancelled",
            subject=_("活动取消：{title}"),
            body=_("您报名的活动“{title}”（{when}）已取消。原因：{reason}。给您带来不便，敬请谅解。"),
            sms=_("您报名的活动“{title}”（{when}）已取消，详情请登录网上工会查看。"),
        )


def _register_event_kind():
    """Check-in at an event writes the ledger row "activities.attended"; rosters and "my sign-ups"
    link an event's offering to its activity page (enrolment's registry)."""
    from gonghui.core.urlcache import object_url
    from gonghui.enrolment import registry

    registry.register_kind("event", ledger_kind=LEDGER_KIND, label=_("参加职工文体活动"),
                           detail_url=lambda offering: object_url("activities:detail", offering.pk))
