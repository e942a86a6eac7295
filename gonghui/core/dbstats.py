"""Keeping the query planner's statistics fresh.

SQLite plans without statistics until ``ANALYZE`` runs: it then takes an equality on any indexed
column (a case's type, of which there are a handful) as selective and reads a district's whole
inbox through the wrong index. PostgreSQL's autovacuum analyses on its own; after a bulk load
(demo data, benchmarks) we ask it too.
"""

from django.db import connection


def refresh(*, force: bool = False) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if force or cursor.fetchone() is None:
                cursor.execute("ANALYZE")
            else:
                cursor.execute("PRAGMA optimize")  # re-analyses only the tables that changed a lot
        elif connection.vendor == "postgresql" and force:
            cursor.execute("ANALYZE")
