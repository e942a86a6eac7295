"""The review part's rules: monthly incomes and the exit rule, exit and closure, follow-ups, reopening
(防返困), the yearly review and the reminders."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gonghui.audit.models import AuditEntry
from gonghui.hardship import services_review as sr
from gonghui.hardship.models import Exit, FollowUp, HardshipFile, MonthlyIncome, PolicyVersion, Review
from gonghui.hardship.tests.factories import HardshipFileFactory
from gonghui.notifications.models import Notification

pytestmark = pytest.mark.django_db
S = HardshipFile.Status


def months_back(n: int, on=None) -> datetime.date:
    """The first day of the month n months before ``on``'s month."""
    return sr.add_months(sr.month_start(on or sr.today()), -n)


def record_months(file, per_capita_by_offset: dict, by, size=2):
    """Monthly incomes: {months back: per-capita income}."""
    for back, per_capita in per_capita_by_offset.items():
        sr.record_monthly_income(file, month=months_back(back), household_income=Decimal(per_capita) * size,
                                 household_size=size, by=by)


@pytest.fixture
def file(tree):
    return HardshipFileFactory(union=tree.g1, registered_on=sr.today() - datetime.timedelta(days=800),
                               household_size=2)


# ----- monthly incomes -----

def test_monthly_income_computes_per_capita_and_is_audited(file, staff):
    row = sr.record_monthly_income(file, month=months_back(1), household_income="2501", household_size=3,
                                   by=staff.g1_handler)
    assert row.per_capita == Decimal("833.67") and row.month.day == 1
    assert AuditEntry.objects.unscoped().filter(event="hardship.monthly_income", object_id=str(row.pk)).exists()
    # Recording the same month again corrects it (one row per month).
    sr.record_monthly_income(file, month=months_back(1), household_income="3000", household_size=3,
                             by=staff.g1_handler)
    assert MonthlyIncome.objects.unscoped().filter(file=file).count() == 1
    assert MonthlyIncome.objects.unscoped().get(file=file).per_capita == Decimal("1000.00")


@pytest.mark.parametrize(("income", "size", "field", "message"), [
    ("-5", 2, "household_income", "家庭月收入不能为负数。"),
    ("12000000", 2, "household_income", "家庭月收入超过100万元，请核对是否多填了位数。"),
    ("abc", 2, "household_income", "请填写家庭月收入，以元为单位的数字。"),
    ("2000", 0, "household_size", "家庭人口应在1到30人之间。"),
])
def test_monthly_income_bad_input(file, staff, income, size, field, message):
    with pytest.raises(ValidationError) as e:
        sr.record_monthly_income(file, month=months_back(1), household_income=income, household_size=size,
                                 by=staff.g1_handler)
    assert e.value.message_dict[field] == [message]
    assert not MonthlyIncome.objects.unscoped().exists()


def test_monthly_income_in_the_future_is_refused(file, staff):
    with pytest.raises(ValidationError) as e:
        sr.record_monthly_income(file, month=sr.add_months(sr.today(), 2), household_income="100", by=staff.g1_handler)
    assert e.value.message_dict["month"] == ["月份不能晚于今天。"]


def test_monthly_income_needs_the_change_permission_there(file, staff):
    with pytest.raises(PermissionDenied):
        sr.record_monthly_income(file, month=months_back(1), household_income="100", by=staff.g1_viewer)
    with pytest.raises(PermissionDenied):
        sr.record_monthly_income(file, month=months_back(1), household_income="100", by=staff.d2_admin)


# ----- the exit rule -----

def test_exit_rule_holds_after_six_consecutive_months_above_the_standard(file, staff):
    record_months(file, {m: "900" for m in range(1, 7)}, staff.g1_handler)
    rule = sr.exit_rule(file)
    assert rule.holds and rule.run == 6 and rule.needed == 6


def test_exit_rule_five_months_is_not_enough(file, staff):
    record_months(file, {m: "900" for m in range(1, 6)}, staff.g1_handler)
    rule = sr.exit_rule(file)
    assert not rule.holds and rule.run == 5
    assert rule.message == "家庭人均月收入连续超过当地低保标准5个月，需连续6个月。"


