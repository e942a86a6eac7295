import factory
from django.utils import timezone

from gonghui.notifications.models import Notification


class NotificationFactory(factory.django.DjangoModelFactory):
    """An inbox notification (delivered by being stored)."""

    class Meta:
        model = Notification

    channel = Notification.Channel.INBOX
    template_key = "generic"
    subject = factory.Sequence(lambda n: f"通知标题{n}")
    body = "您的申请已受理。"
    status = Notification.Status.SENT
    sent_at = factory.LazyFunction(timezone.now)
    next_attempt_at = None
