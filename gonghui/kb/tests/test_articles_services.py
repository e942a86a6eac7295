"""Articles: sanitising (one test per vector), validation, review and publishing, schedules, versions."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gonghui.audit.models import AuditEntry
from gonghui.core import periodic
from gonghui.kb import search
from gonghui.kb import services_articles as svc
from gonghui.kb.models import Article, ArticleVersion
from gonghui.kb.sanitize import clean_html
from gonghui.kb.tests.articles_factories import article, fresh_synonyms  # noqa: F401

pytestmark = pytest.mark.django_db
S = Article.Status


# ----- sanitising: one test per vector -----

def test_script_tags_are_removed_with_their_content():
    out = clean_html("<p>正文</p><script>alert('x')</script><SCRIPT src=//evil.cn/a.js></SCRIPT>")
    assert out == "<p>正文</p>"


def test_event_attributes_are_removed():
    out = clean_html('<p onclick="steal()">a</p><img src="/media/a.png" onerror="steal()"><a href="/x" onmouseover=x>b</a>')
    assert "on" not in out.replace("noopener", "").replace("nofollow", "")
    assert '<img src="/media/a.png">' in out


def test_javascript_links_are_removed():
    out = clean_html('<a href="javascript:alert(1)">点我</a><a href=" JaVaScRiPt:alert(1)">2</a>'
                     '<a href="vbscript:x">3</a><a href="data:text/html,<script>">4</a>')
    assert "javascript" not in out.lower() and "vbscript" not in out and "data:" not in out
    assert "点我" in out


def test_css_expressions_and_style_are_removed():
    out = clean_html('<p style="width: expression(alert(1)); background:url(javascript:x)">a</p>'
                     '<style>body{background:url("javascript:alert(1)")}</style><link rel=stylesheet href=x.css>')
    assert out == "<p>a</p>"


def test_unsafe_image_sources_are_dropped_and_safe_ones_kept():
    out = clean_html('<img src="data:image/svg+xml;base64,PHN2Zz4="><img src="http://x.cn/a.png">'
                     '<img src="https://img.example.cn/a.png" alt="图"><img src="/media/kb/a.jpg" width="300">')
    assert "data:" not in out and "http://x.cn" not in out
    assert '<img src="https://img.example.cn/a.png" alt="图">' in out
    assert '<img src="/media/kb/a.jpg" width="300">' in out


def test_iframes_and_forms_are_removed():
    out = clean_html('<iframe src="https://evil.cn"></iframe><form action="/x"><input name=a></form><p>留下</p>')
    assert out == "<p>留下</p>"


def test_the_service_stores_sanitised_html(tree):
    a = article(tree.city, body='<p onclick="x()">欠薪<script>alert(1)</script></p>', publish=False)
    assert Article.objects.unscoped().get(pk=a.pk).body_html == "<p>欠薪</p>"
    svc.update_article(a, by=None, body_html='<a href="javascript:alert(1)">链接</a>')
    assert "javascript" not in Article.objects.unscoped().get(pk=a.pk).body_html


# ----- validation -----

def test_a_policy_needs_its_issuing_body_and_status(tree):
    with pytest.raises(ValidationError) as exc:
        svc.create_article(node=tree.city, kind=Article.Kind.POLICY, title="关于工资支付的规定",
                           body_html="<p>正文</p>", by=None)
    assert exc.value.message_dict["issuing_body"] == ["政策文件请填写发文机关。"]
    assert "效力状态" in exc.value.message_dict["policy_status"][0]


def test_empty_title_and_body_are_refused_in_chinese(tree):
    with pytest.raises(ValidationError) as exc:
        svc.create_article(node=tree.city, kind=Article.Kind.NEWS, title="  ", body_html="<script>x</script>", by=None)
    assert exc.value.message_dict["title"] == ["请填写标题。"]
    assert exc.value.message_dict["body_html"] == ["请填写正文（或上传政策原件）。"]


def test_effective_date_before_issue_date_is_refused(tree):
    with pytest.raises(ValidationError) as exc:
        article(tree.city, kind=Article.Kind.POLICY, issued_on=timezone.localdate(),
                effective_on=timezone.localdate() - timedelta(days=1))
    assert exc.value.message_dict["effective_on"] == ["施行日期不能早于发文日期。"]


def test_policy_fields_are_kept(tree):
    a = article(tree.city, "江苏省总工会关于做好工资集体协商工作的意见", kind=Article.Kind.POLICY,
                issuing_body="江苏省总工会", doc_number="苏工发〔2024〕12号", issued_on=timezone.localdate())
    a = Article.objects.unscoped().get(pk=a.pk)
    assert a.doc_number == "苏工发〔2024〕12号" and a.policy_status == "in_force"
    assert search.search("苏工发", log=False).hits[0].obj_id == a.pk


# ----- workflow and permissions -----

def test_draft_review_publish(tree, staff):
    a = svc.create_article(node=tree.g1, kind="faq", title="会费怎么交", body_html="<p>按月交纳。</p>",
                           by=staff.g1_handler)
    assert a.status == S.DRAFT and search.search("会费", log=False).total == 0
    svc.submit_for_review(a, by=staff.g1_handler)
    with pytest.raises(PermissionDenied):
        svc.publish(a, by=staff.g1_handler)  # a handler writes; a manager publishes
    svc.publish(a, by=staff.d1_manager)
    a.refresh_from_db()
    assert a.status == S.PUBLISHED and a.published_at is not None
    assert search.search("会费", log=False).total == 0  # g1's article: not for an anonymous visitor
    assert search.search("会费", user=staff.g1_viewer, log=False).total == 1
    events = list(AuditEntry.objects.unscoped().filter(object_id=str(a.pk)).values_list("event", flat=True))
    assert {"kb.article.created", "kb.article.submitted", "kb.article.published"} <= set(events)


def test_writers_outside_their_subtree_are_refused(tree, staff):
    with pytest.raises(PermissionDenied):
        svc.create_article(node=tree.d2, kind="news", title="x", body_html="<p>y</p>", by=staff.d1_admin)
    with pytest.raises(PermissionDenied):
        svc.create_article(node=tree.g1, kind="news", title="x", body_html="<p>y</p>", by=staff.g1_viewer)


def test_submit_twice_is_refused_in_chinese(tree):
    a = article(tree.city, publish=False)
    svc.submit_for_review(a, by=None)
    with pytest.raises(ValidationError) as exc:
        svc.submit_for_review(a, by=None)
    assert "只有草稿可以提交审核" in exc.value.messages[0]


def test_scheduled_publishing_by_the_periodic_job(tree):
    a = article(tree.city, "高温津贴发放通知", "<p>六月至九月发放高温津贴。</p>", publish=False)
    at = timezone.now() + timedelta(hours=2)
    svc.publish(a, by=None, at=at)
    a.refresh_from_db()
    assert a.status == S.SCHEDULED and a.publish_at == at
    assert search.search("高温津贴", log=False).total == 0
    assert svc.publish_due(now=timezone.now()) == []
    assert svc.publish_due(now=at + timedelta(minutes=1)) == [a.pk]
    a.refresh_from_db()
    assert a.status == S.PUBLISHED and a.published_at == at
    assert search.search("高温津贴", log=False).total == 1
    assert "gonghui.kb.services_articles.publish_due_articles" in periodic.JOBS


def test_the_periodic_task_publishes_due_articles(tree):
    a = article(tree.city, publish=False)
    svc.publish(a, by=None, at=timezone.now() + timedelta(seconds=1))
    Article.objects.unscoped().filter(pk=a.pk).update(publish_at=timezone.now() - timedelta(minutes=1))
    svc.publish_due_articles.call()
    assert Article.objects.unscoped().get(pk=a.pk).status == S.PUBLISHED


def test_each_save_of_a_published_article_keeps_the_previous_version(tree):
    a = article(tree.city, "第一版标题", "<p>第一版正文</p>")
    svc.update_article(a, by=None, title="第二版标题")
    svc.update_article(a, by=None, body_html="<p>第三版正文</p>")
    versions = list(ArticleVersion.objects.filter(article=a).order_by("number"))
    assert [(v.number, v.title) for v in versions] == [(1, "第一版标题"), (2, "第二版标题")]
    assert versions[0].body_html == "<p>第一版正文</p>" and versions[1].body_html == "<p>第一版正文</p>"
    # A save that changes nothing keeps no version; drafts keep none.
    svc.update_article(a, by=None, title="第二版标题")
    assert ArticleVersion.objects.filter(article=a).count() == 2
    d = article(tree.city, publish=False)
    svc.update_article(d, by=None, title="草稿改标题")
    assert ArticleVersion.objects.filter(article=d).count() == 0


def test_unpublish_and_restore(tree):
    a = article(tree.city, "欠薪求助渠道")
    svc.unpublish(a, by=None)
    assert a.status == S.ARCHIVED and search.search("欠薪", log=False).total == 0
    svc.restore_draft(a, by=None)
    svc.publish(a, by=None)
    assert search.search("欠薪", log=False).total == 1


def test_synonyms_need_two_terms(tree):
    with pytest.raises(ValidationError) as exc:
        svc.save_synonym(by=None, terms="欠薪")
    assert "至少要有两个词" in exc.value.message_dict["terms"][0]


def test_synonyms_need_kb_manage(tree, staff):
    with pytest.raises(PermissionDenied):
        svc.save_synonym(by=staff.d1_manager, terms="欠薪 = 拖欠工资")
    assert svc.save_synonym(by=staff.city_admin, terms="欠薪，拖欠工资、工资拖欠").terms == "欠薪 = 拖欠工资 = 工资拖欠"


def test_record_view_counts(tree):
    a = article(tree.city)
    svc.record_view(a)
    svc.record_view(a)
    assert Article.objects.unscoped().get(pk=a.pk).views == 2
