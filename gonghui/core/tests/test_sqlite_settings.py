"""The embedded database queues concurrent writers instead of failing them."""

import sqlite3

import pytest
from django.db import connection
from django.db.backends.sqlite3.base import DatabaseWrapper

from gonghui import settings as project_settings

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite settings only")


def test_settings_ask_for_wal_and_immediate_transactions():
    options = project_settings.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in options["init_command"]


def test_a_connection_with_these_options_is_in_wal_mode(tmp_path, django_db_blocker):
    django_db_blocker.unblock()  # a separate throw-away database file, not the test database
    config = dict(connection.settings_dict, NAME=str(tmp_path / "wal.sqlite3"),
                  OPTIONS=project_settings.DATABASES["default"]["OPTIONS"])
    wrapper = DatabaseWrapper(config, alias="wal_check")
    try:
        wrapper.ensure_connection()
        with wrapper.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
        # BEGIN IMMEDIATE takes the write lock at once: a second writer waits (or times out)
        # instead of failing later with "database is locked" on upgrade.
        with wrapper.cursor() as cursor:
            cursor.execute("CREATE TABLE t (x int)")
        # What atomic() does on SQLite; a read-only start would take no write lock if DEFERRED.
        wrapper._start_transaction_under_autocommit()
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM t")
        other = sqlite3.connect(config["NAME"], timeout=0.1, isolation_level=None)
        with pytest.raises(sqlite3.OperationalError):
            other.execute("BEGIN IMMEDIATE")
        other.close()
        with wrapper.cursor() as cursor:
            cursor.execute("ROLLBACK")
    finally:
        wrapper.close()
        django_db_blocker.restore()