def test_exit_rule_a_missing_month_resets_the_count(file, staff):
    # Months 1–3 and 5–8 above the standard, month 4 not recorded: the run is 3.
    record_months(file, {m: "900" for m in (1, 2, 3, 5, 6, 7, 8)}, staff.g1_handler)
    rule = sr.exit_rule(file)
    assert not rule.holds and rule.run == 3


def test_exit_rule_a_month_at_the_standard_resets_the_count(file, staff):
    # Exactly the standard (800) is not above it.
    record_months(file, {1: "900", 2: "900", 3: "800", 4: "900", 5: "900", 6: "900", 7: "900"}, staff.g1_handler)
    assert sr.exit_rule(file).run == 2


def test_exit_rule_needs_a_recent_run(file, staff):
    record_months(file, {m: "900" for m in range(4, 12)}, staff.g1_handler)
    rule = sr.exit_rule(file)
    assert rule.run >= 6 and not rule.holds
    assert "请先登记上月或本月的收入" in rule.message


def test_exit_rule_uses_the_standard_in_force_and_the_policys_months(file, staff, tree):
    # The district raises its standard to 1000 and asks for 3 months only.
    PolicyVersion.objects.create(node=tree.d1, effective_from=datetime.date(2000, 1, 1),
                                 params={"min_living_standard": "1000", "exit_months": 3})
    record_months(file, {1: "1100", 2: "1100", 3: "900", 4: "1100"}, staff.g1_handler)
    rule = sr.exit_rule(file)
    assert rule.needed == 3 and rule.run == 2 and not rule.holds
    record_months(file, {3: "1001"}, staff.g1_handler)
    assert sr.exit_rule(file).holds


# ----- exit and closure -----

def test_exit_by_the_income_rule(file, staff):
    record_months(file, {m: "900" for m in range(1, 7)}, staff.g1_handler)
    exit_row = sr.exit_file(file, reason="income", note="妻子再就业，收入稳定", by=staff.g1_handler)
    file.refresh_from_db()
    assert file.status == S.EXITED and file.exited_on == sr.today()
    assert file.closed_reason == "家庭人均收入连续超过当地低保标准" and file.next_review_due is None
    assert exit_row.registered_on == file.registered_on and exit_row.evidence["run"] == 6
    assert [f.months for f in FollowUp.objects.unscoped().filter(exit=exit_row)] == [3, 6, 12]
    assert [f.due_on for f in FollowUp.objects.unscoped().filter(exit=exit_row)] == [sr.add_months(sr.today(), m) for m in (3, 6, 12)]
    entry = AuditEntry.objects.unscoped().get(event="hardship.exited")
    assert entry.changes["status"] == ["registered", "exited"]


def test_exit_when_the_rule_does_not_hold_is_refused(file, staff):
    record_months(file, {m: "900" for m in range(1, 4)}, staff.g1_handler)
    with pytest.raises(ValidationError) as e:
        sr.exit_file(file, reason="income", by=staff.g1_handler)
    assert e.value.message_dict["reason"] == [
        "不符合脱困条件：家庭人均月收入连续超过当地低保标准3个月，需连续6个月。"
        "如已纳入政府兜底保障，请选择“纳入政府兜底保障”并说明情况。"]
    file.refresh_from_db()
    assert file.status == S.REGISTERED and not Exit.objects.unscoped().exists()
    assert not FollowUp.objects.unscoped().exists()


def test_exit_into_the_safety_net_needs_no_income_rule_but_a_note(file, staff):
    with pytest.raises(ValidationError) as e:
        sr.exit_file(file, reason="safety_net", note="", by=staff.g1_handler)
    assert e.value.message_dict["note"] == ["请填写脱困情况说明。"]
    exit_row = sr.exit_file(file, reason="safety_net", note="已纳入民政低保和特困供养", by=staff.g1_handler)
    assert exit_row.kind == "exit" and exit_row.reason == "safety_net"
    file.refresh_from_db()
    assert file.status == S.EXITED


def test_exit_with_a_closure_reason_is_refused(file, staff):
    with pytest.raises(ValidationError) as e:
        sr.exit_file(file, reason="retired", note="x", by=staff.g1_handler)
    assert "请选择脱困原因" in e.value.message_dict["reason"][0]


