"""Sending one notification through its channel.

SMS goes through the project's pluggable SMS backend (``GONGHUI_SMS_BACKEND``: the log in trial,
a gateway in production); e-mail through Django's ``send_mail`` (``EMAIL_BACKEND``: the console in
trial). A backend signals a failure by raising; the outbox row keeps it and is retried.
"""

from django.conf import settings
from django.core.mail import send_mail

from gonghui.accounts.sms import get_backend as get_sms_backend


class Undeliverable(Exception):
    """The notification cannot be sent at all (e.g. no address): retrying will not help."""


def send_sms(notification) -> None:
    if not notification.to:
        raise Undeliverable("no mobile number")
    get_sms_backend().send(notification.to, notification.body)  # an SMS row's body is the SMS text


def send_email(notification) -> None:
    if not notification.to:
        raise Undeliverable("no e-mail address")
    send_mail(notification.subject, notification.body, settings.DEFAULT_FROM_EMAIL, [notification.to],
              fail_silently=False)


SENDERS = {"sms": send_sms, "email": send_email}


def send(notification) -> None:
    try:
        sender = SENDERS[notification.channel]
    except KeyError:
        raise Undeliverable(f"no sender for channel {notification.channel!r}") from None
    sender(notification)
