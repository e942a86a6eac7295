import json

import pytest

from gonghui.accounts import services as accounts
from gonghui.accounts.tests.factories import StaffFactory, WorkerUserFactory
from gonghui.notifications.models import Notification
from gonghui.notifications.tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/notifications/"


def post(client, url, data, **extra):
    return client.post(url, json.dumps(data), content_type="application/json", **extra)


def test_list_returns_the_callers_own_inbox_with_unread_count(client):
    me = WorkerUserFactory()
    NotificationFactory.create_batch(3, recipient=me)
    read = NotificationFactory(recipient=me, subject="已读的", read_at="2026-01-01T00:00:00Z")
    NotificationFactory(recipient=StaffFactory(), subject="别人的")
    Notification.objects.create(recipient=me, channel="sms", template_key="generic", subject="短信", body="b")
    client.force_login(me)

    data = client.get(URL).json()
    assert data["count"] == 4 and data["unread_count"] == 3
    subjects = [item["subject"] for item in data["items"]]
    assert "别人的" not in subjects and "短信" not in subjects
    by_id = {item["id"]: item for item in data["items"]}
    assert by_id[read.pk]["unread"] is False

    page = client.get(URL, {"limit": 2, "offset": 1}).json()
    assert len(page["items"]) == 2 and page["items"][0]["id"] == data["items"][1]["id"]
    assert client.get(URL, {"unread": "true"}).json()["count"] == 3


def test_mark_read_by_ids_ignores_other_users_ids(client):
    me, other = WorkerUserFactory(), WorkerUserFactory()
    mine = NotificationFactory(recipient=me)
    theirs = NotificationFactory(recipient=other)
    client.force_login(me)
    response = post(client, URL + "read", {"ids": [mine.pk, theirs.pk]})
    assert response.status_code == 200 and response.json() == {"marked": 1, "unread_count": 0}
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read(client):
    me = StaffFactory()
    NotificationFactory.create_batch(2, recipient=me)
    client.force_login(me)
    assert post(client, URL + "read", {"all": True}).json() == {"marked": 2, "unread_count": 0}


def test_mark_read_needs_ids_or_all(client):
    client.force_login(WorkerUserFactory())
    response = post(client, URL + "read", {})
    assert response.status_code == 400 and response.json()["code"] == "bad_request"


def test_anonymous_is_401_and_a_bearer_token_works(client):
    assert client.get(URL).json()["code"] == "unauthorized"
    me = WorkerUserFactory()
    NotificationFactory(recipient=me, subject="令牌可见")
    _token, plain = accounts.issue_token(me)
    data = client.get(URL, HTTP_AUTHORIZATION=f"Bearer {plain}").json()
    assert data["items"][0]["subject"] == "令牌可见"
    response = post(client, URL + "read", {"all": True}, HTTP_AUTHORIZATION=f"Bearer {plain}")
    assert response.json()["marked"] == 1
