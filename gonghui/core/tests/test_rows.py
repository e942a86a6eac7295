"""Rows read through statements composed once (core.rows), and the session and the signed-in user
read that way (accounts.session_store, accounts.backends): the same instances as the ORM's, and
Django's rules for missing, expired and inactive kept."""

import datetime

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gonghui.accounts.backends import ModelBackend
from gonghui.accounts.models import User
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


def test_a_request_reads_its_session_and_user_without_composing_orm_queries(tree):
    user = StaffFactory()
    client = Client()
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/auth/me")
    assert response.status_code == 200 and response.json()["username"] == user.username
    first, second = queries.captured_queries[0]["sql"], queries.captured_queries[1]["sql"]
    assert first.startswith("SELECT session_data FROM") and "FROM accounts_user" in second.replace('"', "")


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
