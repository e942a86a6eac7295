"""Requests: routing a new request, its side of each step (clocks, ratings, reopening), bulk assign.

Every write goes through here. The engine (gonghui.workflow) keeps the state, the timeline and
the audit of each step; ``after_transition`` is the type's ``on_transition`` hook and runs inside
the engine's transaction, so raising ValidationError there refuses the whole step.
"""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.audit.models import AuditEntry
from gonghui.audit.services import record
from gonghui.core.scope import has_permission, user_grants
from gonghui.core.urlcache import object_url
from gonghui.members.models import Worker
from gonghui.members.services import active_membership
from gonghui.notifications import services as notifications
from gonghui.orgs.models import UnionNode
from gonghui.requests import casetype
from gonghui.requests.categories import WAGES
from gonghui.requests.models import Category, Request
from gonghui.workflow import calendar
from gonghui.workflow import services as workflow
from gonghui.workflow.models import Case

K = UnionNode.Kind
MAX_DESCRIPTION = 5000
MAX_FILES = 6


# ----- routing -----

def district_of(node: UnionNode) -> UnionNode:
    """The district federation above (or at) ``node``; the nearest federation when there is none."""
    chain = list(node.ancestors()) + [node]
    for kind in (K.DISTRICT_FEDERATION, K.CITY_FEDERATION, K.PROVINCE_FEDERATION):
        found = [n for n in chain if n.kind == kind]
        if found:
            return found[-1]
    return chain[0]


def district_choices():
    """Where a worker without a union sends a request: the district federations."""
    return UnionNode.objects.unscoped().filter(kind=K.DISTRICT_FEDERATION, active=True).order_by("path")


def route(*, worker: Worker | None, about_own_union: bool, chosen: UnionNode | None) -> UnionNode:
    """The union that handles a new request.

    - a member: their grassroots union; the district federation above it when the request is about
      that union itself;
    - a worker without a union (or without any record): the district federation they chose (the
      portal asks where they work; staff logging a call choose a node in their own scope).
    """
    membership = active_membership(worker) if worker else None
    if membership is not None:
        return district_of(membership.union) if about_own_union else membership.union
    if chosen is None:
        raise ValidationError({"district": [_("请选择您工作所在的区（县），由当地总工会受理。")]})
    return chosen


def find_duplicate(*, category: Category, worker: Worker | None, applicant, phone: str = "") -> Request | None:
    """An open request of the same worker in the same category (the earliest), if any."""
    if worker is not None:
        who = Q(worker=worker)
    elif applicant is not None:
        who = Q(case__applicant=applicant)
    elif phone:
        who = Q(contact_phone=phone)
    else:
        return None
    return (Request.objects.unscoped().filter(who, category=category, case__is_open=True)
            .order_by("case__created_at").first())


def _clean(*, category, kind, description, channel, uploads):
    errors: dict[str, list[str]] = {}
    if category is None or not category.active:
        errors["category"] = [_("请选择诉求类别。")]
    if kind not in Request.Kind.values:
        errors["kind"] = [_("请选择诉求类型。")]
    if channel not in Request.Channel.values:
        errors["channel"] = [_("来源渠道不正确。")]
    description = (description or "").strip()
    if not description:
        errors["description"] = [_("请写下您遇到的问题。")]
    elif len(description) > MAX_DESCRIPTION:
        errors["description"] = [_("诉求内容最多5000字。")]
    if len(uploads) > MAX_FILES:
        errors["file"] = [_("最多上传6个文件。")]
    else:
        for upload in uploads:
            try:
                workflow.check_upload(upload)
            except ValidationError as e:
                errors.setdefault("file", []).extend(e.message_dict.get("file", e.messages))
                break
    if errors:
        raise ValidationError(errors)
    return description


