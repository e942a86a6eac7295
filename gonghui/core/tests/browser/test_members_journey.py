"""Joining on the phone to the e-card checked by staff, and a roster import with bad rows (会员)."""

import pytest
from playwright.sync_api import expect

from gonghui.accounts.tests.factories import WorkerUserFactory
from gonghui.demo.idnumbers import fake_id_number
from gonghui.members.models import JoinApplication, Membership

pytestmark = pytest.mark.django_db(transaction=True)


def assert_fits_phone(page):
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 375, f"{page.url} scrolls sideways at 375px (scrollWidth={width})"


def test_a_worker_joins_by_pinyin_initials_and_staff_scan_the_e_card(tree, staff, phone_page, desktop_page,
                                                                      sign_in_as, shot):
    import random

    worker = WorkerUserFactory(phone="13812345678")
    id_number = fake_id_number(random.Random(7))
    phone, desk = phone_page, desktop_page
    sign_in_as(phone, worker)
    sign_in_as(desk, staff.g1_handler)

    # The worker finds the enterprise's union (东城机械厂工会) by its pinyin initials.
    phone.goto("/services/")
    phone.get_by_role("link", name="我要入会").first.click()
    phone.wait_for_load_state("load")  # HTMX wired up, so the search box answers as one types
    phone.locator("#join-q").fill("dcjx")
    phone.locator("#join-q").press("Enter")  # the search button's way, should typing be slower than the page
    result = phone.locator(".join-result", has_text=tree.g1.name)
    expect(result).to_be_visible(timeout=10_000)
    assert_fits_phone(phone)
    shot(phone, "1-search")
    result.click()

    phone.get_by_label("姓名").fill("王秀英")
    phone.get_by_label("身份证号").fill(id_number)
    expect(phone.locator("#id-hint")).to_contain_text("出生")
    phone.get_by_label("学历").select_option(label="高中/中专/技校")
    phone.get_by_label("户籍类型").select_option(label="农村")
    phone.get_by_label("我是农民工").check()
    phone.get_by_label("工作单位").fill("东城机械厂")
    assert_fits_phone(phone)
    shot(phone, "2-form")
    phone.get_by_role("button", name="提交申请").click()
    application = JoinApplication.objects.unscoped().select_related("case").get(worker__name="王秀英")
    expect(phone.locator("body")).to_contain_text(application.case.number)
    shot(phone, "3-submitted")

    # The grassroots union's handler approves it on the desktop.
    desk.goto("/console/members/join-applications/")
    desk.get_by_role("link", name=application.case.number).click()
    expect(desk.locator("body")).to_contain_text("王秀英")
    assert id_number not in desk.content()  # masked on the case page
    desk.locator("summary", has_text="批准入会").first.click()
    desk.get_by_role("button", name="确认批准入会").click()
    expect(desk.locator("[data-state]").first).to_have_text("已入会")
    shot(desk, "4-approved")
    membership = Membership.objects.unscoped().get(worker__name="王秀英", status="active")
    assert membership.union == tree.g1

    # The worker opens the e-card; staff scan it (a hand-held scanner types the QR's link).
    phone.goto("/me/card/")
    expect(phone.locator(".ecard-name")).to_contain_text("王秀英")
    expect(phone.locator(".ecard-number")).to_contain_text(membership.member_number)
    expect(phone.locator(".qr-box svg")).to_be_visible()
    assert_fits_phone(phone)
    shot(phone, "5-card")
    verify_url = phone.request.get("/api/v1/members/me/card").json()["verify_url"]

    desk.goto("/console/members/card/verify/")
    desk.locator("#f-code").fill(verify_url)
    desk.get_by_role("button", name="核验").click()
    expect(desk.locator("[data-outcome]")).to_have_attribute("data-outcome", "valid")
    expect(desk.locator(".verify-name")).to_have_text("王秀英")
    expect(desk.locator(".verify-result")).to_contain_text(id_number[:3] + "*")
    assert id_number not in desk.content()
    shot(desk, "6-verified")


def test_staff_import_a_roster_with_bad_rows_read_the_report_download_the_rejects_and_commit(
        tree, staff, desktop_page, sign_in_as, shot, tmp_path):
    import io
    import random

    from python_calamine import CalamineWorkbook

    rng = random.Random(11)
    good = [fake_id_number(rng) for _ in range(3)]
    bad_checksum = good[0][:17] + ("0" if good[0][17] != "0" else "1")
    roster = tmp_path / "花名册.csv"
    roster.write_text(
        "姓名,性别,身份证号,手机号,民族,学历,户籍,是否农民工,入会时间\n"
        f"张三,,{good[0]},13800000001,汉族,大专,城镇,否,2024-03-01\n"
        f"李四,,{good[1]},13800000002,回族,高中,农村,是,2024-03-02\n"
        f"王五,,{good[2]},13800000003,汉族,本科,城镇,否,2024-03-03\n"
        f"赵六,,{bad_checksum},13800000004,汉族,本科,城镇,否,2024-03-04\n"
        f"钱七,,3.20102E+17,13800000005,汉族,本科,城镇,否,2024-03-05\n"
        f"孙八,,{good[1]},12345,汉族,本科,城镇,否,2024-03-06\n",
        encoding="utf-8-sig")
    desk = desktop_page
    sign_in_as(desk, staff.g1_handler)

    desk.goto("/console/members/")
    desk.get_by_role("link", name="批量导入").first.click()
    desk.get_by_label("导入到").select_option(str(tree.g1.pk))
    desk.locator("input[type=file][name=file]").set_input_files(str(roster))
    desk.get_by_role("button", name="上传并校验").click()
    expect(desk.locator("[data-count=valid]")).to_have_text("3")
    expect(desk.locator("[data-count=rejected]")).to_have_text("3")
    report = desk.locator("[data-row]")
    expect(desk.locator("[data-row='5']")).to_contain_text("校验码")
    expect(desk.locator("[data-row='6']")).to_contain_text("Excel")
    expect(desk.locator("[data-row='7']")).to_contain_text("第3行")
    assert report.count() == 3
    assert not Membership.objects.unscoped().filter(union=tree.g1, worker__name="张三").exists()  # a dry run
    shot(desk, "1-report")

    # The rejected rows come back as a spreadsheet with the reason beside each.
    with desk.expect_download() as download:
        desk.get_by_role("link", name="下载 3 行错误数据（.xlsx）").click()
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(open(download.value.path(), "rb").read())).get_sheet_by_index(0)
    rows = sheet.to_python()
    assert rows[0][-1] == "错误原因" and [r[0] for r in rows[1:]] == ["赵六", "钱七", "孙八"]

    desk.once("dialog", lambda dialog: dialog.accept())
    desk.get_by_role("button", name="确认导入 3 名会员").click()
    expect(desk.locator("[data-status]").first).to_have_attribute("data-status", "committed")
    shot(desk, "2-committed")
    assert set(Membership.objects.unscoped().filter(union=tree.g1, status="active")
               .values_list("worker__name", flat=True)) >= {"张三", "李四", "王五"}
    assert not Membership.objects.unscoped().filter(worker__name__in=["赵六", "钱七", "孙八"]).exists()
