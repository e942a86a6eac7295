"""Intake rules: routing to the centre, eligibility as data, required documents, USCC, amounts,
the time to decide (urgent arrears before Spring Festival), approve/reject/withdraw, consultations."""

import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gonghui.accounts.tests.factories import StaffFactory, grant
from gonghui.legal import eligibility
from gonghui.legal import services_intake as svc
from gonghui.legal.models import Consultation, EligibilityRule, LegalCase, LegalDocument
from gonghui.legal.tests.factories import BAD_USCC, GOOD_USCC, make_centre, make_legal_case, upload
from gonghui.requests.tests.factories import member_user, submit
from gonghui.workflow.calendar import add_working_days
from gonghui.workflow.models import Case, CaseEvent
from gonghui.workflow.services import perform_transition

pytestmark = pytest.mark.django_db


@pytest.fixture
def centre(tree):
    return make_centre(tree.city, name="江海市总工会法律援助中心")


@pytest.fixture
def officer(centre):
    user = StaffFactory(username="t_legal_manager")
    grant(user, centre.node, "manager")
    return user


@pytest.fixture
def handler(centre):
    user = StaffFactory(username="t_legal_handler")
    grant(user, centre.node, "handler")
    return user


@pytest.fixture
def migrant(tree):
    return member_user(tree.g2, name="李建国", migrant_worker=True)


WAGE_DOCS = [("pay_records", upload("工资条.png")), ("id_card", upload("身份证.png"))]


def data(**overrides):
    values = {"opponent_name": "江海宏达建筑劳务有限公司", "opponent_uscc": GOOD_USCC, "matter": "wages",
              "facts": "在宏达工地干了三个月，工资一直没发，老板说年底再说。", "amount_claimed": "18000",
              "workers_involved": "12", "is_migrant": True}
    values.update(overrides)
    return values


def apply(user, uploads=None, **overrides):
    return svc.submit_application(by=user, worker=user.worker, data=data(**overrides),
                                  uploads=WAGE_DOCS if uploads is None else uploads)


# ----- routing -----

def test_application_goes_to_the_nearest_federations_centre(tree, centre, migrant):
    legal_case = apply(migrant)
    assert legal_case.case.node == centre.node and legal_case.node_path == centre.node.path
    assert (legal_case.union, legal_case.district, legal_case.is_member) == (tree.g2, tree.d2, True)
    district_centre = make_centre(tree.d2)
    other = member_user(tree.g2, name="王五")
    assert apply(other).case.node == district_centre.node  # the district's own centre is nearer
    assert apply(member_user(tree.g1)).case.node == centre.node  # d1 has none: the city's


def test_no_centre_anywhere_is_a_clear_error(tree, migrant):
    with pytest.raises(ValidationError) as e:
        apply(migrant)
    assert "尚未设立法律援助中心" in str(e.value.message_dict["district"])
    assert not LegalCase.objects.unscoped().exists() and not Case.objects.unscoped().exists()


def test_inactive_centre_is_skipped(tree, centre, migrant):
    make_centre(tree.d2, active=False)
    assert apply(migrant).case.node == centre.node


# ----- eligibility -----

def test_default_rules_explain_which_rule_applies():
    rule, sentence = eligibility.evaluate({"is_migrant": True, "matter": "wages"})
    assert rule.code == "migrant_arrears" and "农民工追讨欠薪" in sentence
    rule, sentence = eligibility.evaluate({"is_member": True, "in_hardship": True, "matter": "dismissal"})
    assert rule.code == "member_hardship"
    rule, sentence = eligibility.evaluate({"is_migrant": True, "matter": "dismissal"})
    assert rule is None
    assert "暂不符合" in sentence and "争议事项为工资报酬（欠薪）" in sentence and "困难职工" in sentence


def test_federation_rules_replace_the_defaults(tree, centre):
    EligibilityRule.objects.create(federation=tree.city, code="women", label="女职工维权",
                                   conditions={"is_woman": True}, order=1)
    rule, _ = eligibility.evaluate({"is_migrant": True, "matter": "wages"}, tree.d2)
    assert rule is None  # the defaults no longer apply under the city
    rule, sentence = eligibility.evaluate({"is_woman": True, "matter": "other"}, tree.d2)
    assert rule.code == "women" and "女职工维权" in sentence
    # a district's own rules replace the city's for its subtree
    EligibilityRule.objects.create(federation=tree.d2, code="all", label="全部受理",
                                   conditions={"min_workers": 1})
    assert eligibility.evaluate({"matter": "other"}, tree.d2)[0].code == "all"
    assert eligibility.evaluate({"matter": "other"}, tree.d1)[0] is None


