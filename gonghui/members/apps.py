from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "gonghui.members"
    label = "members"
    verbose_name = _("会员")

    def ready(self):
        from datetime import timedelta

        from gonghui.accounts import roles
        from gonghui.core import nav, periodic

        # members.view, members.change and members.view_full_id are the foundation's (accounts.roles).
        roles.register_permission("members.import", _("批量导入会员"))
        roles.register_permission("members.export", _("导出会员名单"))
        roles.register_permission("members.approve_join", _("审批入会申请"))
        roles.register_permission("members.transfer", _("办理转会"))
        roles.register_permission("members.verify_card", _("核验电子会员卡"))
        roles.add_to_roles("members.import", "handler", "manager", "admin")
        roles.add_to_roles("members.export", "manager", "admin")
        roles.add_to_roles("members.approve_join", "handler", "manager", "admin")
        roles.add_to_roles("members.transfer", "handler", "manager", "admin")
        roles.add_to_roles("members.verify_card", "viewer", "handler", "manager", "admin")

        nav.register("console", "members", _("会员"), "members:list", icon="people", order=20,
                     permission="members.view", group="members")
        from gonghui.members.tasks import recover_stalled_imports  # imports whose task died: undone
        periodic.register(recover_stalled_imports, every=timedelta(minutes=10))
        nav.register("console", "card_verify", _("会员卡核验"), "members:card_verify", icon="card", order=24,
                     permission="members.verify_card", group="members")
        from gonghui.members import transfers  # noqa: F401  (registers the "transfer" case type)
        nav.register("console", "member_transfers", _("转会记录"), "members:transfers", icon="grid",
                     order=23, permission="members.view", group="members")
        from gonghui.members import joining  # noqa: F401  (registers the "join" case type)
        nav.register("console", "join_applications", _("入会申请"), "members:join_list", icon="person",
                     order=21, permission="members.approve_join", group="members")
