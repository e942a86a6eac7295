"""Policy consultation (政策咨询) on a phone: answers while typing, a question filed only if still
wanted, answered by staff with a policy linked, and published as an FAQ the next search finds."""

import pytest
from playwright.sync_api import expect

from gonghui.kb.models import Article
from gonghui.kb.tests.questions_factories import asker, policy
from gonghui.requests.models import Request

pytestmark = pytest.mark.django_db(transaction=True)


def assert_fits_phone(page):
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 375, f"{page.url} scrolls sideways at 375px (scrollWidth={width})"


def test_a_worker_asks_about_unpaid_wages_and_the_answer_becomes_an_faq(tree, staff, phone_page, desktop_page,
                                                                      sign_in_as, shot):
    worker = asker(tree.g1, name="刘建国", employer="东城机械厂")
    law = policy(tree.city, title="江海市欠薪治理办法",
                 body="<p>用人单位拖欠工资的，职工可以向劳动保障监察机构投诉，工会应当支持和帮助职工追讨欠薪。</p>")
    phone, desk = phone_page, desktop_page
    sign_in_as(phone, worker)

    # The worker starts from the portal's policy consultation page.
    phone.goto("/kb/")
    phone.get_by_role("link", name="我要咨询").first.click()
    expect(phone.get_by_role("heading", name="我要咨询")).to_be_visible()
    box = phone.get_by_label("您想咨询什么？")
    box.press_sequentially("欠薪怎么办", delay=60)
    # While typing, the matching answers appear (HTMX, ~300 ms after the last key).
    suggestions = phone.locator("#suggestions")
    expect(suggestions.get_by_role("link", name="江海市欠薪治理办法")).to_be_visible()
    expect(suggestions.locator("mark").first).to_have_text("欠薪")
    assert_fits_phone(phone)
    shot(phone, "1-typing")
    assert not Request.objects.unscoped().exists()  # nothing filed while reading

    # The worker opens the policy, reads it, and still wants to ask.
    suggestions.get_by_role("link", name="江海市欠薪治理办法").click()
    expect(phone.get_by_role("heading", name=law.title)).to_be_visible()
    assert_fits_phone(phone)
    shot(phone, "2-policy")
    phone.get_by_role("link", name="我要咨询").first.click()
    phone.get_by_label("您想咨询什么？").fill(
        "我是刘建国，东城机械厂拖欠了我三个月工资，电话13912345678。工地上的欠薪怎么办？能先找工会吗？")
    phone.get_by_role("button", name="仍要提交咨询").click()
    expect(phone.locator(".receipt")).to_contain_text("咨询已提交")
    expect(phone.locator(".receipt")).to_contain_text("东城机械厂工会将在1个工作日内受理并答复您")
    assert_fits_phone(phone)
    shot(phone, "3-asked")
    req = Request.objects.unscoped().get(kind="consultation")
    assert req.category.code == "wages" and req.case.node == tree.g1

    # The union's handler answers it on the desktop, linking the policy found by search.
    sign_in_as(desk, staff.g1_handler)
    desk.goto("/console/kb/questions/?status=unanswered")
    row = desk.locator(f"tr[data-question-id='{req.pk}']")
    expect(row).to_contain_text("待答复")
    row.get_by_role("link", name="答复").click()
    expect(desk.locator("[data-question]")).to_contain_text("东城机械厂拖欠了我三个月工资")
    desk.get_by_label("查找政策、问答和办事指南").fill("欠薪治理")
    pick = desk.locator(f"#picker-results li[data-article-id='{law.pk}'] input")
    pick.check()
    expect(desk.locator(f"#picked li[data-article-id='{law.pk}'] input")).to_be_checked()
    desk.get_by_label("答复内容（职工可见）").fill(
        "刘师傅您好：工地欠薪可以向项目所在地劳动保障监察机构投诉，总承包单位应当先行清偿；工会可以陪同您反映。")
    shot(desk, "4-answer")
    desk.get_by_role("button", name="答复并办结").click()
    expect(desk.locator("[data-state]").first).to_have_text("已办结")
    req.refresh_from_db()
    assert "《江海市欠薪治理办法》" in req.outcome

    # The worker sees the answer with the policy in it.
    phone.goto(f"/my/cases/{req.pk}/")
    expect(phone.locator(".case-status")).to_contain_text("已办结")
    expect(phone.locator("main")).to_contain_text("总承包单位应当先行清偿")
    assert_fits_phone(phone)
    shot(phone, "5-answered")

    # A manager turns the answer into an FAQ in one action: de-personalised, edited, published.
    sign_in_as(desk, staff.d1_manager)
    desk.goto(f"/console/kb/questions/{req.pk}/answer/")
    desk.get_by_role("link", name="发布为常见问答").click()
    question = desk.get_by_label("问题", exact=True)
    expect(question).not_to_have_value("刘建国")
    value = question.input_value()
    assert "刘建国" not in value and "13912345678" not in value and "东城机械厂" not in value
    assert "刘师傅" not in desk.get_by_label("答复", exact=True).input_value()
    desk.get_by_label("标题").fill("工地欠薪怎么办？")
    desk.get_by_label("发布单位").select_option(label="东城区总工会")
    shot(desk, "6-faq-form")
    desk.get_by_role("button", name="发布").click()
    expect(desk.get_by_role("heading", name="工地欠薪怎么办？")).to_be_visible()
    faq = Article.objects.unscoped().get(source_request=req)
    assert faq.status == "published" and faq.kind == "faq" and faq.node == tree.d1

    # The next search finds the FAQ, first, for any worker of the district.
    neighbour = asker(tree.g1)
    sign_in_as(phone, neighbour)
    phone.goto("/kb/ask/")
    phone.get_by_label("您想咨询什么？").press_sequentially("欠薪怎么办", delay=60)
    faqs = phone.locator("#suggestions [data-group='faq']")
    expect(faqs.get_by_role("link", name="工地欠薪怎么办？")).to_be_visible()
    expect(phone.locator("#suggestions")).not_to_contain_text("刘建国")
    assert_fits_phone(phone)
    shot(phone, "7-next-search")