def submit_request(*, by, category: Category | None, kind: str, description: str,
                   channel: str = Request.Channel.ONLINE, worker: Worker | None = None, applicant=None,
                   contact_name: str = "", contact_phone: str = "", anonymous_to_employer: bool = False,
                   about_own_union: bool = False, migrant_worker: bool = False,
                   chosen_node: UnionNode | None = None, uploads=()) -> Request:
    """Open a request: route it, flag urgency and likely duplicates, attach the files.

    ``by`` is the worker (online) or the staff member logging a call, letter or visit on the
    worker's behalf; staff may log only into their own scope.
    """
    uploads = list(uploads)
    description = _clean(category=category, kind=kind, description=description, channel=channel,
                         uploads=uploads)
    node = route(worker=worker, about_own_union=about_own_union and worker is not None, chosen=chosen_node)
    staff = not getattr(by, "is_worker", False)
    if staff:
        if channel == Request.Channel.ONLINE:
            raise ValidationError({"channel": [_("代为登记请选择来电、来信或来访。")]})
        if not has_permission(by, "requests.handle", node.path):
            raise ValidationError({"__all__": [_("该诉求应由%(node)s受理，不在您的管辖范围内，请告知职工向其反映。")
                                               % {"node": node.name}]})
    elif channel != Request.Channel.ONLINE:
        raise PermissionDenied
    arrears = bool(migrant_worker and category.code == WAGES)
    duplicate = find_duplicate(category=category, worker=worker, applicant=applicant, phone=contact_phone)
    name = (worker.name if worker else "") or contact_name.strip() or (str(applicant) if applicant else "")
    title = f"{category.label}·{Request.Kind(kind).label}：{' '.join(description.split())[:40]}"
    with transaction.atomic():
        case = workflow.open_case(casetype.NAME, node=node, title=title, by=by, applicant=applicant,
                                  applicant_name=name or _("匿名职工"), urgent=arrears, text=description,
                                  topic=category.code)
        req = Request.objects.create(
            case=case, category=category, kind=kind, description=description, channel=channel,
            anonymous_to_employer=anonymous_to_employer, worker=worker, contact_name=contact_name.strip()[:60],
            contact_phone=(contact_phone or (worker.mobile if worker else "") or "").strip()[:20],
            about_own_union=about_own_union, migrant_worker=migrant_worker, migrant_wage_arrears=arrears,
            likely_duplicate_of=duplicate, logged_by=by if staff else None,
        )
        record(by, AuditEntry.Action.CREATE, req, node=node, event="request.submitted",
               changes={"category": [None, category.code], "kind": [None, kind], "channel": [None, channel],
                        "node": [None, node.pk]},
               extra={"urgent": arrears, "duplicate_of": duplicate.pk if duplicate else None})
        for upload in uploads:
            workflow.add_attachment(case, upload, by=by)
    return req


# ----- the request's side of each step (the type's on_transition hook) -----

def handling_due(req: Request, case: Case):
    """Accept time + the grade's (or urgent) working days + the extension + the time paused."""
    due = calendar.add_working_days(req.handling_started_at, casetype.handling_days(case, req))
    if req.extension_days:
        due = calendar.add_working_days(due, req.extension_days)
    return due + timedelta(seconds=req.paused_seconds)


def _taker_node(case: Case, by) -> UnionNode:
    """The nearest union above the case where ``by`` may supervise requests (their own union)."""
    paths = [p for p, perms in user_grants(by) if casetype.SUPERVISE in perms
             and case.node_path.startswith(p) and case.node_path != p]
    if not paths:  # a superuser
        return case.node.parent or case.node
    return UnionNode.objects.unscoped().get(path=max(paths, key=len))


def _move(case: Case, node: UnionNode, *, by, event: str) -> None:
    old = case.node_id
    case.node, case.node_path = node, node.path
    case.supervising_node, case.escalated_at = None, None
    record(by, AuditEntry.Action.WORKFLOW, case, node=node, event=event, changes={"node": [old, node.pk]})


