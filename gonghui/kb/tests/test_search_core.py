"""The search interface: segmentation, syntax-proof queries, synonyms, pinyin, audience, ranking."""

import pytest
from django.utils import timezone

from gonghui.kb import search
from gonghui.kb import services_articles as svc
from gonghui.kb.models import Article, SearchLog
from gonghui.kb.tests.articles_factories import article, fresh_synonyms  # noqa: F401
from gonghui.requests.tests.factories import member_user

pytestmark = pytest.mark.django_db


def titles(page):
    return [h.title for h in page.hits]


def test_segment_keeps_union_terms_whole_and_their_parts():
    words = search.segment("申请金秋助学需要什么材料").split()
    assert "金秋助学" in words and "助学" in words
    assert "欠薪" in search.query_words("欠薪怎么办")
    assert "怎么办" not in search.query_words("欠薪怎么办")


def test_two_character_word_is_found(tree):
    article(tree.city, "欠薪维权指南", "<p>被拖欠的工资如何追讨。</p>")
    article(tree.city, "工会会员服务", "<p>会员卡的办理。</p>")
    page = search.search("欠薪", log=False)
    assert titles(page) == ["欠薪维权指南"]
    assert "<mark>欠薪</mark>" in page.hits[0].title_html


@pytest.mark.parametrize("q", ['"', '""', "欠薪\"", "(欠薪", "欠薪)", "欠薪 AND", "OR", "NOT 欠薪", "欠薪 -工资",
                               "a:b", "title_seg:欠薪", "欠薪*", "^欠薪", "NEAR(欠薪 工资)", "{title_seg}",
                               "'; DROP TABLE kb_searchentry; --", "\\", "欠薪 & | ! <->", "\x00", "%", "_"])
def test_fts_syntax_never_fails(tree, q):
    article(tree.city, "欠薪维权指南", "<p>被拖欠的工资如何追讨。</p>")
    page = search.search(q, log=False)
    assert page.error == ""
    if "欠薪" in q:
        assert titles(page) == ["欠薪维权指南"]


def test_empty_query_returns_an_empty_page(tree):
    article(tree.city)
    for q in ("", "   ", None):
        page = search.search(q)
        assert page.total == 0 and page.hits == []
    assert SearchLog.objects.unscoped().count() == 0


def test_ten_thousand_characters_are_truncated(tree):
    article(tree.city, "欠薪维权指南", "<p>被拖欠的工资如何追讨。</p>")
    page = search.search("欠薪" + "工" * 10_000, log=True)
    assert page.error == ""
    assert len(page.query) == search.MAX_QUERY_CHARS
    assert len(SearchLog.objects.unscoped().get().query) <= 200


def test_synonyms_expand_the_query(tree):
    article(tree.city, "拖欠工资怎么处理", "<p>用人单位拖欠工资的，可以投诉。</p>")
    assert search.search("欠薪", log=False).total == 0
    svc.save_synonym(by=None, terms="欠薪 = 拖欠工资 = 工资拖欠")
    page = search.search("欠薪", log=False)
    assert titles(page) == ["拖欠工资怎么处理"]
    assert "<mark>拖欠工资</mark>" in page.hits[0].title_html


@pytest.mark.parametrize("q", ["jqzx", "jinqiu", "jinqiuzhuxue", "zhuxue", "JQZX"])
def test_pinyin_finds_chinese_titles(tree, q):
    article(tree.city, "金秋助学申请指南", "<p>每年八月开始申请。</p>", kind=Article.Kind.GUIDE)
    article(tree.city, "工伤认定流程", "<p>工伤认定。</p>", kind=Article.Kind.GUIDE)
    assert titles(search.search(q, log=False)) == ["金秋助学申请指南"]


def test_a_worker_finds_their_unions_and_ancestors_articles_only(tree):
    article(tree.city, "全市职工欠薪求助渠道")
    article(tree.d1, "东城区欠薪法律援助")
    article(tree.d2, "西城区欠薪法律援助")
    article(tree.g2, "西城纺织厂欠薪处理")
    w1 = member_user(tree.g1)
    w2 = member_user(tree.g2)
    assert sorted(titles(search.search("欠薪", user=w1, log=False))) == sorted(["全市职工欠薪求助渠道", "东城区欠薪法律援助"])
    assert sorted(titles(search.search("欠薪", user=w2, log=False))) == sorted(
        ["全市职工欠薪求助渠道", "西城区欠薪法律援助", "西城纺织厂欠薪处理"])
    # An anonymous visitor finds the city's articles.
    assert titles(search.search("欠薪", user=None, log=False)) == ["全市职工欠薪求助渠道"]


def test_staff_find_their_subtree_and_ancestors(tree, staff):
    article(tree.city, "全市职工欠薪求助渠道")
    article(tree.d1, "东城区欠薪法律援助")
    article(tree.d2, "西城区欠薪法律援助")
    article(tree.g2, "西城纺织厂欠薪处理")
    found = titles(search.search("欠薪", user=staff.d2_admin, log=False))
    assert sorted(found) == sorted(["全市职工欠薪求助渠道", "西城区欠薪法律援助", "西城纺织厂欠薪处理"])


