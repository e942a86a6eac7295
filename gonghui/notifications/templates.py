"""The registry of message templates.

Each kind of notification has a key and Chinese source strings, wrapped in ``gettext_lazy`` so
they are rendered in the recipient's language::

    from django.utils.translation import gettext_lazy as _
    from gonghui.notifications import templates

    templates.register(
        "requests.accepted",
        subject=_("您的诉求已受理"),
        body=_("{union}已受理您的诉求“{title}”，将在{due}前答复。"),
    )

A string is a ``str.format`` template with named placeholders (``{title}``), or a Django template
when it contains ``{{`` or ``{%`` (``{{ title }}``, filters, ``{% if %}``). A placeholder missing
from the context renders empty (and is logged) rather than failing the caller's transaction.
``sms`` is the text of the SMS (short; defaults to the body).
"""

import logging
import string
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

from django.template import Context, Template
from django.utils import translation
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger("gonghui.notifications")


class UnknownTemplate(KeyError):
    pass


@dataclass(frozen=True)
class MessageTemplate:
    key: str
    subject: Any  # str or lazy str
    body: Any
    sms: Any = None


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    sms: str


_REGISTRY: dict[str, MessageTemplate] = {}


def register(key: str, *, subject, body, sms=None) -> MessageTemplate:
    """Register (or replace) the template ``key``."""
    if not key:
        raise ValueError("a message template needs a key")
    template = MessageTemplate(key, subject, body, sms)
    _REGISTRY[key] = template
    return template


def get(key: str) -> MessageTemplate:
    try:
        return _REGISTRY[key]
    except KeyError:
        raise UnknownTemplate(f"no message template registered as {key!r}") from None


def keys() -> list[str]:
    return sorted(_REGISTRY)


class _Lenient(dict):
    def __init__(self, data, key):
        super().__init__(data)
        self.key = key

    def __missing__(self, name):
        logger.warning("message template %s: no value for {%s}", self.key, name)
        return ""


_formatter = string.Formatter()


def _render_one(source, context: dict, key: str) -> str:
    text = str(source)  # a lazy string is translated here, in the active language
    if "{{" in text or "{%" in text:
        # Plain text: the pages that show it escape it themselves.
        return Template(text).render(Context(context, autoescape=False)).strip()
    try:
        return _formatter.vformat(text, (), _Lenient(context, key)).strip()
    except (ValueError, IndexError, AttributeError) as e:  # a malformed template: show it as written
        logger.warning("message template %s could not be rendered: %s", key, e)
        return text


def render(key: str, context: dict, language: str | None = None) -> Rendered:
    """The template ``key`` filled with ``context``, in ``language`` (the active one if None)."""
    template = get(key)
    with translation.override(language) if language else nullcontext():
        subject = _render_one(template.subject, context, key)
        body = _render_one(template.body, context, key)
        sms = _render_one(template.sms, context, key) if template.sms is not None else body
    return Rendered(subject=subject[:200], body=body, sms=sms)


# Generic messages: the caller supplies the words (already in the recipient's language).
register("generic", subject="{subject}", body="{body}")
register(
    "reminder",
    subject=_("待办提醒"),
    body=_("您有一项待办：{item}，请在{due}前处理。"),
    sms=_("待办提醒：{item}，请在{due}前处理。"),
)
register(
    "notifications.test",
    subject=_("测试消息"),
    body=_("这是一条测试消息。如果您收到了它，说明您的通知设置可以正常使用。"),
)
