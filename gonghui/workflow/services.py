"""The engine: open a case, take a transition, comment, attach, and the sweep over due times.

One function performs every transition (``perform_transition``): it locks the case, checks the
version the caller saw and the caller's right to take the step, moves the state, sets the new due
times, writes the timeline and the audit, and queues notifications in the same transaction.
"""

import hashlib
import uuid
from dataclasses import dataclass
from pathlib import Path

import filetype
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.audit.models import AuditEntry
from gonghui.audit.services import record
from gonghui.core.scope import has_permission, paths_with_permission
from gonghui.notifications import services as notifications
from gonghui.orgs.models import STEP_LEN, UnionNode
from gonghui.workflow import calendar, declarations, signals
from gonghui.workflow.declarations import APPLICANT, OWNER, SUPERVISOR, CaseType, Transition
from gonghui.workflow.models import Case, CaseAttachment, CaseEvent
from gonghui.workflow.notify import case_messages


class StaleCase(Exception):
    """The case changed since the caller loaded it; ``case`` is the current one."""

    def __init__(self, case: Case):
        self.case = case
        super().__init__(_("该事项在您打开页面后已有变化，当前状态为“%(state)s”，请刷新后再操作。") % {"state": case.state_label})


# ----- who may do what -----

def is_applicant(case: Case, user) -> bool:
    return bool(user.is_authenticated and case.applicant_id and case.applicant_id == user.pk)


def may_take(case: Case, transition: Transition, user) -> bool:
    if case.state not in transition.sources or not user.is_authenticated:
        return False
    if transition.guard is not None and not transition.guard(case):
        return False
    if transition.level == APPLICANT:
        return is_applicant(case, user)
    paths = paths_with_permission(user, transition.permission)
    if paths is None:
        return True
    if transition.level == OWNER:
        return any(case.node_path.startswith(p) for p in paths)
    if transition.level == SUPERVISOR:
        return any(case.node_path.startswith(p) and case.node_path != p for p in paths)
    return False


def available_transitions(case: Case, user) -> list[Transition]:
    return [t for t in case.type.transitions_from(case.state) if may_take(case, t, user)]


def may_view(case: Case, user) -> bool:
    return is_applicant(case, user) or has_permission(user, case.type.view_permission, case.node_path)


def transfer_targets(case: Case):
    """Where a case may be handed (转办): the parent union, its other children (sibling unions and
    the parent's service centres) and the owning union's own children."""
    node = case.node
    around = Q(parent_id=node.pk)
    if node.parent_id:
        around |= Q(pk=node.parent_id) | Q(parent_id=node.parent_id)
    return UnionNode.objects.unscoped().filter(around, active=True).exclude(pk=node.pk).order_by("path")


def may_manage_calendar(user) -> bool:
    """The holiday calendar is one for the whole tree: only admins at the top may change it."""
    paths = paths_with_permission(user, "workflow.manage_calendar")
    return paths is None or any(len(p) == STEP_LEN for p in paths)


# ----- time limits -----

def _set_due(case: Case, case_type: CaseType, now) -> None:
    state = case_type.state(case.state)
    limit = None if state.terminal else case_type.time_limit(case, state)
    case.state_entered_at = now
    case.warned_at = None
    if limit is None:
        case.due_at = case.warn_at = None
        return
    case.due_at = calendar.due_at(now, limit)
    case.warn_at = case.due_at - limit.warn_before


# ----- opening a case -----

def _number(case_type: CaseType, case: Case) -> str:
    """SQ2026000123: the type's prefix, the year, the row id (unique without a counter to race on)."""
    return f"{case_type.number_prefix}{timezone.localtime(case.created_at):%Y}{case.pk:06d}"


@transaction.atomic
def open_case(case_type_name: str, *, node: UnionNode, title: str, by, applicant=None,
              applicant_name: str = "", urgent: bool = False, text: str = "", topic: str = "") -> Case:
    """Create a case in its type's initial state, owned by ``node``; the caller's domain model
    links to it one-to-one in the same transaction."""
    case_type = declarations.get(case_type_name)
    now = timezone.now()
    case = Case(case_type=case_type.name, title=title[:200], node=node, node_path=node.path,
                state=case_type.initial_state, urgent=urgent, applicant=applicant, topic=topic,
                applicant_name=applicant_name or (str(applicant) if applicant else ""))
    _set_due(case, case_type, now)
    case.number = uuid.uuid4().hex  # a unique placeholder until the id is known
    case.save()
    case.number = _number(case_type, case)
    Case.objects.unscoped().filter(pk=case.pk).update(number=case.number)
    CaseEvent.objects.create(case=case, actor=_person(by), actor_name=_name(by), kind=CaseEvent.Kind.OPENED,
                             to_state=case.state, text=text)
    record(by, AuditEntry.Action.CREATE, case, node=node, event=f"{case_type.name}.opened",
           changes={"state": [None, case.state], "node": [None, node.pk]})
    _notify(case, ("owner_staff",), "workflow.opened", by=by)
    return case