def test_application_records_the_rule_and_ineligible_ones_need_a_reason_to_approve(centre, migrant, officer, tree):
    legal_case = apply(migrant)
    assert legal_case.eligibility_rule == "migrant_arrears" and "农民工追讨欠薪" in legal_case.eligibility_note
    other = member_user(tree.g1, name="赵六")
    ineligible = apply(other, matter="dismissal", is_migrant=False,
                       uploads=[("contract", upload()), ("id_card", upload())])
    assert ineligible.eligibility_rule == "" and "暂不符合" in ineligible.eligibility_note
    case = ineligible.case
    with pytest.raises(ValidationError) as e:
        perform_transition(case, "approve", by=officer, version=case.version, data={})
    assert "如仍予援助，请在审查意见中写明理由" in str(e.value.message_dict["note"])
    case.refresh_from_db()
    assert case.state == "submitted"
    perform_transition(case, "approve", by=officer, version=case.version, data={"note": "单位恶意解雇孕期女职工"})
    ineligible.refresh_from_db()
    assert ineligible.decided_on is not None and "特别给予援助" in ineligible.eligibility_note


def test_membership_and_hardship_come_from_the_records(centre, tree):
    from gonghui.hardship.tests.factories import HardshipFileFactory

    user = member_user(tree.g2, name="困难会员")
    HardshipFileFactory(worker=user.worker, union=tree.g2, membership=False)
    legal_case = apply(user, matter="dismissal", is_migrant=False, is_member=False,
                       uploads=[("contract", upload()), ("id_card", upload())])
    assert legal_case.is_member and legal_case.in_hardship and legal_case.eligibility_rule == "member_hardship"


def test_declared_hardship_without_a_file_needs_the_proof(centre, tree):
    user = member_user(tree.g2, name="自称困难")
    with pytest.raises(ValidationError) as e:
        apply(user, matter="dismissal", is_migrant=False, in_hardship=True,
              uploads=[("contract", upload()), ("id_card", upload())])
    assert "困难证明" in str(e.value.message_dict["documents"])
    legal_case = apply(user, matter="dismissal", is_migrant=False, in_hardship=True,
                       uploads=[("contract", upload()), ("id_card", upload()), ("hardship_proof", upload())])
    assert legal_case.in_hardship


# ----- bad input -----

def test_missing_documents_name_what_the_matter_needs(centre, migrant):
    with pytest.raises(ValidationError) as e:
        apply(migrant, uploads=[("chats", upload())])
    message = str(e.value.message_dict["documents"])
    assert "劳动合同、工资条/银行流水、考勤记录（至少一项）" in message and "身份证" in message
    with pytest.raises(ValidationError) as e:
        apply(migrant, uploads=[("pay_records", upload())])
    assert "身份证" in str(e.value.message_dict["documents"])
    assert not LegalCase.objects.unscoped().exists() and not Case.objects.unscoped().exists()


def test_bad_uscc_check_digit(centre, migrant):
    with pytest.raises(ValidationError) as e:
        apply(migrant, opponent_uscc=BAD_USCC)
    assert e.value.message_dict["opponent_uscc"] == ["统一社会信用代码最后一位校验码不正确，请核对。"]
    assert apply(migrant, opponent_uscc="").opponent_uscc == ""


@pytest.mark.parametrize("amount, message", [
    ("-100", "请求金额不能是负数"), ("abc", "请求金额应为数字"), ("1e20", "请求金额过大"), ("NaN", "请求金额应为数字"),
])
def test_bad_amounts(centre, migrant, amount, message):
    with pytest.raises(ValidationError) as e:
        apply(migrant, amount_claimed=amount)
    assert message in str(e.value.message_dict["amount_claimed"])


@pytest.mark.parametrize("workers, message", [("0", "至少为1"), ("x", "应为整数"), ("99999", "人数过多")])
def test_bad_worker_counts(centre, migrant, workers, message):
    with pytest.raises(ValidationError) as e:
        apply(migrant, workers_involved=workers)
    assert message in str(e.value.message_dict["workers_involved"])


