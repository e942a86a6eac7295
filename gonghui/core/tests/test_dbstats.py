from django.db import connection

from gonghui.core import dbstats, periodic


def test_refresh_leaves_planner_statistics(db):
    dbstats.refresh(force=True)
    dbstats.refresh()  # the cheap follow-up run
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            assert cursor.fetchone()[0] == 1


def test_statistics_are_refreshed_periodically():
    assert "gonghui.core.tasks.refresh_planner_statistics" in periodic.JOBS
