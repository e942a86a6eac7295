"""The "education_uplift" case type (学历与能力提升计划): a migrant worker applies for a subsidised
diploma or skills programme; the union approves; proof of enrolment unlocks the first half of the
subsidy and proof of graduation the second, each paid as a ledger row.

    submitted 待审核 ──approve 批准──▶ approved 已批准，待入学
        │                                 │ submit_enrolment 提交入学证明 (the worker, with the file)
        │                                 ▼
        │                           enrolment_check 入学证明待核验 ──return_enrolment──▶ approved
        │                                 │ confirm_enrolment 核验通过，发放首期 (ledger row, half 1)
        │                                 ▼
        │                           studying 在读 ──submit_graduation 提交毕业证明──▶ graduation_check
        │                                                                              │ return_graduation ─▶ studying
        │                                 confirm_graduation 核验通过，发放二期 (half 2) ▼
        ├──reject 不予批准 ──▶ rejected                                      completed 已完成
        └──withdraw 撤回 (submitted, approved) ──▶ withdrawn

The worker's two "submit" steps are guarded by the proof being attached: services_uplift.
submit_proof attaches the file and takes the step in one transaction, so the engine's generic
pages never offer a submit without a file. The hook (services_uplift.after_transition) runs in the
engine's transaction and writes the instalments.
"""

from django.utils.translation import gettext_lazy as _

from gonghui.workflow.declarations import APPLICANT, CaseType, Field, State, TimeLimit, Transition, register

NAME = "education_uplift"
VIEW, CHANGE, APPROVE = "courses.view", "courses.change", "courses.approve"


def application_of(case):
    from gonghui.courses.models import UpliftApplication

    try:
        return case.education_uplift
    except UpliftApplication.DoesNotExist:
        return None


def _has_enrolment_proof(case) -> bool:
    app = application_of(case)
    return bool(app and app.enrolment_proof_id)


def _has_graduation_proof(case) -> bool:
    app = application_of(case)
    return bool(app and app.graduation_proof_id)


NOTE = Field("note", _("说明（申请人可见）"), kind="textarea")
REASON = Field("note", _("原因（申请人可见）"), kind="textarea", required=True,
               help_text=_("请写明原因和需要补充的材料。"))
AMOUNT = Field("amount", _("批准补贴（元，整数）"), kind="integer",
               help_text=_("不填则按申请金额批准；不能超过申请金额和学费。"))

EDUCATION_UPLIFT = CaseType(
    name=NAME, label=_("学历与能力提升申请"), number_prefix="XL", view_permission=VIEW,
    summary_template="courses/uplift_case_summary.html",
    applicant_summary_template="courses/uplift_portal_summary.html",
    states=[
        State("submitted", _("待审核"), applicant_label=_("已提交，等待工会审核"), time_limit=TimeLimit(10)),
        State("approved", _("已批准，待入学"), applicant_label=_("已批准，入学后请上传入学证明")),
        State("enrolment_check", _("入学证明待核验"), applicant_label=_("入学证明已提交，等待核验"),
              time_limit=TimeLimit(5)),
        State("studying", _("在读（首期已发放）"), applicant_label=_("首期补贴已发放，毕业后请上传毕业证书")),
        State("graduation_check", _("毕业证明待核验"), applicant_label=_("毕业证明已提交，等待核验"),
              time_limit=TimeLimit(5)),
        State("completed", _("已完成"), applicant_label=_("补贴已全部发放"), terminal=True),
        State("rejected", _("未批准"), applicant_label=_("未批准"), terminal=True),
        State("withdrawn", _("已撤回"), applicant_label=_("已撤回"), terminal=True),
    ],
    transitions=[
        Transition("approve", _("批准"), ("submitted",), "approved", permission=APPROVE, fields=(AMOUNT, NOTE),
                   confirm=_("批准后，申请人凭入学证明领取一半补贴，凭毕业证明领取另一半。")),
        Transition("reject", _("不予批准"), ("submitted",), "rejected", permission=CHANGE, fields=(REASON,)),
        Transition("submit_enrolment", _("提交入学证明"), ("approved",), "enrolment_check", level=APPLICANT,
                   guard=_has_enrolment_proof, notify=("owner_staff",)),
        Transition("confirm_enrolment", _("核验入学证明，发放首期补贴"), ("enrolment_check",), "studying",
                   permission=APPROVE, fields=(NOTE,),
                   confirm=_("确认入学证明真实有效；首期补贴（批准金额的一半）将记入职工的服务台账。")),
        Transition("return_enrolment", _("退回入学证明"), ("enrolment_check",), "approved", permission=CHANGE,
                   fields=(REASON,)),
        Transition("submit_graduation", _("提交毕业证明"), ("studying",), "graduation_check", level=APPLICANT,
                   guard=_has_graduation_proof, notify=("owner_staff",)),
        Transition("confirm_graduation", _("核验毕业证明，发放二期补贴"), ("graduation_check",), "completed",
                   permission=APPROVE, fields=(NOTE,),
                   confirm=_("确认毕业（结业）证明真实有效；其余补贴将记入职工的服务台账。")),
        Transition("return_graduation", _("退回毕业证明"), ("graduation_check",), "studying", permission=CHANGE,
                   fields=(REASON,)),
        Transition("withdraw", _("撤回申请"), ("submitted", "approved"), "withdrawn", level=APPLICANT,
                   notify=("owner_staff",), confirm=_("撤回后不再发放补贴；可以重新申请。")),
    ],
)


def _on_transition(case, transition, data, by):
    from gonghui.courses.services_uplift import after_transition

    after_transition(case, transition, data, by)


EDUCATION_UPLIFT.on_transition = _on_transition


def register_type():
    register(EDUCATION_UPLIFT)