def test_policies_in_force_rank_above_repealed_ones(tree):
    article(tree.city, "最低工资标准的规定", "<p>最低工资标准。</p>", kind=Article.Kind.POLICY,
            policy_status=Article.PolicyStatus.REPEALED)
    article(tree.city, "最低工资标准的规定（2024年修订）", "<p>最低工资标准。</p>", kind=Article.Kind.POLICY,
            policy_status=Article.PolicyStatus.IN_FORCE)
    page = search.search("最低工资", log=False)
    assert titles(page)[0] == "最低工资标准的规定（2024年修订）"
    assert page.hits[0].score > page.hits[1].score


def test_recent_news_ranks_above_old_news(tree):
    old = article(tree.city, "劳模座谈会召开", "<p>劳模代表发言。</p>", kind=Article.Kind.NEWS)
    Article.objects.unscoped().filter(pk=old.pk).update(published_at=timezone.now() - timezone.timedelta(days=400))
    svc.index_article(Article.objects.unscoped().get(pk=old.pk))
    article(tree.city, "劳模座谈会召开", "<p>劳模代表发言。</p>", kind=Article.Kind.NEWS)
    page = search.search("劳模", log=False)
    assert page.hits[0].obj_id != old.pk


def test_filters_by_kind_category_and_union(tree):
    svc.ensure_defaults()
    from gonghui.kb.models import Category

    cat = Category.objects.get(code="wages")
    article(tree.city, "欠薪政策", kind=Article.Kind.POLICY, category=cat)
    article(tree.d1, "欠薪新闻", kind=Article.Kind.NEWS)
    assert titles(search.search("欠薪", filters={"subkind": "policy"}, log=False)) == ["欠薪政策"]
    assert titles(search.search("欠薪", filters={"category": cat.pk}, log=False)) == ["欠薪政策"]
    assert titles(search.search("欠薪", filters={"category": "x"}, log=False)) == []
    admin = type("U", (), {"is_authenticated": True, "is_superuser": True, "is_active": True, "pk": 1})()
    assert titles(search.search("欠薪", user=admin, filters={"node_path": tree.d1.path}, log=False)) == ["欠薪新闻"]


def test_zero_result_searches_are_logged(tree):
    w = member_user(tree.g1)
    search.search("高温津贴", user=w)
    log = SearchLog.objects.unscoped().get()
    assert log.results == 0 and log.user == w and log.node_path == tree.g1.path


def test_unpublish_and_edit_keep_the_index_in_step(tree):
    a = article(tree.city, "欠薪维权指南", "<p>内容。</p>")
    svc.update_article(a, by=None, title="工资拖欠维权指南")
    assert titles(search.search("工资拖欠", log=False)) == ["工资拖欠维权指南"]
    assert search.search("欠薪", log=False).total == 0
    svc.unpublish(a, by=None)
    assert search.search("工资拖欠", log=False).total == 0


def test_snippet_is_escaped_and_highlighted(tree):
    article(tree.city, "说明", "<p>&lt;b&gt;注意&lt;/b&gt; 欠薪可以求助</p>")
    hit = search.search("欠薪", log=False).hits[0]
    assert "&lt;b&gt;" in hit.snippet_html and "<b>" not in hit.snippet_html
    assert "<mark>欠薪</mark>" in hit.snippet_html


def test_questions_are_found_by_the_asker_and_staff_only(tree, staff):
    asker = member_user(tree.g1)
    other = member_user(tree.g1)
    search.index_item("question", 77, title="公司欠薪三个月怎么办", body="已答复：可申请劳动仲裁。",
                      node_path=tree.g1.path, url="/q/77/", published_at=timezone.now(),
                      facets={"owner_id": asker.pk})
    kinds = ("article", "question")
    assert titles(search.search("欠薪", user=asker, kinds=kinds, log=False)) == ["公司欠薪三个月怎么办"]
    assert titles(search.search("欠薪", user=other, kinds=kinds, log=False)) == []
    assert titles(search.search("欠薪", user=staff.d1_admin, kinds=kinds, log=False)) == ["公司欠薪三个月怎么办"]
    assert titles(search.search("欠薪", user=staff.d2_admin, kinds=kinds, log=False)) == []
    search.unindex_item("question", 77)
    assert titles(search.search("欠薪", user=asker, kinds=kinds, log=False)) == []


def test_typing_one_question_is_logged_once(tree):
    w = member_user(tree.g1)
    for q in ("欠", "欠薪", "欠薪怎么办"):
        search.search(q, user=w)
    search.search("金秋助学", user=w)
    assert list(SearchLog.objects.unscoped().order_by("pk").values_list("query", flat=True)) == ["欠薪怎么办", "金秋助学"]


def test_ranking_window_keeps_recent_and_title_matches(tree, monkeypatch):
    # Past WINDOW matches, BM25 ranks the newest WINDOW ones plus older items whose title matches.
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the ranking window is SQLite's (PostgreSQL ranks every match with tsv_rank)")
    old_title = article(tree.city, "欠薪求助指南", "<p>说明。</p>")
    for i in range(4):
        article(tree.city, f"工会动态{i}", f"<p>第{i}期：欠薪治理。</p>")
    monkeypatch.setattr(search, "WINDOW", 2)
    page = search.search("欠薪", limit=3, log=False)  # the window: the 3 newest (never fewer than a page)
    assert page.total == 5
    found = [h.obj_id for h in page.hits]
    assert found[0] == old_title.pk and len(found) == 3
    assert "工会动态0" not in [h.title for h in page.hits]  # older, and not a title match: outside