def test_several_field_errors_at_once(centre, migrant):
    with pytest.raises(ValidationError) as e:
        apply(migrant, opponent_name="", facts="没发", matter="nope")
    assert set(e.value.message_dict) >= {"opponent_name", "facts", "matter"}


def test_a_fake_file_is_refused(centre, migrant):
    from gonghui.workflow.services import Upload

    with pytest.raises(ValidationError) as e:
        apply(migrant, uploads=[("pay_records", Upload("工资条.png", b"not a picture")), ("id_card", upload())])
    assert "文件内容与扩展名" in str(e.value.message_dict["documents"])


def test_duplicate_open_application_is_refused(centre, migrant):
    first = apply(migrant)
    with pytest.raises(ValidationError) as e:
        apply(migrant)
    assert first.case.number in str(e.value)


def test_a_worker_applies_only_for_themselves(centre, migrant, tree):
    other = member_user(tree.g2)
    with pytest.raises(PermissionDenied):
        svc.submit_application(by=other, worker=migrant.worker, data=data(), uploads=WAGE_DOCS)


def test_staff_apply_only_at_their_centre(tree, centre, officer, staff):
    worker = member_user(tree.g2).worker
    legal_case = svc.submit_application(by=officer, worker=worker, data=data(), uploads=WAGE_DOCS)
    assert legal_case.created_by == officer and legal_case.case.applicant == worker.user
    with pytest.raises(ValidationError) as e:
        svc.submit_application(by=staff.d1_admin, worker=member_user(tree.g2).worker, data=data(), uploads=WAGE_DOCS)
    assert "不在您的管辖范围内" in str(e.value)


def test_walk_in_without_records_needs_a_district(tree, centre, officer):
    with pytest.raises(ValidationError) as e:
        svc.submit_application(by=officer, data=data(applicant_name="陈小工", applicant_phone="13912345678"),
                               uploads=WAGE_DOCS)
    assert "请选择您工作所在的区" in str(e.value.message_dict["district"])
    legal_case = svc.submit_application(by=officer, district=tree.d2,
                                        data=data(applicant_name="陈小工", applicant_phone="13912345678"),
                                        uploads=WAGE_DOCS)
    assert legal_case.worker is None and legal_case.district == tree.d2 and not legal_case.is_member
    with pytest.raises(ValidationError) as e:
        svc.submit_application(by=officer, district=tree.d2, data=data(applicant_name="陈", applicant_phone="12"),
                               uploads=WAGE_DOCS)
    assert "applicant_phone" in e.value.message_dict


# ----- the time to decide -----

def test_spring_festival_from_the_calendar():
    assert svc.spring_festival(2026) == datetime.date(2026, 2, 15)  # the package's holiday schedule
    assert svc.spring_festival(2035) == datetime.date(2035, 2, 7)  # the table: Lunar New Year's eve
    assert svc.in_arrears_window(datetime.date(2026, 2, 14))
    assert svc.in_arrears_window(datetime.date(2025, 11, 15))
    assert not svc.in_arrears_window(datetime.date(2025, 11, 14))
    assert not svc.in_arrears_window(datetime.date(2026, 2, 15))
    assert not svc.in_arrears_window(datetime.date(2026, 6, 1))


def test_holiday_override_names_spring_festival_for_a_new_year():
    from gonghui.workflow.models import HolidayOverride

    with mock.patch("chinese_calendar.get_holiday_detail", side_effect=NotImplementedError):
        assert svc.spring_festival(2030) == datetime.date(2030, 2, 2)
        HolidayOverride.objects.create(day=datetime.date(2030, 2, 1), is_working_day=False, note="春节")
        assert svc.spring_festival(2030) == datetime.date(2030, 2, 1)


def _due(case, days):
    return add_working_days(case.state_entered_at, days)


def test_urgent_arrears_before_spring_festival_get_the_short_limit(centre, migrant, tree):
    with mock.patch("gonghui.legal.services_intake.timezone.localdate", return_value=datetime.date(2026, 1, 20)):
        urgent = apply(migrant)
    assert urgent.urgent_arrears and urgent.case.urgent
    assert urgent.case.due_at == _due(urgent.case, 2)
    with mock.patch("gonghui.legal.services_intake.timezone.localdate", return_value=datetime.date(2026, 6, 1)):
        normal = apply(member_user(tree.g2), opponent_name="另一家公司")
    assert not normal.urgent_arrears and normal.case.due_at == _due(normal.case, 5)
    with mock.patch("gonghui.legal.services_intake.timezone.localdate", return_value=datetime.date(2026, 1, 20)):
        not_migrant = apply(member_user(tree.g1), is_migrant=False, opponent_name="第三家公司")
    assert not not_migrant.urgent_arrears


