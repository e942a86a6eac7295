"""Sessions in the database (Django's ``db`` engine) with the signed-in user read in the same
statement: the session row and its user's row come back from ONE statement composed once (and on
PostgreSQL prepared: ``core.rows.cursor``) instead of two ORM queries composed on every request.

The session model (``accounts.Session``) keeps the user's id in a column of its own, written
whenever the session is saved. The user row read with the session is handed to the sign-in
backend (``accounts.backends.ModelBackend.get_user``) once, for that user id only; Django's own
checks (the backend path, the session hash, an inactive user) still run on it.
"""

import threading
from types import SimpleNamespace

from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.sessions.backends import db
from django.db import connection
from django.utils import timezone

from gonghui.core import rows

_SQL: dict[str, str] = {}
_read = threading.local()  # the user row read with this thread's last session


def take_user(user_id):
    """The user row read with the session just loaded, if it is ``user_id``'s (once), else None."""
    user, _read.user = getattr(_read, "user", None), None
    return user if user is not None and str(user.pk) == str(user_id) else None


class SessionStore(db.SessionStore):
    @classmethod
    def get_model_class(cls):
        from gonghui.accounts.models import Session

        return Session

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        user_id = str(data.get(SESSION_KEY, ""))
        session.user_id = int(user_id) if user_id.isdigit() else None
        return session

    def _get_session_from_db(self):
        user_model = get_user_model()
        if connection.vendor not in _SQL:
            qn = connection.ops.quote_name
            _SQL[connection.vendor] = (
                f"SELECT s.session_data, {rows.columns(user_model, 'u')[0]} "
                f"FROM {qn(self.model._meta.db_table)} s LEFT JOIN {qn(user_model._meta.db_table)} u "
                f"ON u.{qn(user_model._meta.pk.column)} = s.user_id WHERE s.session_key = %s AND s.expire_date > %s")
        with rows.cursor() as cursor:
            cursor.execute(_SQL[connection.vendor],
                           [self.session_key, connection.ops.adapt_datetimefield_value(timezone.now())])
            row = cursor.fetchone()
        _read.user = rows.instance(user_model, row[1:], "u") if row is not None and row[1] is not None else None
        if row is None:
            self._session_key = None  # missing or expired: a new session, as Django's engine does
            return None
        return SimpleNamespace(session_data=row[0])
