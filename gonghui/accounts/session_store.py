"""Sessions in the database (Django's ``db`` engine), the session row of each request read by a
statement composed once (and on PostgreSQL prepared: ``core.rows.cursor``) instead of an ORM query
composed on every request."""

from types import SimpleNamespace

from django.contrib.sessions.backends import db
from django.db import connection
from django.utils import timezone

from gonghui.core import rows

_SQL: dict[str, str] = {}


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        if connection.vendor not in _SQL:
            qn = connection.ops.quote_name
            _SQL[connection.vendor] = (f"SELECT session_data FROM {qn(self.model._meta.db_table)} "
                                       f"WHERE session_key = %s AND expire_date > %s")
        with rows.cursor() as cursor:
            cursor.execute(_SQL[connection.vendor],
                           [self.session_key, connection.ops.adapt_datetimefield_value(timezone.now())])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None  # missing or expired: a new session, as Django's engine does
            return None
        return SimpleNamespace(session_data=row[0])
