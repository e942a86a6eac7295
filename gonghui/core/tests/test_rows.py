"""Rows read through statements composed once (core.rows), and the session and the signed-in user
read that way (accounts.session_store, accounts.backends): the same instances as the ORM's, and
Django's rules for missing, expired and inactive kept."""

import datetime
from importlib import import_module

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gonghui.accounts.backends import ModelBackend
from gonghui.accounts.models import Session, User
from gonghui.accounts.session_store import SessionStore, take_user
from gonghui.accounts.tests.factories import StaffFactory
from gonghui.core import rows
from gonghui.enrolment.models import Offering
from gonghui.enrolment.tests.factories import make_offering

pytestmark = pytest.mark.django_db


def _fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def test_by_pk_builds_the_orms_instance(tree):
    questions = [{"label": "衣服尺码", "kind": "choice", "choices": ["S", "M"], "required": True}]
    offering = make_offering(tree.g1, questions=questions, closes_at=timezone.now() + datetime.timedelta(hours=3))
    read = rows.by_pk(Offering, offering.pk)
    assert _fields(read) == _fields(Offering.objects.unscoped().get(pk=offering.pk))
    assert read.questions == questions and read.closes_at.tzinfo is not None
    assert not read._state.adding and read._state.db == "default"
    assert rows.by_pk(Offering, offering.pk + 1000) is None
    user = StaffFactory()
    assert _fields(rows.by_pk(User, str(user.pk))) == _fields(User.objects.get(pk=user.pk))  # the session's string id


def test_the_backend_refuses_missing_and_inactive_users():
    user = StaffFactory()
    assert ModelBackend().get_user(user.pk).pk == user.pk
    assert ModelBackend().get_user(user.pk + 1000) is None
    user.is_active = False
    user.save()
    assert ModelBackend().get_user(user.pk) is None


def test_a_request_reads_its_session_and_user_in_one_statement(tree):
    user = StaffFactory()
    client = Client()
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/auth/me")
    assert response.status_code == 200 and response.json()["username"] == user.username
    first = queries.captured_queries[0]["sql"].replace('"', "")
    assert first.startswith("SELECT s.session_data, u.id") and "LEFT JOIN accounts_user u" in first
    assert not [q for q in queries.captured_queries[1:] if "FROM accounts_user" in q["sql"].replace('"', "")]


def test_the_session_row_names_its_user_and_the_user_row_is_handed_over_once():
    user, other = StaffFactory(), StaffFactory()
    client = Client()
    client.force_login(user)
    key = client.cookies["sessionid"].value
    assert Session.objects.get(session_key=key).user_id == user.pk
    store = SessionStore(key)
    store.load()
    assert take_user(other.pk) is None  # another user's id: not handed over, and the row is spent
    assert take_user(user.pk) is None
    store = SessionStore(key)
    store.load()
    assert _fields(take_user(str(user.pk))) == _fields(User.objects.get(pk=user.pk))
    assert take_user(user.pk) is None  # once
    anonymous = SessionStore()
    anonymous["cart"] = 1
    anonymous.create()
    assert Session.objects.get(session_key=anonymous.session_key).user_id is None


def test_an_inactive_or_deleted_user_read_with_the_session_is_signed_out():
    user = StaffFactory()
    client = Client()
    client.force_login(user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert client.get("/api/v1/auth/me").status_code == 401
    client.force_login(user)  # force_login signs in whatever the flag says
    key = client.cookies["sessionid"].value
    user.delete()
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get("/api/v1/auth/me").status_code == 401


def test_the_upgrade_keeps_live_sessions_signed_in():
    """accounts/0002 copies Django's session rows, with the user each signs in."""
    from django.apps import apps
    from django.contrib.sessions.backends.db import SessionStore as DjangoStore

    copy_sessions = import_module("gonghui.accounts.migrations.0002_session").copy_sessions
    user = StaffFactory()
    live, gone, expired = DjangoStore(), DjangoStore(), DjangoStore()
    live[SESSION_KEY] = str(user.pk)
    live[BACKEND_SESSION_KEY] = "gonghui.accounts.backends.ModelBackend"
    live[HASH_SESSION_KEY] = user.get_session_auth_hash()
    gone[SESSION_KEY] = str(user.pk + 1000)
    for store in (live, gone, expired):
        store.create()
    DjangoStore.get_model_class().objects.filter(session_key=expired.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1))
    copy_sessions(apps, None)
    copied = dict(Session.objects.values_list("session_key", "user_id"))
    assert copied == {live.session_key: user.pk, gone.session_key: None}
    assert not DjangoStore.get_model_class().objects.exists()
    client = Client()
    client.cookies["sessionid"] = live.session_key
    assert client.get("/api/v1/auth/me").json()["username"] == user.username


def test_an_expired_or_unknown_session_is_signed_out():
    user = StaffFactory()
    client = Client()
    client.force_login(user)
    assert client.get("/api/v1/auth/me").status_code == 200
    key = client.cookies["sessionid"].value
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    assert client.get("/api/v1/auth/me").status_code == 401
    client.cookies["sessionid"] = "no-such-session-key"
    assert client.get("/api/v1/auth/me").status_code == 401
    assert SESSION_KEY not in client.session