def _person(user):
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def _name(user) -> str:
    person = _person(user)
    return str(person) if person else _("系统")


# ----- transitions -----

def _clean_fields(transition: Transition, data: dict, case: Case, by) -> dict:
    errors: dict[str, list[str]] = {}
    cleaned = {}
    for f in transition.fields:
        raw = data.get(f.name)
        value = raw.strip() if isinstance(raw, str) else raw
        if value in (None, ""):
            if f.required:
                errors[f.name] = [_("请填写%(label)s。") % {"label": f.label}]
            continue
        if f.kind == "choice" and value not in {c for c, _label in f.choices}:
            errors[f.name] = [_("%(label)s的选项不正确。") % {"label": f.label}]
        elif f.kind == "integer":
            try:
                value = int(value)
            except (TypeError, ValueError):
                errors[f.name] = [_("%(label)s应为整数。") % {"label": f.label}]
        elif f.kind == "node":
            targets = f.targets(case) if f.targets else transfer_targets(case)
            value = targets.filter(pk=value).first() if str(value).isdigit() else None
            if value is None:
                errors[f.name] = [_("%(label)s的选项不正确，请从列表中选择。") % {"label": f.label} if f.targets
                                  else _("只能转给上级工会、同级工会或下级工会。")]
        elif f.kind == "textarea" and len(value) > 5000:
            errors[f.name] = [_("%(label)s最多5000字。") % {"label": f.label}]
        cleaned[f.name] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


def perform_transition(case: Case, name: str, *, by, version: int, data: dict | None = None) -> Case:
    """Take transition ``name`` on ``case`` as ``by``, who saw ``version``.

    Raises StaleCase when the case changed meanwhile (no update is lost), PermissionDenied when
    ``by`` may not take this step now, ValidationError for bad form input.
    """
    case_type = case.type
    transition = case_type.transition(name)
    if transition is None:
        raise PermissionDenied(_("没有这个操作。"))
    data = data or {}
    with transaction.atomic():
        # On PostgreSQL the row lock queues concurrent callers; on SQLite the IMMEDIATE
        # transaction does. Either way the version check below lets exactly one through.
        current = Case.objects.unscoped().select_for_update().select_related("node").get(pk=case.pk)
        if current.version != version:
            raise StaleCase(current)
        if not may_take(current, transition, by):
            raise PermissionDenied(_("您不能对当前状态的事项执行“%(action)s”。") % {"action": transition.label})
        cleaned = _clean_fields(transition, data, current, by)
        now = timezone.now()
        from_state = current.state
        current.state = transition.target
        old_node = current.node
        if transition.moves_case:
            current.node = cleaned["node"]
            current.node_path = current.node.path
            current.assignee = None
            current.supervising_node = None
            current.escalated_at = None
        if "assignee" in cleaned:
            current.assignee = cleaned["assignee"]
        elif (current.assignee_id is None and not transition.moves_case and transition.level != APPLICANT
              and _person(by)):
            current.assignee = by  # whoever first works on a case holds it until reassigned
        target = case_type.state(transition.target)
        if target.terminal:
            current.is_open = False
            current.closed_at = now
        elif not current.is_open:
            current.is_open = True  # reopened
            current.closed_at = None
        _set_due(current, case_type, now)
        current.version = version + 1
        current.save()
        note = cleaned.get("note") or cleaned.get("reply") or ""
        CaseEvent.objects.create(
            case=current, actor=_person(by), actor_name=_name(by), kind=CaseEvent.Kind.TRANSITION,
            transition=transition.name, from_state=from_state, to_state=current.state, text=note,
            data={k: (v.pk if hasattr(v, "pk") else v) for k, v in cleaned.items()},
            visible_to_applicant=transition.visible_to_applicant,
        )
        changes = {"state": [from_state, current.state]}
        if transition.moves_case:
            changes["node"] = [old_node.pk, current.node_id]
        record(by, AuditEntry.Action.WORKFLOW, current, node=current.node,
               event=f"{case_type.name}.{transition.name}", changes=changes)
        if case_type.on_transition is not None:
            case_type.on_transition(current, transition, cleaned, by)
        # Other apps follow a type they do not own (kb indexes answered consultation requests).
        signals.case_transitioned.send(sender=case_type.name, case=current, transition=transition,
                                       data=cleaned, by=by)
        _notify(current, transition.notify, "workflow.transition", by=by, transition=transition, note=note)
    return current


