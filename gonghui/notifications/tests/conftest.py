import pytest
from django.core import mail

from gonghui.accounts.sms import MemoryBackend


@pytest.fixture(autouse=True)
def empty_outboxes():
    MemoryBackend.outbox.clear()
    mail.outbox = []
    yield
    MemoryBackend.outbox.clear()
