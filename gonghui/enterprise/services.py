"""Rules and writes of enterprise visits (进企业、解难题). Every write is atomic and audited.

``by`` is the acting staff user; ``None`` means the system (demo data, imports) and skips the
permission checks that views and the API rely on.
"""

import datetime
from functools import reduce
from operator import or_

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.models import Grant
from gonghui.audit.models import AuditEntry
from gonghui.audit.services import record, snapshot
from gonghui.core.scope import has_permission, subtree_q, user_grants
from gonghui.core.validators import clean_uscc
from gonghui.enterprise.casetype import ENTERPRISE_PROBLEM
from gonghui.enterprise.models import Enterprise, Industry, Problem, Visit
from gonghui.orgs.models import UnionNode
from gonghui.workflow import services as workflow

HANDLE = "enterprise.handle"
VIEW = "enterprise.view"
MAX_PROBLEMS = 30
MAX_EMPLOYEES = 10_000_000
EARLIEST_VISIT = datetime.date(2000, 1, 1)

ENTERPRISE_FIELDS = ["name", "uscc", "address", "industry", "employees", "contact_person", "contact_phone",
                     "union", "node"]
TEXT_LIMITS = {"name": 200, "address": 300, "contact_person": 60, "contact_phone": 30}


def _acting(by) -> bool:
    """Whether a person acts (their rights are checked) rather than the system."""
    return by is not None


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ("" if value is None else str(value))


# ----- enterprises -----

def validate_enterprise(data: dict, *, by, instance: Enterprise | None = None) -> dict:
    """Cleaned enterprise fields; raises ValidationError keyed by field, in Chinese."""
    errors: dict[str, list[str]] = {}
    cleaned: dict = {}
    for name, limit in TEXT_LIMITS.items():
        cleaned[name] = _text(data.get(name))
        if len(cleaned[name]) > limit:
            errors.setdefault(name, []).append(_("最多%(n)d个字。") % {"n": limit})
    if not cleaned["name"]:
        errors.setdefault("name", []).append(_("请填写企业名称。"))

    cleaned["uscc"] = _text(data.get("uscc")).upper()
    if cleaned["uscc"]:
        try:
            cleaned["uscc"] = clean_uscc(cleaned["uscc"])  # enterprises' codes need not start with 81
        except ValidationError as e:
            errors.setdefault("uscc", []).extend(e.messages)
        else:
            taken = Enterprise.objects.unscoped().filter(uscc=cleaned["uscc"])
            if instance is not None:
                taken = taken.exclude(pk=instance.pk)
            if taken.exists():
                errors.setdefault("uscc", []).append(_("该统一社会信用代码已登记过企业，请先查找该企业。"))

    cleaned["industry"] = _text(data.get("industry"))
    if cleaned["industry"] and cleaned["industry"] not in Industry.values:
        errors.setdefault("industry", []).append(_("行业的选项不正确。"))

    employees = data.get("employees")
    if employees in (None, ""):
        cleaned["employees"] = None
    else:
        try:
            cleaned["employees"] = int(employees)
        except (TypeError, ValueError):
            errors.setdefault("employees", []).append(_("职工人数应为整数。"))
        else:
            if not 0 <= cleaned["employees"] <= MAX_EMPLOYEES:
                errors.setdefault("employees", []).append(_("职工人数应在0到1000万之间。"))

    node = data.get("node")
    if not isinstance(node, UnionNode):
        errors.setdefault("node", []).append(_("请选择负责联系该企业的工会。"))
    elif node.kind not in UnionNode.UNION_KINDS or not node.active:
        errors.setdefault("node", []).append(_("联系工会应是一个有效的工会，不能是部门或服务中心。"))
    elif _acting(by) and not has_permission(by, HANDLE, node.path):
        errors.setdefault("node", []).append(_("您不能为该工会登记企业。"))
    cleaned["node"] = node

    union = data.get("union") or None
    if union is not None:
        if not isinstance(union, UnionNode) or union.kind not in UnionNode.MEMBER_KINDS:
            errors.setdefault("union", []).append(_("企业工会应是一个基层工会或联合基层工会。"))
        elif isinstance(node, UnionNode) and not union.path.startswith(node.path):
            errors.setdefault("union", []).append(
                _("企业工会应在联系工会（%(node)s）的下级范围内。") % {"node": node.name})
    cleaned["union"] = union
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def create_enterprise(data: dict, *, by) -> Enterprise:
    cleaned = validate_enterprise(data, by=by)
    enterprise = Enterprise.objects.create(created_by=by if _acting(by) else None, **cleaned)
    record(by, AuditEntry.Action.CREATE, enterprise, event="enterprise.created",
           changes={k: [None, v] for k, v in snapshot(enterprise, _attnames()).items() if v not in (None, "")})
    return enterprise