def assign(case: Case, assignee, *, by, version: int) -> Case:
    """Give a case to a handler inside the owning union's reach (bulk assign calls this per case)."""
    if not has_permission(by, case.type.view_permission, case.node_path):
        raise PermissionDenied
    if not any(case.node_path.startswith(p) for p, _perms in _grants_of(assignee)):
        raise ValidationError({"assignee": [_("该人员不在承办工会的范围内。")]})
    with transaction.atomic():
        updated = Case.objects.unscoped().filter(pk=case.pk, version=version).update(
            assignee=assignee, version=F("version") + 1)
        if not updated:
            raise StaleCase(Case.objects.unscoped().get(pk=case.pk))
        case.refresh_from_db()
        CaseEvent.objects.create(case=case, actor=_person(by), actor_name=_name(by),
                                 kind=CaseEvent.Kind.TRANSITION, transition="assign",
                                 from_state=case.state, to_state=case.state,
                                 text=_("指派给%(name)s") % {"name": assignee}, visible_to_applicant=False)
        record(by, AuditEntry.Action.WORKFLOW, case, node=case.node, event=f"{case.case_type}.assigned",
               changes={"assignee": [None, assignee.pk]})
        _notify(case, ("assignee",), "workflow.assigned", by=by)
    return case


def _grants_of(user):
    from gonghui.core.scope import user_grants

    return user_grants(user)


# ----- conversation and files -----

@transaction.atomic
def add_comment(case: Case, text: str, *, by, internal: bool) -> CaseEvent:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": [_("请填写留言内容。")]})
    if len(text) > 5000:
        raise ValidationError({"text": [_("留言最多5000字。")]})
    applicant = is_applicant(case, by)
    if not applicant and not has_permission(by, case.type.view_permission, case.node_path):
        raise PermissionDenied
    event = CaseEvent.objects.create(case=case, actor=_person(by), actor_name=_name(by),
                                     kind=CaseEvent.Kind.COMMENT, text=text,
                                     visible_to_applicant=applicant or not internal)
    record(by, AuditEntry.Action.CREATE, case, node=case.node, event=f"{case.case_type}.commented",
           extra={"internal": event.visible_to_applicant is False})
    _notify(case, ("owner_staff",) if applicant else (() if internal else ("applicant",)),
            "workflow.comment", by=by)
    return event


# What may be attached: the extension must match the bytes, and nothing runnable gets in.
ALLOWED_TYPES = {
    ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".gif": "image/gif",
    ".webp": "image/webp", ".heic": "image/heic", ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".doc": "application/msword", ".xls": "application/vnd.ms-excel",
}
# filetype reports Office files by their containers.
CONTAINER_TYPES = {".docx": {"application/zip"}, ".xlsx": {"application/zip"},
                   ".doc": {"application/x-ole-storage"}, ".xls": {"application/x-ole-storage"}}


@dataclass
class Upload:
    name: str
    content: bytes


