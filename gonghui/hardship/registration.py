"""The "hardship_registration" case type (困难职工建档申请) and the services around it.

    submitted 待基层审核 ──start_notice 审核通过，开始公示 (home visit recorded, category assessed)──▶ notice 公示中
    notice ──object 记录公示异议 (internal, stays in notice)
    notice ──forward 公示期满，报区总工会审批 (after the notice period)─────────────────────▶ district 待区总工会审批
    district ──approve 批准建档 (hardship.approve at a federation above the union)───────────▶ registered 已建档
    submitted/notice/district ──reject 不予建档 (a reason the worker reads)───────────────────▶ rejected 未通过
    submitted ──withdraw 撤回申请 (the worker)────────────────────────────────────────────────▶ withdrawn 已撤回

The case is owned by the grassroots union keeping the file; the district approves as its
supervisor. Each step's rules live in ``after_transition`` (inside the engine's transaction: a
ValidationError refuses the whole step and writes nothing).
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.core.scope import user_grants
from gonghui.hardship import policy
from gonghui.hardship import services_core as files
from gonghui.hardship.models import HardshipApplication, HardshipFile, NoticeObjection
from gonghui.orgs.models import UnionNode
from gonghui.workflow import services as workflow
from gonghui.workflow.calendar import add_working_days
from gonghui.workflow.declarations import (
    APPLICANT,
    SUPERVISOR,
    CaseType,
    Field,
    State,
    TimeLimit,
    Transition,
    register,
)

NAME = "hardship_registration"
VIEW, CHANGE, APPROVE = "hardship.view", "hardship.change", "hardship.approve"
FEDERATION_KINDS = (UnionNode.Kind.DISTRICT_FEDERATION, UnionNode.Kind.CITY_FEDERATION,
                    UnionNode.Kind.PROVINCE_FEDERATION)


def _notice_days(case) -> int:
    return int(policy.param(case.node, "notice_days"))


def time_limit_for(case, state):
    if state.name == "notice":
        return TimeLimit(_notice_days(case))
    return state.time_limit


REASON = Field("note", gettext_lazy("不予建档的原因（职工可见）"), kind="textarea", required=True,
               help_text=gettext_lazy("请写明原因和职工可以怎么做，例如“家庭月人均收入高于本地低保标准的2倍，暂不符合建档条件”。"))

REGISTRATION = CaseType(
    name=NAME, label=gettext_lazy("困难职工建档"), number_prefix="KD", view_permission=VIEW,
    summary_template="hardship/_case_summary.html",
    applicant_summary_template="hardship/_case_portal_summary.html",
    time_limit_for=time_limit_for,
    states=[
        State("submitted", gettext_lazy("待基层审核"), applicant_label=gettext_lazy("已提交，等待工会入户调查和审核"),
              time_limit=TimeLimit(15)),
        State("notice", gettext_lazy("公示中"), applicant_label=gettext_lazy("审核通过，正在公示"), time_limit=TimeLimit(5)),
        State("district", gettext_lazy("待区总工会审批"), applicant_label=gettext_lazy("公示期满，等待区总工会审批"),
              time_limit=TimeLimit(10)),
        State("registered", gettext_lazy("已建档"), applicant_label=gettext_lazy("已建档"), terminal=True),
        State("rejected", gettext_lazy("未通过"), applicant_label=gettext_lazy("未通过"), terminal=True),
        State("withdrawn", gettext_lazy("已撤回"), applicant_label=gettext_lazy("已撤回"), terminal=True),
    ],
    transitions=[
        Transition("start_notice", gettext_lazy("审核通过，开始公示"), ("submitted",), "notice", permission=CHANGE,
                   fields=(Field("note", gettext_lazy("审核意见（职工可见）"), kind="textarea"),),
                   confirm=gettext_lazy("公示期间，本单位职工可在网上工会看到户主姓名（隐去名字）和所在工会。")),
        Transition("object", gettext_lazy("记录公示异议"), ("notice",), "notice", permission=CHANGE,
                   visible_to_applicant=False, notify=(),
                   fields=(Field("note", gettext_lazy("异议内容"), kind="textarea", required=True,
                                 help_text=gettext_lazy("记录异议人反映的情况；核实结果请在入户调查或信息核对中记录。")),)),
        Transition("forward", gettext_lazy("公示期满，报区总工会审批"), ("notice",), "district", permission=CHANGE,
                   notify=("applicant", "supervisor_staff"),
                   fields=(Field("note", gettext_lazy("公示结果"), kind="textarea"),)),
        Transition("approve", gettext_lazy("批准建档"), ("district",), "registered", permission=APPROVE,
                   level=SUPERVISOR, fields=(Field("note", gettext_lazy("审批意见（职工可见）"), kind="textarea"),),
                   confirm=gettext_lazy("批准后该户进入困难职工档案，可以享受帮扶。")),
        Transition("reject", gettext_lazy("不予建档"), ("submitted", "notice"), "rejected", permission=CHANGE,
                   fields=(REASON,)),
        Transition("district_reject", gettext_lazy("不予建档"), ("district",), "rejected", permission=APPROVE,
                   level=SUPERVISOR, fields=(REASON,)),
        Transition("withdraw", gettext_lazy("撤回申请"), ("submitted",), "withdrawn", level=APPLICANT,
                   notify=("owner_staff",), confirm=gettext_lazy("撤回后如有需要，可以重新申请。")),
    ],
)


def application_of(case) -> HardshipApplication:
    return HardshipApplication.objects.unscoped().select_related("file__union", "file__worker").get(case=case)


def _is_federation_approver(by, case) -> bool:
    """hardship.approve held at a federation (district or above) above the case's union."""
    if getattr(by, "is_superuser", False):
        return True
    kinds = dict(UnionNode.objects.unscoped().filter(path__in=case.node.ancestor_paths())
                 .values_list("path", "kind"))
    return any(case.node_path.startswith(path) and path != case.node_path and kinds.get(path) in FEDERATION_KINDS
               and APPROVE in perms for path, perms in user_grants(by))


