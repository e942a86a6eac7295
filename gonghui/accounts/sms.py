"""Pluggable SMS backends. A gateway backend implements ``send(phone, text)``.

``GONGHUI_SMS_BACKEND`` names the class. The log backend (trial) writes the text to the server
log; the memory backend (tests) keeps an outbox.
"""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("gonghui.sms")


class LogBackend:
    shows_code_in_trial = True

    def send(self, phone: str, text: str) -> None:
        logger.warning("SMS to %s: %s", phone, text)


class MemoryBackend:
    shows_code_in_trial = False
    outbox: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        self.outbox.append((phone, text))


def get_backend():
    return import_string(settings.GONGHUI_SMS_BACKEND)()
