from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "gonghui.courses"
    label = "courses"
    verbose_name = _("职工教育培训")

    def ready(self):
        from gonghui.accounts import roles
        from gonghui.core import nav
        from gonghui.courses import uplift
        from gonghui.ledger import kinds
        from gonghui.notifications import templates

        roles.register_permission("courses.view", _("查看培训课程、学员和学历提升申请"))
        roles.register_permission("courses.change", _("组织培训课程：排课、点名、录入成绩"))
        roles.register_permission("courses.approve", _("评定培训合格、发放培训补贴、审批学历提升申请"))
        roles.add_to_roles("courses.view", "viewer", "handler", "manager", "admin")
        roles.add_to_roles("courses.change", "handler", "manager", "admin")
        roles.add_to_roles("courses.approve", "manager", "admin")

        uplift.register_type()
        from django.urls import reverse

        from gonghui.enrolment import registry

        # Courses record attendance per session and the pass: no ledger row at check-in.
        registry.register_kind("course", label=_("职业技能培训"),
                               detail_url=lambda offering: reverse("courses:portal_detail", args=[offering.pk]))
        kinds.register("courses.passed", _("取得培训合格证书"))
        kinds.register("courses.subsidy", _("职业技能培训补贴"))
        kinds.register("courses.uplift_subsidy", _("学历与能力提升补贴"))
        templates.register(
            "courses.certificate_issued",
            subject=_("恭喜您通过培训：{course}"),
            body=_("您已通过“{course}”的考核，培训合格证书编号{number}。可在“我的培训”中下载证书，"
                   "证书上的二维码可供用人单位查验真伪。"),
            sms=_("恭喜您通过“{course}”培训，证书编号{number}，请登录网上工会下载证书。"),
        )
        templates.register(
            "courses.session_changed",
            subject=_("课次调整：{course}"),
            body=_("“{course}”的课次“{topic}”已调整为{time}，地点：{place}。"),
            sms=_("“{course}”课次“{topic}”调整为{time}，地点：{place}。"),
        )
        nav.register("console", "courses", _("教育培训"), "courses:console_list", icon="journal-text", order=52,
                     permission="courses.view", group="activities")