@transaction.atomic
def update_enterprise(enterprise: Enterprise, data: dict, *, by) -> Enterprise:
    if _acting(by) and not has_permission(by, HANDLE, enterprise.node.path):
        raise PermissionDenied
    merged = {k: getattr(enterprise, k) for k in ENTERPRISE_FIELDS} | {
        k: v for k, v in data.items() if k in ENTERPRISE_FIELDS}
    cleaned = validate_enterprise(merged, by=by, instance=enterprise)
    before = snapshot(enterprise, _attnames())
    for k, v in cleaned.items():
        setattr(enterprise, k, v)
    enterprise.save()
    after = snapshot(enterprise, _attnames())
    changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if changes:
        record(by, AuditEntry.Action.CHANGE, enterprise, event="enterprise.changed", changes=changes)
    return enterprise


def _attnames() -> list[str]:
    return [Enterprise._meta.get_field(k).attname for k in ENTERPRISE_FIELDS]


# ----- visits -----

def visit_nodes(enterprise: Enterprise, user) -> list[UnionNode]:
    """The unions ``user`` may record a visit for: the enterprise's contact union or one above it,
    where the user may handle enterprise work; nearest first."""
    chain = list(enterprise.node.ancestors()) + [enterprise.node]
    return [n for n in reversed(chain) if n.active and (user is None or has_permission(user, HANDLE, n.path))]


def default_visit_node(enterprise: Enterprise, user) -> UnionNode | None:
    """The union a visit is recorded for unless chosen: the user's own union (where their grant is)
    nearest the enterprise; the enterprise's contact union when the system records it."""
    nodes = visit_nodes(enterprise, user)
    if user is None or not nodes:
        return nodes[0] if nodes else None
    own = {path for path, perms in user_grants(user) if HANDLE in perms}
    return next((n for n in nodes if n.path in own), nodes[0])


def may_record_visit(enterprise: Enterprise, user) -> bool:
    return has_permission(user, HANDLE, enterprise.node.path)


def _staff_filter(node: UnionNode) -> Q:
    """Staff who may be named as having gone on a visit by ``node``: granted at the node, a node
    above it or a node below it (a district's service centre goes along)."""
    return Q(grants__node__path__in=node.ancestor_paths()) | subtree_q("grants__node__path", node.path)


def staff_choices(nodes: list[UnionNode], limit: int = 300):
    """Active staff users who may be named on a visit by any of ``nodes``."""
    User = get_user_model()
    if not nodes:
        return User.objects.none()
    near = reduce(or_, (subtree_q("node__path", n.path) for n in nodes),
                  Q(node__path__in={p for n in nodes for p in n.ancestor_paths()}))
    ids = (Grant.objects.unscoped().filter(near, user__kind=User.Kind.STAFF, user__is_active=True)
           .values_list("user_id", flat=True).distinct()[:limit])
    return User.objects.filter(pk__in=list(ids)).order_by("display_name", "username")


