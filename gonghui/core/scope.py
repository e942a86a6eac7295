"""The one scope rule.

Every model that belongs to a union node uses ``ScopedManager``. Its querysets refuse to run
until the caller says whose rows it wants:

- ``Model.objects.visible_to(user, "orgs.view")`` keeps the rows in the subtrees where ``user``
  holds a role with that permission (one indexed prefix query per grant on the materialised path);
- ``Model.objects.unscoped()`` is the explicit, greppable way round it, for services, imports,
  tasks and tests that act for the system rather than for a person.

Evaluating a queryset that did neither raises ``ScopeError``: the scope fails closed.
Out of scope is 404 (``get_visible_or_404``); inside the scope but without the permission is
403 (``require_permission``).
"""

from functools import reduce
from operator import or_

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Substr
from django.db.models.lookups import Exact
from django.http import Http404


class ScopeError(RuntimeError):
    """A query on a scoped model ran without visible_to() or unscoped()."""


def _grant_rows(user) -> list[tuple[str, str, str]]:
    """(node path, role, node display name) of a user's grants; one query, cached per request."""
    cached = getattr(user, "_gonghui_grant_rows", None)
    if cached is None:
        from gonghui.accounts.models import Grant

        cached = [
            (path, role, short_name or name)
            for path, role, short_name, name in Grant.objects.unscoped()
            .filter(user=user, node__active=True)
            .order_by("node__path")
            .values_list("node__path", "role", "node__short_name", "node__name")
        ]
        user._gonghui_grant_rows = cached
    return cached


def user_grants(user) -> list[tuple[str, set[str]]]:
    """The (node path, permissions) pairs a user holds."""
    if not getattr(user, "is_authenticated", False):
        return []
    from gonghui.accounts.roles import permissions_of

    return [(path, permissions_of(role)) for path, role, _name in _grant_rows(user)]


def primary_grant(user) -> tuple[str, str] | None:
    """(node name, role name) of the highest grant, for the console's top bar."""
    if not getattr(user, "is_authenticated", False):
        return None
    rows = sorted(_grant_rows(user), key=lambda row: len(row[0]))
    return (rows[0][2], rows[0][1]) if rows else None


def paths_with_permission(user, permission: str) -> list[str] | None:
    """Paths of the subtrees where ``user`` has ``permission``; None means everywhere (superuser)."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return None
    paths = sorted(path for path, perms in user_grants(user) if permission in perms)
    # Drop paths already covered by an ancestor path, so the query stays short.
    kept: list[str] = []
    for path in paths:
        if not kept or not path.startswith(kept[-1]):
            kept.append(path)
    return kept


def has_permission(user, permission: str, path: str | None = None) -> bool:
    """Whether ``user`` holds ``permission`` at ``path`` (or anywhere, when path is None)."""
    paths = paths_with_permission(user, permission)
    if paths is None:
        return True
    if path is None:
        return bool(paths)
    return any(path.startswith(p) for p in paths)


# Paths use 0-9 and A-Z; "~" sorts after all of them in byte order (SQLite's BINARY collation,
# PostgreSQL's "C" collation of the path column).
PATH_END = "~"


def subtree_q(lookup: str, path: str) -> Q:
    """Rows whose path starts with ``path``, as a range so the index is used.

    Django's ``startswith`` is a case-insensitive LIKE on SQLite, which cannot use the index.
    """
    return Q(**{f"{lookup}__gte": path, f"{lookup}__lt": path + PATH_END})


def subtree_expression_q(lookup: str, path: str) -> Q:
    """The same rows as ``subtree_q``, written so that the path index is *not* used.

    For a subtree that holds most of a big table (a district's inbox), scanning the index that
    gives the wanted order and checking the prefix of each row beats reading the whole subtree
    through the path index and sorting it.
    """
    return Q(Exact(Substr(F(lookup), 1, len(path)), Value(path)))


class ScopedQuerySet(models.QuerySet):
    # The lookup from this model to the materialised path of the union node it belongs to.
    # Set on the model as ``scope_path = "union__path"``; the tree itself uses ``"path"``.
    _scope_state: str | None = None

    def _clone(self):
        clone = super()._clone()
        clone._scope_state = self._scope_state
        return clone

    def visible_to(self, user, permission: str, *, large: bool = False):
        """Rows in the subtrees where ``user`` holds ``permission``; ``large=True`` when the caller
        knows the subtree is most of the table and orders by another index (see above)."""
        paths = paths_with_permission(user, permission)
        qs = self._clone()
        qs._scope_state = "scoped"
        if paths is None:
            return qs
        if not paths:
            return qs.none()
        make_q = subtree_expression_q if large else subtree_q
        qs = qs.filter(reduce(or_, (make_q(self.model.scope_path, p) for p in paths)))
        # A path reached through a to-many relation (a worker's memberships) repeats rows.
        return qs.distinct() if getattr(self.model, "scope_distinct", False) else qs

    def unscoped(self):
        qs = self._clone()
        qs._scope_state = "unscoped"
        return qs

    def _check_scope(self):
        if self._scope_state is None:
            raise ScopeError(
                f"{self.model.__name__} query ran without visible_to(user, permission) or unscoped()"
            )

    def _fetch_all(self):
        if self._result_cache is None:
            self._check_scope()
        super()._fetch_all()

    def iterator(self, *args, **kwargs):
        self._check_scope()
        return super().iterator(*args, **kwargs)

    def count(self):
        self._check_scope()
        return super().count()

    def exists(self):
        self._check_scope()
        return super().exists()

    def aggregate(self, *args, **kwargs):
        self._check_scope()
        return super().aggregate(*args, **kwargs)

    def update(self, **kwargs):
        self._check_scope()
        return super().update(**kwargs)

    def delete(self):
        self._check_scope()
        return super().delete()


class ScopedManager(models.Manager.from_queryset(ScopedQuerySet)):
    pass


def get_visible_or_404(queryset_or_model, user, permission: str, **lookup):
    """The row if ``user`` may see it under ``permission``'s scope, else 404 (never 403)."""
    qs = (
        queryset_or_model.objects
        if isinstance(queryset_or_model, type)
        else queryset_or_model
    )
    try:
        return qs.visible_to(user, permission).get(**lookup)
    except qs.model.DoesNotExist:
        raise Http404 from None


def require_permission(user, permission: str, path: str) -> None:
    """403 when the row is in the user's view but the user lacks ``permission`` there."""
    if not has_permission(user, permission, path):
        raise PermissionDenied
