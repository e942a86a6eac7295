"""Pages of the questions part: 我要咨询 on the portal; 在线咨询, answering, FAQ, 咨询统计 in the console."""

import pytest
from django.test import Client
from django.urls import reverse

from gonghui.kb import search
from gonghui.kb.models import Article, SearchLog
from gonghui.kb.tests.questions_factories import answered, ask, asker, faq, policy
from gonghui.requests.models import Request
from gonghui.workflow.models import Case

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(tree):
    return asker(tree.g1, name="刘建国")


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


# ----- 我要咨询 -----

def test_the_ask_page_needs_a_signed_in_worker(tree):
    response = Client().get(reverse("kb:ask"))
    assert response.status_code == 302 and "worker-login" in response["Location"]


def test_suggestions_appear_while_typing_faqs_first(tree, worker):
    qa = faq(tree.d1)
    law = policy(tree.city, title="江海市欠薪治理办法", body="<p>欠薪问题由人社部门牵头治理。</p>")
    c = client_for(worker)
    page = c.get(reverse("kb:ask"))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'hx-get="/kb/ask/suggest/"' in body and "delay:300ms" in body
    response = c.get(reverse("kb:ask_suggest"), {"question": "欠薪怎么办"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index(qa.get_absolute_url()) < html.index(law.get_absolute_url())
    assert "<mark>欠薪</mark>" in html
    assert not SearchLog.objects.unscoped().exists()  # typing is not logged keystroke by keystroke


def test_no_suggestion_says_so_and_offers_to_ask(tree, worker):
    response = client_for(worker).get(reverse("kb:ask_suggest"), {"question": "宠物寄养补贴"})
    assert "暂时没有找到相关的解答" in response.content.decode()


@pytest.mark.parametrize("text", ['"欠薪', "欠薪 OR (", "NEAR(a b)", "*", "欠" * 10_000, "<script>alert(1)</script>"])
def test_fts_syntax_in_the_typing_box_is_never_a_500(tree, worker, text):
    policy(tree.city)
    response = client_for(worker).get(reverse("kb:ask_suggest"), {"question": text})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_asking_files_a_consultation_and_shows_the_receipt(tree, worker):
    c = client_for(worker)
    token = "form-token-1"
    response = c.post(reverse("kb:ask"), {"question": "单位拖欠工资两个月了，欠薪怎么办？", "topic": "", "token": token})
    req = Request.objects.unscoped().get(kind="consultation")
    assert response.status_code == 302 and response["Location"] == reverse("kb:ask_done", kwargs={"pk": req.pk})
    receipt = c.get(response["Location"]).content.decode()
    assert req.case.number in receipt and "东城机械厂工会将在1个工作日内受理并答复您" in receipt


def test_double_submit_files_one_question(tree, worker):
    c = client_for(worker)
    data = {"question": "加班费怎么算？", "topic": "wages", "token": "abc"}
    first, second = c.post(reverse("kb:ask"), data), c.post(reverse("kb:ask"), data)
    assert first["Location"] == second["Location"]
    assert Request.objects.unscoped().filter(kind="consultation").count() == 1


def test_a_10000_character_question_is_refused_with_a_chinese_message(tree, worker):
    response = client_for(worker).post(reverse("kb:ask"), {"question": "问" * 10_000, "token": "x"})
    assert response.status_code == 422
    assert "问题最多2000字，现在是10000字，请精简后再提交。" in response.content.decode()
    assert not Request.objects.unscoped().exists()


def test_an_empty_question_is_refused(tree, worker):
    response = client_for(worker).post(reverse("kb:ask"), {"question": "  ", "token": "x"})
    assert response.status_code == 422 and "请写下您想咨询的问题。" in response.content.decode()


def test_a_worker_without_a_union_chooses_the_district(tree):
    from gonghui.accounts.tests.factories import WorkerUserFactory

    loner = WorkerUserFactory()
    c = client_for(loner)
    response = c.post(reverse("kb:ask"), {"question": "单位不签劳动合同怎么办？", "token": "t"})
    assert response.status_code == 422 and "请选择您工作所在的区（县）" in response.content.decode()
    response = c.post(reverse("kb:ask"), {"question": "单位不签劳动合同怎么办？", "token": "t", "district": tree.d2.pk})
    assert response.status_code == 302
    assert Request.objects.unscoped().get(kind="consultation").case.node == tree.d2


def test_script_in_a_question_is_rendered_escaped_everywhere(tree, staff, worker):
    text = '<script>alert("x")</script><style>body{display:none}</style> 欠薪怎么办'
    req = ask(worker, text)
    pages = [client_for(staff.g1_handler).get(reverse("kb:questions")),
             client_for(staff.g1_handler).get(reverse("kb:answer", kwargs={"pk": req.pk})),
             client_for(staff.g1_handler).get(reverse("workflow:case", kwargs={"pk": req.pk})),
             client_for(worker).get(reverse("kb:ask"))]
    for page in pages:
        html = page.content.decode()
        assert page.status_code == 200
        assert '<script>alert("x")</script>' not in html and "<style>body{display:none}</style>" not in html
        assert "&lt;script&gt;" in html


# ----- the console list -----

def test_the_list_shows_the_subtrees_questions_with_filters_and_answer_time(tree, staff, worker):
    done = answered(worker, staff.g1_handler, text="试用期工资怎么算？")
    waiting = ask(worker, "工伤怎么认定？")
    elsewhere = ask(asker(tree.g2), "西城的问题：社保怎么交？")
    c = client_for(staff.d1_manager)
    html = c.get(reverse("kb:questions")).content.decode()
    assert done.case.number in html and waiting.case.number in html and elsewhere.case.number not in html
    assert 'data-status-tab="answered"' in html
    answered_tab = c.get(reverse("kb:questions"), {"status": "answered"}).content.decode()
    assert done.case.number in answered_tab and waiting.case.number not in answered_tab
    assert "分钟" in answered_tab  # the answer time
    open_tab = c.get(reverse("kb:questions"), {"status": "unanswered"}, HTTP_HX_REQUEST="true").content.decode()
    assert waiting.case.number in open_tab and done.case.number not in open_tab
    assert "<html" not in open_tab  # HTMX gets the table alone


def test_workers_get_404_on_the_console_and_staff_without_requests_view_403(tree, worker):
    assert client_for(worker).get(reverse("kb:questions")).status_code == 404


# ----- answering -----

def test_staff_answer_with_articles_picked_by_search(tree, staff, worker):
    law = policy(tree.city)
    req = ask(worker)
    c = client_for(staff.g1_handler)
    page = c.get(reverse("kb:answer", kwargs={"pk": req.pk}))
    assert page.status_code == 200 and "答复并办结" in page.content.decode()
    picker = c.get(reverse("kb:article_picker", kwargs={"pk": req.pk}), {"q": "工资支付"}).content.decode()
    assert f'value="{law.pk}"' in picker
    response = c.post(reverse("kb:answer", kwargs={"pk": req.pk}),
                      {"answer": "可以向劳动监察大队投诉。", "article": [law.pk], "version": req.case.version})
    assert response.status_code == 302 and response["Location"] == reverse("workflow:case", kwargs={"pk": req.pk})
    req = Request.objects.unscoped().get(pk=req.pk)
    assert req.case.state == "closed" and "《江海市工资支付条例》" in req.outcome
    # The answer page now shows the answer and offers nothing to answer.
    again = c.post(reverse("kb:answer", kwargs={"pk": req.pk}), {"answer": "再答一次", "version": req.case.version})
    assert again.status_code == 302
    assert Case.objects.unscoped().get(pk=req.pk).events.unscoped().filter(transition="close").count() == 1


def test_the_picker_offers_only_articles_the_asker_can_read(tree, staff, worker):
    elsewhere = policy(tree.d2, title="西城区工资支付办法")
    req = ask(worker)
    picker = client_for(staff.city_admin).get(reverse("kb:article_picker", kwargs={"pk": req.pk}),
                                              {"q": "工资支付"}).content.decode()
    assert f'value="{elsewhere.pk}"' not in picker


def test_an_empty_answer_is_refused_in_chinese(tree, staff, worker):
    req = ask(worker)
    response = client_for(staff.g1_handler).post(reverse("kb:answer", kwargs={"pk": req.pk}),
                                                 {"answer": "", "version": req.case.version})
    assert response.status_code == 422 and "请填写答复内容。" in response.content.decode()


def test_a_stale_answer_form_is_refused(tree, staff, worker):
    req = ask(worker)
    response = client_for(staff.g1_handler).post(reverse("kb:answer", kwargs={"pk": req.pk}),
                                                 {"answer": "答复", "version": req.case.version + 3})
    assert response.status_code == 409 and "已有变化" in response.content.decode()


def test_a_viewer_may_not_open_the_answer_page(tree, staff, worker):
    req = ask(worker)
    assert client_for(staff.g1_viewer).get(reverse("kb:answer", kwargs={"pk": req.pk})).status_code == 403


def test_the_case_page_of_a_consultation_links_to_the_answer_page(tree, staff, worker):
    req = ask(worker)
    html = client_for(staff.g1_handler).get(reverse("workflow:case", kwargs={"pk": req.pk})).content.decode()
    assert reverse("kb:answer", kwargs={"pk": req.pk}) in html


def test_the_question_link_of_a_search_hit_leads_each_to_their_page(tree, staff, worker):
    req = ask(worker)
    url = reverse("kb:question", kwargs={"pk": req.pk})
    assert client_for(worker).get(url)["Location"] == reverse("workflow:portal_case", kwargs={"pk": req.pk})
    assert client_for(staff.g1_handler).get(url)["Location"] == reverse("workflow:case", kwargs={"pk": req.pk})
    assert client_for(asker(tree.g1)).get(url).status_code == 404


# ----- publishing an FAQ -----

def test_publish_as_faq_opens_a_depersonalised_form_and_publishes(tree, staff, worker):
    req = answered(worker, staff.g1_handler, text="我是刘建国，电话13912345678，公司欠薪怎么办？",
                   answer="刘建国您好：可以申请劳动仲裁。")
    c = client_for(staff.d1_manager)
    page = c.get(reverse("kb:publish_faq", kwargs={"pk": req.pk}))
    form_html = page.content.decode().split('method="post"')[-1].split("</form>")[0]
    assert page.status_code == 200
    assert "刘建国" not in form_html and "13912345678" not in form_html and "公司欠薪怎么办？" in form_html
    response = c.post(reverse("kb:publish_faq", kwargs={"pk": req.pk}), {
        "title": "公司欠薪怎么办？", "question": "公司欠薪怎么办？", "answer": "可以申请劳动仲裁。", "node": tree.d1.pk})
    article = Article.objects.unscoped().get(source_request=req)
    assert response.status_code == 302 and response["Location"] == article.get_absolute_url()
    assert article.status == Article.Status.PUBLISHED and article.kind == Article.Kind.FAQ
    hits = search.search("欠薪怎么办", user=asker(tree.g1), kinds=("article",), log=False).hits
    assert [h.obj_id for h in hits] == [article.pk]
    # A second visit goes to the FAQ instead of making another.
    assert c.get(reverse("kb:publish_faq", kwargs={"pk": req.pk}))["Location"] == article.get_absolute_url()


def test_publish_as_faq_needs_kb_publish(tree, staff, worker):
    req = answered(worker, staff.g1_handler)
    assert client_for(staff.g1_handler).get(reverse("kb:publish_faq", kwargs={"pk": req.pk})).status_code == 403


def test_publish_as_faq_refuses_an_empty_title(tree, staff, worker):
    req = answered(worker, staff.g1_handler)
    response = client_for(staff.d1_manager).post(reverse("kb:publish_faq", kwargs={"pk": req.pk}), {
        "title": "", "question": "q", "answer": "a", "node": tree.d1.pk})
    assert response.status_code == 422 and "请填写标题。" in response.content.decode()
    assert not Article.objects.unscoped().filter(source_request=req).exists()


# ----- figures -----

def test_figures_show_zero_result_searches_most_frequent_first_and_answer_times(tree, staff, worker):
    for query, n, node in (("宠物补贴", 3, tree.g1), ("电动车充电", 1, tree.g1), ("西城独有词", 5, tree.g2)):
        for _ in range(n):
            SearchLog.objects.create(query=query, results=0, node_path=node.path)
    SearchLog.objects.create(query="欠薪", results=4, node_path=tree.g1.path)
    law = policy(tree.d1)
    Article.objects.unscoped().filter(pk=law.pk).update(views=42)
    answered(worker, staff.g1_handler, text="工资怎么算")
    ask(worker, "工伤怎么认定？")
    html = client_for(staff.d1_manager).get(reverse("kb:figures")).content.decode()
    assert html.index("宠物补贴") < html.index("电动车充电")
    assert "西城独有词" not in html
    assert law.title in html and ">42<" in html
    assert "工资与欠薪" in html and "工伤与安全生产" in html
    report = svc_figures(staff.d1_manager)
    assert report.zero_searches[0][:2] == ("宠物补贴", 3)
    assert report.asked == 2 and report.answered == 1 and report.median_hours is not None
    assert report.on_time_rate == 100.0 and report.zero_total == 4 and report.searches_total == 5


def svc_figures(user):
    from gonghui.kb import figures

    return figures.build(user, days=90)


def test_figures_period_is_one_of_three(tree, staff):
    c = client_for(staff.d1_manager)
    assert c.get(reverse("kb:figures"), {"days": "abc"}).status_code == 200
    assert c.get(reverse("kb:figures"), {"days": "365"}).context["days"] == 365
    assert c.get(reverse("kb:figures"), {"days": "7"}).context["days"] == 90



def test_a_late_question_is_escalated_by_the_engine_and_shown_overdue(tree, staff, worker):
    import datetime

    from django.utils import timezone

    from gonghui.workflow import services as workflow

    req = ask(worker, "单位不给缴社保怎么办？")
    due = timezone.now() - datetime.timedelta(hours=2)
    Case.objects.unscoped().filter(pk=req.pk).update(due_at=due, warn_at=due - datetime.timedelta(hours=24))
    assert workflow.sweep(now=timezone.now()).escalated == 1
    case = Case.objects.unscoped().get(pk=req.pk)
    assert case.supervising_node == tree.d1
    html = client_for(staff.d1_manager).get(reverse("kb:questions"), {"status": "overdue"}).content.decode()
    assert case.number in html and "超期未答复" in html


def test_the_console_navigation_offers_questions_and_figures(tree, staff):
    html = client_for(staff.g1_handler).get(reverse("console:home")).content.decode()
    assert reverse("kb:questions") in html and reverse("kb:figures") in html
