"""A worker's request from the phone to the rating, and an overdue one escalated (职工诉求)."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from gonghui.requests.categories import ensure_seeded
from gonghui.requests.tests.factories import member_user, submit
from gonghui.workflow import services as workflow
from gonghui.workflow.models import Case
from gonghui.workflow.tests.test_attachments import PNG

pytestmark = pytest.mark.django_db(transaction=True)


def assert_fits_phone(page):
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 375, f"{page.url} scrolls sideways at 375px (scrollWidth={width})"


def test_wage_arrears_from_the_phone_to_the_rating(tree, staff, phone_page, desktop_page, sign_in_as, shot,
                                                   tmp_path):
    ensure_seeded()  # the categories (an earlier transactional test may have flushed them)
    worker = member_user(tree.g1, name="刘建国")
    phone, desk = phone_page, desktop_page
    sign_in_as(phone, worker)
    sign_in_as(desk, staff.g1_handler)

    # 23:00 or noon makes no difference: intake is 24/7 and nothing checks the hour.
    phone.goto("/services/")
    phone.get_by_role("link", name="提出诉求").click()
    phone.locator("label.choice", has_text="工资与欠薪").click()
    phone.locator("label.choice", has_text="求助").click()
    assert_fits_phone(phone)
    shot(phone, "1-choose")
    phone.get_by_role("button", name="下一步").click()
    phone.get_by_label("请说说您遇到的问题").fill("工地包工头拖欠我们三个月工资，共两万四千元。")
    photo = tmp_path / "欠条.png"
    photo.write_bytes(PNG)
    phone.locator("input[name=photo]").set_input_files(str(photo))
    phone.get_by_label("我是农民工").check()
    assert_fits_phone(phone)
    shot(phone, "2-describe")
    phone.get_by_role("button", name="提交").click()
    expect(phone.locator(".receipt")).to_contain_text("东城机械厂工会将在1个工作日内受理")
    expect(phone.locator(".receipt")).to_contain_text("受理后3个工作日内办结")
    assert_fits_phone(phone)
    shot(phone, "3-done")
    case = Case.objects.unscoped().get(case_type="request")
    assert case.urgent and case.attachments.unscoped().count() == 1

    # The union's handler accepts, replies and closes it on the desktop.
    desk.goto("/console/requests/")
    row = desk.locator(f"tr[data-request-id='{case.pk}']")
    expect(row).to_contain_text("加急")
    row.get_by_role("link", name=case.number).click()
    expect(desk.locator("#req-h")).to_be_visible()
    desk.locator("summary", has_text="受理").first.click()
    desk.get_by_role("button", name="确认受理").click()
    expect(desk.locator("[data-state]").first).to_have_text("办理中")
    shot(desk, "4-accepted")

    phone.goto(f"/my/cases/{case.pk}/")
    expect(phone.locator(".case-status")).to_contain_text("受理中")

    desk.locator("summary", has_text="答复").click()
    desk.get_by_label("答复内容（职工可见）").fill("已约谈项目负责人，承诺本周五前结清。")
    desk.get_by_role("button", name="确认答复").click()
    phone.reload()
    expect(phone.locator(".timeline")).to_contain_text("已约谈项目负责人")

    desk.locator("summary", has_text="办结").click()
    desk.get_by_label("办理结果（职工可见）").fill("工资已全部结清，职工确认收到。")
    desk.get_by_role("button", name="确认办结").click()
    expect(desk.locator("[data-state]").first).to_have_text("已办结")
    shot(desk, "5-closed")

    # The worker sees the outcome and rates it.
    phone.reload()
    expect(phone.locator(".case-status")).to_contain_text("已办结")
    expect(phone.locator("#req-h").locator("..")).to_contain_text("工资已全部结清")
    phone.get_by_label("您对办理结果满意吗？").select_option("5")
    assert_fits_phone(phone)
    shot(phone, "6-rate")
    phone.get_by_role("button", name="评价").click()
    expect(phone.locator("#req-h").locator("..")).to_contain_text("5分 非常满意")
    phone.goto("/requests/")
    expect(phone.locator(f"[data-request-id='{case.pk}']")).to_contain_text("已办结")
    assert_fits_phone(phone)
    shot(phone, "7-my-requests")


def test_an_overdue_request_is_escalated_at_the_parent_union(tree, staff, desktop_page, sign_in_as, shot):
    req = submit(member_user(tree.g1), description="单位不给签劳动合同")
    # Submitted three days ago and never accepted: its due time has passed.
    due = timezone.now() - datetime.timedelta(hours=2)
    Case.objects.unscoped().filter(pk=req.pk).update(state_entered_at=due - datetime.timedelta(days=3), due_at=due,
                                                     warn_at=due - datetime.timedelta(hours=24))
    case = Case.objects.unscoped().get(pk=req.pk)
    assert workflow.sweep(now=case.due_at + datetime.timedelta(hours=1)).escalated == 1
    sign_in_as(desktop_page, staff.d1_manager)
    desktop_page.goto("/console/requests/?overdue=1")
    row = desktop_page.locator(f"tr[data-request-id='{case.pk}']")
    expect(row).to_contain_text("督办")
    expect(row).to_contain_text("超期")
    shot(desktop_page, "inbox-overdue")
    row.get_by_role("link", name=case.number).click()
    expect(desktop_page.locator("main")).to_contain_text("东城区总工会")
    # The parent union may take it over.
    desktop_page.locator("summary", has_text="接管").click()
    desktop_page.get_by_role("button", name="确认接管").click()
    expect(desktop_page.locator("[data-state]").first).to_have_text("办理中")
    assert Case.objects.unscoped().get(pk=case.pk).node == tree.d1
