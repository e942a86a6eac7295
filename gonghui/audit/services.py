"""Writing the audit trail. Action functions call these; save signals are not relied on, so bulk
writes (imports) are audited too, as one batch entry."""

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal

from django.db import models

from gonghui.audit.models import AuditEntry

current_request: ContextVar = ContextVar("gonghui_current_request", default=None)
# Set while a bulk job that writes one audit entry of its own (seed_demo) runs the services.
_in_batch: ContextVar = ContextVar("gonghui_audit_in_batch", default=False)


@contextmanager
def one_batch():
    """Inside this block record() writes nothing: the caller writes one entry for the whole batch
    (seed_demo's "demo.seeded"), so running the services for demo data does not flood the trail."""
    token = _in_batch.set(True)
    try:
        yield
    finally:
        _in_batch.reset(token)


def client_ip(request) -> str | None:
    if request is None:
        return None
    # Behind the deployment's reverse proxy, the proxy's address is REMOTE_ADDR; docs/deploy.md
    # sets GONGHUI_TRUST_X_FORWARDED_FOR only where that proxy overwrites the header.
    from django.conf import settings

    if getattr(settings, "GONGHUI_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR") or None


def _plain(value):
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def snapshot(obj: models.Model, fields=None) -> dict:
    """Field values of ``obj`` as plain JSON values (FKs as ids)."""
    names = fields or [f.attname for f in obj._meta.concrete_fields]
    return {name: _plain(getattr(obj, name)) for name in names}


def diff(before: dict, after: dict) -> dict:
    return {k: [before.get(k), after.get(k)] for k in after if before.get(k) != after.get(k)}


def node_of(obj) -> "models.Model | None":
    """The union node an object belongs to, following its model's scope path."""
    scope_path = getattr(type(obj), "scope_path", None)
    if scope_path == "path":
        return obj
    # A model whose scope is a copied path (Membership.node_path) names the node it copies.
    if scope_node := getattr(type(obj), "scope_node", None):
        return getattr(obj, scope_node)
    if scope_path and scope_path.endswith("__path"):
        first = scope_path.split("__")[0]
        value = getattr(obj, first, None)
        if isinstance(value, models.Model):
            return value if scope_path.count("__") == 1 else node_of(value)
    return None


def record(actor, action: str, obj=None, *, node=None, event: str = "", changes=None, extra=None,
           request=None) -> AuditEntry:
    """Append one audit entry. ``actor`` is the person (None for the system)."""
    request = request or current_request.get()
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    entry = AuditEntry(
        actor=actor,
        actor_name=str(actor) if actor else "",
        ip=client_ip(request),
        action=action,
        event=event,
        node=node if node is not None else (node_of(obj) if obj is not None else None),
        changes=changes or {},
        extra=extra or {},
    )
    if obj is not None:
        entry.object_type = obj._meta.label_lower
        entry.object_id = str(obj.pk)
        entry.object_repr = str(obj)[:200]
    if not _in_batch.get():
        entry.save()
    return entry


def audited_save(obj: models.Model, actor, *, event: str = "", fields=None) -> models.Model:
    """Save ``obj`` and record a create or a change with the fields that changed."""
    creating = obj.pk is None or obj._state.adding
    before = {} if creating else snapshot(type(obj)._base_manager.get(pk=obj.pk), fields)
    obj.save()
    after = snapshot(obj, fields)
    changes = diff(before, after)
    if creating or changes:
        record(actor, AuditEntry.Action.CREATE if creating else AuditEntry.Action.CHANGE, obj,
               event=event, changes=changes)
    return obj


def audited_delete(obj: models.Model, actor, *, event: str = "") -> None:
    node = node_of(obj)
    record(actor, AuditEntry.Action.DELETE, obj, node=node, event=event, changes={
        k: [v, None] for k, v in snapshot(obj).items()
    })
    obj.delete()
