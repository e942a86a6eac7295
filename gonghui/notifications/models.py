"""Notifications: an outbox of messages to one user, one row per channel.

A notification belongs to a user, not to a union node, so these models are not union-scoped:
every read filters by the recipient (``request.user``).
"""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    class Channel(models.TextChoices):
        INBOX = "inbox", _("站内消息")
        SMS = "sms", _("短信")
        EMAIL = "email", _("电子邮件")

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("无法发送")  # e.g. no address to send to: not retried
        DEAD = "dead", _("已放弃")  # failed on every attempt

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.CASCADE,
                                  related_name="notifications")
    channel = models.CharField(_("渠道"), max_length=8, choices=Channel.choices)
    template_key = models.CharField(_("模板"), max_length=100)
    context = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    # Rendered when queued, in the recipient's language: what was sent stays what is shown.
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"))
    link = models.CharField(_("链接"), max_length=500, blank=True)
    # The phone number or e-mail address at queue time (empty for the inbox).
    to = models.CharField(_("发送至"), max_length=254, blank=True)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"), null=True, blank=True, default=timezone.now)
    last_error = models.TextField(_("最近错误"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)  # the inbox only

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notification_due"),
            models.Index(fields=["recipient", "channel", "-created_at"], name="notification_inbox"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.recipient} ({self.channel})"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class ChannelPreference(models.Model):
    """How a user wants to be told, besides the in-app inbox (which is always on)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="notification_preference")
    sms = models.BooleanField(_("短信通知"), default=True)
    email = models.BooleanField(_("邮件通知"), default=False)
    email_address = models.EmailField(_("电子邮箱"), blank=True)
    language = models.CharField(_("通知语言"), max_length=10, choices=settings.LANGUAGES,
                                default=settings.LANGUAGE_CODE)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("通知设置")
        verbose_name_plural = _("通知设置")

    def __str__(self) -> str:
        return gettext("{user} 的通知设置").format(user=self.user)