def test_exit_of_a_file_not_registered_is_refused(tree, staff):
    draft = HardshipFileFactory(union=tree.g1, status=S.APPLYING, registered_on=None)
    with pytest.raises(ValidationError) as e:
        sr.exit_file(draft, reason="safety_net", note="x", by=staff.g1_handler)
    assert e.value.messages == ["只有在档的档案才能办理解困脱困（当前状态：审核中）。"]


def test_exit_date_before_registration_or_in_the_future(file, staff):
    with pytest.raises(ValidationError) as e:
        sr.exit_file(file, reason="safety_net", note="x", on=file.registered_on - datetime.timedelta(days=1),
                     by=staff.g1_handler)
    assert "脱困日期不能早于" in e.value.message_dict["exited_on"][0]
    with pytest.raises(ValidationError) as e:
        sr.exit_file(file, reason="safety_net", note="x", on=sr.today() + datetime.timedelta(days=1),
                     by=staff.g1_handler)
    assert e.value.message_dict["exited_on"] == ["脱困日期不能晚于今天。"]


def test_other_closures(file, staff):
    with pytest.raises(ValidationError) as e:
        sr.close_file(file, reason="income", note="x", by=staff.g1_handler)
    assert "请选择注销原因" in e.value.message_dict["reason"][0]
    exit_row = sr.close_file(file, reason="deceased", note="户主于上月病故，家中无其他成员", by=staff.g1_handler)
    file.refresh_from_db()
    assert file.status == S.CLOSED and file.closed_on == sr.today() and file.closed_reason == "死亡"
    assert exit_row.kind == "close" and not FollowUp.objects.unscoped().filter(exit=exit_row).exists()


# ----- follow-ups -----

def _exited(file, staff, on=None):
    return sr.exit_file(file, reason="safety_net", note="纳入兜底", on=on, by=staff.g1_handler)


def test_followups_fall_due_at_3_6_12_months_and_are_recorded(file, staff):
    exit_day = sr.today() - datetime.timedelta(days=200)
    exit_row = _exited(file, staff, on=exit_day)
    due = list(sr.followups_due(FollowUp.objects.unscoped(), within_days=0))
    assert [f.months for f in due] == [3, 6]  # the 12-month one is not due yet
    first = due[0]
    assert first.due_on == sr.add_months(exit_day, 3)
    sr.record_followup(first, finding="stable", notes="电话回访，收入稳定", by=staff.g1_handler)
    first.refresh_from_db()
    assert first.done_on == sr.today() and first.by == staff.g1_handler and first.finding == "stable"
    assert [f.months for f in sr.followups_due(FollowUp.objects.unscoped(), within_days=0)] == [6]
    assert FollowUp.objects.unscoped().filter(exit=exit_row).count() == 3


def test_followup_bad_input(file, staff):
    exit_row = _exited(file, staff)
    followup = FollowUp.objects.unscoped().filter(exit=exit_row).first()
    with pytest.raises(ValidationError) as e:
        sr.record_followup(followup, finding="maybe", notes="x", by=staff.g1_handler)
    assert e.value.message_dict["finding"] == ["请选择回访结论：生活稳定、有返困风险或已返困。"]
    with pytest.raises(ValidationError) as e:
        sr.record_followup(followup, finding="stable", notes="  ", by=staff.g1_handler)
    assert e.value.message_dict["notes"] == ["请填写回访情况。"]
    with pytest.raises(ValidationError) as e:
        sr.record_followup(followup, finding="stable", notes="x", on=exit_row.ended_on - datetime.timedelta(days=1),
                           by=staff.g1_handler)
    assert "回访日期不能早于" in e.value.message_dict["done_on"][0]


def test_followup_dates_at_month_ends():
    assert sr.add_months(datetime.date(2026, 11, 30), 3) == datetime.date(2027, 2, 28)
    assert sr.add_months(datetime.date(2027, 11, 30), 3) == datetime.date(2028, 2, 29)
    assert sr.add_months(datetime.date(2026, 8, 31), 12) == datetime.date(2027, 8, 31)
    assert sr.add_months(datetime.date(2026, 1, 15), -1) == datetime.date(2025, 12, 15)


# ----- the reminders -----

