"""The rules of the education uplift plan (学历与能力提升计划): applying, the proofs, the two halves.

Applications are cases on the engine (uplift.py): their steps go through
workflow.services.perform_transition; ``after_transition`` is the type's hook, run inside the
step's transaction — raising there refuses the whole step and writes nothing.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.audit.models import AuditEntry
from gonghui.audit.services import record
from gonghui.core.scope import has_permission
from gonghui.courses import uplift
from gonghui.courses.models import UpliftApplication, UpliftInstalment
from gonghui.courses.services import _decimal, _text
from gonghui.courses.uplift import APPROVE, CHANGE
from gonghui.ledger.services import record_service
from gonghui.members.models import Worker
from gonghui.members.services import active_membership
from gonghui.workflow import services as workflow
from gonghui.workflow.models import Case

KIND_UPLIFT = "courses.uplift_subsidy"
MAX_FEE = Decimal("200000")
PROOF_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp", "image/heic", "application/pdf"}
OPEN_STATES = ("submitted", "approved", "enrolment_check", "studying", "graduation_check")


def _today() -> datetime.date:
    return timezone.localdate()


def eligibility_problem(worker: Worker | None) -> str:
    """Why the worker cannot apply now (Chinese), or "" when they may."""
    if worker is None:
        return _("请先在“我的”中完成实名登记，再申请学历与能力提升补贴。")
    if not worker.migrant_worker:
        return _("学历与能力提升计划面向农民工会员。如果您是农民工而登记信息有误，请联系所在工会更正。")
    if active_membership(worker) is None:
        return _("学历与能力提升计划面向工会会员：您目前没有在册会籍，请先加入工会。")
    if UpliftApplication.objects.unscoped().filter(worker=worker, case__state__in=OPEN_STATES).exists():
        return _("您已有一份正在办理的学历与能力提升申请，办结后才能再次申请。")
    return ""


def clean_application(data: dict) -> dict:
    errors: dict[str, list[str]] = {}
    c = {
        "school": _text(data, "school", _("就读院校（培训机构）"), 120, errors),
        "programme": _text(data, "programme", _("专业（项目）"), 120, errors),
        "level": str(data.get("level") or "").strip(),
        "fee": _decimal(data.get("fee"), _("学费"), errors, "fee", low=Decimal("1"), high=MAX_FEE),
        "subsidy_asked": _decimal(data.get("subsidy_asked"), _("申请补贴"), errors, "subsidy_asked",
                                  low=Decimal("1"), high=MAX_FEE),
    }
    if c["level"] not in UpliftApplication.Level.values:
        errors["level"] = [_("请选择类别（学历提升或技能提升）。")]
    if c["fee"] and c["subsidy_asked"] and c["subsidy_asked"] > c["fee"]:
        errors["subsidy_asked"] = [_("申请补贴不能超过学费（%(fee)s）。") % {"fee": f"¥{c['fee']:,.2f}"}]
    if errors:
        raise ValidationError(errors)
    return c


def apply(*, by, worker: Worker, data: dict) -> UpliftApplication:
    """A migrant worker applies (portal, API); the case opens at their union."""
    if not getattr(by, "is_authenticated", False) or worker.user_id != by.pk:
        raise PermissionDenied(_("只能由职工本人申请。"))
    problem = eligibility_problem(worker)
    if problem:
        raise ValidationError({"__all__": [problem]})
    c = clean_application(data)
    union = active_membership(worker).union
    level_label = UpliftApplication.Level(c["level"]).label
    with transaction.atomic():
        case = workflow.open_case(
            uplift.NAME, node=union, by=by, applicant=worker.user, applicant_name=worker.name, topic=c["level"],
            title=_("%(name)s申请%(level)s补贴：%(school)s %(programme)s") % {
                "name": worker.name, "level": level_label, "school": c["school"], "programme": c["programme"]})
        app = UpliftApplication.objects.create(case=case, worker=worker, **c)
        record(by, AuditEntry.Action.CREATE, app, node=union, event="courses.uplift.applied",
               changes={k: [None, str(v)] for k, v in c.items()})
    return app


def applications_of_worker(worker: Worker | None):
    if worker is None:
        return UpliftApplication.objects.unscoped().none()
    return (UpliftApplication.objects.unscoped().filter(worker=worker).select_related("case", "case__node")
            .prefetch_related(Prefetch("instalments", queryset=UpliftInstalment.objects.unscoped())).order_by("-case_id"))


def proof_kind(app: UpliftApplication) -> str:
    """Which proof the worker may upload now: "enrolment", "graduation" or ""."""
    return {"approved": "enrolment", "studying": "graduation"}.get(app.case.state, "")


def submit_proof(app: UpliftApplication, upload, *, by) -> UpliftApplication:
    """The worker uploads the proof the case waits for and submits it, in one transaction."""
    kind = proof_kind(app)
    if not workflow.is_applicant(app.case, by):
        raise PermissionDenied(_("只能由申请人本人上传证明。"))
    if not kind:
        raise ValidationError(_("当前状态（%(state)s）不需要上传证明。") % {"state": app.case.applicant_state_label})
    label = _("入学证明（录取通知书或学籍证明）") if kind == "enrolment" else _("毕业（结业）证书")
    if upload is None:
        raise ValidationError({"proof": [_("请上传%(label)s的照片或PDF。") % {"label": label}]})
    try:
        _ext, content_type = workflow.check_upload(upload)
    except ValidationError as e:
        raise ValidationError({"proof": e.message_dict.get("file", e.messages)}) from None
    if content_type not in PROOF_TYPES:
        raise ValidationError({"proof": [_("%(label)s请上传照片（jpg、png）或PDF文件。") % {"label": label}]})
    with transaction.atomic():
        case = Case.objects.unscoped().select_for_update().get(pk=app.pk)
        if proof_kind(UpliftApplication(case=case)) != kind:
            raise ValidationError(_("申请状态已变化，请刷新页面。"))
        attachment = workflow.add_attachment(case, upload, by=by, internal=False)
        field = "enrolment_proof" if kind == "enrolment" else "graduation_proof"
        UpliftApplication.objects.unscoped().filter(pk=app.pk).update(**{field: attachment})
        workflow.perform_transition(case, f"submit_{kind}", by=by, version=case.version)
    return UpliftApplication.objects.unscoped().select_related("case", "case__node", "worker").get(pk=app.pk)


def halves(amount: Decimal) -> tuple[Decimal, Decimal]:
    """The first half rounded to the fen; the second is the rest, so the two add up exactly."""
    first = (amount / 2).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return first, amount - first


def _pay(app: UpliftApplication, half: int, by) -> UpliftInstalment:
    first, second = halves(app.subsidy_approved)
    amount = first if half == 1 else second
    today = _today()
    row, _created = UpliftInstalment.objects.unscoped().get_or_create(
        application=app, half=half,
        defaults={"amount": amount, "paid_on": today, "paid_by": by if getattr(by, "is_authenticated", False)
                  else None})
    label = _("首期") if half == 1 else _("二期")
    record_service(worker=app.worker, kind=KIND_UPLIFT, app="courses", source=row,
                   title=_("学历与能力提升补贴（%(half)s）：%(school)s %(programme)s") % {
                       "half": label, "school": app.school, "programme": app.programme},
                   delivering_union=app.case.node, amount=row.amount, delivered_on=row.paid_on, by=by)
    return row


def after_transition(case: Case, transition, data: dict, by) -> None:
    app = UpliftApplication.objects.unscoped().select_related("worker").get(pk=case.pk)
    app.case = case
    name = transition.name
    if name == "approve":
        amount = data.get("amount")
        approved = app.subsidy_asked if amount in (None, "") else Decimal(int(amount))
        if approved <= 0:
            raise ValidationError({"amount": [_("批准补贴应大于0元。")]})
        if approved > app.subsidy_asked or approved > app.fee:
            raise ValidationError({"amount": [_("批准补贴不能超过申请金额（%(asked)s）和学费（%(fee)s）。") % {
                "asked": f"¥{app.subsidy_asked:,.2f}", "fee": f"¥{app.fee:,.2f}"}]})
        app.subsidy_approved = approved.quantize(Decimal("0.01"))
        app.approved_on = _today()
        app.save(update_fields=["subsidy_approved", "approved_on"])
    elif name == "confirm_enrolment":
        if not app.enrolment_proof_id:
            raise ValidationError(_("还没有入学证明，不能发放首期补贴。"))
        _pay(app, 1, by)
    elif name == "confirm_graduation":
        if not app.graduation_proof_id:
            raise ValidationError(_("还没有毕业证明，不能发放二期补贴。"))
        _pay(app, 2, by)
    elif name == "return_enrolment":
        app.enrolment_proof = None
        app.save(update_fields=["enrolment_proof"])
    elif name == "return_graduation":
        app.graduation_proof = None
        app.save(update_fields=["graduation_proof"])


def may_review(user, app: UpliftApplication) -> bool:
    return has_permission(user, CHANGE, app.case.node_path) or has_permission(user, APPROVE, app.case.node_path)