def check_upload(upload: Upload) -> tuple[str, str]:
    """(extension, content type) of an acceptable file; ValidationError in Chinese otherwise."""
    limit = settings.GONGHUI_ATTACHMENT_MAX_BYTES
    if len(upload.content) > limit:
        raise ValidationError({"file": [_("文件不能超过%(size)s。") % {"size": filesizeformat(limit)}]})
    if not upload.content:
        raise ValidationError({"file": [_("文件是空的。")]})
    extension = Path(upload.name).suffix.lower()
    head = upload.content[:262]
    if head.startswith((b"MZ", b"\x7fELF", b"#!", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe")):
        raise ValidationError({"file": [_("不能上传可执行文件。")]})
    if extension not in ALLOWED_TYPES:
        raise ValidationError({"file": [_("只能上传图片（jpg、png、gif、webp、heic）、PDF 或 Word、Excel 文件。")]})
    kind = filetype.guess(head)
    detected = kind.mime if kind else None
    expected = {ALLOWED_TYPES[extension]} | CONTAINER_TYPES.get(extension, set())
    if detected not in expected:
        raise ValidationError({"file": [_("文件内容与扩展名“%(ext)s”不符，请上传真实的文件。") % {"ext": extension}]})
    return extension, ALLOWED_TYPES[extension]


@transaction.atomic
def add_attachment(case: Case, upload: Upload, *, by, internal: bool = False) -> CaseAttachment:
    applicant = is_applicant(case, by)
    if not applicant and not has_permission(by, case.type.view_permission, case.node_path):
        raise PermissionDenied
    extension, content_type = check_upload(upload)
    attachment = CaseAttachment(case=case, name=Path(upload.name).name[:200], extension=extension,
                                content_type=content_type, size=len(upload.content),
                                sha256=hashlib.sha256(upload.content).hexdigest(), uploaded_by=_person(by),
                                visible_to_applicant=applicant or not internal)
    attachment.file.save("upload", ContentFile(upload.content), save=False)
    attachment.save()
    CaseEvent.objects.create(case=case, actor=_person(by), actor_name=_name(by), kind=CaseEvent.Kind.ATTACHMENT,
                             text=attachment.name, visible_to_applicant=attachment.visible_to_applicant,
                             data={"attachment": attachment.pk})
    record(by, AuditEntry.Action.CREATE, attachment, node=case.node, event=f"{case.case_type}.attached",
           extra={"case": case.pk, "size": attachment.size, "sha256": attachment.sha256})
    return attachment


# ----- the sweep over due times -----

@dataclass
class SweepResult:
    warned: int = 0
    escalated: int = 0


def sweep(now=None, batch: int = 500) -> SweepResult:
    """Warn before cases fall due; escalate overdue ones to the parent union (督办), once each."""
    now = now or timezone.now()
    result = SweepResult()
    open_cases = Case.objects.unscoped().filter(is_open=True)
    while True:
        ids = list(open_cases.filter(warned_at__isnull=True, warn_at__lte=now, due_at__gt=now)
                   .values_list("pk", flat=True)[:batch])
        if not ids:
            break
        with transaction.atomic():
            cases = list(Case.objects.unscoped().select_related("node", "assignee").filter(pk__in=ids))
            Case.objects.unscoped().filter(pk__in=ids).update(warned_at=now)
            CaseEvent.objects.bulk_create([
                CaseEvent(case=c, kind=CaseEvent.Kind.WARNING, actor_name=_("系统"), visible_to_applicant=False,
                          text=_("即将到期：请在%(due)s前办理。") % {"due": f"{timezone.localtime(c.due_at):%Y-%m-%d %H:%M}"})
                for c in cases
            ])
            messages, cache = [], {}
            for c in cases:
                messages += case_messages(c, ("assignee",) if c.assignee_id else ("owner_staff",),
                                          "workflow.due_soon", by=None, cache=cache)
            notifications.notify_bulk(messages)
        result.warned += len(ids)
    while True:
        ids = list(open_cases.filter(escalated_at__isnull=True, due_at__lte=now)
                   .values_list("pk", flat=True)[:batch])
        if not ids:
            break
        with transaction.atomic():
            cases = list(Case.objects.unscoped().select_related("node__parent", "assignee").filter(pk__in=ids))
            by_parent: dict[UnionNode, list[Case]] = {}
            messages, cache = [], {}
            for c in cases:
                by_parent.setdefault(c.type.escalation_node(c), []).append(c)
            events = []
            for parent, group in by_parent.items():
                Case.objects.unscoped().filter(pk__in=[c.pk for c in group]).update(
                    escalated_at=now, supervising_node=parent)
                for c in group:
                    c.supervising_node = parent
                    events.append(CaseEvent(case=c, kind=CaseEvent.Kind.ESCALATION, actor_name=_("系统"),
                                            visible_to_applicant=False,
                                            text=_("已超过办理时限，转%(node)s督办。") % {"node": parent.name},
                                            data={"supervising_node": parent.pk}))
                    messages += case_messages(c, ("supervisor_staff", "assignee"), "workflow.escalated",
                                              by=None, cache=cache)
            CaseEvent.objects.bulk_create(events)
            notifications.notify_bulk(messages)
            record(None, AuditEntry.Action.WORKFLOW, None, event="cases.escalated",
                   extra={"count": len(cases), "ids": [c.pk for c in cases]})
        result.escalated += len(ids)
    return result


# ----- notifications -----

def _notify(case: Case, audiences, key: str, *, by, **context) -> None:
    """Queue notifications to the people a step concerns (rows in the outbox, same transaction)."""
    notifications.notify_bulk(case_messages(case, audiences, key, by=by, **context))