def test_reminders_reach_the_unions_staff_once(file, staff, tree):
    file.next_review_due = sr.today() + datetime.timedelta(days=10)
    file.save()
    other = HardshipFileFactory(union=tree.g2, registered_on=sr.today() - datetime.timedelta(days=400))
    other.next_review_due = sr.today() - datetime.timedelta(days=3)  # overdue
    other.save()
    later = HardshipFileFactory(union=tree.g1)  # due in 335 days: not yet
    assert later.next_review_due > sr.today() + datetime.timedelta(days=30)
    sent = sr.send_due_reminders()
    assert sent == {"review": 2, "followup": 0}
    # g1 has a handler with hardship.change (the viewer lacks it); g2 has none, so district 2's staff.
    inbox = Notification.objects.filter(channel="inbox", template_key="hardship.reviews_due")
    assert set(inbox.values_list("recipient__username", flat=True)) == {"t_g1_handler", "t_d2_manager",
                                                                         "t_d2_admin"}
    assert "1户" in inbox.get(recipient=staff.g1_handler).subject
    assert sr.send_due_reminders() == {"review": 0, "followup": 0}
    assert Notification.objects.filter(template_key="hardship.reviews_due", channel="inbox").count() == 3


def test_reminders_of_followups(file, staff):
    _exited(file, staff, on=sr.today() - datetime.timedelta(days=95))
    sent = sr.send_due_reminders()
    assert sent["followup"] == 1
    assert Notification.objects.filter(template_key="hardship.followups_due", recipient=staff.g1_handler).exists()


def test_the_reminder_job_is_registered():
    from gonghui.core import periodic

    assert "gonghui.hardship.services_review.send_review_reminders" in periodic.JOBS


# ----- review lists -----

def test_reviews_due_lists_registered_files_due_within_30_days(tree):
    due = HardshipFileFactory(union=tree.g1, next_review_due=sr.today() + datetime.timedelta(days=20))
    HardshipFileFactory(union=tree.g1, next_review_due=sr.today() + datetime.timedelta(days=40))
    exited = HardshipFileFactory(union=tree.g1, status=S.EXITED, next_review_due=sr.today())
    listed = list(sr.reviews_due(HardshipFile.objects.unscoped()))
    assert listed == [due] and exited not in listed


def test_review_model_is_scoped_through_its_file(file, staff):
    Review.objects.create(file=file, reviewed_on=sr.today(), situation="x", outcome="keep")
    assert Review.objects.visible_to(staff.d1_manager, "hardship.view").count() == 1
    assert Review.objects.visible_to(staff.d2_manager, "hardship.view").count() == 0


# ----- the yearly review (re-assessed by services_core.assess) -----

def _high_income(file, amount="200000"):
    from gonghui.hardship.models import IncomeRow

    IncomeRow.objects.create(file=file, source="wages", annual_amount=Decimal(amount))


def test_review_keep_reassesses_and_sets_the_next_review(file, staff):
    file.category = HardshipFile.Category.RELATIVE
    file.save()
    review = sr.review_file(file, situation="户主仍在住院治疗，无收入", by=staff.g1_handler)
    file.refresh_from_db()
    # No income at all now: deep hardship by the policy in force.
    assert review.outcome == Review.Outcome.CHANGE and review.category_after == "deep"
    assert review.category_before == "relative" and file.category == "deep"
    assert file.assessment == review.assessment and review.assessment.assessed_on == sr.today()
    assert file.next_review_due == sr.add_months(sr.today(), 12) == review.next_review_due
    assert AuditEntry.objects.unscoped().filter(event="hardship.reviewed", object_id=str(file.pk)).exists()


def test_review_keep_with_no_hardship_left_keeps_the_category_until_the_exit_rule_holds(file, staff):
    _high_income(file)
    review = sr.review_file(file, situation="妻子再就业", by=staff.g1_handler)
    file.refresh_from_db()
    assert review.assessment.category == "none"
    assert review.outcome == Review.Outcome.KEEP and file.category == "deep" and file.status == S.REGISTERED


