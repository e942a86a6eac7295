"""The sign-in backend: Django's ModelBackend, with the signed-in user of each request taken from
the session's own statement (``session_store.take_user``), or else read by a statement composed
once (``core.rows``) instead of an ORM query composed on every request."""

from django.contrib.auth import backends, get_user_model

from gonghui.accounts.session_store import take_user
from gonghui.core import rows


class ModelBackend(backends.ModelBackend):
    def get_user(self, user_id):
        user = take_user(user_id) or rows.by_pk(get_user_model(), user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
