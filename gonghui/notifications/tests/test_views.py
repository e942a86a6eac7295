"""The inbox pages: a user sees only their own notifications; another user's id is 404."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from gonghui.accounts.tests.factories import StaffFactory, WorkerUserFactory
from gonghui.audit.models import AuditEntry
from gonghui.notifications.models import ChannelPreference, Notification
from gonghui.notifications.tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(client):
    user = WorkerUserFactory(phone="13911112222")
    client.force_login(user)
    return user


@pytest.fixture
def staff_user(client):
    user = StaffFactory(username="msg_staff")
    client.force_login(user)
    return user


def test_portal_inbox_lists_own_notifications_newest_first_with_unread_marked(client, worker):
    now = timezone.now()
    old = NotificationFactory(recipient=worker, subject="旧消息：活动报名成功", created_at=now - timedelta(days=2),
                              read_at=now - timedelta(days=1))
    new = NotificationFactory(recipient=worker, subject="新消息：申请已受理", created_at=now)
    NotificationFactory(recipient=WorkerUserFactory(), subject="别人的消息")
    Notification.objects.create(recipient=worker, channel="sms", template_key="generic", subject="短信行",
                                body="短信", to=worker.phone)

    html = client.get(reverse("notifications:inbox")).content.decode()
    assert html.index("新消息：申请已受理") < html.index("旧消息：活动报名成功")
    assert "别人的消息" not in html and "短信行" not in html, "only the user's own inbox rows"
    assert "1 条未读" in html
    assert f'msg-item msg-unread" href="{reverse("notifications:open", args=[new.pk])}"' in html
    assert f'msg-item" href="{reverse("notifications:open", args=[old.pk])}"' in html
    assert 'aria-current="page"' in html and ">消息<" in html  # the 消息 tab is the current one


def test_portal_inbox_empty_state_and_sign_in(client):
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 302 and reverse("accounts:worker_login") in response["Location"]
    client.force_login(WorkerUserFactory())
    assert "还没有消息" in client.get(reverse("notifications:inbox")).content.decode()


def test_the_portal_tab_bar_has_a_messages_tab(client, worker):
    html = client.get(reverse("portal:home")).content.decode()
    assert f'href="{reverse("notifications:inbox")}"' in html and "消息" in html


def test_opening_marks_read_and_follows_the_link(client, worker):
    n = NotificationFactory(recipient=worker, link="/me/")
    response = client.get(reverse("notifications:open", args=[n.pk]))
    assert response.status_code == 302 and response["Location"] == "/me/"
    n.refresh_from_db()
    assert n.read_at is not None


def test_opening_without_a_link_shows_the_message(client, worker):
    n = NotificationFactory(recipient=worker, subject="会费缴纳提醒", body="请于月底前缴纳会费。\n谢谢。")
    response = client.get(reverse("notifications:open", args=[n.pk]))
    assert response.status_code == 200
    assert "请于月底前缴纳会费。" in response.content.decode()
    n.refresh_from_db()
    assert n.read_at is not None


def test_an_outside_link_is_not_followed(client, worker):
    n = NotificationFactory(recipient=worker, link="https://evil.example.com/")
    response = client.get(reverse("notifications:open", args=[n.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("route", ["notifications:open", "notifications:console_open"])
def test_another_users_notification_is_404_and_stays_unread(client, route):
    owner, stranger = StaffFactory(), StaffFactory()
    n = NotificationFactory(recipient=owner, link="/console/")
    client.force_login(stranger)
    assert client.get(reverse(route, args=[n.pk])).status_code == 404
    n.refresh_from_db()
    assert n.read_at is None


def test_sms_rows_are_not_opened_as_inbox_messages(client, worker):
    sms = Notification.objects.create(recipient=worker, channel="sms", template_key="generic", subject="s", body="b")
    assert client.get(reverse("notifications:open", args=[sms.pk])).status_code == 404


def test_read_all_marks_only_own(client, worker):
    mine = NotificationFactory.create_batch(3, recipient=worker)
    theirs = NotificationFactory(recipient=WorkerUserFactory())
    assert client.get(reverse("notifications:read_all")).status_code == 405
    response = client.post(reverse("notifications:read_all"))
    assert response.status_code == 302
    assert all(Notification.objects.get(pk=n.pk).read_at for n in mine)
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_preferences_page_saves_channels(client, worker):
    url = reverse("notifications:preferences")
    html = client.get(url).content.decode()
    assert "站内消息（始终开启）" in html and 'name="sms"' in html and " checked" in html

    response = client.post(url, {"email": "on", "email_address": "", "language": "zh-hans"})
    assert response.status_code == 200
    assert "要接收邮件通知，请填写电子邮箱。" in response.content.decode()
    assert not ChannelPreference.objects.filter(user=worker).exists()

    response = client.post(url, {"email": "on", "email_address": "wang@example.com", "language": "zh-hans"})
    assert response.status_code == 302
    pref = ChannelPreference.objects.get(user=worker)
    assert (pref.sms, pref.email, pref.email_address) == (False, True, "wang@example.com")
    assert AuditEntry.objects.unscoped().filter(event="notifications.preferences", actor=worker).exists()
    assert "站内消息、电子邮件" in client.get(reverse("notifications:inbox")).content.decode()


def test_preferences_say_when_there_is_no_phone(client, staff_user):
    html = client.get(reverse("notifications:console_preferences")).content.decode()
    assert "您的账号没有绑定手机号" in html


def test_console_inbox_shows_own_notifications_and_unread_count(client, staff_user):
    NotificationFactory.create_batch(2, recipient=staff_user, subject="请受理新诉求")
    NotificationFactory(recipient=StaffFactory(), subject="别的干部的消息")
    response = client.get(reverse("notifications:console_inbox"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("请受理新诉求") == 2 and "别的干部的消息" not in html
    assert "2 条未读" in html
    assert f'href="{reverse("notifications:console_inbox")}" aria-current="page"' in html  # the nav entry
    assert "消息通知" in html


def test_console_open_and_read_all(client, staff_user):
    n = NotificationFactory(recipient=staff_user, link="")
    assert client.get(reverse("notifications:console_open", args=[n.pk])).status_code == 200
    NotificationFactory.create_batch(2, recipient=staff_user)
    assert client.post(reverse("notifications:console_read_all")).status_code == 302
    assert not Notification.objects.filter(recipient=staff_user, read_at__isnull=True).exists()
    assert "没有未读消息" in client.get(reverse("notifications:console_inbox")).content.decode()


def test_console_preferences_save(client, staff_user):
    response = client.post(reverse("notifications:console_preferences"),
                           {"email": "on", "email_address": "zhang@example.com", "language": "zh-hans"})
    assert response.status_code == 302 and response["Location"] == reverse("notifications:console_inbox")
    assert ChannelPreference.objects.get(user=staff_user).email_address == "zhang@example.com"


def test_console_inbox_is_not_for_workers(client, worker):
    assert client.get(reverse("notifications:console_inbox")).status_code == 404


def test_console_inbox_paginates(client, staff_user):
    NotificationFactory.create_batch(25, recipient=staff_user)
    html = client.get(reverse("notifications:console_inbox")).content.decode()
    assert html.count('class="msg-item') == 20 and "共 25 条" in html
    html = client.get(reverse("notifications:console_inbox") + "?page=2").content.decode()
    assert html.count('class="msg-item') == 5


def test_inbox_in_english(client, worker):
    NotificationFactory(recipient=worker)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("notifications:inbox")).content.decode()
    assert "Messages" in html and "1 unread" in html and "Mark all as read" in html


def test_unread_messages_show_as_a_badge_on_the_navigation(db):
    from django.test import Client

    from gonghui.accounts.tests.factories import WorkerUserFactory
    from gonghui.notifications import services

    worker = WorkerUserFactory()
    client = Client()
    client.force_login(worker)
    assert 'class="nav-badge"' not in client.get("/").content.decode()
    services.notify(worker, "generic", {"subject": "通知", "body": "内容"})
    services.notify(worker, "generic", {"subject": "通知", "body": "内容"})
    assert '<span class="nav-badge" aria-label="2 条未读">2</span>' in client.get("/").content.decode()
