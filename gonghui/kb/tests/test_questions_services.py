"""Questions are consultation requests: asking, answering, indexing, FAQs (services_questions)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gonghui.audit.models import AuditEntry
from gonghui.kb import search
from gonghui.kb import services_questions as svc
from gonghui.kb.models import AnswerLink, Article, AskReceipt
from gonghui.kb.tests.questions_factories import answered, ask, asker, faq, policy
from gonghui.requests.models import Request
from gonghui.workflow import services as workflow
from gonghui.workflow.models import Case

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(tree):
    return asker(tree.g1, name="刘建国", employer="东城机械厂")


def _question_ids(user, text="欠薪"):
    return [h.obj_id for h in search.search(text, user=user, kinds=("question",), log=False).hits]


# ----- asking -----

def test_a_question_is_a_consultation_request_at_the_workers_union(tree, worker):
    req = ask(worker, "单位拖欠了我两个月工资，欠薪怎么办？")
    assert req.kind == Request.Kind.CONSULTATION
    assert req.case.case_type == "request" and req.case.node == tree.g1 and req.case.state == "submitted"
    assert req.category.code == "wages"  # guessed from the words
    assert req.case.due_at is not None  # the request's own time limit runs
    assert AuditEntry.objects.unscoped().filter(event="request.submitted", object_id=str(req.pk)).exists()


def test_the_worker_may_choose_the_topic(worker):
    assert ask(worker, "想问一下这个怎么处理", topic="contract").category.code == "contract"
    assert svc.guess_topic("单位不给缴社保") == "social_insurance"
    assert svc.guess_topic("你好") == "legal"


def test_the_same_form_sent_twice_files_one_question(worker):
    first, created = svc.ask(by=worker, text="加班费怎么算？", token="t-123")
    again, created_again = svc.ask(by=worker, text="加班费怎么算？", token="t-123")
    assert created and not created_again and first.pk == again.pk
    assert Request.objects.unscoped().filter(kind="consultation").count() == 1
    assert AskReceipt.objects.count() == 1


def test_the_same_words_again_within_minutes_file_one_question(worker):
    first, _ = svc.ask(by=worker, text="年假怎么休？")
    second, created = svc.ask(by=worker, text="年假怎么休？")
    assert not created and second.pk == first.pk


def test_someone_elses_token_is_refused(tree, worker):
    svc.ask(by=worker, text="加班费怎么算？", token="t-9")
    other = asker(tree.g1)
    with pytest.raises(ValidationError) as e:
        svc.ask(by=other, text="加班费怎么算？", token="t-9")
    assert "页面已过期" in str(e.value)


def test_a_10000_character_question_is_refused_in_chinese(worker):
    with pytest.raises(ValidationError) as e:
        svc.ask(by=worker, text="欠" * 10_000)
    assert "问题最多2000字，现在是10000字" in e.value.message_dict["question"][0]
    with pytest.raises(ValidationError) as e:
        svc.ask(by=worker, text="   ")
    assert e.value.message_dict["question"] == ["请写下您想咨询的问题。"]
    assert not Request.objects.unscoped().exists()


def test_script_in_a_question_is_stored_as_the_text_typed(worker):
    text = '<script>alert(1)</script><img src=x onerror=alert(2)> 欠薪怎么办'
    req = ask(worker, text)
    assert Request.objects.unscoped().get(pk=req.pk).description == text


def test_staff_do_not_ask_on_the_portal(staff):
    with pytest.raises(ValidationError) as e:
        svc.ask(by=staff.g1_handler, text="欠薪怎么办？")
    assert "工作台" in str(e.value)


# ----- answering -----

def test_an_answer_accepts_and_closes_the_request_with_the_answer_as_outcome(tree, staff, worker):
    law = policy(tree.city)
    req = answered(worker, staff.g1_handler, answer="可以向劳动监察大队投诉。", articles=[law])
    case = Case.objects.unscoped().get(pk=req.pk)
    assert case.state == "closed"
    req = Request.objects.unscoped().get(pk=req.pk)
    assert req.outcome.startswith("可以向劳动监察大队投诉。")
    assert "《江海市工资支付条例》" in req.outcome and f"/kb/articles/{law.pk}/" in req.outcome
    assert svc.answer_text(req) == "可以向劳动监察大队投诉。"
    assert req.on_time is True and req.outcome_at is not None
    assert list(AnswerLink.objects.filter(request=req).values_list("article_id", flat=True)) == [law.pk]
    steps = list(case.events.unscoped().filter(kind="transition").values_list("transition", flat=True))
    assert steps == ["accept", "close"]
    assert req.rating_invited_at is not None  # the worker is asked to rate, as for any request


def test_an_answered_question_is_found_by_the_asker_and_the_staff_of_its_subtree_only(tree, staff, worker):
    req = answered(worker, staff.g1_handler)
    assert _question_ids(worker) == [req.pk]
    assert _question_ids(staff.d1_manager) == [req.pk]
    assert _question_ids(asker(tree.g1)) == []  # another worker of the same union
    assert _question_ids(staff.d2_admin) == []


def test_an_answer_may_link_only_articles_the_asker_can_read(tree, staff, worker):
    elsewhere = policy(tree.d2, title="西城区欠薪应急周转金办法")
    req = ask(worker)
    with pytest.raises(ValidationError) as e:
        svc.answer(req, by=staff.g1_handler, text="请看附件政策", article_ids=[elsewhere.pk], version=req.case.version)
    assert "职工能看到的文章" in e.value.message_dict["articles"][0]
    assert Case.objects.unscoped().get(pk=req.pk).state == "submitted"  # nothing happened


def test_an_empty_answer_or_too_many_links_are_refused(tree, staff, worker):
    req = ask(worker)
    with pytest.raises(ValidationError) as e:
        svc.answer(req, by=staff.g1_handler, text=" ", version=req.case.version)
    assert e.value.message_dict["answer"] == ["请填写答复内容。"]
    many = [policy(tree.city, title=f"政策{i}") for i in range(6)]
    with pytest.raises(ValidationError) as e:
        svc.answer(req, by=staff.g1_handler, text="见政策", article_ids=[a.pk for a in many], version=req.case.version)
    assert e.value.message_dict["articles"] == ["最多引用5篇文章。"]


def test_a_viewer_may_not_answer_and_a_stale_page_is_refused(staff, worker):
    req = ask(worker)
    with pytest.raises(PermissionDenied):
        svc.answer(req, by=staff.g1_viewer, text="答复", version=req.case.version)
    with pytest.raises(workflow.StaleCase):
        svc.answer(req, by=staff.g1_handler, text="答复", version=req.case.version + 5)
    assert Case.objects.unscoped().get(pk=req.pk).state == "submitted"


def test_a_request_of_another_kind_is_not_answered_here(staff, worker):
    from gonghui.requests.tests.factories import submit

    help_request = submit(worker, kind="help")
    with pytest.raises(ValidationError):
        svc.answer(help_request, by=staff.g1_handler, text="答复", version=help_request.case.version)


def test_closing_on_the_case_page_indexes_too_and_reopening_unindexes(staff, worker):
    req = ask(worker)
    case = workflow.perform_transition(req.case, "accept", by=staff.g1_handler, version=req.case.version)
    case = workflow.perform_transition(case, "close", by=staff.g1_handler, version=case.version,
                                       data={"note": "欠薪可以申请劳动仲裁。"})
    assert _question_ids(worker) == [req.pk]
    # The worker rates 1 point: the request reopens at the union above, and leaves the index.
    case = Case.objects.unscoped().get(pk=req.pk)
    workflow.perform_transition(case, "rate", by=worker, version=case.version, data={"rating": "1"})
    assert Case.objects.unscoped().get(pk=req.pk).state == "reopened"
    assert _question_ids(worker) == []


def test_other_requests_are_never_indexed(staff, worker):
    from gonghui.requests.tests.factories import submit

    other = submit(worker, kind="help", description="欠薪求助")
    case = workflow.perform_transition(other.case, "accept", by=staff.g1_handler, version=other.case.version)
    workflow.perform_transition(case, "close", by=staff.g1_handler, version=case.version, data={"note": "已解决欠薪"})
    assert _question_ids(staff.city_admin) == []


# ----- suggestions -----

@pytest.fixture
def synonyms(db):
    from gonghui.kb.models import Synonym

    Synonym.objects.create(terms="欠薪 = 拖欠工资 = 工资拖欠")
    search.clear_synonyms_cache()
    yield
    search.clear_synonyms_cache()  # the cache outlives this test's rows


def test_suggestions_put_faqs_first_then_articles_then_the_workers_own_answers(tree, staff, worker, synonyms):
    # The policy says 拖欠…工资, not 欠薪: the synonym finds it.
    law = policy(tree.city, body="<p>用人单位不得克扣或者无故拖欠工资。</p>")
    qa = faq(tree.d1)
    mine = answered(worker, staff.g1_handler)
    s = svc.suggest("欠薪怎么办", user=worker)
    assert [h.obj_id for h in s.faqs] == [qa.pk]
    assert law.pk in [h.obj_id for h in s.articles] and qa.pk not in [h.obj_id for h in s.articles]
    assert [h.obj_id for h in s.mine] == [mine.pk]
    # Another worker sees the articles but not this worker's question.
    other = svc.suggest("欠薪怎么办", user=asker(tree.g1))
    assert other.mine == [] and [h.obj_id for h in other.faqs] == [qa.pk]


@pytest.mark.parametrize("text", ['"欠薪', "欠薪 OR (", "NEAR(欠薪 工资)", "欠薪*", "-工资 AND", "'; DROP TABLE x;--",
                                  "欠" * 10_000, "", "   ", "\x00"])
def test_suggestions_never_fail_on_what_is_typed(tree, worker, text):
    policy(tree.city)
    s = svc.suggest(text, user=worker)
    assert s.total >= 0


# ----- publishing an FAQ -----

def test_publish_as_faq_makes_a_depersonalised_published_faq_the_next_search_finds(tree, staff, worker):
    req = answered(worker, staff.g1_handler,
                   text="我是刘建国，东城机械厂拖欠了我两个月工资，电话13912345678，欠薪怎么办？",
                   answer="刘师傅您好，可以向劳动监察大队投诉，也可以申请劳动仲裁。")
    draft = svc.faq_draft(req)
    assert "刘建国" not in draft["question"] and "13912345678" not in draft["question"]
    assert "东城机械厂" not in draft["question"] and "刘师傅" not in draft["answer"]
    article = svc.publish_faq(req, by=staff.d1_manager, node=tree.d1, **draft)
    article.refresh_from_db()
    assert article.kind == Article.Kind.FAQ and article.status == Article.Status.PUBLISHED
    assert article.source_request_id == req.pk and article.node == tree.d1
    assert "刘建国" not in article.body_html and "13912345678" not in article.body_html
    # Any worker of district 1 now finds it.
    hits = svc.suggest("欠薪怎么办", user=asker(tree.g1)).faqs
    assert [h.obj_id for h in hits] == [article.pk]
    assert AuditEntry.objects.unscoped().filter(event="kb.faq_from_question").exists()


def test_publish_as_faq_once_only_and_only_with_kb_publish(tree, staff, worker):
    req = answered(worker, staff.g1_handler)
    draft = svc.faq_draft(req)
    with pytest.raises(PermissionDenied):
        svc.publish_faq(req, by=staff.g1_handler, **draft)  # a handler writes, a manager publishes
    svc.publish_faq(req, by=staff.d1_manager, **draft)
    with pytest.raises(ValidationError) as e:
        svc.publish_faq(req, by=staff.d1_manager, **draft)
    assert "已发布为常见问答" in str(e.value)
    assert Article.objects.unscoped().filter(source_request=req).count() == 1


def test_an_unanswered_question_or_an_empty_title_is_not_published(tree, staff, worker):
    req = ask(worker)
    with pytest.raises(ValidationError) as e:
        svc.publish_faq(req, by=staff.d1_manager, title="t", question="q", answer="a")
    assert "还没有答复" in str(e.value)
    req = answered(worker, staff.g1_handler, text="试用期可以不交社保吗？")
    with pytest.raises(ValidationError) as e:
        svc.publish_faq(req, by=staff.d1_manager, title=" ", question="q", answer="a")
    assert e.value.message_dict["title"] == ["请填写标题。"]


def test_an_faq_is_published_only_at_the_questions_union_or_above(tree, staff, worker):
    req = answered(worker, staff.g1_handler)
    with pytest.raises(ValidationError) as e:
        svc.publish_faq(req, by=staff.city_admin, node=tree.d2, **svc.faq_draft(req))
    assert "本工会或上级工会" in e.value.message_dict["node"][0]
    assert [n.pk for n in svc.faq_nodes(req, staff.city_admin)] == [tree.city.pk, tree.d1.pk, tree.g1.pk]
    assert [n.pk for n in svc.faq_nodes(req, staff.d1_manager)] == [tree.d1.pk, tree.g1.pk]


def test_the_faq_goes_to_the_district_by_default_in_the_matching_category(tree, staff, worker):
    from gonghui.kb.models import Category as ArticleCategory

    wages = ArticleCategory.objects.create(code="wages", name="工资报酬")
    req = answered(worker, staff.g1_handler)
    article = svc.publish_faq(req, by=staff.city_admin, category=svc.faq_category(req), **svc.faq_draft(req))
    assert article.node == tree.d1 and article.category == wages
    req = answered(worker, staff.g1_handler, text="工伤怎么认定？")
    assert svc.faq_category(req) is None  # no such article category yet: left for staff to choose


@pytest.mark.django_db(transaction=True)
def test_the_same_form_sent_at_the_same_moment_files_one_question(tree):
    import threading

    from django.db import connection

    from gonghui.requests.categories import ensure_seeded

    ensure_seeded()  # a transactional test starts from an empty database
    user = asker(tree.g1)
    n = 6
    barrier = threading.Barrier(n)
    results, errors, lock = [], [], threading.Lock()

    def submit():
        try:
            barrier.wait(timeout=30)
            req, _created = svc.ask(by=user, text="试用期被辞退有补偿吗？", token="same-form")
            with lock:
                results.append(req.pk)
        except Exception as error:  # any error is a failure
            with lock:
                errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert len(results) == n and len(set(results)) == 1
    assert Request.objects.unscoped().filter(kind="consultation").count() == 1


def test_a_question_under_quality_check_is_indexed_when_the_check_approves(staff, worker):
    req = ask(worker)
    Request.objects.unscoped().filter(pk=req.pk).update(quality_check_required=True)
    req = Request.objects.unscoped().select_related("case").get(pk=req.pk)
    req = svc.answer(req, by=staff.g1_handler, text="可以申请劳动仲裁。", version=req.case.version)
    case = Case.objects.unscoped().get(pk=req.pk)
    assert case.state == "quality_check" and req.outcome.startswith("可以申请劳动仲裁。")
    assert _question_ids(worker) == []  # not yet answered in the worker's eyes
    workflow.perform_transition(case, "approve_check", by=staff.d1_manager, version=case.version)
    assert _question_ids(worker) == [req.pk]
