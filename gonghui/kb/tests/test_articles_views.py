"""Portal and console pages of the articles part."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gonghui.kb import services_articles as svc
from gonghui.kb.models import Article, ArticleVersion, SearchLog, Synonym
from gonghui.kb.tests.articles_factories import article, fresh_synonyms  # noqa: F401
from gonghui.requests.tests.factories import member_user

pytestmark = pytest.mark.django_db


def login(user):
    client = Client()
    client.force_login(user)
    return client


def test_portal_home_lists_each_kind_and_has_search_as_you_type(tree):
    article(tree.city, "金秋助学申请指南", kind=Article.Kind.GUIDE)
    article(tree.d2, "西城区劳模表彰", kind=Article.Kind.NEWS)
    html = login(member_user(tree.g1)).get(reverse("kb:home")).content.decode()
    assert "金秋助学申请指南" in html and "西城区劳模表彰" not in html
    assert 'hx-trigger="input changed delay:250ms from:#kb-q, submit"' in html


def test_search_answers_htmx_with_the_results_only(tree):
    article(tree.city, "欠薪怎么办？", "<p>可以向工会法律援助中心求助。</p>", kind=Article.Kind.FAQ)
    client = Client()
    partial = client.get(reverse("kb:search"), {"q": "欠薪怎么办"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<mark>欠薪</mark>" in partial and "<html" not in partial
    full = client.get(reverse("kb:search"), {"q": "欠薪"}).content.decode()
    assert "<html" in full and "欠薪怎么办" in full


@pytest.mark.parametrize("q", ['"', "(((", "欠薪 OR", "NEAR(", "*", "x" * 10_000, "", "<script>alert(1)</script>"])
def test_search_page_never_fails(tree, q):
    article(tree.city, "欠薪怎么办？")
    response = Client().get(reverse("kb:search"), {"q": q})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_search_filters_by_kind(tree):
    article(tree.city, "欠薪政策", kind=Article.Kind.POLICY)
    article(tree.city, "欠薪新闻", kind=Article.Kind.NEWS)
    html = Client().get(reverse("kb:search"), {"q": "欠薪", "kind": "news"}).content.decode()
    assert "<mark>欠薪</mark>新闻" in html and "<mark>欠薪</mark>政策" not in html


def test_zero_result_search_is_logged_once(tree):
    Client().get(reverse("kb:search"), {"q": "育儿补贴"})
    Client().get(reverse("kb:search"), {"q": "育儿补贴", "page": "2"})
    assert list(SearchLog.objects.unscoped().values_list("query", "results")) == [("育儿补贴", 0)]


def test_article_page_counts_reads_and_hides_other_districts(tree):
    a = article(tree.d2, "西城区困难职工帮扶办法", kind=Article.Kind.POLICY, doc_number="西工发〔2025〕3号")
    w2, w1 = member_user(tree.g2), member_user(tree.g1)
    html = login(w2).get(reverse("kb:article", args=[a.pk])).content.decode()
    assert "西工发〔2025〕3号" in html and "现行有效" in html
    assert Article.objects.unscoped().get(pk=a.pk).views == 1
    assert login(w1).get(reverse("kb:article", args=[a.pk])).status_code == 404
    assert Client().get(reverse("kb:article", args=[a.pk])).status_code == 404
    draft = article(tree.city, publish=False)
    assert login(w2).get(reverse("kb:article", args=[draft.pk])).status_code == 404


def test_list_by_kind(tree):
    article(tree.city, "入会须知", kind=Article.Kind.GUIDE)
    html = Client().get(reverse("kb:list", args=["guide"])).content.decode()
    assert "入会须知" in html
    assert Client().get(reverse("kb:list", args=["nonsense"])).status_code == 404


def test_portal_home_shows_the_unions_latest_news(tree):
    article(tree.d1, "东城区职工运动会开幕", kind=Article.Kind.NEWS)
    article(tree.d2, "西城区职工运动会开幕", kind=Article.Kind.NEWS)
    html = login(member_user(tree.g1)).get(reverse("portal:home")).content.decode()
    assert "东城区职工运动会开幕" in html and "西城区职工运动会开幕" not in html


def test_console_list_is_scoped_and_filters(tree, staff):
    article(tree.d1, "东城草稿", publish=False)
    article(tree.d2, "西城草稿", publish=False)
    html = login(staff.d1_admin).get(reverse("kb:articles")).content.decode()
    assert "东城草稿" in html and "西城草稿" not in html
    html = login(staff.d1_admin).get(reverse("kb:articles"), {"status": "published"}).content.decode()
    assert "东城草稿" not in html
    assert login(member_user(tree.g1)).get(reverse("kb:articles")).status_code == 404


def test_console_create_sanitises_and_validates(tree, staff):
    client = login(staff.g1_handler)
    data = {"kind": "faq", "node": tree.g1.pk, "title": "加班费怎么算", "summary": "",
            "body_html": '<p onclick="x()">平时加班按150%支付<script>alert(1)</script></p>', "tags_text": "加班 工资"}
    response = client.post(reverse("kb:article_new"), data)
    assert response.status_code == 302
    a = Article.objects.unscoped().get(title="加班费怎么算")
    assert a.body_html == "<p>平时加班按150%支付</p>" and a.status == "draft"
    assert sorted(a.tags.values_list("name", flat=True)) == ["加班", "工资"]
    # A union outside the writer's subtree is not a choice.
    response = client.post(reverse("kb:article_new"), {**data, "node": tree.d2.pk, "title": "越权"})
    assert response.status_code == 200 and not Article.objects.unscoped().filter(title="越权").exists()
    response = client.post(reverse("kb:article_new"), {**data, "kind": "policy", "title": "缺字段的政策"})
    assert "政策文件请填写发文机关。" in response.content.decode()
    # A viewer may not write.
    assert login(staff.g1_viewer).get(reverse("kb:article_new")).status_code == 403


def test_console_review_schedule_and_versions(tree, staff):
    a = article(tree.d1, "东城区金秋助学通知", publish=False)
    writer, manager = login(staff.d1_admin), login(staff.d1_manager)
    assert writer.post(reverse("kb:article_action", args=[a.pk, "submit"])).status_code == 302
    at = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    manager.post(reverse("kb:article_action", args=[a.pk, "publish"]), {"at": at})
    a.refresh_from_db()
    assert a.status == "scheduled"
    page = manager.get(reverse("kb:article_manage", args=[a.pk])).content.decode()
    assert "将于" in page
    manager.post(reverse("kb:article_action", args=[a.pk, "reject"]), {"reason": "改一下"})
    manager.post(reverse("kb:article_action", args=[a.pk, "publish"]), {"at": ""})
    a.refresh_from_db()
    assert a.status == "published"
    form = {"kind": "notice", "node": tree.d1.pk, "title": "东城区金秋助学通知（更新）",
            "body_html": "<p>新的正文</p>", "summary": ""}
    assert manager.post(reverse("kb:article_edit", args=[a.pk]), form).status_code == 302
    version = ArticleVersion.objects.get(article=a)
    assert version.title == "东城区金秋助学通知"
    page = manager.get(reverse("kb:article_version", args=[a.pk, 1])).content.decode()
    assert "东城区金秋助学通知" in page
    assert manager.post(reverse("kb:article_action", args=[a.pk, "nonsense"])).status_code == 404


def test_bad_schedule_time_is_explained(tree, staff):
    a = article(tree.d1, publish=False)
    client = login(staff.d1_manager)
    response = client.post(reverse("kb:article_action", args=[a.pk, "publish"]), {"at": "明天"}, follow=True)
    assert "发布时间格式不正确" in response.content.decode()
    assert Article.objects.unscoped().get(pk=a.pk).status == "draft"


def test_synonyms_editor_needs_kb_manage(tree, staff):
    assert login(staff.d1_manager).get(reverse("kb:synonyms")).status_code == 403
    client = login(staff.city_admin)
    assert client.post(reverse("kb:synonyms"), {"terms": "工伤 = 因工受伤", "active": "on"}).status_code == 302
    syn = Synonym.objects.get()
    response = client.post(reverse("kb:synonym_edit", args=[syn.pk]), {"terms": "工伤", "active": "on"})
    assert "至少要有两个词" in response.content.decode()
    client.post(reverse("kb:synonym_edit", args=[syn.pk]), {"delete": "1", "terms": "x"})
    assert not Synonym.objects.exists()


def test_ensure_defaults_seeds_categories_and_synonyms(db):
    svc.ensure_defaults()
    svc.ensure_defaults()
    from gonghui.kb.models import Category

    assert Category.objects.count() == len(svc.DEFAULT_CATEGORIES)
    assert Synonym.objects.count() == len(svc.DEFAULT_SYNONYMS)
