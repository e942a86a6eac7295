"""Notifying people: rows in an outbox, written in the caller's transaction and sent after it commits.

``notify`` writes one ``Notification`` per channel inside the caller's transaction and asks, on
commit, for the send task to run; nothing is sent inside the transaction, so a rolled-back change
notifies no one. Inbox rows are delivered by being stored. SMS and e-mail rows are sent by
``deliver_due`` (the ``send_pending`` task); a failure is recorded on the row and retried with
back-off by the periodic sweep, so sending never blocks the caller and never loses a message.

Notifications belong to a user, not a union node: every read here filters by the recipient.
"""

import logging
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from gonghui.audit.services import audited_save
from gonghui.notifications import backends, templates
from gonghui.notifications.models import ChannelPreference, Notification

logger = logging.getLogger("gonghui.notifications")

INBOX, SMS, EMAIL = Notification.Channel.INBOX, Notification.Channel.SMS, Notification.Channel.EMAIL
CHANNELS = (INBOX, SMS, EMAIL)
PENDING, SENT, FAILED, DEAD = (Notification.Status.PENDING, Notification.Status.SENT,
                               Notification.Status.FAILED, Notification.Status.DEAD)

MAX_ATTEMPTS = 6
# Wait after the n-th failed attempt: 1, 5, 25, 125, 625 minutes; the 6th failure is final.
BACKOFF_MINUTES = (1, 5, 25, 125, 625)
# A worker that claims a row owns it this long; if it dies mid-send, the row becomes due again.
CLAIM_LEASE = timedelta(minutes=10)
BATCH = 200


# ---- preferences ----

def preference_for(user) -> ChannelPreference:
    """The user's channel preference (the defaults, unsaved, if they never chose)."""
    try:
        return ChannelPreference.objects.get(user=user)
    except ChannelPreference.DoesNotExist:
        return ChannelPreference(user=user)


@transaction.atomic
def save_preferences(user, *, sms: bool, email: bool, email_address: str = "",
                     language: str | None = None, by=None) -> ChannelPreference:
    pref = preference_for(user)
    pref.sms, pref.email, pref.email_address = bool(sms), bool(email), (email_address or "").strip()
    if language:
        pref.language = language
    audited_save(pref, by or user, event="notifications.preferences",
                 fields=["sms", "email", "email_address", "language"])
    return pref


# ---- queueing ----

def _plain_context(context: dict) -> dict:
    import json

    from django.core.serializers.json import DjangoJSONEncoder

    return json.loads(json.dumps(context or {}, cls=DjangoJSONEncoder, ensure_ascii=False))


def _enqueue_send(ids: list[int]) -> None:
    """Ask the task worker to send these rows; if the queue is unreachable, the sweep will."""
    from gonghui.notifications.tasks import send_pending

    try:
        send_pending.enqueue(ids=ids)
    except Exception:  # the rows are committed: the periodic sweep sends them a minute later
        logger.exception("could not enqueue sending of notifications %s", ids)


def _rows(user, key: str, context: dict, *, link: str, channels, pref: ChannelPreference, now) -> list:
    """The unsaved outbox rows for one message to one user."""
    templates.get(key)  # an unknown key fails here, in the caller, not later in the worker
    wanted = set(CHANNELS if channels is None else channels)
    if unknown := wanted - set(CHANNELS):
        raise ValueError(f"unknown notification channels: {sorted(unknown)}")
    rendered = templates.render(key, context, pref.language or settings.LANGUAGE_CODE)
    stored_context = _plain_context(context)

    def row(channel, **fields):
        return Notification(recipient=user, channel=channel, template_key=key, context=stored_context,
                            subject=rendered.subject, link=link or "", created_at=now, **fields)

    rows = []
    if INBOX in wanted:
        rows.append(row(INBOX, body=rendered.body, status=SENT, sent_at=now, next_attempt_at=None))
    phone = getattr(user, "phone", None)
    if SMS in wanted and phone and pref.sms:
        rows.append(row(SMS, body=rendered.sms, to=phone, next_attempt_at=now))
    if EMAIL in wanted and pref.email and pref.email_address:
        rows.append(row(EMAIL, body=rendered.body, to=pref.email_address, next_attempt_at=now))
    return rows


def _store(rows: list) -> None:
    """Insert the rows in the caller's transaction; after it commits, ask for the sending."""
    with transaction.atomic():
        Notification.objects.bulk_create(rows)
        outgoing = [n.pk for n in rows if n.status == PENDING]
        if outgoing:
            transaction.on_commit(lambda: _enqueue_send(outgoing))


def notify(user, key: str, context: dict, *, link: str = "",
           channels: tuple[str, ...] | None = None) -> list[Notification]:
    """Notify ``user`` with the message template ``key``: one outbox row per channel.

    The inbox always (it is delivered by being stored); SMS if the user has a mobile number and
    wants SMS; e-mail if they want it and gave an address. ``channels`` narrows that set. Runs in
    the caller's transaction; the SMS and e-mail are sent by the task worker after it commits.
    """
    rows = _rows(user, key, context, link=link, channels=channels, pref=preference_for(user), now=timezone.now())
    _store(rows)
    return rows


