"""The household file's services: creation, members, incomes, assessment with policy versions."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gonghui.audit.models import AuditEntry
from gonghui.demo.idnumbers import fake_id_number
from gonghui.hardship import services_core as svc
from gonghui.hardship.models import Assessment, HardshipFile, HouseholdMember, IncomeRow
from gonghui.hardship.tests.factories import HardshipFileFactory, PolicyVersionFactory
from gonghui.members.tests.factories import MembershipFactory
from gonghui.workflow.services import Upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(tree):
    return MembershipFactory(union=tree.g1).worker


@pytest.fixture
def file(worker, tree, staff):
    return svc.create_file(worker, tree.g1, by=staff.g1_handler)


def new_id(seed=1):
    import random

    return fake_id_number(random.Random(seed))


def test_create_file_numbers_and_head(file, worker, tree):
    assert file.number.startswith("KN") and len(file.number) == 12
    assert file.status == "draft" and file.node_path == tree.g1.path
    head = HouseholdMember.objects.unscoped().get(file=file)
    assert head.relation == "self" and head.id_number_hash == worker.id_number_hash
    assert AuditEntry.objects.unscoped().filter(event="hardship.file_created").exists()


def test_numbers_increase(tree, staff):
    a = svc.create_file(MembershipFactory(union=tree.g1).worker, tree.g1, by=staff.g1_handler)
    b = svc.create_file(MembershipFactory(union=tree.g1).worker, tree.g1, by=staff.g1_handler)
    assert int(b.number[-6:]) == int(a.number[-6:]) + 1


def test_second_active_file_refused(file, worker, tree, staff):
    with pytest.raises(ValidationError, match="不能重复建档"):
        svc.create_file(worker, tree.g1, by=staff.g1_handler)


def test_create_out_of_scope_or_without_permission(worker, tree, staff):
    with pytest.raises(PermissionDenied):
        svc.create_file(worker, tree.g1, by=staff.d2_manager)
    with pytest.raises(PermissionDenied):
        svc.create_file(worker, tree.g1, by=staff.g1_viewer)


def test_file_only_at_a_grassroots_union(worker, tree, staff):
    with pytest.raises(ValidationError, match="基层工会"):
        svc.create_file(worker, tree.d1, by=staff.d1_manager)


def test_add_member_and_size(file, staff):
    svc.add_member(file, by=staff.g1_handler, id_number=new_id(5), name="小明", relation="child",
                   school="high_school")
    file.refresh_from_db()
    assert file.household_size == 2


def test_member_bad_id_refused(file, staff):
    with pytest.raises(ValidationError) as error:
        svc.add_member(file, by=staff.g1_handler, id_number="110101199001011234", name="小明", relation="child")
    assert "校验码" in str(error.value.message_dict["id_number"])


def test_member_already_in_another_active_file_refused(file, tree, staff):
    other = HardshipFileFactory(union=tree.g2)
    spouse_id = new_id(7)
    svc.add_member(file, by=staff.g1_handler, id_number=spouse_id, name="李四", relation="spouse")
    # The same person cannot join the other household's file while this one is active …
    with pytest.raises(ValidationError) as error:
        svc.add_member(other, by=staff.d2_manager, id_number=spouse_id, name="李四", relation="spouse")
    assert "已列入另一户有效的困难职工档案（东城机械厂工会）" in error.value.message_dict["id_number"][0]
    # … nor twice in the same file.
    with pytest.raises(ValidationError, match="已在本户家庭成员中"):
        svc.add_member(file, by=staff.g1_handler, id_number=spouse_id, name="李四", relation="spouse")
    # Once that file is closed, the person may be listed elsewhere.
    HardshipFile.objects.unscoped().filter(pk=file.pk).update(status="closed")
    svc.add_member(other, by=staff.d2_manager, id_number=spouse_id, name="李四", relation="spouse")


def test_head_cannot_be_removed(file, staff):
    head = HouseholdMember.objects.unscoped().get(file=file)
    with pytest.raises(ValidationError, match="户主本人不能"):
        svc.remove_member(head, by=staff.g1_handler)


@pytest.mark.parametrize(("amount", "message"), [("-100", "不能为负数"), ("20000000", "超过一千万元")])
def test_bad_income_refused_and_nothing_written(file, staff, amount, message):
    with pytest.raises(ValidationError) as error:
        svc.add_income(file, by=staff.g1_handler, source="wages", annual_amount=amount)
    assert message in error.value.message_dict["annual_amount"][0]
    assert not IncomeRow.objects.unscoped().filter(file=file).exists()


def test_bad_spending_refused(file, staff):
    with pytest.raises(ValidationError, match="不能为负数"):
        svc.add_spending(file, by=staff.g1_handler, kind="illness", annual_amount="-5")


def test_causes(file, staff):
    svc.set_causes(file, "serious_illness", ["laid_off", "children_school"], by=staff.g1_handler)
    assert file.cause_labels[0] == "本人或家人患大病"
    with pytest.raises(ValidationError, match="最多选择3项"):
        svc.set_causes(file, "serious_illness", ["laid_off", "children_school", "accident", "other"],
                       by=staff.g1_handler)
    with pytest.raises(ValidationError, match="不能与主要原因重复"):
        svc.set_causes(file, "laid_off", ["laid_off"], by=staff.g1_handler)
    with pytest.raises(ValidationError, match="主要致困原因"):
        svc.set_causes(file, "lottery", [], by=staff.g1_handler)


def test_bank_account_encrypted_and_masked(file, staff):
    svc.update_details(file, by=staff.g1_handler, bank_account="6222 0212 3456 7890 123")
    file.refresh_from_db()
    assert file.bank_account_masked == "6222***********0123"
    assert "6222021234567890123" not in file.bank_account_encrypted
    assert svc.reveal_bank_account(file, by=staff.g1_handler) == "6222021234567890123"
    with pytest.raises(ValidationError, match="8到30位数字"):
        svc.update_details(file, by=staff.g1_handler, bank_account="abc")


def test_assess_uses_figures_and_policy(file, staff, tree):
    svc.add_income(file, by=staff.g1_handler, source="wages", annual_amount="9000")
    decision = svc.assess(file, by=staff.g1_handler)
    assert decision.category == "deep" and decision.policy_version is None
    assert decision.policy_label == "默认（全国通行做法）"
    file.refresh_from_db()
    assert file.category == "deep" and file.assessment == decision


def test_refused_home_visit_excludes(file, staff):
    svc.record_home_visit(file, by=staff.g1_handler, visited_on=datetime.date.today(), visitors="王五、赵六",
                          findings="户主拒绝入户", refused=True)
    assert svc.assess(file, by=staff.g1_handler).excluded_by == ["refused_visit"]


def test_able_member_counted_through_the_file(file, staff):
    svc.add_member(file, by=staff.g1_handler, id_number=new_id(9), name="配偶", relation="spouse",
                   work_status="unemployed_able")
    decision = svc.assess(file, by=staff.g1_handler)
    assert decision.inputs["imputed_income"] == "24000" and decision.category == "relative"


def test_changed_standard_keeps_old_decision(file, staff, tree):
    """A later change of rules never rewrites history."""
    PolicyVersionFactory(node=tree.d1, effective_from=datetime.date(2020, 1, 1),
                         params={"min_living_standard": "800"})
    svc.add_income(file, by=staff.g1_handler, source="wages", annual_amount="11000")  # 916.67 a month
    first = svc.assess(file, by=staff.g1_handler, on=datetime.date(2026, 3, 1))
    assert first.category == "relative" and first.policy_version.params["min_living_standard"] == "800"
    raised = PolicyVersionFactory(node=tree.d1, effective_from=datetime.date(2026, 6, 1),
                                  params={"min_living_standard": "1000"})
    second = svc.assess(file, by=staff.g1_handler, on=datetime.date(2026, 7, 1))
    assert second.category == "deep" and second.policy_version == raised
    first.refresh_from_db()
    assert first.category == "relative" and first.policy_version_id != raised.pk
    assert first.policy_label.endswith("2020-01-01")
    assert Assessment.objects.unscoped().filter(file=file).count() == 2


def test_override_needs_reason_and_approver(file, staff):
    svc.add_income(file, by=staff.g1_handler, source="wages", annual_amount="30000")
    svc.assess(file, by=staff.g1_handler)
    with pytest.raises(PermissionDenied):
        svc.override_category(file, "relative", "家中老人长期卧床需要护理", by=staff.g1_handler)
    with pytest.raises(ValidationError, match="必须写明理由"):
        svc.override_category(file, "relative", "  ", by=staff.d1_manager)
    svc.override_category(file, "relative", "家中老人长期卧床需要护理", by=staff.d1_manager)
    file.refresh_from_db()
    assert file.category == "relative" and file.category_override_reason
    entry = AuditEntry.objects.unscoped().filter(event="hardship.category_overridden").get()
    assert entry.extra["reason"] == "家中老人长期卧床需要护理"


def test_register_sets_dates(file, staff):
    svc.add_income(file, by=staff.g1_handler, source="wages", annual_amount="100")
    svc.assess(file, by=staff.g1_handler)
    svc.register(file, by=staff.d1_manager)
    assert file.status == "registered" and file.next_review_due.year == file.registered_on.year + 1


def test_register_refuses_unqualified(file, staff):
    svc.add_income(file, by=staff.g1_handler, source="wages", annual_amount="1000000")
    svc.assess(file, by=staff.g1_handler)
    with pytest.raises(ValidationError, match="不能建档"):
        svc.register(file, by=staff.d1_manager)


def test_document_checked_by_content(file, staff):
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
    doc = svc.add_document(file, Upload("证明.png", png), "income", by=staff.g1_handler)
    assert doc.extension == ".png" and doc.size == len(png)
    with pytest.raises(ValidationError, match="不符"):
        svc.add_document(file, Upload("假.pdf", b"hello world"), "income", by=staff.g1_handler)


def test_active_file_of(file, worker):
    assert svc.active_file_of(worker) == file
    HardshipFile.objects.unscoped().filter(pk=file.pk).update(status="exited")
    assert svc.active_file_of(worker) is None
    assert svc.latest_file_of(worker).pk == file.pk


def test_add_months():
    assert svc.add_months(datetime.date(2026, 1, 31), 1) == datetime.date(2026, 2, 28)
    assert svc.add_months(datetime.date(2026, 11, 25), 12) == datetime.date(2027, 11, 25)
