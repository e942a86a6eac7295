"""The outbox: rows written in the caller's transaction, sent after commit, retried with back-off."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.accounts.sms import MemoryBackend
from gonghui.accounts.tests.factories import StaffFactory, WorkerUserFactory
from gonghui.core import periodic
from gonghui.notifications import services, templates
from gonghui.notifications.models import ChannelPreference, Notification
from gonghui.notifications.tasks import send_pending

pytestmark = pytest.mark.django_db

CTX = {"subject": "申请已受理", "body": "您的困难帮扶申请已受理。"}


def failing_sms(monkeypatch):
    def send(self, phone, text):
        raise ConnectionError("gateway timeout")

    monkeypatch.setattr(MemoryBackend, "send", send)


def rows(user):
    return {n.channel: n for n in Notification.objects.filter(recipient=user)}


def test_notify_writes_rows_in_the_transaction_and_sends_only_after_commit(django_capture_on_commit_callbacks):
    user = WorkerUserFactory(phone="13900001111")
    with django_capture_on_commit_callbacks() as callbacks:
        created = services.notify(user, "generic", CTX, link="/me/")
    assert {n.channel for n in created} == {"inbox", "sms"}
    assert MemoryBackend.outbox == [], "nothing is sent inside the transaction"
    sms = rows(user)["sms"]
    assert sms.status == "pending" and sms.attempts == 0 and sms.to == "13900001111"
    inbox = rows(user)["inbox"]
    assert inbox.status == "sent" and inbox.sent_at is not None and inbox.read_at is None
    assert inbox.subject == "申请已受理" and inbox.body == "您的困难帮扶申请已受理。" and inbox.link == "/me/"
    assert inbox.template_key == "generic" and inbox.context == CTX

    for callback in callbacks:  # the commit
        callback()
    assert MemoryBackend.outbox == [("13900001111", "您的困难帮扶申请已受理。")]
    sms.refresh_from_db()
    assert sms.status == "sent" and sms.attempts == 1 and sms.sent_at is not None and sms.next_attempt_at is None


def test_a_rolled_back_transaction_notifies_no_one(django_capture_on_commit_callbacks):
    user = WorkerUserFactory()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            services.notify(user, "generic", CTX)
            raise RuntimeError("the transition failed")
    assert callbacks == []
    assert not Notification.objects.filter(recipient=user).exists()
    assert MemoryBackend.outbox == []


def test_email_is_sent_after_commit_when_preferred(django_capture_on_commit_callbacks):
    user = WorkerUserFactory()
    ChannelPreference.objects.create(user=user, sms=False, email=True, email_address="li@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(user, "generic", CTX)
    assert set(rows(user)) == {"inbox", "email"}
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["li@example.com"] and mail.outbox[0].subject == "申请已受理"
    assert rows(user)["email"].status == "sent"
    assert MemoryBackend.outbox == []


@pytest.mark.parametrize("pref, phone, channels, expected", [
    (None, "13900002222", None, {"inbox", "sms"}),  # the defaults: SMS on, e-mail off
    ({"sms": False}, "13900002222", None, {"inbox"}),
    ({"email": True, "email_address": ""}, None, None, {"inbox"}),  # no address, no e-mail
    ({"email": True, "email_address": "a@example.com"}, None, None, {"inbox", "email"}),
    ({"email": True, "email_address": "a@example.com"}, "13900002222", None, {"inbox", "sms", "email"}),
    ({"email": True, "email_address": "a@example.com"}, "13900002222", ("inbox",), {"inbox"}),
    ({"sms": False}, "13900002222", ("sms",), set()),  # channels narrow, never widen
    (None, "13900002222", ("sms",), {"sms"}),
], ids=["defaults", "sms-off", "email-no-address", "email", "all", "narrowed-to-inbox", "narrow-not-widen",
        "sms-only"])
def test_channel_preferences_are_respected(pref, phone, channels, expected):
    user = StaffFactory()
    user.phone = phone
    user.save()
    if pref is not None:
        ChannelPreference.objects.create(user=user, **pref)
    services.notify(user, "generic", CTX, channels=channels)
    assert set(rows(user)) == expected


def test_unknown_channel_or_template_fails_in_the_caller():
    user = WorkerUserFactory()
    with pytest.raises(ValueError):
        services.notify(user, "generic", CTX, channels=("pigeon",))
    with pytest.raises(templates.UnknownTemplate):
        services.notify(user, "no.such.template", CTX)
    assert not Notification.objects.exists()


def test_a_failing_backend_keeps_the_row_pending_with_back_off(monkeypatch, django_capture_on_commit_callbacks):
    user = WorkerUserFactory()
    failing_sms(monkeypatch)
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(user, "generic", CTX)  # the caller is not disturbed by the failure
    sms = rows(user)["sms"]
    assert sms.status == "pending" and sms.attempts == 1
    assert "ConnectionError: gateway timeout" in sms.last_error
    assert before + timedelta(minutes=1) <= sms.next_attempt_at <= timezone.now() + timedelta(minutes=1)

    monkeypatch.undo()
    assert send_pending.call() == {"sent": 0, "retry": 0, "failed": 0, "dead": 0}, "not due yet"
    assert MemoryBackend.outbox == []

    counts = services.deliver_due(now=timezone.now() + timedelta(minutes=2))  # the sweep, later
    assert counts["sent"] == 1
    sms.refresh_from_db()
    assert sms.status == "sent" and sms.attempts == 2 and sms.last_error == ""
    assert MemoryBackend.outbox == [(user.phone, CTX["body"])]


def test_back_off_grows_and_the_row_dies_after_six_attempts(monkeypatch):
    user = WorkerUserFactory()
    services.notify(user, "generic", CTX, channels=("sms",))
    failing_sms(monkeypatch)
    sms = rows(user)["sms"]
    waits = []
    now = timezone.now()
    for attempt in range(1, 7):
        services.deliver_due(now=now)
        sms.refresh_from_db()
        assert sms.attempts == attempt
        if attempt < 6:
            assert sms.status == "pending"
            waits.append(round((sms.next_attempt_at - timezone.now()).total_seconds() / 60))
            now = sms.next_attempt_at + timedelta(seconds=1)
    assert waits == [1, 5, 25, 125, 625]
    assert sms.status == "dead" and sms.next_attempt_at is None and "gateway timeout" in sms.last_error

    monkeypatch.undo()
    services.deliver_due(now=now + timedelta(days=30))
    sms.refresh_from_db()
    assert sms.status == "dead" and sms.attempts == 6 and MemoryBackend.outbox == []


def test_a_row_with_no_address_fails_without_retrying():
    user = WorkerUserFactory()
    services.notify(user, "generic", CTX, channels=("sms",))
    Notification.objects.filter(recipient=user).update(to="")
    assert services.deliver_due()["failed"] == 1
    sms = rows(user)["sms"]
    assert sms.status == "failed" and sms.next_attempt_at is None


def test_a_claimed_row_is_not_sent_twice():
    user = WorkerUserFactory()
    services.notify(user, "generic", CTX, channels=("sms",))
    sms = rows(user)["sms"]
    now = timezone.now()
    assert services._claim(sms.pk, now)
    assert not services._claim(sms.pk, now), "another worker cannot claim it while the lease runs"
    assert services.deliver_due(now=now)["sent"] == 0
    # The worker died mid-send: the lease runs out and the row is sent after all.
    assert services.deliver_due(now=now + services.CLAIM_LEASE + timedelta(seconds=1))["sent"] == 1
    assert len(MemoryBackend.outbox) == 1


def test_an_unreachable_queue_loses_nothing(monkeypatch, django_capture_on_commit_callbacks):
    user = WorkerUserFactory()

    def broken_enqueue(*args, **kwargs):
        raise OSError("queue unreachable")

    monkeypatch.setattr(type(send_pending), "enqueue", broken_enqueue)
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(user, "generic", CTX)
    assert rows(user)["sms"].status == "pending"
    monkeypatch.undo()
    send_pending.call()  # the periodic sweep
    assert rows(user)["sms"].status == "sent"


def test_send_pending_runs_every_minute():
    job = periodic.JOBS[send_pending.module_path]
    assert job.task is send_pending and job.every == timedelta(minutes=1)


def test_notify_many_notifies_each_user_once():
    a, b = WorkerUserFactory(), WorkerUserFactory()
    created = services.notify_many([a, b, a, None], "generic", CTX, link="/x/")
    assert len(created) == 4  # inbox + SMS each
    assert Notification.objects.filter(recipient=a, channel="inbox").count() == 1
    assert Notification.objects.filter(recipient=b, channel="inbox", link="/x/").count() == 1


def test_unread_count_and_marking_read_touch_only_the_users_own_rows():
    me, other = StaffFactory(), StaffFactory()
    mine = [services.notify(me, "generic", CTX)[0] for _ in range(3)]
    theirs = services.notify(other, "generic", CTX)[0]
    assert services.unread_count(me) == 3 and services.unread_count(other) == 1

    assert services.mark_read(me, [mine[0].pk, theirs.pk]) == 1
    assert services.unread_count(me) == 2 and services.unread_count(other) == 1
    assert services.mark_read(me, [mine[0].pk]) == 0  # already read
    assert services.mark_all_read(me) == 2
    assert services.unread_count(me) == 0 and services.unread_count(other) == 1


def test_templates_render_format_and_django_strings_leniently(monkeypatch):
    monkeypatch.setattr(templates, "_REGISTRY", dict(templates._REGISTRY))
    templates.register("test.format", subject=_("待办提醒"), body="{name}：请在{due}前处理{missing}。")
    templates.register("test.django", subject="{{ name }}", body="{% if urgent %}紧急：{% endif %}{{ text }}")
    r = templates.render("test.format", {"name": "李明", "due": "11月30日"})
    assert (r.subject, r.body, r.sms) == ("待办提醒", "李明：请在11月30日前处理。", "李明：请在11月30日前处理。")
    r = templates.render("test.django", {"name": "<b>王芳</b>", "urgent": True, "text": "请回电"})
    assert (r.subject, r.body) == ("<b>王芳</b>", "紧急：请回电"), "plain text: the pages escape it"


def test_messages_are_rendered_in_the_recipients_language():
    zh, en = WorkerUserFactory(), WorkerUserFactory()
    ChannelPreference.objects.create(user=en, language="en")
    context = {"item": "会员信息核对", "due": "2026-11-30"}
    services.notify(zh, "reminder", context)
    services.notify(en, "reminder", context)
    assert rows(zh)["inbox"].subject == "待办提醒"
    assert rows(zh)["sms"].body == "待办提醒：会员信息核对，请在2026-11-30前处理。"
    assert rows(en)["inbox"].subject == "Reminder"
    assert "会员信息核对" in rows(en)["inbox"].body and "2026-11-30" in rows(en)["inbox"].body
    assert rows(en)["inbox"].body != rows(zh)["inbox"].body


def test_context_is_stored_as_json():
    user = StaffFactory()
    when = timezone.now()
    services.notify(user, "generic", {"subject": "s", "body": "b", "when": when, "label": _("待办提醒")})
    stored = rows(user)["inbox"].context
    assert stored["label"] == "待办提醒" and isinstance(stored["when"], str)


def test_saving_preferences_is_audited():
    from gonghui.audit.models import AuditEntry

    user = WorkerUserFactory()
    services.save_preferences(user, sms=False, email=True, email_address=" a@example.com ", language="en")
    pref = ChannelPreference.objects.get(user=user)
    assert (pref.sms, pref.email, pref.email_address, pref.language) == (False, True, "a@example.com", "en")
    entry = AuditEntry.objects.unscoped().get(event="notifications.preferences")
    assert entry.actor == user and entry.changes["email"] == [None, True]