def after_transition(case, transition, data, by):
    application = application_of(case)
    file = application.file
    name = transition.name
    if name == "start_notice":
        if not files.HomeVisit.objects.unscoped().filter(file=file).exists():
            raise ValidationError(_("请先记录入户调查（日期、调查人员、调查情况），再开始公示。"))
        if file.assessment_id is None:
            raise ValidationError(_("请先完成困难类别认定，再开始公示。"))
        if file.category == HardshipFile.Category.NONE:
            raise ValidationError(_("该户认定为“不符合”，不能公示；如不予建档，请选择“不予建档”并写明原因。"))
        now = timezone.now()
        application.notice_starts = timezone.localdate()
        application.notice_ends = timezone.localtime(add_working_days(now, _notice_days(case))).date()
        application.save(update_fields=["notice_starts", "notice_ends"])
    elif name == "object":
        NoticeObjection.objects.create(application=application, text=data["note"], recorded_by=by)
    elif name == "forward":
        today = timezone.localdate()
        if application.notice_ends and today < application.notice_ends:
            raise ValidationError(_("公示期到%(date)s才结束，请期满后再报送审批。")
                                  % {"date": f"{application.notice_ends:%Y年%m月%d日}"})
    elif name == "approve":
        if not _is_federation_approver(by, case):
            raise PermissionDenied(_("建档审批应由基层工会的上级区（县）总工会或市总工会作出，您的账号不能审批。"))
        files.register(file, by=by)
    elif name in ("reject", "district_reject"):
        if name == "district_reject" and not _is_federation_approver(by, case):
            raise PermissionDenied(_("建档审批应由基层工会的上级区（县）总工会或市总工会作出，您的账号不能审批。"))
        files.reject(file, data.get("note", ""), by=by)
    elif name == "withdraw":
        files.withdraw(file, by=by)


REGISTRATION.on_transition = after_transition


def ready():
    register(REGISTRATION)


# ----- applying -----

def _open_application(file: HardshipFile, *, by, statement: str, source: str, request=None) -> HardshipApplication:
    statement = (statement or "").strip()
    if len(statement) < 10:
        raise ValidationError({"statement": [_("请简单说明家庭的困难情况（至少10个字），例如家人生病、失业或孩子上学的情况。")]})
    if len(statement) > 2000:
        raise ValidationError({"statement": [_("困难情况说明最多2000字。")]})
    if file.status != HardshipFile.Status.DRAFT:
        raise ValidationError(_("档案当前状态为“%(status)s”，不能提交建档申请。") % {"status": file.status_label})
    worker = file.worker
    case = workflow.open_case(NAME, node=file.union, title=_("%(name)s的困难职工建档申请") % {"name": worker.name},
                              by=by, applicant=worker.user, applicant_name=worker.name, text=statement)
    application = HardshipApplication.objects.create(case=case, file=file, source=source, request=request,
                                                     statement=statement)
    files.submit(file, by=by)
    return application


