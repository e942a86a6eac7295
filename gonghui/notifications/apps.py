from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "gonghui.notifications"
    label = "notifications"
    verbose_name = _("消息通知")

    def ready(self):
        from datetime import timedelta

        from gonghui.core import nav, periodic
        from gonghui.notifications import templates  # noqa: F401  (registers the generic messages)
        from gonghui.notifications.tasks import send_pending

        # The task worker sends each notification right after the commit that queued it; this
        # sweep retries failures when their back-off is over and picks up anything left behind.
        periodic.register(send_pending, every=timedelta(minutes=1))

        from gonghui.notifications.services import unread_count

        nav.register("portal", "messages", _("消息"), "notifications:inbox", icon="chat", order=50,
                     badge=unread_count)
        nav.register("console", "messages", _("消息通知"), "notifications:console_inbox", icon="chat", order=5,
                     badge=unread_count)
