"""The intake pages: the portal's phone form (documents, eligibility shown, bad input kept), my
applications; the console's list with filters, applying for a worker, consultations, rules, centres."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from gonghui.accounts.tests.factories import StaffFactory, grant
from gonghui.legal.models import Consultation, EligibilityRule, LegalCase, LegalCentre
from gonghui.legal.tests.factories import BAD_USCC, PNG, make_centre, make_legal_case
from gonghui.requests.tests.factories import member_user, submit

pytestmark = pytest.mark.django_db


def png(name="证据.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


@pytest.fixture
def centre(tree):
    return make_centre(tree.city, name="江海市总工会法律援助中心")


@pytest.fixture
def officer(centre):
    user = StaffFactory(username="t_legal_centre")
    grant(user, centre.node, "manager")
    return user


@pytest.fixture
def migrant(tree):
    return member_user(tree.g2, name="李建国", migrant_worker=True)


def login(user):
    client = Client()
    client.force_login(user)
    return client


def form(**overrides):
    values = {"applicant_name": "李建国", "applicant_phone": "13912345678", "matter": "wages",
              "opponent_name": "江海宏达建筑劳务有限公司", "opponent_uscc": "",
              "facts": "在宏达工地干了三个月，工资一直没发。", "amount_claimed": "18000", "workers_involved": "12",
              "is_migrant": "on", "consent": "on", "doc_pay_records": png("工资条.png"), "doc_id_card": png("身份证.png")}
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


# ----- portal -----

def test_portal_apply_on_a_phone(centre, migrant):
    client = login(migrant)
    page = client.get(reverse("legal:apply"))
    body = page.content.decode()
    assert page.status_code == 200 and "申请法律援助" in body and 'name="doc_pay_records"' in body
    assert 'name="district"' not in body  # a member: the union is known
    response = client.post(reverse("legal:apply"), form())
    assert response.status_code == 200, response.content.decode()[:500]
    body = response.content.decode()
    legal_case = LegalCase.objects.unscoped().get()
    assert legal_case.case.number in body and "农民工追讨欠薪" in body
    assert legal_case.workers_involved == 12 and legal_case.documents.unscoped().count() == 2
    home = client.get(reverse("legal:portal_home")).content.decode()
    assert legal_case.case.number in home and "江海宏达建筑劳务有限公司" in home


def test_portal_apply_without_documents_keeps_what_was_typed(centre, migrant):
    client = login(migrant)
    response = client.post(reverse("legal:apply"), form(doc_pay_records=None, doc_id_card=None))
    body = response.content.decode()
    assert response.status_code == 422
    assert "需要上传" in body and "身份证" in body
    assert "江海宏达建筑劳务有限公司" in body and "在宏达工地干了三个月" in body
    assert not LegalCase.objects.unscoped().exists()


def test_portal_apply_bad_uscc_and_negative_amount(centre, migrant):
    client = login(migrant)
    response = client.post(reverse("legal:apply"), form(opponent_uscc=BAD_USCC, amount_claimed="-5"))
    body = response.content.decode()
    assert response.status_code == 422
    assert "统一社会信用代码最后一位校验码不正确" in body and "请求金额不能是负数" in body
    assert not LegalCase.objects.unscoped().exists()


def test_portal_check_says_which_rule_or_why_not(centre, migrant):
    client = login(migrant)
    yes = client.post(reverse("legal:apply_check"), {"matter": "wages", "is_migrant": "on"}).content.decode()
    assert "农民工追讨欠薪" in yes and 'data-rule="migrant_arrears"' in yes and "身份证" in yes
    no = client.post(reverse("legal:apply_check"), {"matter": "dismissal"}).content.decode()
    assert "暂不符合" in no and 'data-rule=""' in no


def test_portal_non_member_chooses_a_district(tree, centre):
    from gonghui.accounts.tests.factories import WorkerUserFactory
    from gonghui.members.tests.factories import WorkerFactory

    user = WorkerUserFactory()
    WorkerFactory(user=user, name="散工老王", mobile=user.phone)
    client = login(user)
    assert 'name="district"' in client.get(reverse("legal:apply")).content.decode()
    response = client.post(reverse("legal:apply"), form())
    assert response.status_code == 422 and "请选择您工作所在的区" in response.content.decode()
    response = client.post(reverse("legal:apply"), form(district=str(tree.d2.pk)))
    assert response.status_code == 200
    legal_case = LegalCase.objects.unscoped().get()
    assert legal_case.district == tree.d2 and not legal_case.is_member


def test_portal_pages_need_a_worker(officer):
    assert login(officer).get(reverse("legal:apply")).status_code == 404
    assert Client().get(reverse("legal:apply")).status_code == 302


# ----- console -----

def test_console_list_filters(tree, centre, officer):
    wages = make_legal_case(tree.g2, centre=centre, opponent_name="甲公司", urgent=True, urgent_arrears=True)
    injury = make_legal_case(tree.g1, centre=centre, opponent_name="乙公司", matter="work_injury",
                             state="approved")
    client = login(officer)
    body = client.get(reverse("legal:cases")).content.decode()
    assert "甲公司" in body and "乙公司" in body
    body = client.get(reverse("legal:cases"), {"matter": "work_injury"}).content.decode()
    assert "乙公司" in body and "甲公司" not in body
    body = client.get(reverse("legal:cases"), {"urgent": "1"}).content.decode()
    assert "甲公司" in body and "乙公司" not in body
    body = client.get(reverse("legal:cases"), {"district": tree.d1.pk}).content.decode()
    assert "乙公司" in body and "甲公司" not in body
    body = client.get(reverse("legal:cases"), {"state": "approved"}).content.decode()
    assert "乙公司" in body and "甲公司" not in body
    body = client.get(reverse("legal:cases"), {"q": wages.case.number}).content.decode()
    assert "甲公司" in body and "乙公司" not in body
    assert injury.pk


def test_console_list_is_for_staff(tree, centre, migrant):
    assert login(migrant).get(reverse("legal:cases")).status_code == 404


def test_officer_applies_for_a_worker_found_by_mobile(tree, centre, officer, migrant, staff):
    # the centre's officer finds a member of any union the centre serves (not only in their own scope)
    admin = officer
    client = login(admin)
    # a district's legal officer without a centre does not find a worker of another district
    assert "没有找到该职工" in login(staff.d1_admin).get(reverse("legal:apply_for"),
                                                  {"query": migrant.worker.mobile}).content.decode()
    page = client.get(reverse("legal:apply_for"), {"query": migrant.worker.mobile}).content.decode()
    assert "已找到：李建国" in page and "农民工追讨欠薪" in page
    response = client.post(reverse("legal:apply_for"), form(query=migrant.worker.mobile))
    assert response.status_code == 302
    legal_case = LegalCase.objects.unscoped().get()
    assert legal_case.worker == migrant.worker and legal_case.created_by == admin
    assert response["Location"] == reverse("legal:case", kwargs={"pk": legal_case.pk})


def test_officer_walk_in_application_bad_input(tree, centre, officer):
    client = login(officer)
    response = client.post(reverse("legal:apply_for"), form(district=str(tree.d2.pk), workers_involved="0",
                                                            doc_id_card=None))
    body = response.content.decode()
    assert response.status_code == 422 and "涉及职工人数至少为1" in body
    assert not LegalCase.objects.unscoped().exists()


def test_consultation_answer_and_convert(tree, centre, officer, migrant):
    req = submit(migrant, code="legal", kind="consultation", description="老板拖欠三个月工资怎么办？", migrant_worker=True)
    client = login(officer)
    listing = client.get(reverse("legal:consultations")).content.decode()
    assert req.case.number in listing and "待解答" in listing
    # converting before answering is refused
    response = client.post(reverse("legal:apply_for") + f"?consultation={req.pk}", form(consultation=req.pk))
    assert response.status_code == 422 and "请先填写该咨询的解答意见" in response.content.decode()
    response = client.post(reverse("legal:consultation", kwargs={"pk": req.pk}), {"answer": "短", "minutes_spent": "x"})
    assert response.status_code == 422 and "至少5个字" in response.content.decode()
    response = client.post(reverse("legal:consultation", kwargs={"pk": req.pk}),
                           {"answer": "可以申请法律援助，由律师代为申请劳动仲裁。", "law_cited": "《劳动合同法》第三十条",
                            "minutes_spent": "20"})
    assert response.status_code == 302
    page = client.get(reverse("legal:consultation", kwargs={"pk": req.pk})).content.decode()
    assert "转为法律援助申请" in page
    prefilled = client.get(reverse("legal:apply_for"), {"consultation": req.pk}).content.decode()
    assert "老板拖欠三个月工资怎么办？" in prefilled and "李建国" in prefilled
    response = client.post(reverse("legal:apply_for"), form(consultation=req.pk))
    assert response.status_code == 302
    legal_case = LegalCase.objects.unscoped().get()
    assert legal_case.consultation.request_id == req.pk and legal_case.worker == migrant.worker


def test_log_walk_in_consultation(centre, officer):
    client = login(officer)
    assert client.get(reverse("legal:consultation_log")).status_code == 200
    response = client.post(reverse("legal:consultation_log"), {"centre": centre.pk, "channel": "visit", "name": "刘大姐",
                                                               "phone": "123", "question": "辞退补偿怎么算？"})
    assert response.status_code == 422 and "11位手机号码" in response.content.decode()
    response = client.post(reverse("legal:consultation_log"), {"centre": centre.pk, "channel": "phone", "name": "刘大姐",
                                                               "phone": "13812345678", "question": "辞退补偿怎么算？"})
    assert response.status_code == 302
    assert Consultation.objects.unscoped().count() == 0  # logged, not yet answered


def test_rules_page_and_editing(tree, staff):
    client = login(staff.d2_manager)
    body = client.get(reverse("legal:rules")).content.decode()
    assert "西城区总工会" in body and "默认条件" in body and "农民工追讨欠薪" in body and "东城区总工会" not in body
    assert client.post(reverse("legal:rules_copy", kwargs={"federation_id": tree.d2.pk})).status_code == 302
    assert EligibilityRule.objects.unscoped().filter(federation=tree.d2).count() == 4
    response = client.post(reverse("legal:rule_add", kwargs={"federation_id": tree.d2.pk}),
                           {"code": "Bad Code", "label": "", "order": "1"})
    body = response.content.decode()
    assert response.status_code == 422 and "代码只能用小写字母" in body and "请至少选择一项条件" in body
    response = client.post(reverse("legal:rule_add", kwargs={"federation_id": tree.d2.pk}),
                           {"code": "women", "label": "女职工维权", "facts": ["is_woman"], "matters": ["dismissal"],
                            "order": "5", "active": "on"})
    assert response.status_code == 302
    rule = EligibilityRule.objects.unscoped().get(code="women")
    assert rule.conditions == {"is_woman": True, "matter": ["dismissal"]}
    body = client.get(reverse("legal:rules")).content.decode()
    assert "女职工维权" in body and "本会自定条件" in body
    # a handler may see but not edit
    handler = StaffFactory(username="t_d2_handler")
    grant(handler, tree.d2, "handler")
    assert login(handler).get(reverse("legal:rule_edit", kwargs={"pk": rule.pk})).status_code == 404


def test_centres_page_and_limits(tree, staff):
    centre = make_centre(tree.d2, name="西城法律援助中心")
    client = login(staff.d2_manager)
    assert "西城法律援助中心" in client.get(reverse("legal:centres")).content.decode()
    url = reverse("legal:centre", kwargs={"pk": centre.pk})
    response = client.post(url, {"decision_days": "3", "urgent_days": "4", "active": "on"})
    assert response.status_code == 422 and "不能长于一般时限" in response.content.decode()
    assert client.post(url, {"decision_days": "7", "urgent_days": "2", "active": "on"}).status_code == 302
    assert LegalCentre.objects.unscoped().get(pk=centre.pk).decision_days == 7


def test_case_page_shows_the_application(tree, centre, officer):
    legal_case = make_legal_case(tree.g2, centre=centre, opponent_name="丙公司")
    response = login(officer).get(reverse("workflow:case", kwargs={"pk": legal_case.pk}))
    assert response.status_code == 200 and "丙公司" in response.content.decode()