@transaction.atomic
def apply_online(worker, *, by, statement: str, main_cause: str, secondary_causes=(), address: str = "",
                 phone: str = "", uploads=()) -> HardshipApplication:
    """The worker applies on the portal for their own household (their union keeps the file)."""
    from gonghui.members.services import active_membership

    if worker.user_id != getattr(by, "pk", None):
        raise PermissionDenied
    membership = active_membership(worker)
    if membership is None:
        raise ValidationError(_("您目前没有在册的工会会籍，困难职工建档需由所在基层工会办理。请先加入工会或联系工会。"))
    file = files.active_file_of(worker)
    if file is not None and file.status != HardshipFile.Status.DRAFT:
        raise ValidationError(_("您已有%(status)s的困难职工档案（%(number)s），不需要重复申请。")
                              % {"status": file.status_label, "number": file.number})
    if file is None:
        file = files.create_file(worker, membership.union, by=by)
    details = {"address": address.strip()[:300], "phone": (phone or "").strip()[:30]}
    details = {k: v for k, v in details.items() if v}
    if not file.phone and not details.get("phone") and worker.mobile:
        details["phone"] = worker.mobile
    if details:
        files.update_details(file, by=by, **details)
    files.set_causes(file, main_cause, list(secondary_causes), by=by)
    for kind, upload in uploads:
        files.add_document(file, upload, kind, by=by)
    return _open_application(file, by=by, statement=statement, source=HardshipApplication.Source.PORTAL)


@transaction.atomic
def apply_for(file: HardshipFile, *, by, statement: str, request=None) -> HardshipApplication:
    """Grassroots staff apply for a worker (the draft file they prepared), optionally from a request."""
    files.require(by, CHANGE, file.node_path)
    source = HardshipApplication.Source.REQUEST if request is not None else HardshipApplication.Source.STAFF
    return _open_application(file, by=by, statement=statement, source=source, request=request)


@transaction.atomic
def apply_from_request(request_obj, *, by, union: UnionNode | None = None, statement: str = "") -> HardshipApplication:
    """One action from a request of the "hardship" category: the worker's file, prefilled from it."""
    from gonghui.members.services import active_membership

    if request_obj.category.code != "hardship":
        raise ValidationError(_("只有“生活困难”类别的诉求可以转为困难职工建档申请。"))
    worker = request_obj.worker
    if worker is None:
        raise ValidationError(_("该诉求没有关联登记的职工，请先核实职工身份，再在档案页面为其建档。"))
    if union is None:
        membership = active_membership(worker)
        if membership is None:
            raise ValidationError(_("该职工没有在册的工会会籍，无法确定建档工会。"))
        union = membership.union
    files.require(by, CHANGE, union.path)
    file = files.active_file_of(worker)
    if file is not None and file.status != HardshipFile.Status.DRAFT:
        raise ValidationError(_("%(name)s已有%(status)s的困难职工档案（%(number)s）。")
                              % {"name": worker.name, "status": file.status_label, "number": file.number})
    if file is None:
        file = files.create_file(worker, union, by=by)
        if request_obj.contact_phone:
            files.update_details(file, by=by, phone=request_obj.contact_phone)
    return apply_for(file, by=by, statement=statement or request_obj.description, request=request_obj)


def application_for_file(file: HardshipFile) -> HardshipApplication | None:
    return (HardshipApplication.objects.unscoped().select_related("case").filter(file=file)
            .order_by("-created_at").first())


# ----- the public notice -----

def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧***: the surname's first character only."""
    name = (name or "").strip()
    return name[:1] + "*" * max(1, len(name) - 1) if name else ""


def notices_for(union_path: str, today: datetime.date | None = None) -> list[dict]:
    """Households in public notice in a union's subtree: masked name and union only."""
    from gonghui.core.scope import subtree_q

    today = today or timezone.localdate()
    rows = (HardshipApplication.objects.unscoped().select_related("file__worker", "file__union")
            .filter(subtree_q("case__node_path", union_path), case__state="notice", case__case_type=NAME)
            .order_by("notice_starts", "pk"))
    return [{"name": mask_name(a.file.worker.name), "union": a.file.union.display_name,
             "starts": a.notice_starts, "ends": a.notice_ends} for a in rows]