def _clean_visit(enterprise: Enterprise, data: dict, *, by) -> dict:
    errors: dict[str, list[str]] = {}
    cleaned: dict = {}
    node = data.get("node")
    if node is None:
        node = default_visit_node(enterprise, by if _acting(by) else None)
        if node is None:
            raise PermissionDenied(_("您不能为该企业登记走访。"))
    elif not isinstance(node, UnionNode) or not enterprise.node.path.startswith(node.path):
        errors["node"] = [_("走访工会应是企业的联系工会或它的上级工会。")]
    elif _acting(by) and not has_permission(by, HANDLE, node.path):
        errors["node"] = [_("您不能代表该工会登记走访。")]
    cleaned["node"] = node

    visited_on = data.get("visited_on")
    if isinstance(visited_on, str):
        try:
            visited_on = datetime.date.fromisoformat(visited_on)
        except ValueError:
            visited_on = None
    if not isinstance(visited_on, datetime.date):
        errors["visited_on"] = [_("请填写走访日期，例如2026-11-25。")]
    elif visited_on > timezone.localdate():
        errors["visited_on"] = [_("走访日期不能晚于今天。")]
    elif visited_on < EARLIEST_VISIT:
        errors["visited_on"] = [_("走访日期不能早于2000年。")]
    cleaned["visited_on"] = visited_on

    for name, limit in (("other_participants", 300), ("met_with", 300), ("notes", 5000)):
        cleaned[name] = _text(data.get(name))
        if len(cleaned[name]) > limit:
            errors[name] = [_("最多%(n)d个字。") % {"n": limit}]

    staff = list(data.get("staff") or [])
    User = get_user_model()
    if staff and isinstance(node, UnionNode) and "node" not in errors:
        ids = {u.pk for u in staff}
        allowed = set(User.objects.filter(pk__in=ids, kind=User.Kind.STAFF, is_active=True)
                      .filter(_staff_filter(node)).values_list("pk", flat=True).distinct())
        if allowed != ids:
            errors["staff"] = [_("走访人员应是走访工会或其上下级工会的干部。")]
    cleaned["staff"] = staff
    if not staff and not cleaned["other_participants"]:
        errors["staff"] = [_("请选择走访人员，或在“其他走访人员”中填写。")]
    if errors:
        raise ValidationError(errors)
    return cleaned


def _clean_problems(problems: list[dict]) -> list[dict]:
    if len(problems) > MAX_PROBLEMS:
        raise ValidationError({"problems": [_("一次走访最多登记%(n)d个问题。") % {"n": MAX_PROBLEMS}]})
    cleaned, messages = [], []
    for i, row in enumerate(problems, start=1):
        kind = _text(row.get("kind"))
        description = _text(row.get("description"))
        if kind not in Problem.Kind.values:
            messages.append(_("第%(n)d个问题：请选择问题类别。") % {"n": i})
        if not description:
            messages.append(_("第%(n)d个问题：请填写问题描述。") % {"n": i})
        elif len(description) > 2000:
            messages.append(_("第%(n)d个问题：问题描述最多2000字。") % {"n": i})
        cleaned.append({"kind": kind, "description": description})
    if messages:
        raise ValidationError({"problems": messages})
    return cleaned


def problem_title(kind: str, description: str) -> str:
    first_line = description.splitlines()[0] if description else ""
    summary = first_line if len(first_line) <= 40 else first_line[:40] + "…"
    return f"{Problem.Kind(kind).label}：{summary}"


@transaction.atomic
def record_visit(enterprise: Enterprise, data: dict, problems: list[dict], *, by) -> Visit:
    """Record a visit and open one ``enterprise_problem`` case per problem found, all or nothing.

    Each case is owned by the visiting union; the enterprise is its applicant (by name).
    """
    cleaned_problems: list[dict] = []
    errors: dict[str, list[str]] = {}
    try:
        cleaned = _clean_visit(enterprise, data, by=by)
    except ValidationError as e:
        errors.update(e.message_dict)
    try:
        cleaned_problems = _clean_problems(problems)
    except ValidationError as e:
        errors.update(e.message_dict)
    if errors:
        raise ValidationError(errors)

    staff = cleaned.pop("staff")
    visit = Visit.objects.create(enterprise=enterprise, created_by=by if _acting(by) else None, **cleaned)
    if staff:
        visit.staff.set(staff)
    created = []
    for row in cleaned_problems:
        case = workflow.open_case(ENTERPRISE_PROBLEM.name, node=visit.node, by=by,
                                  title=problem_title(row["kind"], row["description"]),
                                  applicant_name=enterprise.name, text=row["description"])
        created.append(Problem.objects.create(case=case, visit=visit, enterprise=enterprise, **row))
    record(by, AuditEntry.Action.CREATE, visit, event="enterprise.visit_recorded",
           changes={"enterprise": [None, enterprise.pk], "node": [None, visit.node_id],
                    "visited_on": [None, visit.visited_on.isoformat()],
                    "staff": [None, sorted(u.pk for u in staff)]},
           extra={"problems": [p.pk for p in created]})
    visit.created_problems = created
    return visit


# ----- figures -----

def state_counts(problems) -> dict[str, int]:
    """Problems per case state, from a scoped queryset of problems."""
    rows = problems.order_by().values("case__state").annotate(n=Count("pk"))
    return {row["case__state"]: row["n"] for row in rows}
