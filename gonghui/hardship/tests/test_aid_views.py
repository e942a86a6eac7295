"""The aid pages: funds, aid requests and decisions, plans, pairings, and the file page's block."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gonghui.accounts.tests.factories import WorkerUserFactory
from gonghui.hardship.models import AidPayment, Fund, HardshipFile, Pairing, PlanMeasure
from gonghui.hardship.tests.aid_factories import make_file, make_fund, make_pairing, make_payment
from gonghui.hardship.tests.factories import PolicyVersionFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response) -> str:
    return response.content.decode()


# ----- funds -----

def test_the_funds_page_shows_budget_spent_and_remaining_of_the_users_subtree(tree, staff):
    make_fund(tree.d1, budget="100000", spent="25000.50", name="东城区工会经费帮扶资金")
    make_fund(tree.d2, budget="5000", name="西城区帮扶资金")
    page = text(client_for(staff.d1_manager).get(reverse("hardship:funds")))
    assert "东城区工会经费帮扶资金" in page and "西城区帮扶资金" not in page
    assert "¥100,000.00" in page and "¥25,000.50" in page and "¥74,999.50" in page and "25%" in page
    assert "设立资金" in page
    # The city sees both; last year's funds only when asked.
    make_fund(tree.city, budget="1", year=TODAY().year - 1, name="去年的市级资金")
    city = client_for(staff.city_admin)
    page = text(city.get(reverse("hardship:funds")))
    assert "西城区帮扶资金" in page and "去年的市级资金" not in page
    assert "去年的市级资金" in text(city.get(reverse("hardship:funds"), {"year": "all"}))


def test_the_funds_page_needs_the_hardship_permission(tree, staff):
    assert client_for(staff.g1_viewer).get(reverse("hardship:funds")).status_code == 403
    worker = client_for(WorkerUserFactory())
    assert worker.get(reverse("hardship:funds")).status_code == 404


def test_a_manager_sets_up_a_fund_and_a_handler_may_not(tree, staff):
    url = reverse("hardship:fund_create")
    data = {"union": tree.d1.pk, "year": TODAY().year, "source": "donation", "budget": "50,000",
            "name": "慈善总会定向捐赠"}
    response = client_for(staff.d1_manager).post(url, data)
    fund = Fund.objects.unscoped().get(name="慈善总会定向捐赠")
    assert response.status_code == 302 and response["Location"] == reverse("hardship:fund", kwargs={"pk": fund.pk})
    assert fund.budget == Decimal("50000") and fund.union == tree.d1
    again = client_for(staff.d1_manager).post(url, data)
    assert again.status_code == 422 and "资金已经设立" in text(again)
    other = client_for(staff.d1_manager).post(url, {**data, "union": tree.d2.pk})
    assert other.status_code == 422 and "只能选择您有审批权限的工会" in text(other)
    assert client_for(staff.g1_handler).get(url).status_code == 403


def test_a_budget_cut_below_spending_is_refused_on_the_page(tree, staff):
    fund = make_fund(tree.d1, budget="10000", spent="4000")
    url = reverse("hardship:fund_edit", kwargs={"pk": fund.pk})
    response = client_for(staff.d1_manager).post(url, {"budget": "3000"})
    assert response.status_code == 422 and "预算不能少于已支出的4,000.00元" in text(response)
    assert client_for(staff.g1_handler).get(url).status_code == 404  # the d1 fund is outside g1's subtree
    assert client_for(staff.d1_manager).post(url, {"budget": "12000"}).status_code == 302
    assert Fund.objects.unscoped().get(pk=fund.pk).budget == Decimal("12000")


def test_the_fund_page_lists_its_payments_by_kind(tree, staff):
    fund = make_fund(tree.d1, budget="10000")
    from gonghui.hardship import services_aid as aid

    aid.approve_aid(make_payment(union=tree.g1, fund=fund, kind="medical", amount="1200"), by=staff.d1_manager)
    make_payment(union=tree.g1, fund=fund, kind="living", amount="300")
    page = text(client_for(staff.d1_manager).get(reverse("hardship:fund", kwargs={"pk": fund.pk})))
    assert "医疗救助" in page and "¥1,200.00" in page and "¥8,800.00" in page and "¥300.00" in page


# ----- requesting aid -----

def test_a_handler_requests_aid_from_the_file(tree, staff):
    file = make_file(tree.g1)
    fund = make_fund(tree.d1, budget="20000", name="东城区帮扶资金")
    url = reverse("hardship:aid_request", kwargs={"pk": file.pk})
    handler = client_for(staff.g1_handler)
    page = text(handler.get(url))
    assert "东城区帮扶资金" in page and "年度上限" in page and "¥10,000.00" in page
    response = handler.post(url, {"kind": "medical", "amount": "2000", "fund": fund.pk, "reason": "住院自付"})
    payment = AidPayment.objects.unscoped().get()
    assert response.status_code == 302 and response["Location"] == payment.get_absolute_url()
    assert payment.requested_by == staff.g1_handler and payment.status == AidPayment.Status.PENDING


def test_aid_over_the_cap_or_the_budget_is_refused_on_the_page(tree, staff):
    file = make_file(tree.g1, category=HardshipFile.Category.RELATIVE)
    fund = make_fund(tree.d1, budget="1000")
    url = reverse("hardship:aid_request", kwargs={"pk": file.pk})
    handler = client_for(staff.g1_handler)
    response = handler.post(url, {"kind": "living", "amount": "5001", "fund": fund.pk, "reason": "生活困难"})
    assert response.status_code == 422 and "超过年度上限" in text(response) and "上限为5,000.00元" in text(response)
    response = handler.post(url, {"kind": "living", "amount": "1500", "fund": fund.pk, "reason": "生活困难"})
    assert response.status_code == 422 and "资金余额不足" in text(response)
    response = handler.post(url, {"kind": "living", "amount": "-1", "fund": fund.pk, "reason": "生活困难"})
    assert response.status_code == 422 and "救助金额应大于0元" in text(response)
    assert not AidPayment.objects.unscoped().exists()


def test_an_unregistered_file_cannot_receive_aid_on_the_page(tree, staff):
    file = make_file(tree.g1, status=HardshipFile.Status.APPLYING)
    fund = make_fund(tree.d1)
    url = reverse("hardship:aid_request", kwargs={"pk": file.pk})
    handler = client_for(staff.g1_handler)
    assert "只有在档的困难职工家庭才能获得救助" in text(handler.get(url))
    response = handler.post(url, {"kind": "living", "amount": "100", "fund": fund.pk, "reason": "x"})
    assert response.status_code == 422 and "只有在档的困难职工家庭才能获得救助" in text(response)
    assert client_for(staff.g1_viewer).get(url).status_code in (403, 404)


# ----- deciding -----

def test_the_district_approves_on_the_page_and_a_handler_is_refused(tree, staff):
    payment = make_payment(union=tree.g1, fund=make_fund(tree.d1), amount="800")
    detail = reverse("hardship:aid", kwargs={"pk": payment.pk})
    approve = reverse("hardship:aid_approve", kwargs={"pk": payment.pk})
    assert "批准发放" not in text(client_for(staff.g1_handler).get(detail))
    refused = client_for(staff.g1_handler).post(approve)
    assert refused.status_code == 403 and "基层工会可以申请但不能审批" in text(refused)
    manager = client_for(staff.d1_manager)
    assert "批准发放 ¥800.00" in text(manager.get(detail))
    response = manager.post(approve, {"note": "同意"}, follow=True)
    assert "已批准发放¥800.00" in text(response)
    assert AidPayment.objects.unscoped().get(pk=payment.pk).status == AidPayment.Status.PAID
    again = manager.post(approve, follow=True)
    assert "已经批准发放，不能重复审批" in text(again)
    assert Fund.objects.unscoped().get(pk=payment.fund_id).spent == Decimal("800")


def test_large_aid_is_forwarded_by_the_district_and_paid_by_the_city(tree, staff):
    PolicyVersionFactory(node=tree.city, params={"large_aid_threshold": "1000"})
    payment = make_payment(union=tree.g1, fund=make_fund(tree.d1), kind="medical", amount="5000")
    detail = reverse("hardship:aid", kwargs={"pk": payment.pk})
    approve = reverse("hardship:aid_approve", kwargs={"pk": payment.pk})
    district = client_for(staff.d1_manager)
    assert "同意，报市总工会审批" in text(district.get(detail))
    assert "已审核同意，报市总工会审批" in text(district.post(approve, follow=True))
    assert AidPayment.objects.unscoped().get(pk=payment.pk).status == AidPayment.Status.AWAITING_CITY
    refused = client_for(staff.d1_admin).post(approve)
    assert refused.status_code == 403 and "须由市总工会审批" in text(refused)
    city = client_for(staff.city_admin)
    listing = text(city.get(reverse("hardship:aid_list"), {"status": "awaiting_city"}))
    assert payment.file.number in listing and "审批" in listing
    assert city.post(approve).status_code == 302
    assert AidPayment.objects.unscoped().get(pk=payment.pk).status == AidPayment.Status.PAID


def test_rejection_needs_a_reason_on_the_page(tree, staff):
    payment = make_payment(union=tree.g1, fund=make_fund(tree.d1))
    reject = reverse("hardship:aid_reject", kwargs={"pk": payment.pk})
    manager = client_for(staff.d1_manager)
    assert "请填写不予批准的理由" in text(manager.post(reject, {"reason": ""}, follow=True))
    manager.post(reject, {"reason": "已获民政临时救助"})
    payment.refresh_from_db()
    assert payment.status == AidPayment.Status.REJECTED and payment.rejection_reason == "已获民政临时救助"
    assert "已获民政临时救助" in text(client_for(staff.g1_handler).get(reverse("hardship:aid", kwargs={"pk": payment.pk})))


def test_the_aid_list_counts_per_state_and_filters(tree, staff):
    fund = make_fund(tree.d1)
    paid = make_payment(union=tree.g1, fund=fund, kind="education", amount="100")
    from gonghui.hardship import services_aid as aid

    aid.approve_aid(paid, by=staff.d1_manager)
    pending = make_payment(union=tree.g1, fund=fund, kind="living", amount="200")
    manager = client_for(staff.d1_manager)
    page = text(manager.get(reverse("hardship:aid_list")))
    assert paid.file.number in page and pending.file.number in page
    only_pending = text(manager.get(reverse("hardship:aid_list"), {"status": "pending"}))
    assert pending.file.number in only_pending and paid.file.number not in only_pending
    by_kind = text(manager.get(reverse("hardship:aid_list"), {"kind": "education"}))
    assert paid.file.number in by_kind and pending.file.number not in by_kind
    partial = manager.get(reverse("hardship:aid_list"), {"q": pending.file.number}, HTTP_HX_REQUEST="true")
    assert pending.file.number in text(partial) and "<html" not in text(partial)


# ----- plans -----

def test_the_plan_page_adds_and_updates_measures(tree, staff):
    file = make_file(tree.g1)
    url = reverse("hardship:plan", kwargs={"pk": file.pk})
    handler = client_for(staff.g1_handler)
    assert "还没有帮扶措施" in text(handler.get(url))
    bad = handler.post(reverse("hardship:measure_add", kwargs={"pk": file.pk}), {"kind": "job_referral"})
    assert bad.status_code == 422 and "请写明这项措施要达到的具体目标" in text(bad)
    due = (TODAY() + datetime.timedelta(days=20)).isoformat()
    ok = handler.post(reverse("hardship:measure_add", kwargs={"pk": file.pk}),
                      {"kind": "skills_training", "target": "参加育婴师培训并取得证书", "responsible": "刘芳", "due_on": due})
    assert ok.status_code == 302
    measure = PlanMeasure.objects.unscoped().get()
    assert handler.post(url, {"goal": "年内实现稳定就业"}).status_code == 302
    page = text(handler.get(url))
    assert "参加育婴师培训并取得证书" in page and "年内实现稳定就业" in page
    handler.post(reverse("hardship:measure_update", kwargs={"pk": measure.pk}), {"status": "done", "note": "已取证"})
    measure.refresh_from_db()
    assert measure.status == "done" and measure.done_on == TODAY()
    assert client_for(staff.d2_manager).get(url).status_code == 404


# ----- pairing -----

def test_the_pairing_list_flags_households_without_contact(tree, staff):
    fresh = make_pairing(union=tree.g1, helper_name="王劳模", helper_kind="model_worker",
                         started_on=TODAY() - datetime.timedelta(days=5))
    stale = make_pairing(union=tree.g1, helper_name="东城爱心企业", helper_kind="enterprise",
                         started_on=TODAY() - datetime.timedelta(days=120))
    manager = client_for(staff.d1_manager)
    page = text(manager.get(reverse("hardship:pairings")))
    assert "王劳模" in page and "东城爱心企业" in page and "超期未联系 · 120 天" in page
    overdue = text(manager.get(reverse("hardship:pairings"), {"state": "overdue"}))
    assert "东城爱心企业" in overdue and "王劳模" not in overdue
    assert fresh.pk != stale.pk


def test_a_pairing_is_started_contacted_and_ended_on_the_pages(tree, staff):
    file = make_file(tree.g1)
    handler = client_for(staff.g1_handler)
    response = handler.post(reverse("hardship:pairing_create", kwargs={"pk": file.pk}),
                            {"helper_kind": "cadre", "helper_name": "陈主席", "helper_contact": "13800001111",
                             "started_on": TODAY().isoformat()})
    pairing = Pairing.objects.unscoped().get()
    assert response.status_code == 302 and response["Location"] == pairing.get_absolute_url()
    url = reverse("hardship:pairing_contact", kwargs={"pk": pairing.pk})
    bad = handler.post(url, {"contacted_on": (TODAY() + datetime.timedelta(days=2)).isoformat(), "way": "visit",
                             "help_given": "看望"})
    assert bad.status_code == 422 and "联系日期不能晚于今天" in text(bad)
    assert handler.post(url, {"contacted_on": TODAY().isoformat(), "way": "visit", "help_given": "送去米面油",
                              "value": "260"}).status_code == 302
    page = text(handler.get(pairing.get_absolute_url()))
    assert "送去米面油" in page and "¥260.00" in page
    end = handler.post(reverse("hardship:pairing_end", kwargs={"pk": pairing.pk}),
                       {"ended_on": TODAY().isoformat(), "end_reason": "该户已脱困"})
    assert end.status_code == 302 and Pairing.objects.unscoped().get().ended_on == TODAY()


# ----- the block on the file page -----

def test_the_file_page_shows_the_aid_block(tree, staff):
    file = make_file(tree.g1)
    from gonghui.hardship import services_aid as aid

    payment = make_payment(file, fund=make_fund(tree.d1), kind="medical", amount="1500")
    aid.approve_aid(payment, by=staff.d1_manager)
    aid.add_measure(file, kind="job_referral", target="推荐社区保洁岗位", responsible="周", by=None)
    make_pairing(file, helper_name="赵劳模", started_on=TODAY() - datetime.timedelta(days=100))
    response = client_for(staff.g1_handler).get(reverse("hardship:file_detail", kwargs={"pk": file.pk}))
    page = text(response)
    assert response.status_code == 200
    assert "救助与帮扶" in page and "申请救助" in page and "¥1,500.00" in page and "已批准发放" in page
    assert "推荐社区保洁岗位" in page and "赵劳模" in page and "超期未联系" in page
