"""Django's PostgreSQL backend with two savings that every request is charged for.

- **The health check looks before it asks.** With ``CONN_HEALTH_CHECKS`` Django sends ``SELECT 1``
  before the first statement of each request on a kept connection: a round trip on every request.
  A connection the server has closed (restart, ``pg_terminate_backend``, an idle timeout) has its
  goodbye or end-of-file waiting in the socket, so an idle connection whose socket has nothing to
  read is taken as healthy without a statement; anything else — data waiting, a transaction open,
  psycopg's own broken flag — gets Django's ``SELECT 1`` as before.
- **``prepared_cursor()``**: statements bound on the server and prepared on the connection at their
  first run, so PostgreSQL parses and plans them once per connection instead of on every call. Only
  the few statements composed once that every request or the release rush runs use it
  (``core.rows``); Django's own cursors keep client-side binding, which never prepares.
"""

import select

from django.db.backends.postgresql import base, operations
from psycopg import errors, pq


class PreparedCursor(base.ServerBindingCursor):
    def execute(self, query, params=None, *, prepare=True, binary=None):
        return super().execute(query, params, prepare=prepare, binary=binary)


class DatabaseOperations(operations.DatabaseOperations):
    def last_executed_query(self, cursor, sql, params):
        # A prepared statement holds $1 placeholders: log it with its values, like Django's cursors.
        if isinstance(cursor, PreparedCursor):
            try:
                return self.compose_sql(sql, params)
            except errors.DataError:
                return None
        return super().last_executed_query(cursor, sql, params)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

    def get_connection_params(self):
        params = super().get_connection_params()
        # psycopg prepares nothing while the threshold is None (Django's default, for poolers);
        # client-side cursors never prepare, so this only lets PreparedCursor's ``prepare=True`` work.
        if params["prepare_threshold"] is None:
            params["prepare_threshold"] = 5
        return params

    def close_if_health_check_failed(self):
        if self.connection is None or not self.health_check_enabled or self.health_check_done or self.pool:
            return
        if not self._quietly_idle() and not self.is_usable():
            self.close()
        self.health_check_done = True

    def _quietly_idle(self) -> bool:
        """True when the connection is open, idle outside a transaction, and nothing has arrived on
        its socket — so the server has not closed it."""
        conn = self.connection
        if conn.closed or conn.broken or conn.pgconn.transaction_status != pq.TransactionStatus.IDLE:
            return False
        poller = select.poll()
        poller.register(conn.pgconn.socket, select.POLLIN | select.POLLPRI)
        return not poller.poll(0)

    def prepared_cursor(self):
        """A cursor (wrapped like Django's, so statements are logged and counted) whose statements are
        bound on the server and prepared on this connection."""
        self.close_if_health_check_failed()
        self.ensure_connection()
        with self.wrap_database_errors:
            return self._prepare_cursor(PreparedCursor(self.connection))
