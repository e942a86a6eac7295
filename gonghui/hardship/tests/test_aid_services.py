"""Aid rules: caps per category and year, the fund's budget, who may approve at which level, large aid
through the city, the ledger row and the audit trail; plans and pairings."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from gonghui.audit.models import AuditEntry
from gonghui.hardship import services_aid as aid
from gonghui.hardship.models import AidPayment, Fund, HardshipFile, Pairing, PlanMeasure
from gonghui.hardship.tests.aid_factories import make_file, make_fund, make_pairing, make_payment
from gonghui.hardship.tests.factories import PolicyVersionFactory
from gonghui.ledger.models import ServiceRecord

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def fund_of(payment) -> Fund:
    return Fund.objects.unscoped().get(pk=payment.fund_id)


def messages(error: ValidationError) -> str:
    return " ".join(error.messages)


def events(event: str) -> int:
    return AuditEntry.objects.unscoped().filter(event=event).count()


# ----- requesting -----

def test_a_handler_requests_aid_for_a_registered_household(tree, staff):
    file = make_file(tree.g1)
    fund = make_fund(tree.d1, budget="50000")
    payment = aid.request_aid(file, fund=fund, kind="medical", amount="3000.50", reason="住院自付部分",
                              by=staff.g1_handler)
    assert payment.status == AidPayment.Status.PENDING and payment.amount == Decimal("3000.50")
    assert payment.node_path == file.node_path and not payment.needs_city
    assert payment.requested_by == staff.g1_handler
    assert fund_of(payment).spent == 0  # nothing is spent before approval
    entry = AuditEntry.objects.unscoped().get(event="hardship.aid_requested")
    assert entry.actor == staff.g1_handler and entry.changes["amount"] == [None, "3000.50"]


@pytest.mark.parametrize("status", [HardshipFile.Status.APPLYING, HardshipFile.Status.EXITED,
                                    HardshipFile.Status.CLOSED, HardshipFile.Status.DRAFT])
def test_only_registered_files_receive_aid(tree, staff, status):
    file = make_file(tree.g1, status=status)
    with pytest.raises(ValidationError) as error:
        aid.request_aid(file, fund=make_fund(tree.d1), kind="living", amount="500", by=staff.g1_handler)
    assert "只有在档的困难职工家庭才能获得救助" in messages(error.value)
    assert not AidPayment.objects.unscoped().exists()


@pytest.mark.parametrize(("amount", "expected"), [
    ("-5", "救助金额应大于0元"), ("0", "救助金额应大于0元"), ("12.345", "最多保留两位小数"),
    ("abc", "救助金额应是数字"), ("5000000", "不能超过1,000,000.00元"), ("", "请填写救助金额"), ("NaN", "应是数字"),
])
def test_bad_amounts_are_refused_in_chinese(tree, staff, amount, expected):
    file = make_file(tree.g1)
    with pytest.raises(ValidationError) as error:
        aid.request_aid(file, fund=make_fund(tree.d1), kind="living", amount=amount, by=staff.g1_handler)
    assert expected in " ".join(error.value.message_dict["amount"])


def test_a_request_over_the_yearly_cap_says_how_much_is_left(tree, staff):
    file = make_file(tree.g1, category=HardshipFile.Category.DEEP)  # living cap 10,000 by default
    fund = make_fund(tree.d1)
    aid.approve_aid(make_payment(file, fund=fund, kind="living", amount="8000"), by=staff.d1_manager)
    with pytest.raises(ValidationError) as error:
        aid.request_aid(file, fund=fund, kind="living", amount="2500", by=staff.g1_handler)
    text = " ".join(error.value.message_dict["amount"])
    assert "超过年度上限" in text and "已批准生活救助8,000.00元" in text and "上限为10,000.00元" in text
    assert "最多还能发放2,000.00元" in text
    # Another kind has its own cap; exactly the rest of the cap is fine.
    aid.request_aid(file, fund=fund, kind="medical", amount="2500", by=staff.g1_handler)
    aid.request_aid(file, fund=fund, kind="living", amount="2000", by=staff.g1_handler)


def test_the_cap_depends_on_the_category(tree, staff):
    file = make_file(tree.g1, category=HardshipFile.Category.RELATIVE)  # living cap 5,000
    with pytest.raises(ValidationError) as error:
        aid.request_aid(file, fund=make_fund(tree.d1), kind="living", amount="5000.01", by=staff.g1_handler)
    assert "上限为5,000.00元" in messages(error.value)


def test_a_policy_version_changes_the_cap_and_the_large_aid_threshold(tree, staff):
    PolicyVersionFactory(node=tree.d1, params={"aid_caps": {"deep": {"living": "600"}},
                                               "large_aid_threshold": "300"})
    file = make_file(tree.g1)
    fund = make_fund(tree.d1)
    with pytest.raises(ValidationError) as error:
        aid.request_aid(file, fund=fund, kind="living", amount="700", by=staff.g1_handler)
    assert "上限为600.00元" in messages(error.value)
    payment = aid.request_aid(file, fund=fund, kind="living", amount="400", by=staff.g1_handler)
    assert payment.needs_city
    # The other district keeps the defaults.
    other = aid.request_aid(make_file(tree.g2), fund=make_fund(tree.d2), kind="living", amount="700", by=None)
    assert not other.needs_city


def test_a_request_over_the_funds_remaining_budget_is_refused(tree, staff):
    file = make_file(tree.g1)
    fund = make_fund(tree.d1, budget="1000", spent="800")
    with pytest.raises(ValidationError) as error:
        aid.request_aid(file, fund=fund, kind="living", amount="300", by=staff.g1_handler)
    text = " ".join(error.value.message_dict["fund"])
    assert "资金余额不足" in text and "只剩200.00元" in text and "本次300.00元" in text


def test_only_funds_of_the_union_or_above_and_of_this_year(tree, staff):
    file = make_file(tree.g1)
    with pytest.raises(ValidationError) as error:
        aid.request_aid(file, fund=make_fund(tree.d2), kind="living", amount="100", by=staff.g1_handler)
    assert "只能使用建档工会或其上级工会的资金" in messages(error.value)
    old = make_fund(tree.d1, year=TODAY().year - 1)
    with pytest.raises(ValidationError) as error:
        aid.request_aid(file, fund=old, kind="living", amount="100", by=staff.g1_handler)
    assert f"只能使用本年度（{TODAY().year}年）的资金" in messages(error.value)
    # The city's and the union's own funds are fine.
    aid.request_aid(file, fund=make_fund(tree.city), kind="living", amount="100", by=staff.g1_handler)
    aid.request_aid(file, fund=make_fund(tree.g1), kind="living", amount="100", by=staff.g1_handler)


def test_requesting_needs_the_change_permission_over_the_file(tree, staff):
    file, fund = make_file(tree.g1), make_fund(tree.d1)
    with pytest.raises(PermissionDenied):
        aid.request_aid(file, fund=fund, kind="living", amount="100", by=staff.g1_viewer)
    with pytest.raises(PermissionDenied):
        aid.request_aid(file, fund=fund, kind="living", amount="100", by=staff.d2_manager)


# ----- approving -----

@pytest.fixture
def generous_caps(tree):
    PolicyVersionFactory(node=tree.city, params={"aid_caps": {"deep": {"medical": "60000"}}})


def test_the_district_approves_and_pays_writing_the_fund_the_ledger_and_the_audit(tree, staff):
    file = make_file(tree.g1)
    payment = make_payment(file, fund=make_fund(tree.d1, budget="10000"), kind="medical", amount="2500")
    paid = aid.approve_aid(payment, by=staff.d1_manager)
    assert paid.status == AidPayment.Status.PAID and paid.paid_on == TODAY()
    assert paid.approved_by == staff.d1_manager
    fund = fund_of(payment)
    assert fund.spent == Decimal("2500") and fund.remaining == Decimal("7500")
    row = ServiceRecord.objects.unscoped().get(kind="hardship.aid_paid")
    assert row.worker == file.worker and row.amount == Decimal("2500") and row.title == "困难职工医疗救助"
    assert row.delivering_union == tree.d1 and row.source_id == payment.pk
    entry = AuditEntry.objects.unscoped().get(event="hardship.aid_paid")
    assert entry.actor == staff.d1_manager and entry.changes["status"] == ["pending", "paid"]
    assert entry.extra == {"fund": payment.fund_id, "amount": "2500.00"}


def test_a_second_approval_of_the_same_aid_is_refused(tree, staff):
    payment = make_payment(union=tree.g1, amount="1000")
    aid.approve_aid(payment, by=staff.d1_manager)
    with pytest.raises(ValidationError) as error:
        aid.approve_aid(payment, by=staff.d1_admin)
    assert "已经批准发放，不能重复审批" in messages(error.value)
    assert fund_of(payment).spent == Decimal("1000")
    assert ServiceRecord.objects.unscoped().count() == 1 and events("hardship.aid_paid") == 1


@pytest.mark.parametrize("who", ["g1_handler", "g1_viewer"])
def test_a_handler_or_viewer_may_not_approve(tree, staff, who):
    payment = make_payment(union=tree.g1)
    with pytest.raises(PermissionDenied) as error:
        aid.approve_aid(payment, by=getattr(staff, who))
    assert "区总工会或市总工会" in str(error.value)
    assert AidPayment.objects.unscoped().get(pk=payment.pk).status == AidPayment.Status.PENDING


def test_a_grassroots_manager_requests_but_may_not_approve(tree, staff):
    from gonghui.accounts.tests.factories import StaffFactory, grant

    chair = StaffFactory(username="t_g1_manager")
    grant(chair, tree.g1, "manager")
    payment = make_payment(union=tree.g1)
    with pytest.raises(PermissionDenied) as error:
        aid.approve_aid(payment, by=chair)
    assert "基层工会可以申请但不能审批" in str(error.value)


def test_a_sibling_district_may_not_approve(tree, staff):
    payment = make_payment(union=tree.g1)
    with pytest.raises(PermissionDenied):
        aid.approve_aid(payment, by=staff.d2_manager)


def test_large_aid_goes_from_the_district_to_the_city(tree, staff, generous_caps):
    file = make_file(tree.g1)
    fund = make_fund(tree.d1, budget="100000")
    payment = make_payment(file, fund=fund, kind="medical", amount="20000.01")  # the threshold is 20,000
    assert payment.needs_city
    forwarded = aid.approve_aid(payment, by=staff.d1_manager)
    assert forwarded.status == AidPayment.Status.AWAITING_CITY and forwarded.reviewed_by == staff.d1_manager
    assert fund_of(payment).spent == 0 and not ServiceRecord.objects.unscoped().exists()
    # The district cannot take the city's step.
    with pytest.raises(PermissionDenied) as error:
        aid.approve_aid(payment, by=staff.d1_admin)
    assert "须由市总工会审批" in str(error.value)
    with pytest.raises(PermissionDenied):
        aid.reject_aid(payment, reason="不同意", by=staff.d1_manager)
    paid = aid.approve_aid(payment, by=staff.city_admin)
    assert paid.status == AidPayment.Status.PAID and paid.approved_by == staff.city_admin
    assert fund_of(payment).spent == Decimal("20000.01")
    assert events("hardship.aid_forwarded") == 1 and events("hardship.aid_paid") == 1


def test_the_city_may_approve_a_large_aid_directly(tree, staff, generous_caps):
    payment = make_payment(union=tree.g1, fund=make_fund(tree.city), kind="medical", amount="30000")
    assert payment.needs_city
    assert aid.approve_aid(payment, by=staff.city_admin).status == AidPayment.Status.PAID


def test_a_district_may_not_spend_the_citys_fund(tree, staff):
    payment = make_payment(union=tree.g1, fund=make_fund(tree.city), amount="500")
    with pytest.raises(PermissionDenied) as error:
        aid.approve_aid(payment, by=staff.d1_manager)
    assert "须由该工会或上级工会审批" in str(error.value)
    assert aid.approve_aid(payment, by=staff.city_admin).status == AidPayment.Status.PAID


def test_the_cap_is_checked_again_at_approval(tree, staff):
    file = make_file(tree.g1)
    fund = make_fund(tree.d1)
    first = make_payment(file, fund=fund, kind="living", amount="6000")
    second = make_payment(file, fund=fund, kind="living", amount="6000")  # each alone is under 10,000
    aid.approve_aid(first, by=staff.d1_manager)
    with pytest.raises(ValidationError) as error:
        aid.approve_aid(second, by=staff.d1_manager)
    assert "超过年度上限" in messages(error.value) and "最多还能发放4,000.00元" in messages(error.value)
    assert AidPayment.objects.unscoped().get(pk=second.pk).status == AidPayment.Status.PENDING
    assert fund_of(first).spent == Decimal("6000")


def test_the_budget_is_checked_again_at_approval_and_nothing_is_half_written(tree, staff):
    fund = make_fund(tree.d1, budget="5000")
    first = make_payment(union=tree.g1, fund=fund, amount="4000")
    second = make_payment(union=tree.g1, fund=fund, amount="4000")
    aid.approve_aid(first, by=staff.d1_manager)
    before = AuditEntry.objects.unscoped().count()
    with pytest.raises(ValidationError) as error:
        aid.approve_aid(second, by=staff.d1_manager)
    assert "资金余额不足" in messages(error.value) and "只剩1,000.00元" in messages(error.value)
    assert AidPayment.objects.unscoped().get(pk=second.pk).status == AidPayment.Status.PENDING
    assert fund_of(first).spent == Decimal("4000")
    assert ServiceRecord.objects.unscoped().count() == 1 and AuditEntry.objects.unscoped().count() == before


def test_a_fund_spent_between_the_first_look_and_the_charge_undoes_the_whole_approval(tree, staff, monkeypatch):
    fund = make_fund(tree.d1, budget="1000")
    payment = make_payment(union=tree.g1, fund=fund, amount="600")
    real_check = aid._check_budget
    calls = []

    def check_then_spend(fund_row, amount):
        calls.append(amount)
        real_check(fund_row, amount)
        if len(calls) == 1:  # another approval takes the money right after the first look
            Fund.objects.unscoped().filter(pk=fund.pk).update(spent=Decimal("700"))

    monkeypatch.setattr(aid, "_check_budget", check_then_spend)
    before = AuditEntry.objects.unscoped().count()
    with pytest.raises(ValidationError) as error:
        aid.approve_aid(payment, by=staff.d1_manager)
    assert error.value.code == "over_budget" and "只剩300.00元" in messages(error.value)
    assert AidPayment.objects.unscoped().get(pk=payment.pk).status == AidPayment.Status.PENDING
    assert not ServiceRecord.objects.unscoped().exists() and AuditEntry.objects.unscoped().count() == before
    assert Fund.objects.unscoped().get(pk=fund.pk).spent == Decimal("700")


def test_a_file_that_left_the_register_is_not_paid(tree, staff):
    payment = make_payment(union=tree.g1)
    HardshipFile.objects.unscoped().filter(pk=payment.file_id).update(status=HardshipFile.Status.EXITED)
    with pytest.raises(ValidationError) as error:
        aid.approve_aid(payment, by=staff.d1_manager)
    assert "该档案当前为“已脱困”" in messages(error.value)


def test_the_fund_table_never_holds_an_overspent_fund(tree):
    fund = make_fund(tree.d1, budget="100")
    with pytest.raises(IntegrityError), transaction.atomic():
        Fund.objects.unscoped().filter(pk=fund.pk).update(spent=Decimal("100.01"))


# ----- rejecting -----

def test_rejection_needs_a_reason_and_ends_the_request(tree, staff):
    payment = make_payment(union=tree.g1)
    with pytest.raises(ValidationError) as error:
        aid.reject_aid(payment, reason="  ", by=staff.d1_manager)
    assert "请填写不予批准的理由" in messages(error.value)
    with pytest.raises(PermissionDenied):
        aid.reject_aid(payment, reason="材料不全", by=staff.g1_handler)
    rejected = aid.reject_aid(payment, reason="医疗费用已由大病保险报销", by=staff.d1_manager)
    assert rejected.status == AidPayment.Status.REJECTED and rejected.rejection_reason == "医疗费用已由大病保险报销"
    with pytest.raises(ValidationError) as error:
        aid.approve_aid(payment, by=staff.d1_manager)
    assert "已经不予批准" in messages(error.value)
    assert fund_of(payment).spent == 0 and events("hardship.aid_rejected") == 1


# ----- funds -----

def test_funds_are_set_up_by_approvers_once_per_union_year_and_source(tree, staff):
    year = TODAY().year
    fund = aid.create_fund(tree.d1, year=year, source="fiscal", budget="300000", name="财政专项帮扶资金",
                           by=staff.d1_manager)
    assert fund.node_path == tree.d1.path and fund.remaining == Decimal("300000")
    with pytest.raises(ValidationError) as error:
        aid.create_fund(tree.d1, year=year, source="fiscal", budget="1", by=staff.d1_manager)
    assert "资金已经设立" in messages(error.value)
    with pytest.raises(PermissionDenied):
        aid.create_fund(tree.g1, year=year, source="fiscal", budget="1", by=staff.g1_handler)
    with pytest.raises(PermissionDenied):
        aid.create_fund(tree.d2, year=year, source="fiscal", budget="1", by=staff.d1_manager)
    with pytest.raises(ValidationError) as error:
        aid.create_fund(tree.d1, year=1990, source="nope", budget="-1", by=staff.d1_manager)
    assert set(error.value.message_dict) == {"year", "source", "budget"}
    assert events("hardship.fund_created") == 1


def test_a_budget_cannot_drop_below_what_was_spent(tree, staff):
    fund = make_fund(tree.d1, budget="10000", spent="6000")
    with pytest.raises(ValidationError) as error:
        aid.update_fund(fund, budget="5999.99", by=staff.d1_manager)
    assert "预算不能少于已支出的6,000.00元" in messages(error.value)
    changed = aid.update_fund(fund, budget="6000", by=staff.d1_manager)
    assert changed.remaining == 0
    assert AuditEntry.objects.unscoped().get(event="hardship.fund_changed").changes["budget"] == ["10000.00", "6000.00"]


# ----- plans -----

def test_a_plan_of_targeted_measures(tree, staff):
    file = make_file(tree.g1)
    measure = aid.add_measure(file, kind="job_referral", target="为妻子推荐保洁岗位", responsible="王敏",
                              due_on=TODAY() + datetime.timedelta(days=30), by=staff.g1_handler)
    assert measure.plan.file == file and measure.plan.year == TODAY().year
    aid.save_plan(file, goal="一年内实现家庭有一人稳定就业", by=staff.g1_handler)
    with pytest.raises(ValidationError) as error:
        aid.update_measure(measure, status="cancelled", by=staff.g1_handler)
    assert "请说明原因" in messages(error.value)
    done = aid.update_measure(measure, status="done", note="已在物业公司上岗", by=staff.g1_handler)
    assert done.status == PlanMeasure.Status.DONE and done.done_on == TODAY()
    with pytest.raises(ValidationError) as error:
        aid.add_measure(file, kind="magic", target="", responsible="", by=staff.g1_handler)
    assert set(error.value.message_dict) == {"kind", "target", "responsible"}
    with pytest.raises(PermissionDenied):
        aid.add_measure(file, kind="pairing", target="结对", responsible="李", by=staff.g1_viewer)
    assert events("hardship.measure_added") == 1 and events("hardship.measure_changed") == 1


def test_no_plan_for_an_unregistered_file(tree, staff):
    file = make_file(tree.g1, status=HardshipFile.Status.APPLYING)
    with pytest.raises(ValidationError):
        aid.add_measure(file, kind="pairing", target="结对", responsible="李", by=staff.g1_handler)


# ----- pairing -----

def test_a_pairing_is_flagged_after_90_days_without_contact(tree, staff):
    today = TODAY()
    fresh = make_pairing(union=tree.g1, started_on=today - datetime.timedelta(days=89))
    stale = make_pairing(union=tree.g1, started_on=today - datetime.timedelta(days=91))
    assert not fresh.overdue and stale.overdue
    assert stale.contact_due_on == today - datetime.timedelta(days=1)
    aid.log_contact(stale, contacted_on=today, way="phone", help_given="电话了解孩子上学情况", by=staff.g1_handler)
    stale.refresh_from_db()
    assert not stale.overdue and stale.last_contact_on == today
    assert stale.contact_due_on == today + datetime.timedelta(days=90)
    # An older contact logged later does not move the last contact back.
    aid.log_contact(stale, contacted_on=today - datetime.timedelta(days=5), way="visit", help_given="补记走访",
                    by=staff.g1_handler)
    stale.refresh_from_db()
    assert stale.last_contact_on == today


def test_help_with_a_value_is_written_to_the_ledger(tree, staff):
    pairing = make_pairing(union=tree.g1)
    aid.log_contact(pairing, contacted_on=TODAY(), way="visit", help_given="送去米面油", value="300",
                    by=staff.g1_handler)
    aid.log_contact(pairing, contacted_on=TODAY(), way="phone", help_given="电话问候", by=staff.g1_handler)
    row = ServiceRecord.objects.unscoped().get(kind="hardship.pairing_help")
    assert row.amount == Decimal("300") and row.worker == pairing.file.worker and "米面油" in row.title
    assert events("hardship.pairing_contact") == 2


def test_bad_contacts_are_refused(tree, staff):
    pairing = make_pairing(union=tree.g1, started_on=TODAY() - datetime.timedelta(days=3))
    with pytest.raises(ValidationError) as error:
        aid.log_contact(pairing, contacted_on=TODAY() + datetime.timedelta(days=1), way="fax", help_given="",
                        value="-3", by=staff.g1_handler)
    assert set(error.value.message_dict) == {"contacted_on", "way", "help_given", "value"}
    assert "不能晚于今天" in " ".join(error.value.message_dict["contacted_on"])
    with pytest.raises(ValidationError) as error:
        aid.log_contact(pairing, contacted_on=TODAY() - datetime.timedelta(days=10), way="visit", help_given="看望",
                        by=staff.g1_handler)
    assert "不能早于" in messages(error.value)
    aid.end_pairing(pairing, reason="该户已脱困", by=staff.g1_handler)
    with pytest.raises(ValidationError) as error:
        aid.log_contact(pairing, contacted_on=TODAY(), way="visit", help_given="看望", by=staff.g1_handler)
    assert "该结对已于" in messages(error.value)
    with pytest.raises(PermissionDenied):
        aid.start_pairing(make_file(tree.g2), helper_kind="cadre", helper_name="张三", by=staff.g1_handler)


def test_the_same_helper_is_not_paired_twice(tree, staff):
    pairing = make_pairing(union=tree.g1, helper_name="江海重工（爱心企业）", helper_kind="enterprise")
    with pytest.raises(ValidationError) as error:
        aid.start_pairing(pairing.file, helper_kind="enterprise", helper_name="江海重工（爱心企业）",
                          by=staff.g1_handler)
    assert "不必重复登记" in messages(error.value)


def test_the_daily_job_applies_a_changed_contact_period(tree):
    pairing = make_pairing(union=tree.g1, started_on=TODAY() - datetime.timedelta(days=40))
    assert not pairing.overdue
    PolicyVersionFactory(node=tree.city, params={"pairing_contact_days": 30})
    result = aid.refresh_pairing_flags.call()
    assert result == {"changed": 1, "overdue": 1}
    assert Pairing.objects.unscoped().get(pk=pairing.pk).overdue
