"""The legal-aid journey (法律援助): a migrant worker applies on the phone for help with unpaid wages;
the legal-aid centre approves and assigns a lawyer (the assignment letter is a PDF with its number);
the lawyer signs in, sees only that case, records the mediation and the money recovered; the centre
closes it; the worker sees the outcome and rates the service. The centre's wage-arrears board and
figures show the case."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from gonghui.accounts.tests.factories import PASSWORD, StaffFactory, grant
from gonghui.core.tests.pdftools import pdf_text
from gonghui.legal.models import Assignment, LegalCase
from gonghui.legal.tests.cases_factories import make_firm, make_lawyer, make_partner
from gonghui.legal.tests.factories import GOOD_USCC, PNG, make_centre, make_legal_case
from gonghui.requests.tests.factories import member_user

pytestmark = pytest.mark.django_db(transaction=True)


def assert_fits_phone(page):
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 375, f"{page.url} scrolls sideways at 375px (scrollWidth={width})"


def squash(text: str) -> str:
    return "".join(text.split())


def test_a_migrant_worker_recovers_unpaid_wages_with_a_union_lawyer(tree, staff, phone_page, desktop_page,
                                                                   sign_in_as, shot, tmp_path, settings, browser,
                                                                   live_server):
    settings.MEDIA_ROOT = tmp_path
    centre = make_centre(tree.d2, name="西城区总工会法律援助中心")
    manager = StaffFactory(username="t_legal_centre", display_name="法律援助中心主任")
    grant(manager, centre.node, "manager")
    firm = make_firm(centre.node, name="江海明理律师事务所")
    lawyer_user = make_partner("t_lawyer1")
    lawyer = make_lawyer(centre.node, name="周明", user=lawyer_user, firm=firm, matters=["wages"])
    # Another lawyer's case at the same centre: the lawyer must not see it.
    other_case = make_legal_case(tree.g2, state="in_progress", opponent_name="别家公司")
    other_lawyer = make_lawyer(centre.node, name="吴律师", account=True)
    Assignment.objects.create(legal_case=other_case, lawyer=other_lawyer, year=2026, seq=9990,
                              number="江工法援委〔2026〕第9990号", issued_on=timezone.localdate())
    worker_user = member_user(tree.g2, name="马建军", migrant_worker=True)

    phone, desk = phone_page, desktop_page
    sign_in_as(phone, worker_user)

    # ----- 1. the worker applies on the phone -----
    phone.goto("/legal/")
    assert_fits_phone(phone)
    shot(phone, "1-portal")
    phone.get_by_role("link", name="申请法律援助").first.click()
    phone.wait_for_url(re.compile(r"/legal/apply/"))
    phone.get_by_label("争议事项").select_option(label="工资报酬（欠薪）")
    phone.get_by_label("对方（用人单位）名称").fill("江海宏达建筑劳务有限公司")
    phone.get_by_label("对方统一社会信用代码").fill(GOOD_USCC)
    phone.get_by_label("对方地址").fill("西城区建设路88号")
    phone.get_by_label("发生了什么").fill("我在宏达公司的工地做钢筋工，从今年8月起工资一直没发，共欠4个月，工友12人都一样。")
    phone.get_by_label("请求金额（元）").fill("38000")
    phone.get_by_label("涉及职工人数（含本人）").fill("12")
    phone.set_input_files("#id_doc_pay_records", files=[{"name": "工资条.png", "mimeType": "image/png", "buffer": PNG}])
    phone.set_input_files("#id_doc_id_card", files=[{"name": "身份证.png", "mimeType": "image/png", "buffer": PNG}])
    phone.get_by_label("我保证所填情况属实", exact=False).check()
    assert_fits_phone(phone)
    shot(phone, "2-apply")
    phone.get_by_role("button", name="提交申请").click()
    expect(phone.get_by_role("heading", name="申请已提交")).to_be_visible()
    legal_case = LegalCase.objects.unscoped().select_related("case").get(worker__user=worker_user)
    number = legal_case.case.number
    expect(phone.locator("main")).to_contain_text(number)
    assert legal_case.is_migrant and legal_case.matter == "wages" and legal_case.workers_involved == 12
    assert_fits_phone(phone)
    shot(phone, "3-applied")

    # ----- 2. the centre approves and assigns a lawyer -----
    sign_in_as(desk, manager)
    desk.goto("/console/legal/cases/")
    expect(desk.locator("main")).to_contain_text(number)
    shot(desk, "4-centre-list")
    desk.goto(f"/console/legal/cases/{legal_case.pk}/")
    desk.locator("summary", has_text="受理，给予援助").first.click()
    desk.get_by_role("button", name="确认受理，给予援助").click()
    expect(desk.locator("main")).to_contain_text("已受理")
    legal_case.case.refresh_from_db()
    assert legal_case.case.state == "approved"
    desk.goto(f"/console/legal/cases/{legal_case.pk}/")
    expect(desk.locator("[data-state]").first).to_have_attribute("data-state", "approved")
    desk.get_by_role("link", name="指派律师").first.click()
    desk.wait_for_url(re.compile(r"/assign/"))
    expect(desk.locator("main")).to_contain_text("周明")
    desk.get_by_label("周明", exact=True).check()
    shot(desk, "5-assign")
    desk.get_by_role("button", name="确认指派并生成委派函").click()
    desk.wait_for_url(re.compile(rf"/console/legal/cases/{legal_case.pk}/$"))
    assignment = Assignment.objects.unscoped().get(legal_case=legal_case, active=True)
    expect(desk.locator("[data-letter]")).to_have_text(assignment.number)
    shot(desk, "6-assigned")
    # The assignment letter (委派函): a PDF with its number and the case number.
    response = desk.request.get(f"/legal/documents/{legal_case.pk}/assignment-letter.pdf")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    letter = squash(pdf_text(response.body()))
    assert assignment.number in letter and number in letter and "周明" in letter

    # The wage-arrears board lists the open case under its employer, with the workers and the amount.
    desk.goto("/console/legal/arrears/")
    expect(desk.locator("[data-table=employers]")).to_contain_text("江海宏达建筑劳务有限公司")
    expect(desk.locator(f"[data-case='{legal_case.pk}']")).to_contain_text("38,000.00")
    expect(desk.locator("[data-figure=workers] .n")).to_contain_text("13")  # with the other lawyer's case
    shot(desk, "6b-arrears-board")

    # ----- 3. the lawyer signs in, sees only this case, records mediation and the money -----
    context = browser.new_context(viewport={"width": 1440, "height": 900}, base_url=live_server.url,
                                  locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(10_000)
    law = context.new_page()
    try:
        law.goto("/console/legal/mine/")
        law.wait_for_url(re.compile(r"/accounts/login/"))
        law.get_by_label("用户名").fill(lawyer_user.username)
        law.get_by_label("密码").fill(PASSWORD)
        law.get_by_role("button", name="登录", exact=True).click()
        law.wait_for_url(re.compile(r"/console/legal/mine/"))
        main = law.locator("main")
        expect(main).to_contain_text(number)
        expect(main).not_to_contain_text(other_case.case.number)
        shot(law, "7-lawyer-mine")
        # Another lawyer's case: 404, like a case that does not exist.
        assert law.request.get(f"/console/legal/cases/{other_case.pk}/").status == 404
        law.goto(f"/console/legal/cases/{legal_case.pk}/")
        today = timezone.localdate().isoformat()
        # (The forms on the case page share field ids — e.g. two "kind" selects — so each step is
        # found inside its own form.)
        law.locator("summary", has_text="登记新阶段").click()
        stage_form = law.locator(f"form[action='/console/legal/cases/{legal_case.pk}/stages/']")
        stage_form.locator("select[name=kind]").select_option(label="协商/调解")
        stage_form.locator("input[name=started_on]").fill(today)
        stage_form.locator("input[name=body]").fill("西城区劳动争议调解中心")
        stage_form.get_by_role("button", name="登记阶段").click()
        expect(law.locator("[data-stage-id]")).to_contain_text("协商/调解")
        law.locator("summary", has_text="本阶段结束").click()
        end_form = law.locator("form[action$='/end/']")
        end_form.locator("input[name=ended_on]").fill(today)
        end_form.locator("[name=result]").fill("达成调解协议，公司一次性支付全部欠薪")
        end_form.get_by_role("button", name="记录结果").click()
        expect(law.locator("[data-stage-id]")).to_contain_text("达成调解协议")
        law.locator("summary", has_text="登记追回款项").click()
        money_form = law.locator(f"form[action='/console/legal/cases/{legal_case.pk}/recoveries/']")
        money_form.locator("input[name=amount]").fill("38000")
        money_form.locator("input[name=recovered_on]").fill(today)
        money_form.get_by_role("button", name="登记", exact=True).click()
        expect(law.locator("[data-recovered]")).to_contain_text("38,000.00")
        shot(law, "8-lawyer-mediation")
        # The final document, then the closing report.
        law.locator("summary", has_text="上传材料").click()
        doc_form = law.locator(f"form[action='/console/legal/cases/{legal_case.pk}/documents/']")
        doc_form.locator("select[name=kind]").select_option(label="结案文书（调解书/裁决书/判决书）")
        doc_form.locator("input[type=file][name=file]").set_input_files(
            files=[{"name": "调解书.png", "mimeType": "image/png", "buffer": PNG}])
        doc_form.get_by_role("button", name="上传", exact=True).click()
        expect(law.locator("[data-document-kind=final_document]")).to_contain_text("调解书.png")
        law.goto(f"/console/legal/cases/{legal_case.pk}/report/")
        law.get_by_label("结案方式").select_option(label="调解/和解结案")
        law.get_by_label("裁判/调解确定金额（元）").fill("38000")
        law.get_by_label("受益职工人数").fill("12")
        law.get_by_label("结案报告").fill("经调解中心主持调解，宏达公司同意一次性支付12名工人欠薪38000元，已全部到账。")
        law.get_by_role("button", name="提交结案报告").click()
        law.wait_for_url(re.compile(rf"/console/legal/cases/{legal_case.pk}/$"))
        shot(law, "9-lawyer-report")
    finally:
        context.close()

    # ----- 4. the centre closes the case -----
    desk.goto(f"/console/legal/cases/{legal_case.pk}/close/")
    desk.get_by_role("button", name="确认结案").click()
    desk.wait_for_url(re.compile(rf"/console/legal/cases/{legal_case.pk}/$"))
    expect(desk.locator("[data-state]").first).to_have_attribute("data-state", "closed")
    legal_case.refresh_from_db()
    assert legal_case.closed_on is not None and legal_case.amount_recovered == 38000
    response = desk.request.get(f"/legal/documents/{legal_case.pk}/closing-report.pdf")
    closing = squash(pdf_text(response.body()))
    assert number in closing and "38,000.00元" in closing and "调解/和解结案" in closing
    # The board no longer lists it (closed); the figures count it.
    desk.goto("/console/legal/figures/")
    expect(desk.locator("[data-figure=closed] .n")).to_have_text("1")
    shot(desk, "10-figures")

    # ----- 5. the worker sees the outcome and rates it -----
    phone.goto("/legal/")
    phone.locator(f"[data-legal-case='{legal_case.pk}'] a").click()
    main = phone.locator("main")
    expect(main).to_contain_text("调解/和解结案")
    expect(main).to_contain_text("38,000.00")
    assert_fits_phone(phone)
    shot(phone, "11-outcome")
    phone.locator("label[for=rate-5]").click()
    phone.get_by_label("评价意见").fill("周律师很负责，一个多月就拿到了工资。")
    phone.get_by_role("button", name="提交评价").click()
    expect(phone.locator("main")).to_contain_text("您的评价：5星")
    assert_fits_phone(phone)
    shot(phone, "12-rated")
    legal_case.refresh_from_db()
    assert legal_case.rating == 5
    assert lawyer.pk == legal_case.lawyer_id