def test_the_centres_own_limits(tree, migrant):
    make_centre(tree.city, decision_days=8, urgent_days=1)
    with mock.patch("gonghui.legal.services_intake.timezone.localdate", return_value=datetime.date(2026, 6, 1)):
        legal_case = apply(migrant)
    assert legal_case.case.due_at == _due(legal_case.case, 8)
    with mock.patch("gonghui.legal.services_intake.timezone.localdate", return_value=datetime.date(2026, 1, 5)):
        urgent = apply(member_user(tree.g2), opponent_name="另一家公司")
    assert urgent.case.due_at == _due(urgent.case, 1)


# ----- decisions -----

def test_approve_reject_withdraw(centre, migrant, officer, handler, tree):
    legal_case = apply(migrant)
    case = legal_case.case
    with pytest.raises(PermissionDenied):  # a handler may not decide
        perform_transition(case, "approve", by=handler, version=case.version, data={})
    svc.decide(legal_case, "approve", by=officer, version=case.version, note="符合条件，予以受理")
    legal_case.refresh_from_db()
    assert legal_case.case.state == "approved" and legal_case.decided_on and legal_case.decision_note
    assert legal_case.case.due_at == _due(legal_case.case, 3)
    # the applicant withdraws from approved
    svc.decide(legal_case, "withdraw", by=migrant, version=legal_case.case.version)
    assert legal_case.case.state == "withdrawn"

    second = apply(member_user(tree.g2), opponent_name="另一家公司")
    with pytest.raises(ValidationError) as e:
        svc.decide(second, "reject", by=officer, version=second.case.version)
    assert "请填写不予援助的原因" in str(e.value)
    svc.decide(second, "reject", by=officer, version=second.case.version, note="已过仲裁时效，建议向劳动监察投诉")
    assert second.case.state == "rejected" and second.decision_note.startswith("已过仲裁时效")
    event = CaseEvent.objects.unscoped().filter(case=second.case, transition="reject").get()
    assert event.visible_to_applicant and "仲裁时效" in event.text


def test_stranger_cannot_decide(centre, migrant, staff):
    legal_case = apply(migrant)
    with pytest.raises(PermissionDenied):
        svc.decide(legal_case, "approve", by=staff.d1_admin, version=legal_case.case.version)


# ----- documents -----

def test_application_documents_are_case_attachments(centre, migrant):
    legal_case = apply(migrant)
    kinds = sorted(LegalDocument.objects.unscoped().filter(legal_case=legal_case).values_list("kind", flat=True))
    assert kinds == ["id_card", "pay_records"]
    doc = LegalDocument.objects.unscoped().filter(legal_case=legal_case).first()
    assert doc.attachment.case_id == legal_case.pk and doc.attachment.content_type == "image/png"


def test_applicant_adds_a_document_later(centre, migrant, tree):
    legal_case = apply(migrant)
    doc = svc.add_document(legal_case, "chats", upload("微信.png"), by=migrant)
    assert doc.kind == "chats" and doc.uploaded_by == migrant
    with pytest.raises(PermissionDenied):
        svc.add_document(legal_case, "chats", upload(), by=member_user(tree.g2))


# ----- consultations -----

def test_consultation_answered_by_the_centre_and_turned_into_an_application(centre, migrant, officer, staff):
    req = submit(migrant, code="legal", kind="consultation", description="老板拖欠我三个月工资不给，我该怎么办？",
                 migrant_worker=True)
    assert svc.consultations_for(officer).filter(pk=req.pk).exists()  # the centre serves the city
    assert not svc.consultations_for(staff.d1_admin).filter(pk=req.pk).exists()
    assert svc.consultations_for(staff.d2_admin).filter(pk=req.pk).exists()
    with pytest.raises(ValidationError) as e:
        svc.answer_consultation(req, by=officer, answer="好", minutes_spent="-3")
    assert set(e.value.message_dict) == {"answer", "minutes_spent"}
    with pytest.raises(PermissionDenied):
        svc.answer_consultation(req, by=staff.d1_admin, answer="可以申请仲裁。")
    consultation = svc.answer_consultation(req, by=officer, answer="可以申请法律援助，由律师代为申请劳动仲裁。",
                                           law_cited="《劳动合同法》第三十条", minutes_spent=20)
    assert consultation.node_path == req.case.node_path and consultation.answered_by == officer
    assert CaseEvent.objects.unscoped().filter(case=req.case, text__contains="劳动合同法").exists()
    initial = svc.application_initial(req)
    assert initial["matter"] == "wages" and initial["is_migrant"] and "三个月工资" in initial["facts"]
    legal_case = svc.submit_application(by=officer, worker=migrant.worker, consultation=consultation,
                                        data=data(**initial), uploads=WAGE_DOCS)
    assert legal_case.consultation == consultation


