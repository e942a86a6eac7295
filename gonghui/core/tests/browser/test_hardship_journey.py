"""The hardship journey (困难帮扶): a worker checks and applies at night on the phone, the grassroots
union visits and reviews, the notice runs, the district approves; then a Golden Autumn grant
(金秋助学) is applied for, verified, noticed, approved in a batch and paid, and the worker sees it
under "我的服务"."""

import datetime
from unittest import mock

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from gonghui.hardship.models import GoldenAutumnApplication, HardshipApplication, HardshipFile
from gonghui.hardship.tests.campaigns_helpers import PNG, child_id, make_round
from gonghui.ledger.models import ServiceRecord
from gonghui.requests.tests.factories import member_user

pytestmark = pytest.mark.django_db(transaction=True)


def assert_fits_phone(page):
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 375, f"{page.url} scrolls sideways at 375px (scrollWidth={width})"


def take(desk, label):
    """A step on the engine's case page: open the step's form, confirm."""
    desk.locator("summary", has_text=label).first.click()
    desk.get_by_role("button", name=f"确认{label}").click()


def last_night():
    """23:40 yesterday, Beijing time: when the worker finds time to apply."""
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(yesterday, datetime.time(23, 40)))


def test_a_household_is_registered_and_receives_a_golden_autumn_grant(tree, staff, phone_page, desktop_page,
                                                                      sign_in_as, shot, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    worker_user = member_user(tree.g1, name="刘桂芳")
    make_round(tree.d1, title="东城区金秋助学")
    phone, desk = phone_page, desktop_page
    sign_in_as(phone, worker_user)
    sign_in_as(desk, staff.g1_handler)

    # ----- the self-check: nothing is stored -----
    phone.goto("/hardship/self-check/")
    phone.get_by_label("家庭人口（共同生活的人数）").fill("3")
    phone.get_by_label("全家每月收入合计（元）").fill("2400")
    phone.get_by_label("近一年自付医疗费（元）").fill("18000")
    assert_fits_phone(phone)
    phone.get_by_role("button", name="看看结果").click()
    expect(phone.locator("#result")).to_contain_text("可能符合")
    expect(phone.locator("#result")).to_contain_text("病历")
    assert_fits_phone(phone)
    shot(phone, "1-self-check")
    assert not HardshipFile.objects.unscoped().exists()

    # ----- applying at night: the server's clock says 23:40; intake never closes -----
    phone.get_by_role("link", name="去申请").click()
    phone.get_by_label("主要困难原因").select_option(label="本人或家人患大病")
    phone.get_by_label("家庭困难情况").fill("丈夫去年确诊尿毒症，每周透析三次，家里靠我一人的工资生活，女儿今年考上大学。")
    phone.get_by_label("家庭住址").fill("东城区新华路12号3单元201室")
    phone.get_by_label("我同意工会入户调查", exact=False).check()
    assert_fits_phone(phone)
    shot(phone, "2-apply")
    night = last_night()
    with mock.patch("django.utils.timezone.now", return_value=night):
        phone.get_by_role("button", name="提交申请").click()
        expect(phone.locator(".receipt")).to_contain_text("建档申请已提交")
    application = HardshipApplication.objects.unscoped().select_related("case", "file").get()
    case, file = application.case, application.file
    assert timezone.localtime(case.created_at).hour == 23
    # The 15 working days run from the next working day: the limit ends at the end of a day.
    assert timezone.localtime(case.due_at).time() == datetime.time(23, 59, 59)
    shot(phone, "3-applied")

    # ----- the grassroots union: income, home visit, assessment, review -----
    desk.goto(f"/console/hardship/files/{file.pk}/")
    expect(desk.locator("h1")).to_contain_text("刘桂芳")
    desk.goto(f"/console/hardship/files/{file.pk}/add/income/")
    desk.get_by_label("收入来源").select_option(label="工资性收入")
    desk.get_by_label("近12个月金额（元）").fill("9000")
    desk.get_by_role("button", name="保存").click()
    desk.goto(f"/console/hardship/files/{file.pk}/add/visit/")
    desk.get_by_label("调查日期").fill(timezone.localdate().isoformat())
    desk.get_by_label("调查人员").fill("王主席、李干事")
    desk.get_by_label("调查情况").fill("入户核实：丈夫透析，医疗自付部分较多；住房为单位旧公房，无车辆。")
    desk.get_by_role("button", name="保存").click()
    expect(desk.locator("body")).to_contain_text("已记录入户调查")
    desk.get_by_role("button", name="按政策参数认定").click()
    expect(desk.locator("body")).to_contain_text("认定结果")
    desk.goto(f"/console/cases/{case.pk}/")
    take(desk, "审核通过，开始公示")
    expect(desk.locator("[data-state]").first).to_have_text("公示中")
    shot(desk, "4-notice")

    # ----- the notice period runs: its 5 working days are declared over (moved into the past) -----
    HardshipApplication.objects.unscoped().filter(pk=application.pk).update(
        notice_ends=timezone.localdate() - datetime.timedelta(days=1))
    desk.reload()
    take(desk, "公示期满，报区总工会审批")
    expect(desk.locator("[data-state]").first).to_have_text("待区总工会审批")

    # ----- the district approves -----
    sign_in_as(desk, staff.d1_manager)
    desk.goto(f"/console/cases/{case.pk}/")
    take(desk, "批准建档")
    expect(desk.locator("[data-state]").first).to_have_text("已建档")
    file.refresh_from_db()
    assert file.status == HardshipFile.Status.REGISTERED
    phone.goto(f"/my/cases/{case.pk}/")
    expect(phone.locator(".case-status")).to_contain_text("已建档")

    # ----- Golden Autumn: the daughter got into college -----
    phone.goto("/hardship/golden-autumn/")
    expect(phone.locator("#round-h")).to_contain_text("东城区金秋助学")
    assert_fits_phone(phone)
    shot(phone, "5-golden-autumn")
    phone.get_by_role("link", name="为子女申请").click()
    phone.get_by_label("子女姓名").fill("刘小雨")
    phone.get_by_label("子女身份证号").fill(child_id())
    phone.locator("label.choice", has_text="大学").click()
    phone.get_by_label("录取学校").fill("江海大学")
    letter = tmp_path / "录取通知书.png"
    letter.write_bytes(PNG)
    phone.locator("input[name=letter]").set_input_files(str(letter))
    phone.get_by_label("开户银行").fill("工商银行江海分行")
    phone.get_by_label("银行卡号").fill("6222020200001234567")
    assert_fits_phone(phone)
    shot(phone, "6-golden-apply")
    phone.get_by_role("button", name="提交申请").click()
    expect(phone.locator(".case-status")).to_contain_text("已提交，等待工会核实")
    grant = GoldenAutumnApplication.objects.unscoped().select_related("case").get()
    assert grant.group == "registered" and grant.amount == 5000 and grant.file == file

    # The grassroots union verifies in a batch: the notice starts.
    sign_in_as(desk, staff.g1_handler)
    desk.goto(f"/console/hardship/golden-autumn/{grant.round_id}/?state=submitted")
    desk.locator(f"tr[data-application-id='{grant.pk}'] input[name=ids]").check()
    desk.get_by_role("button", name="批量核实通过，进入公示").click()
    expect(desk.locator("body")).to_contain_text("已完成1份申请")
    # The notice period runs (declared over) and the district approves and pays in batches.
    GoldenAutumnApplication.objects.unscoped().filter(pk=grant.pk).update(
        notice_ends_at=timezone.now() - datetime.timedelta(minutes=1))
    sign_in_as(desk, staff.d1_manager)
    desk.goto(f"/console/hardship/golden-autumn/{grant.round_id}/?state=notice")
    desk.locator(f"tr[data-application-id='{grant.pk}'] input[name=ids]").check()
    desk.get_by_role("button", name="批量批准").click()
    expect(desk.locator("body")).to_contain_text("已完成1份申请")
    desk.goto(f"/console/hardship/golden-autumn/{grant.round_id}/?state=approved")
    with desk.expect_download() as download:
        desk.get_by_role("link", name="导出银行发放名单").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    desk.locator(f"tr[data-application-id='{grant.pk}'] input[name=ids]").check()
    desk.get_by_role("button", name="批量确认已发放").click()
    expect(desk.locator("body")).to_contain_text("已完成1份申请")
    shot(desk, "7-paid")

    # ----- the worker sees the grant under "我的服务" -----
    row = ServiceRecord.objects.unscoped().get(kind="hardship.golden_autumn")
    assert row.worker.user == worker_user and row.amount == 5000
    phone.goto("/me/services/")
    expect(phone.locator("body")).to_contain_text("金秋助学金")
    expect(phone.locator("body")).to_contain_text("¥5,000.00")
    expect(phone.locator("body")).to_contain_text("刘小雨")
    assert_fits_phone(phone)
    shot(phone, "8-my-services")
