"""Who may join an offering (报名对象).

The place rule: a worker belongs where their current membership is (active, or retained after
retirement); an offering organised by their union or by any union above it is theirs. The group
rule, by the offering's audience:

- ``members`` 本工会及下级工会会员: members of a union in the organiser's subtree;
- ``workers`` 所有职工: any worker — members of the subtree, and workers who are members nowhere;
- ``women`` 女职工 and ``migrant`` 农民工: the same, limited to women / migrant workers (as the
  worker's record says).

``hardship_first`` (registered hardship households promoted first from the waiting list) reads the
hardship app only through ``hardship_worker_ids``, which answers "none" when that app is absent.
"""

from typing import NamedTuple

from django.apps import apps
from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext as _

from gonghui.enrolment.models import Audience, Offering


def worker_of(user):
    """The user's Worker row, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.worker
    except Exception:  # RelatedObjectDoesNotExist: an account without a worker record
        return None


def current_union(worker):
    """The union of the worker's current membership (active or retained), or None."""
    if worker is None:
        return None
    cached = getattr(worker, "_enrolment_union", False)
    if cached is not False:
        return cached
    from gonghui.members.models import Membership

    membership = (Membership.objects.unscoped().select_related("union")
                  .filter(worker=worker, status__in=Membership.CURRENT).order_by("-joined_on", "-id").first())
    worker._enrolment_union = membership.union if membership else None
    return worker._enrolment_union


class Joiner(NamedTuple):
    """What the audience rule needs to know about a signed-in worker, read in one query."""

    worker_id: int
    gender: str
    migrant_worker: bool
    union_path: str | None  # the union of the current membership (active or retained), or None


_JOINER_SQL: dict[str, str] = {}


def joiner_columns() -> tuple[str, list]:
    """The audience facts of the worker ``w`` as select columns — id, gender, migrant worker, and the
    path of its current membership's union (the same membership as ``current_union``) as a
    subquery — with their parameters; written out, as composing them through the ORM cost more
    than running them."""
    from gonghui.members.models import Membership
    from gonghui.orgs.models import UnionNode

    qn = connection.ops.quote_name
    current = ", ".join(["%s"] * len(Membership.CURRENT))
    return (f"w.id, w.gender, w.migrant_worker, (SELECT n.path FROM {qn(Membership._meta.db_table)} m "
            f"INNER JOIN {qn(UnionNode._meta.db_table)} n ON n.id = m.union_id "
            f"WHERE m.worker_id = w.id AND m.status IN ({current}) ORDER BY m.joined_on DESC, m.id DESC LIMIT 1)",
            list(Membership.CURRENT))


def joiner_from(row) -> Joiner | None:
    """The Joiner of the four joiner_columns() values (None when there is no worker)."""
    worker_id, gender, migrant, union_path = row
    if worker_id is None:
        return None
    return Joiner(worker_id, gender or "", bool(migrant), union_path)


def joiner(user) -> Joiner | None:
    """The user's worker facts for the audience rule in ONE query, or None for an account without a
    worker record (``worker_of`` + ``current_union`` in one statement)."""
    if not getattr(user, "is_authenticated", False):
        return None
    from gonghui.members.models import Worker

    columns, params = joiner_columns()
    if connection.vendor not in _JOINER_SQL:
        _JOINER_SQL[connection.vendor] = (
            f"SELECT {columns} FROM {connection.ops.quote_name(Worker._meta.db_table)} w WHERE w.user_id = %s")
    with connection.cursor() as cursor:
        cursor.execute(_JOINER_SQL[connection.vendor], [*params, user.pk])
        row = cursor.fetchone()
    return joiner_from(row) if row is not None else None


def refusal(offering: Offering, who: Joiner | None) -> str:
    """Why ``who`` is outside the offering's audience ("" when inside)."""
    if who is None:
        return _("报名需要职工身份：请用职工账号登录（工作人员可在管理端代为报名）。")
    if who.union_path is not None and not who.union_path.startswith(offering.node_path):
        return _("本项目只面向%(union)s及其下级工会的职工，您所在的工会不在其中。") % {
            "union": offering.node.display_name}
    audience = offering.audience
    if audience == Audience.MEMBERS and who.union_path is None:
        return _("本项目只面向%(union)s及其下级工会的会员：请先入会，或选择面向所有职工的项目。") % {
            "union": offering.node.display_name}
    if audience == Audience.WOMEN and who.gender != "F":
        return _("本项目只面向女职工。如您的性别登记有误，请联系所在工会更正。")
    if audience == Audience.MIGRANT and not who.migrant_worker:
        return _("本项目只面向农民工。如您的信息登记有误，请联系所在工会更正。")
    return ""


def may_join(offering: Offering, user) -> tuple[bool, str]:
    """Whether ``user`` belongs to the offering's audience, and if not, a sentence saying why."""
    worker = worker_of(user)
    if worker is None:
        return False, refusal(offering, None)
    union = current_union(worker)
    reason = refusal(offering, Joiner(worker.pk, worker.gender, worker.migrant_worker,
                                      union.path if union is not None else None))
    return not reason, reason


def offerings_for(user, qs, *, prefix: str = ""):
    """Narrow ``qs`` to the published offerings ``user`` may join (the list a worker sees).

    ``qs`` is a queryset of Offering, or of a model linked to it (pass ``prefix="offering__"``);
    it should already be ``unscoped()``: this rule replaces the staff scope for workers."""
    worker = worker_of(user)
    if worker is None:
        return qs.none()
    union = current_union(worker)
    audiences = [Audience.WORKERS]
    if union is not None:
        audiences.append(Audience.MEMBERS)
    if worker.gender == "F":
        audiences.append(Audience.WOMEN)
    if worker.migrant_worker:
        audiences.append(Audience.MIGRANT)
    rule = Q(**{f"{prefix}status": Offering.Status.PUBLISHED, f"{prefix}audience__in": audiences})
    if union is not None:
        rule &= Q(**{f"{prefix}node_path__in": [*union.ancestor_paths(), union.path]})
    return qs.filter(rule)


def hardship_worker_ids(worker_ids) -> set[int]:
    """Which of these workers head a registered hardship household; empty without the hardship app."""
    worker_ids = [w for w in worker_ids if w]
    if not worker_ids or not apps.is_installed("gonghui.hardship"):
        return set()
    try:
        file_model = apps.get_model("hardship", "HardshipFile")
    except LookupError:
        return set()
    return set(file_model.objects.unscoped()
               .filter(worker_id__in=worker_ids, status="registered").values_list("worker_id", flat=True))
