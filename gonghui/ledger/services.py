"""Recording a service delivered to a worker: the one function every module calls."""

import datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone

from gonghui.ledger.models import ServiceRecord


def record_service(*, worker, kind: str, app: str, source, title: str, delivering_union,
                   amount: Decimal | None = None, delivered_on: datetime.date | None = None,
                   by=None) -> ServiceRecord:
    """Record that ``worker`` received a service; recording the same (source, kind) again is a no-op.

    The worker's union at that moment (their active or retained membership) is stored beside the
    delivering union, so the ledger still counts the service where it belonged after a transfer.
    """
    from gonghui.members.models import Membership

    source_type = ContentType.objects.get_for_model(type(source))
    existing = ServiceRecord.objects.unscoped().filter(source_type=source_type, source_id=source.pk, kind=kind).first()
    if existing is not None:
        return existing
    membership = (Membership.objects.unscoped().select_related("union")
                  .filter(worker=worker, status__in=Membership.CURRENT).order_by("-joined_on").first())
    member_union = membership.union if membership else None
    row = ServiceRecord(
        worker=worker, kind=kind, app=app, source_type=source_type, source_id=source.pk, title=title[:200],
        delivering_union=delivering_union, member_union=member_union,
        node_path=(member_union or delivering_union).path, amount=amount,
        delivered_on=delivered_on or timezone.localdate(), by=by if getattr(by, "is_authenticated", False) else None,
    )
    try:
        with transaction.atomic():  # a savepoint: a concurrent twin must not break the caller's transaction
            row.save()
    except IntegrityError:
        return ServiceRecord.objects.unscoped().get(source_type=source_type, source_id=source.pk, kind=kind)
    return row


def services_of(worker):
    """A worker's services, newest first (callers scope or check access before showing them)."""
    return (ServiceRecord.objects.unscoped().filter(worker=worker)
            .select_related("delivering_union", "member_union").order_by("-delivered_on", "-id"))