def test_review_with_exit_needs_the_rule(file, staff):
    with pytest.raises(ValidationError) as e:
        sr.review_file(file, situation="收入好转", decision="exit", reason="income", by=staff.g1_handler)
    assert "不符合脱困条件" in e.value.message_dict["reason"][0]
    assert not Review.objects.unscoped().exists()  # nothing half-written
    file.refresh_from_db()
    assert file.status == S.REGISTERED
    record_months(file, {m: "1200" for m in range(1, 7)}, staff.g1_handler)
    review = sr.review_file(file, situation="收入好转", decision="exit", reason="income", by=staff.g1_handler)
    file.refresh_from_db()
    assert review.outcome == Review.Outcome.EXIT and file.status == S.EXITED


def test_review_with_close(file, staff):
    review = sr.review_file(file, situation="户主已退休，领取养老金", decision="close", reason="retired",
                            by=staff.g1_handler)
    file.refresh_from_db()
    assert review.outcome == Review.Outcome.CLOSE and file.status == S.CLOSED and file.closed_reason == "退休"


def test_review_bad_input(file, staff, tree):
    with pytest.raises(ValidationError) as e:
        sr.review_file(file, situation=" ", by=staff.g1_handler)
    assert e.value.message_dict["situation"] == ["请填写家庭现状。"]
    with pytest.raises(ValidationError) as e:
        sr.review_file(file, situation="x", decision="maybe", by=staff.g1_handler)
    assert e.value.message_dict["decision"] == ["请选择复核结论：保持在档、解困脱困或注销档案。"]
    with pytest.raises(PermissionDenied):
        sr.review_file(file, situation="x", by=staff.d2_admin)
    exited = HardshipFileFactory(union=tree.g1, status=S.EXITED)
    with pytest.raises(ValidationError) as e:
        sr.review_file(exited, situation="x", by=staff.g1_handler)
    assert e.value.messages == ["只有在档的档案才需要年度复核（当前状态：已脱困）。"]


# ----- reopening (防返困) -----

def test_reopen_after_a_relapse_keeps_the_history(file, staff):
    registered_first = file.registered_on
    exit_day = sr.today() - datetime.timedelta(days=120)
    exit_row = _exited(file, staff, on=exit_day)
    first = FollowUp.objects.unscoped().get(exit=exit_row, months=3)
    sr.record_followup(first, finding="returned", notes="户主再次失业，妻子住院", by=staff.g1_handler)
    sr.reopen_file(file, situation="户主失业，妻子患病住院", by=staff.g1_handler)
    file.refresh_from_db()
    exit_row.refresh_from_db()
    assert file.status == S.REGISTERED and file.registered_on == sr.today() and file.exited_on is None
    assert file.category == "deep" and file.assessment.assessed_on == sr.today()
    assert file.next_review_due == sr.add_months(sr.today(), 12)
    # History: the exit stays, marked reopened, with the period it ended.
    assert exit_row.reopened_on == sr.today() and exit_row.registered_on == registered_first
    assert exit_row.ended_on == exit_day and exit_row.reopened_by == staff.g1_handler
    # The follow-ups not made are cancelled; the one made stays.
    rows = {f.months: f for f in FollowUp.objects.unscoped().filter(exit=exit_row)}
    assert not rows[3].cancelled and rows[6].cancelled and rows[12].cancelled
    assert AuditEntry.objects.unscoped().filter(event="hardship.reopened", object_id=str(file.pk)).exists()


def test_reopen_is_refused_when_the_household_is_not_in_hardship(file, staff):
    _exited(file, staff)
    _high_income(file)
    with pytest.raises(ValidationError) as e:
        sr.reopen_file(file, situation="自称返困", by=staff.g1_handler)
    assert "不符合困难职工家庭条件" in e.value.messages[0]
    file.refresh_from_db()
    assert file.status == S.EXITED and file.assessment.category == "deep"  # the new assessment rolled back
    assert Exit.objects.unscoped().get(file=file).reopened_on is None


def test_reopen_only_an_exited_file(file, staff):
    with pytest.raises(ValidationError) as e:
        sr.reopen_file(file, situation="x", by=staff.g1_handler)
    assert e.value.messages == ["只有已脱困的档案才能因返困恢复在档（当前状态：在档）。"]
    with pytest.raises(ValidationError) as e:
        _exited(file, staff)
        sr.reopen_file(file, situation=" ", by=staff.g1_handler)
    assert e.value.message_dict["situation"] == ["请填写返困情况。"]
