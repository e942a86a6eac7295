"""Workers and memberships: the minimal rules the foundation needs (the members issue deepens them)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.audit.models import AuditEntry
from gonghui.audit.services import record
from gonghui.core import crypto
from gonghui.core.scope import require_permission
from gonghui.core.validators import clean_id_number, clean_mobile
from gonghui.members.models import Membership, Worker


def find_worker_by_id_number(id_number: str) -> Worker | None:
    """Exact look-up through the keyed hash; nothing is decrypted."""
    return Worker.objects.unscoped().filter(id_number_hash=crypto.keyed_hash(clean_id_number(id_number))).first()


@transaction.atomic
def register_worker(*, name: str, id_number: str, mobile: str = "", by) -> Worker:
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("请填写姓名。")]
    try:
        id_number = clean_id_number(id_number)
    except ValidationError as e:
        errors["id_number"] = e.messages
    if mobile:
        try:
            mobile = clean_mobile(mobile)
        except ValidationError as e:
            errors["mobile"] = e.messages
    if not errors and Worker.objects.unscoped().filter(id_number_hash=crypto.keyed_hash(id_number)).exists():
        errors["id_number"] = [_("该身份证号已登记。")]
    if errors:
        raise ValidationError(errors)
    worker = Worker(name=name, mobile=mobile)
    worker.set_id_number(id_number)
    worker.save()
    record(by, AuditEntry.Action.CREATE, worker, event="worker.registered",
           changes={"name": [None, name], "id_number": [None, worker.id_number_masked]})
    return worker


@transaction.atomic
def enrol(worker: Worker, union, *, member_number: str, joined_on=None, by) -> Membership:
    if not union.holds_members:
        raise ValidationError({"union": [_("会员只能加入基层工会或联合基层工会。")]})
    if Membership.objects.unscoped().filter(worker=worker, status=Membership.Status.ACTIVE).exists():
        raise ValidationError({"worker": [_("该职工已是会员，请办理转会。")]})
    membership = Membership.objects.create(
        worker=worker, union=union, member_number=member_number, joined_on=joined_on or timezone.localdate()
    )
    record(by, AuditEntry.Action.CREATE, membership, event="membership.created",
           changes={"union": [None, union.pk], "member_number": [None, member_number]})
    return membership


def reveal_id_number(worker: Worker, *, by, node) -> str:
    """The full ID number for a role allowed to see it; every view is audited."""
    require_permission(by, "members.view_full_id", node.path)
    record(by, AuditEntry.Action.VIEW_PERSONAL, worker, node=node, event="worker.id_number_viewed")
    return worker.full_id_number()


def active_membership(worker: Worker) -> Membership | None:
    return (
        Membership.objects.unscoped()
        .select_related("union")
        .filter(worker=worker, status=Membership.Status.ACTIVE)
        .first()
    )