def test_walk_in_consultation_at_the_centre(centre, officer, staff):
    req = svc.log_consultation(by=officer, centre=centre, name="刘大姐", phone="13812345678",
                               question="被公司辞退没有补偿，能要多少？", channel="visit")
    assert req.case.node == centre.node and req.channel == "visit" and req.category.code == "legal"
    with pytest.raises(ValidationError) as e:
        svc.log_consultation(by=officer, centre=centre, name="", phone="123", question="问", channel="online")
    assert "channel" in e.value.message_dict
    with pytest.raises(PermissionDenied):
        svc.log_consultation(by=staff.d1_admin, centre=centre, name="x", phone="13812345678", question="问题",
                             channel="phone")
    assert Consultation.objects.unscoped().count() == 0


# ----- centres and rules -----

def test_rules_saved_by_a_federation_decider(tree, staff):
    rule = svc.save_rule(tree.d2, by=staff.d2_manager, code="women", label="女职工",
                         conditions={"is_woman": True, "matter": "dismissal"})
    assert rule.conditions == {"is_woman": True, "matter": ["dismissal"]}
    with pytest.raises(ValidationError) as e:
        svc.save_rule(tree.d2, by=staff.d2_manager, code="women", label="", conditions={"bogus": 1})
    assert set(e.value.message_dict) == {"code", "label", "conditions"}
    with pytest.raises(PermissionDenied):
        svc.save_rule(tree.d2, by=staff.d1_manager, code="x", label="x", conditions={"is_woman": True})
    assert svc.copy_default_rules(tree.d1, by=staff.d1_manager) == 4
    assert eligibility.rules_for(tree.g1)[1] == tree.d1


def test_set_centre(tree, staff):
    centre = make_centre(tree.d2)
    changed = svc.set_centre(centre.node, by=staff.d2_manager, decision_days=7, urgent_days=2)
    assert changed.decision_days == 7
    with pytest.raises(ValidationError) as e:
        svc.set_centre(centre.node, by=staff.d2_manager, decision_days=2, urgent_days=3)
    assert "urgent_days" in e.value.message_dict
    with pytest.raises(ValidationError):
        svc.set_centre(tree.g2, by=staff.d2_manager, decision_days=5, urgent_days=2)


def test_factory_case_in_each_state(tree):
    for state in ("submitted", "approved", "in_progress", "closed", "rejected", "withdrawn"):
        legal_case = make_legal_case(tree.g2, state=state, documents=True)
        assert legal_case.case.state == state and legal_case.node_path.startswith(tree.d2.path)
    assert LegalCase.objects.unscoped().filter(closed_on__isnull=False).count() == 1
    assert Decimal(LegalCase.objects.unscoped().first().amount_claimed) == Decimal("12000.00")


def test_every_path_copy_is_collated_c():
    """0002_collate_c lists every column copying a node path; on PostgreSQL they are COLLATE "C"."""
    import importlib

    from django.apps import apps
    from django.db import connection

    migration = importlib.import_module("gonghui.legal.migrations.0002_collate_c")
    for model in apps.get_app_config("legal").get_models():
        copies = {f.column for f in model._meta.fields if f.column.endswith("_path")}
        assert copies <= set(migration.PATH_COLUMNS.get(model._meta.model_name, ())), model.__name__
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT table_name, column_name, collation_name FROM information_schema.columns "
                           "WHERE table_name LIKE 'legal_%%' AND column_name LIKE '%%_path'")
            rows = cursor.fetchall()
        assert rows and all(collation == "C" for _table, _column, collation in rows), rows