def notify_bulk(messages: Iterable[tuple]) -> list[Notification]:
    """Many messages at once — ``(user, key, context, link)`` each — with one query for the
    preferences, one insert and one send request: what a sweep over thousands of cases needs."""
    messages = [m for m in messages if m[0] is not None]
    if not messages:
        return []
    prefs = {p.user_id: p for p in ChannelPreference.objects.filter(user__in={m[0].pk for m in messages})}
    now = timezone.now()
    rows = []
    for user, key, context, link in messages:
        pref = prefs.get(user.pk) or ChannelPreference(user=user)
        rows.extend(_rows(user, key, context, link=link, channels=None, pref=pref, now=now))
    _store(rows)
    return rows


def notify_many(users: Iterable, key: str, context: dict, *, link: str = "",
                channels: tuple[str, ...] | None = None) -> list[Notification]:
    """``notify`` each of ``users`` (each at most once) in one transaction."""
    rows: list[Notification] = []
    seen = set()
    with transaction.atomic():
        for user in users:
            if user is None or user.pk in seen:
                continue
            seen.add(user.pk)
            rows.extend(notify(user, key, context, link=link, channels=channels))
    return rows


# ---- sending ----

def backoff(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failure."""
    index = min(max(attempts, 1), len(BACKOFF_MINUTES)) - 1
    return timedelta(minutes=BACKOFF_MINUTES[index])


def _claim(pk: int, now) -> bool:
    """Take the row for this worker (one UPDATE, so two workers never send the same row)."""
    return bool(Notification.objects.filter(
        pk=pk, status=PENDING, next_attempt_at__lte=now, attempts__lt=MAX_ATTEMPTS,
    ).update(attempts=F("attempts") + 1, next_attempt_at=now + CLAIM_LEASE))


def _send_one(pk: int) -> str:
    notification = Notification.objects.select_related("recipient").get(pk=pk)
    try:
        backends.send(notification)
    except backends.Undeliverable as e:
        Notification.objects.filter(pk=pk).update(status=FAILED, next_attempt_at=None, last_error=str(e)[:2000])
        logger.warning("notification %s cannot be sent: %s", pk, e)
        return FAILED
    except Exception as e:  # a gateway error, a timeout, anything: keep the row and retry later
        error = f"{type(e).__name__}: {e}"[:2000]
        if notification.attempts >= MAX_ATTEMPTS:
            Notification.objects.filter(pk=pk).update(status=DEAD, next_attempt_at=None, last_error=error)
            logger.error("notification %s given up after %s attempts: %s", pk, notification.attempts, error)
            return DEAD
        Notification.objects.filter(pk=pk).update(
            next_attempt_at=timezone.now() + backoff(notification.attempts), last_error=error)
        logger.warning("notification %s attempt %s failed: %s", pk, notification.attempts, error)
        return PENDING
    Notification.objects.filter(pk=pk).update(status=SENT, sent_at=timezone.now(), next_attempt_at=None,
                                              last_error="")
    return SENT


def deliver_due(ids: Iterable[int] | None = None, *, now=None, limit: int = BATCH) -> dict[str, int]:
    """Send the pending SMS and e-mail rows that are due (only ``ids`` if given).

    Returns counts by outcome: sent, retry (still pending), failed, dead.
    """
    now = now or timezone.now()
    counts = {"sent": 0, "retry": 0, "failed": 0, "dead": 0}
    # A worker that died mid-send after the last attempt leaves a row nobody may claim: bury it.
    counts["dead"] += Notification.objects.filter(
        status=PENDING, attempts__gte=MAX_ATTEMPTS, next_attempt_at__lte=now,
    ).update(status=DEAD, next_attempt_at=None)
    due = Notification.objects.filter(status=PENDING, next_attempt_at__lte=now).exclude(channel=INBOX)
    if ids is not None:
        due = due.filter(pk__in=list(ids))
    for pk in list(due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit]):
        if not _claim(pk, now):
            continue
        outcome = _send_one(pk)
        counts[{SENT: "sent", PENDING: "retry", FAILED: "failed", DEAD: "dead"}[outcome]] += 1
    return counts


# ---- the inbox ----

def inbox(user):
    """The user's own in-app notifications, newest first."""
    return Notification.objects.filter(recipient=user, channel=INBOX).order_by("-created_at", "-pk")


def get_own(user, pk: int) -> Notification:
    """One of the user's own inbox notifications; anyone else's is 404."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(Notification, pk=pk, recipient=user, channel=INBOX)


def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, channel=INBOX, read_at__isnull=True).count()


def mark_read(user, ids: Iterable[int]) -> int:
    """Mark the user's own notifications ``ids`` read; others' ids are ignored. Returns how many."""
    ids = [int(i) for i in ids]
    if not ids:
        return 0
    return Notification.objects.filter(recipient=user, channel=INBOX, pk__in=ids, read_at__isnull=True) \
        .update(read_at=timezone.now())


def mark_all_read(user) -> int:
    return Notification.objects.filter(recipient=user, channel=INBOX, read_at__isnull=True) \
        .update(read_at=timezone.now())