def after_transition(case: Case, transition, data: dict, by) -> None:
    req = Request.objects.unscoped().select_related("category").get(pk=case.pk)
    now = case.state_entered_at
    name = transition.name
    case_fields: set[str] = set()

    if data.get("grade"):
        req.grade = data["grade"]
        if req.grade == Request.Grade.COMPLEX and case.node.parent_id:
            req.quality_check_required = True  # especially complex cases are checked before closing
    if name in ("accept", "take_over"):
        req.handling_started_at, req.paused_seconds, req.paused_at = now, 0, None
    if name == "take_over":
        _move(case, _taker_node(case, by), by=by, event="request.taken_over")
        case.assignee = by if getattr(by, "is_authenticated", False) else None
        case_fields |= {"node", "node_path", "supervising_node", "escalated_at", "assignee"}
    if name == "extend":
        days = data.get("days")
        if not isinstance(days, int) or not 1 <= days <= casetype.MAX_EXTENSION_DAYS:
            raise ValidationError({"days": [_("延长天数应在1至30个工作日之间。")]})
        req.extended, req.extension_days, req.extension_reason = True, days, data.get("note", "")
    if name == "ask_check":
        req.quality_check_required = True
    if transition.target in ("awaiting_info", "quality_check") and req.paused_at is None:
        req.paused_at = now  # the handling clock stops while the worker or the supervisor has it
    if case.state == "handling" and req.paused_at is not None:
        req.paused_seconds += int((now - req.paused_at).total_seconds())
        req.paused_at = None
    if name in ("close", "submit_for_check"):
        req.outcome, req.outcome_at = data.get("note", ""), now
        due = req.handling_due_at
        if due is not None and req.paused_at is not None:
            due += now - req.paused_at
        req.on_time = due is None or now <= due
    if transition.target == "closed" and name != "rate":
        req.closed_at = now
        if name == "approve_check" and req.outcome_at is None:
            req.outcome_at = now
        if case.applicant_id and req.rating is None:
            req.rating_invited_at = now
            deadline = timezone.localtime(now + casetype.RATING_WINDOW)
            notifications.notify(case.applicant, "requests.rate_invite",
                                 {"title": case.title, "number": case.number,
                                  "deadline": f"{deadline:%Y-%m-%d %H:%M}"},
                                 link=object_url("workflow:portal_case", case.pk))
    if name == "rate":
        req.rating, req.rating_comment, req.rated_at = int(data["rating"]), data.get("note", ""), now
        case.closed_at = req.closed_at  # rating does not move the closing time
        case_fields.add("closed_at")
    if name == "reopen":
        supervisor = case.supervising_node or case.node.parent or case.node
        _move(case, supervisor, by=by, event="request.reopened")
        case.assignee = None
        req.reopened_at = now
        req.quality_check_required = False
        case_fields |= {"node", "node_path", "supervising_node", "escalated_at", "assignee"}

    if case.state == "handling" and req.handling_started_at is not None:
        req.handling_due_at = handling_due(req, case)
        case.due_at = req.handling_due_at
        case.warn_at = case.due_at - timedelta(hours=24)
        case_fields |= {"due_at", "warn_at"}
    req.save()
    case.worker_request = req  # the guards read it: keep the cache on the case object current
    if case_fields:
        case.save(update_fields=sorted(case_fields | {"updated_at"}))

    if name == "rate" and req.rating <= 2:
        # A low rating sends the request back, to the union above the one that handled it.
        reopened = workflow.perform_transition(case, "reopen", by=by, version=case.version)
        for field in ("state", "node", "node_path", "version", "is_open", "closed_at", "due_at", "warn_at",
                      "warned_at", "state_entered_at", "assignee", "supervising_node", "escalated_at"):
            setattr(case, field, getattr(reopened, field))


# ----- the inbox -----

def assignee_choices(user):
    """Staff who may handle requests somewhere inside ``user``'s reach (for bulk assign)."""
    from gonghui.accounts.models import Grant
    from gonghui.accounts.roles import ROLES

    roles = [name for name, role in ROLES.items() if casetype.HANDLE in role.permissions]
    grants = (Grant.objects.visible_to(user, casetype.HANDLE).filter(role__in=roles, user__is_active=True)
              .select_related("user", "node").order_by("node__path", "user__username"))
    seen, choices = set(), []
    for g in grants[:300]:
        if g.user_id not in seen:
            seen.add(g.user_id)
            choices.append((g.user, g.node))
    return choices


def bulk_assign(ids, assignee, *, by) -> int:
    """Assign every request in ``ids`` to ``assignee``; all must be visible to ``by`` (else 404)."""
    from django.http import Http404

    ids = {int(i) for i in ids}
    cases = list(Case.objects.visible_to(by, casetype.HANDLE).filter(pk__in=ids, case_type=casetype.NAME))
    if len(cases) != len(ids):
        raise Http404
    with transaction.atomic():
        for case in cases:
            workflow.assign(case, assignee, by=by, version=case.version)
    return len(cases)


def find_worker(query: str, *, by) -> Worker | None:
    """A worker in ``by``'s reach found by mobile number or ID number (for logging a call)."""
    from gonghui.core import crypto
    from gonghui.core.validators import clean_id_number

    query = (query or "").strip()
    if not query:
        return None
    qs = Worker.objects.visible_to(by, "members.view")
    if len(query) == 11 and query.isdigit():
        return qs.filter(mobile=query).first()
    try:
        return qs.filter(id_number_hash=crypto.keyed_hash(clean_id_number(query))).first()
    except ValidationError:
        return None
