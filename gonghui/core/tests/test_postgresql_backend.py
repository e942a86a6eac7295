"""The project's PostgreSQL backend (gonghui.core.postgresql): the health check that needs no round
trip while the connection is quiet and still catches one the server has closed, and the prepared
cursor of the statements composed once."""

import psycopg
import pytest
from django.db import connection, connections

from gonghui.accounts.tests.factories import StaffFactory
from gonghui.core import rows

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL backend only"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def health_checks():
    """Health checks on, as in production (the test settings turn them off)."""
    connection.ensure_connection()
    enabled = connection.health_check_enabled
    connection.health_check_enabled = True
    yield
    connection.health_check_enabled = enabled


def _start_request():
    connection.health_check_done = False  # what Django does between requests


def _count_round_trip_checks(monkeypatch) -> list:
    calls = []
    wrapper = type(connections["default"])
    original = wrapper.is_usable
    monkeypatch.setattr(wrapper, "is_usable", lambda self: calls.append(1) or original(self))
    return calls


def _terminate(pid: int) -> None:
    params = connection.get_connection_params()
    with psycopg.connect(**{k: v for k, v in params.items() if k not in ("context", "cursor_factory")},
                         autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
        for _ in range(100):  # the backend exits asynchronously
            if not other.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone():
                break
            other.execute("SELECT pg_sleep(0.02)")


def test_a_quiet_kept_connection_is_used_without_select_1(health_checks, monkeypatch):
    calls = _count_round_trip_checks(monkeypatch)
    pid = connection.connection.info.backend_pid
    _start_request()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] == pid
    assert calls == []


def test_a_connection_the_server_closed_is_replaced_before_the_request_uses_it(health_checks, monkeypatch):
    calls = _count_round_trip_checks(monkeypatch)
    old_pid = connection.connection.info.backend_pid
    _terminate(old_pid)
    _start_request()
    with connection.cursor() as cursor:  # without the check this raises OperationalError
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != old_pid
    assert calls == [1]  # the socket had the server's goodbye: Django's own check confirmed it


def test_inside_a_transaction_the_round_trip_check_is_kept(health_checks, monkeypatch):
    calls = _count_round_trip_checks(monkeypatch)
    connection.connection.execute("BEGIN")
    try:
        _start_request()
        connection.close_if_health_check_failed()
        assert calls == [1] and connection.connection is not None
    finally:
        connection.connection.execute("ROLLBACK")


def test_the_prepared_cursor_prepares_once_and_reads_like_the_orm():
    user = StaffFactory()
    for _ in range(3):
        assert rows.by_pk(type(user), user.pk).username == user.username
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
                       ["%FROM \"accounts_user\" t WHERE t.\"id\" = $1%"])
        assert cursor.fetchone()[0] == 1
