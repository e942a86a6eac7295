"""The education uplift plan on the engine: applying, approval, the two proofs and the two halves."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gonghui.courses import services_uplift as up
from gonghui.courses.models import UpliftApplication, UpliftInstalment
from gonghui.courses.tests.helpers import proof
from gonghui.enrolment.tests.factories import make_worker_user
from gonghui.ledger.models import ServiceRecord
from gonghui.members.models import Worker
from gonghui.workflow import services as workflow
from gonghui.workflow.models import Case
from gonghui.workflow.services import Upload

pytestmark = pytest.mark.django_db

DATA = {"school": "江海开放大学", "programme": "机电一体化技术（大专）", "level": "diploma", "fee": "6000",
        "subsidy_asked": "3000"}


def migrant(union, **kw):
    user = make_worker_user(union, migrant=True, **kw)
    return Worker.objects.unscoped().get(user=user)


def step(app, name, by, **data):
    case = Case.objects.unscoped().get(pk=app.pk)
    return workflow.perform_transition(case, name, by=by, version=case.version, data=data)


def test_who_may_apply(tree):
    assert "实名登记" in up.eligibility_problem(None)
    not_migrant = Worker.objects.unscoped().get(user=make_worker_user(tree.g1))
    assert up.eligibility_problem(not_migrant).startswith("学历与能力提升计划面向农民工会员")
    no_member = migrant(tree.g1, member=False)
    assert "没有在册会籍" in up.eligibility_problem(no_member)
    worker = migrant(tree.g1)
    assert up.eligibility_problem(worker) == ""
    with pytest.raises(ValidationError) as e:
        up.apply(by=not_migrant.user, worker=not_migrant, data=DATA)
    assert "农民工" in e.value.messages[0]
    up.apply(by=worker.user, worker=worker, data=DATA)
    assert up.eligibility_problem(worker) == "您已有一份正在办理的学历与能力提升申请，办结后才能再次申请。"


def test_apply_opens_a_case_at_the_workers_union_and_checks_input(tree, staff):
    worker = migrant(tree.g1, name="李春生")
    with pytest.raises(ValidationError) as e:
        up.apply(by=worker.user, worker=worker, data=DATA | {"subsidy_asked": "7000", "level": "phd", "school": ""})
    errors = e.value.message_dict
    assert errors["subsidy_asked"] == ["申请补贴不能超过学费（¥6,000.00）。"]
    assert errors["level"] == ["请选择类别（学历提升或技能提升）。"]
    assert errors["school"] == ["请填写就读院校（培训机构）。"]
    with pytest.raises(PermissionDenied):
        up.apply(by=staff.d1_admin, worker=worker, data=DATA)
    assert not Case.objects.unscoped().exists()
    app = up.apply(by=worker.user, worker=worker, data=DATA)
    assert app.case.case_type == "education_uplift" and app.case.number.startswith("XL")
    assert (app.case.node, app.case.state, app.fee, app.subsidy_asked) == (tree.g1, "submitted", Decimal("6000.00"),
                                                                          Decimal("3000.00"))


def test_the_whole_plan_pays_two_halves_on_two_proofs(tree, staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    worker = migrant(tree.g1)
    app = up.apply(by=worker.user, worker=worker, data=DATA | {"subsidy_asked": "3001"})
    # The approver may lower the amount, never raise it.
    with pytest.raises(ValidationError) as e:
        step(app, "approve", staff.d1_manager, amount="5000")
    assert "不能超过申请金额" in e.value.message_dict["amount"][0]
    step(app, "approve", staff.d1_manager, amount="2999")
    app.refresh_from_db()
    assert app.subsidy_approved == Decimal("2999.00") and app.case.state == "approved"
    # Nobody can take the submit step without the file.
    case = Case.objects.unscoped().get(pk=app.pk)
    assert "submit_enrolment" not in [t.name for t in workflow.available_transitions(case, worker.user)]
    with pytest.raises(PermissionDenied):
        step(app, "submit_enrolment", worker.user)
    # A wrong file is refused and nothing moves.
    with pytest.raises(ValidationError) as e:
        up.submit_proof(app, Upload("证明.png", b"MZ\x90\x00 not an image"), by=worker.user)
    assert e.value.message_dict["proof"] == ["不能上传可执行文件。"]
    with pytest.raises(ValidationError) as e:
        up.submit_proof(app, None, by=worker.user)
    assert e.value.message_dict["proof"][0].startswith("请上传入学证明")
    with pytest.raises(PermissionDenied):
        up.submit_proof(app, proof(), by=staff.d1_admin)
    app = up.submit_proof(app, proof(), by=worker.user)
    assert app.case.state == "enrolment_check" and app.enrolment_proof_id
    # Sent back: the proof is cleared and the worker uploads again.
    step(app, "return_enrolment", staff.g1_handler, note="照片不清楚，请重新拍摄。")
    app.refresh_from_db()
    assert app.case.state == "approved" and app.enrolment_proof_id is None
    app = up.submit_proof(app, proof(), by=worker.user)
    step(app, "confirm_enrolment", staff.d1_manager)
    first = UpliftInstalment.objects.unscoped().get(application=app, half=1)
    assert first.amount == Decimal("1499.50")
    with pytest.raises(ValidationError) as e:
        up.submit_proof(UpliftApplication.objects.unscoped().get(pk=app.pk), None, by=worker.user)
    assert e.value.message_dict["proof"][0].startswith("请上传毕业")
    app = up.submit_proof(UpliftApplication.objects.unscoped().get(pk=app.pk), proof("毕业证.pdf",
                          b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"), by=worker.user)
    assert app.case.state == "graduation_check"
    step(app, "confirm_graduation", staff.d1_manager)
    app.refresh_from_db()
    assert app.case.state == "completed" and not app.case.is_open
    rows = ServiceRecord.objects.unscoped().filter(kind="courses.uplift_subsidy", worker=worker).order_by("id")
    assert [r.amount for r in rows] == [Decimal("1499.50"), Decimal("1499.50")]
    assert sum(r.amount for r in rows) == app.subsidy_approved
    with pytest.raises(ValidationError) as e:
        up.submit_proof(app, proof(), by=worker.user)
    assert "不需要上传证明" in e.value.messages[0]


def test_halves_add_up_to_the_fen():
    assert up.halves(Decimal("3001.00")) == (Decimal("1500.50"), Decimal("1500.50"))
    assert up.halves(Decimal("0.03")) == (Decimal("0.02"), Decimal("0.01"))


def test_a_handler_may_not_approve_and_a_rejection_is_final(tree, staff):
    worker = migrant(tree.g1)
    app = up.apply(by=worker.user, worker=worker, data=DATA)
    with pytest.raises(PermissionDenied):
        step(app, "approve", staff.g1_handler)
    with pytest.raises(ValidationError):
        step(app, "reject", staff.g1_handler)  # a reason is required
    step(app, "reject", staff.g1_handler, note="该专业不在本年度资助目录内。")
    app.refresh_from_db()
    assert app.case.state == "rejected" and not UpliftInstalment.objects.unscoped().exists()
    assert up.eligibility_problem(worker) == ""  # may apply again
