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

from django.apps import apps
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
                  .filter(worker=worker, status__in=Membership.CURRENT).order_by("-joined_on").first())
    worker._enrolment_union = membership.union if membership else None
    return worker._enrolment_union


def may_join(offering: Offering, user) -> tuple[bool, str]:
    """Whether ``user`` belongs to the offering's audience, and if not, a sentence saying why."""
    worker = worker_of(user)
    if worker is None:
        return False, _("报名需要职工身份：请用职工账号登录（工作人员可在管理端代为报名）。")
    union = current_union(worker)
    if union is not None and not union.path.startswith(offering.node_path):
        return False, _("本项目只面向%(union)s及其下级工会的职工，您所在的工会不在其中。") % {
            "union": offering.node.display_name}
    audience = offering.audience
    if audience == Audience.MEMBERS and union is None:
        return False, _("本项目只面向%(union)s及其下级工会的会员：请先入会，或选择面向所有职工的项目。") % {
            "union": offering.node.display_name}
    if audience == Audience.WOMEN and worker.gender != "F":
        return False, _("本项目只面向女职工。如您的性别登记有误，请联系所在工会更正。")
    if audience == Audience.MIGRANT and not worker.migrant_worker:
        return False, _("本项目只面向农民工。如您的信息登记有误，请联系所在工会更正。")
    return True, ""


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
