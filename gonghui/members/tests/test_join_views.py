"""Joining online's pages: the worker's three screens and list, the console's list, QR code and case page."""

import pytest
from django.urls import reverse

from gonghui.audit.models import AuditEntry
from gonghui.members.models import JoinApplication
from gonghui.members.tests.factories import MembershipFactory, WorkerFactory
from gonghui.members.tests.join_helpers import applicant, apply, area, form_data, new_id
from gonghui.orgs.models import UnionNode
from gonghui.orgs.tests.factories import UnionNodeFactory
from gonghui.workflow import services as workflow

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _worker_client(client, user=None):
    user = user or applicant()
    client.force_login(user)
    return client, user


# ----- the portal -----

def test_search_as_one_types_returns_the_results_fragment(client, tree):
    jhjx = UnionNodeFactory(name="江海机械制造有限公司工会委员会", parent=tree.d1)
    url = reverse("my_union:join_start")
    response = client.get(url, {"q": "jhjx"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html  # the fragment only
    assert reverse("my_union:join_apply", args=[jhjx.pk]) in html and "东城区总工会" in html
    page = client.get(url, {"q": "东城"}).content.decode()  # the full page works without HTMX
    assert "东城机械厂工会" in page and "单位还没有建工会" in page
    assert "没有找到" in client.get(url, {"q": "zzzz"}, **HTMX).content.decode()


def test_unions_of_the_area_are_a_separate_choice(client, tree):
    town, joint, _tj, _j2 = area(tree)
    html = client.get(reverse("my_union:join_start"), {"area": "1"}).content.decode()
    assert town.name in html and tree.d1.name in html and tree.g1.name not in html
    html = client.get(reverse("my_union:join_start"), {"q": "东城"}, **HTMX).content.decode()
    assert town.name not in html and joint.name in html


def test_the_apply_page_asks_a_worker_to_sign_in_and_comes_back(client, tree):
    url = reverse("my_union:join_apply", args=[tree.g1.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:worker_login')}?next={url}"


def test_only_unions_that_take_applications_have_an_apply_page(client, tree):
    client, _ = _worker_client(client)
    centre = UnionNodeFactory(name="服务中心", kind=UnionNode.Kind.SERVICE_CENTRE, parent=tree.d1)
    for node in (tree.city, centre):
        assert client.get(reverse("my_union:join_apply", args=[node.pk])).status_code == 404


def test_apply_fill_and_done(client, tree):
    client, user = _worker_client(client)
    url = reverse("my_union:join_apply", args=[tree.g1.pk])
    page = client.get(url).content.decode()
    assert user.phone in page  # the mobile is prefilled from the account
    assert reverse("my_union:join_id_check") in page  # the ID hint as one types
    response = client.post(url, form_data(mobile=user.phone))
    application = JoinApplication.objects.unscoped().get()
    assert response.status_code == 302 and response["Location"] == reverse("my_union:join_done", args=[application.pk])
    done = client.get(response["Location"]).content.decode()
    assert "入会申请已提交" in done and "东城机械厂工会将在15个工作日内审核" in done and application.case.number in done


def test_bad_input_is_shown_next_to_the_field_and_nothing_is_stored(client, tree):
    client, _ = _worker_client(client)
    good = new_id(female=True)
    response = client.post(reverse("my_union:join_apply", args=[tree.g1.pk]),
                           form_data(id_number=good[:17] + ("1" if good[17] == "0" else "0"), mobile="+85291234567",
                                     gender="M"))
    html = response.content.decode()
    assert response.status_code == 422
    assert "身份证号第18位校验码不正确，请核对。" in html
    assert "手机号码不正确，请输入中国大陆11位手机号码。" in html
    assert JoinApplication.objects.unscoped().count() == 0
    response = client.post(reverse("my_union:join_apply", args=[tree.g1.pk]), form_data(id_number=good, gender="M"))
    assert "性别与身份证号不符" in response.content.decode() and response.status_code == 422


def test_an_active_member_elsewhere_is_told_on_the_form(client, tree):
    client, _ = _worker_client(client)
    id_number = new_id()
    MembershipFactory(worker=WorkerFactory(id_number=id_number, name="张三"), union=tree.g2)
    response = client.post(reverse("my_union:join_apply", args=[tree.g1.pk]), form_data(id_number=id_number,
                                                                                           name="张三"))
    assert response.status_code == 422
    assert "该身份证号已是在册会员，如需更换工会请申请转会。" in response.content.decode()


def test_the_form_posted_twice_makes_one_application(client, tree):
    client, _ = _worker_client(client)
    url = reverse("my_union:join_apply", args=[tree.g1.pk])
    data = form_data()
    first = client.post(url, data)
    second = client.post(url, data)
    assert JoinApplication.objects.unscoped().count() == 1
    assert first["Location"] == second["Location"]
    page = client.get(second["Location"]).content.decode()
    assert "您的入会申请已经提交，无需重复提交。" in page


def test_a_member_or_a_worker_with_an_open_application_sees_no_form(client, tree):
    client, user = _worker_client(client)
    application, _ = apply(user, tree.g1)
    html = client.get(reverse("my_union:join_apply", args=[tree.g2.pk])).content.decode()
    assert "您有一份入会申请正在审核" in html and application.case.number in html and 'name="id_number"' not in html
    member = applicant()
    MembershipFactory(worker=WorkerFactory(user=member), union=tree.g1)
    client.force_login(member)
    html = client.get(reverse("my_union:join_apply", args=[tree.g2.pk])).content.decode()
    assert "您已经是工会会员" in html and 'name="id_number"' not in html


def test_staff_get_a_notice_instead_of_the_form(client, tree, staff):
    client.force_login(staff.g1_handler)
    html = client.get(reverse("my_union:join_apply", args=[tree.g1.pk])).content.decode()
    assert "请用职工账号申请" in html and 'name="id_number"' not in html


def test_the_id_hint_says_what_the_number_states(client, tree):
    id_number = new_id(female=True)
    html = client.get(reverse("my_union:join_id_check"), {"id_number": id_number}).content.decode()
    assert f"女，{int(id_number[6:10])}年{int(id_number[10:12])}月{int(id_number[12:14])}日出生" in html
    bad = id_number[:17] + ("1" if id_number[17] == "0" else "0")
    assert "校验码不正确" in client.get(reverse("my_union:join_id_check"), {"id_number": bad}).content.decode()
    assert client.get(reverse("my_union:join_id_check"), {"id_number": "3206"}).content.decode().strip() == ""


def test_my_applications_in_plain_words(client, tree, staff):
    client, user = _worker_client(client)
    assert "您还没有提交过入会申请" in client.get(reverse("my_union:join_mine")).content.decode()
    application, _ = apply(user, tree.g1)
    workflow.perform_transition(application.case, "reject", by=staff.g1_handler, version=1,
                                data={"note": "请先与单位确认劳动关系后再申请。"})
    html = client.get(reverse("my_union:join_mine")).content.decode()
    assert "未通过" in html and "请先与单位确认劳动关系后再申请。" in html
    assert reverse("workflow:portal_case", args=[application.pk]) in html
    case_page = client.get(reverse("workflow:portal_case", args=[application.pk])).content.decode()
    assert "未通过的原因" in case_page and application.worker.id_number_masked in case_page
    other = applicant()
    client.force_login(other)
    assert application.case.number not in client.get(reverse("my_union:join_mine")).content.decode()
    assert client.get(reverse("my_union:join_done", args=[application.pk])).status_code == 404


def test_approved_shows_the_member_number_to_the_worker(client, tree, staff):
    client, user = _worker_client(client)
    application, _ = apply(user, tree.g1)
    workflow.perform_transition(application.case, "approve", by=staff.g1_handler, version=1)
    application.refresh_from_db()
    html = client.get(reverse("my_union:join_mine")).content.decode()
    assert application.membership.member_number in html and "已入会" in html
    assert "您已加入东城机械厂工会" in client.get(reverse("workflow:portal_case", args=[application.pk])).content.decode()


def test_the_worker_withdraws_on_the_case_page(client, tree):
    client, user = _worker_client(client)
    application, _ = apply(user, tree.g1)
    response = client.post(reverse("workflow:transition", args=[application.pk, "withdraw"]),
                           {"withdraw-version": 1})
    assert response.status_code == 302
    application.case.refresh_from_db()
    assert application.case.state == "withdrawn"


# ----- the console -----

def test_the_console_list_is_scoped_and_filters(client, tree, staff):
    mine, _ = apply(applicant(), tree.g1, name="东城申请人")
    theirs, _ = apply(applicant(), tree.g2, name="西城申请人")
    client.force_login(staff.d1_manager)
    url = reverse("members:join_list")
    html = client.get(url).content.decode()
    assert mine.case.number in html and theirs.case.number not in html
    assert mine.worker.id_number_masked in html
    assert 'data-state-tab="submitted"' in html and "待审核 <span class=\"n\">1</span>" in html
    partial = client.get(url, {"q": "东城申请人"}, **HTMX).content.decode()
    assert "<html" not in partial and mine.case.number in partial
    assert mine.case.number not in client.get(url, {"state": "approved"}).content.decode()
    assert mine.case.number not in client.get(url, {"no_union": "1"}).content.decode()
    client.force_login(staff.g1_viewer)
    assert client.get(url).status_code == 403  # a viewer does not decide on joining
    client.force_login(applicant())
    assert client.get(url).status_code == 404  # the console is not the workers'


def test_the_list_counts_and_pages_without_n_plus_one(client, tree, staff, django_assert_max_num_queries):
    for _n in range(25):
        apply(applicant(), tree.g1)
    client.force_login(staff.d1_manager)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("members:join_list"))
    html = response.content.decode()
    assert "共 25 条" in html and "第 1 / 2 页" in html


def test_the_case_page_shows_the_applicant_with_a_masked_id(client, tree, staff):
    application, _ = apply(applicant(), tree.g1)
    full = application.worker.full_id_number()
    client.force_login(staff.g1_handler)
    html = client.get(reverse("workflow:case", args=[application.pk])).content.decode()
    assert application.worker.id_number_masked in html and full not in html
    assert "批准入会" in html and "不予通过" in html
    assert "查看完整号码" not in html  # a handler may not see full numbers
    response = client.post(reverse("members:join_reveal_id", args=[application.pk]))
    assert response.status_code == 403
    client.force_login(staff.d1_admin)
    assert "查看完整号码" in client.get(reverse("workflow:case", args=[application.pk])).content.decode()
    response = client.post(reverse("members:join_reveal_id", args=[application.pk]))
    assert response.status_code == 200 and full in response.content.decode()
    assert AuditEntry.objects.unscoped().filter(event="worker.id_number_viewed", actor=staff.d1_admin).count() == 1


def test_staff_approve_on_the_case_page(client, tree, staff):
    application, _ = apply(applicant(), tree.g1)
    client.force_login(staff.g1_handler)
    response = client.post(reverse("workflow:transition", args=[application.pk, "approve"]),
                           {"approve-version": 1, "approve-note": ""})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.membership is not None and application.membership.union == tree.g1


def test_a_town_application_asks_for_the_joint_union_on_the_case_page(client, tree, staff):
    town, _joint, town_joint, _joint2 = area(tree)
    application, _ = apply(applicant(), town)
    client.force_login(staff.d1_manager)
    html = client.get(reverse("workflow:case", args=[application.pk])).content.decode()
    assert "批准并安排到联合工会" in html and town_joint.name in html and "（单位未建工会）" in html
    response = client.post(reverse("workflow:transition", args=[application.pk, "place"]),
                           {"place-version": 1, "place-union": ""})
    assert response.status_code == 422 and "请填写加入的联合基层工会。" in response.content.decode()


def test_the_join_qr_code_on_the_union_page_and_printable(client, tree, staff):
    client.force_login(staff.d1_admin)
    detail = client.get(reverse("orgs:detail", args=[tree.g1.pk])).content.decode()
    assert "扫码入会" in detail and "<svg" in detail
    assert f"http://testserver{reverse('my_union:join_apply', args=[tree.g1.pk])}" in detail
    poster = client.get(reverse("members:join_qr", args=[tree.g1.pk]))
    assert poster.status_code == 200 and "<svg" in poster.content.decode() and "cdn" not in poster.content.decode()
    assert client.get(reverse("members:join_qr", args=[tree.d1.pk])).status_code == 200  # a district places
    assert client.get(reverse("members:join_qr", args=[tree.city.pk])).status_code == 404
    assert client.get(reverse("members:join_qr", args=[tree.g2.pk])).status_code == 404  # another district
    assert "扫码入会" not in client.get(reverse("orgs:detail", args=[tree.city.pk])).content.decode()
