"""The bounded ranking that keeps staff search fast (issue 7): short facet queries, the ranking window
(newest matches plus older title matches) on both engines, and the count it reports."""

import pytest
from django.db import connection
from django.utils import timezone

from gonghui.kb import search
from gonghui.kb.tests.articles_factories import article, fresh_synonyms  # noqa: F401
from gonghui.requests.tests.factories import member_user

pytestmark = pytest.mark.django_db


def test_facets_leave_out_kind_tokens_the_audience_implies():
    # A district's staff searching everything: the subtree token needs no kind, nor do zx (articles
    # only) and zo (questions only) — one OR of short lists instead of zkquestion AND … (every question).
    assert search._facets({"article": ["zp0001", "zx0000", "zx0001"], "question": ["zo5", "zp0001"]}) == [
        [["zp0001", "zx0000", "zx0001", "zo5"]]]
    # Articles only: the subtree token is on questions too, so it keeps its kind.
    assert search._facets({"article": ["zp0001", "zx0000"]}) == [[["zx0000"]], [["zkarticle"], ["zp0001"]]]
    # A question's owner alone.
    assert search._facets({"question": ["zo7"]}) == [[["zo7"]]]
    # No restriction (a superuser), for every kind or for one.
    assert search._facets({"article": None, "question": None}) is None
    assert search._facets({"article": None}) == [[["zkarticle"]]]


def test_facet_tokens_are_kind_specific():
    tokens = search._facet_tokens("article", "news", None, "00000001", 9).split()
    assert "zx00000001" in tokens and not any(t.startswith("zo") for t in tokens)
    tokens = search._facet_tokens("question", "wages", None, "00000001", 9).split()
    assert "zo9" in tokens and not any(t.startswith("zx") for t in tokens)


def test_query_syntax_with_simplified_facets(tree, staff):
    plan = search._plan("欠薪", staff.d2_admin, ("article", "question"), {"subkind": "policy"})
    fts = plan.fts5("AND")
    assert '"zkquestion"' not in fts and '"zkarticle"' not in fts
    assert f'"zp{tree.d2.path.lower()}"' in fts and '"zspolicy"' in fts
    tsq = plan.tsquery("AND")
    assert "'zkquestion'" not in tsq and f"'zp{tree.d2.path.lower()}'" in tsq
    assert plan.tsquery_text("AND", "AC") == "((('欠薪':AC)))"


def _force_window(monkeypatch, window):
    """Make both engines rank through their bounded window even on a handful of rows."""
    monkeypatch.setattr(search, "WINDOW", window)
    monkeypatch.setattr(search, "TITLE_WINDOW", 50)
    monkeypatch.setattr(search, "PG_WINDOW", window)
    monkeypatch.setattr(search, "PG_RANK_ALL", 0)
    monkeypatch.setattr(search, "PG_TITLE_SPANS", 1000)
    monkeypatch.setattr(search, "_pg_estimate", lambda cur, tsq, vector="e.tsv": 100_000)
    _one_bucket_each()


def _one_bucket_each():
    """PostgreSQL windows by recency buckets of PG_BUCKET ids (migration 0008): give each entry its own."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cur:
        # New ids above the old ones, in the same order (the sequence outlives the test's transaction).
        cur.execute("UPDATE kb_searchentry e SET id = m.top + m.n * %s FROM (SELECT id, max(id) OVER () AS top, "
                    "row_number() OVER (ORDER BY id) AS n FROM kb_searchentry) m WHERE e.id = m.id",
                    [search.PG_BUCKET])  # the triggers follow
        cur.execute("SELECT setval(pg_get_serial_sequence('kb_searchentry', 'id'), "
                    "(SELECT max(id) FROM kb_searchentry) + 1)")


def test_staff_window_keeps_the_audience_and_older_title_matches(tree, staff, monkeypatch):
    old_title = article(tree.d2, "西城区欠薪求助指南", "<p>说明。</p>")
    for i in range(6):
        article(tree.d1, f"东城动态{i}", f"<p>第{i}期：欠薪治理。</p>")
        article(tree.d2, f"西城动态{i}", f"<p>第{i}期：欠薪治理。</p>")
    newest = article(tree.d2, "西城动态最新", "<p>欠薪治理最新进展。</p>")
    _force_window(monkeypatch, 3)
    page = search.search("欠薪", user=staff.d2_admin, kinds=("article", "question"), log=False)
    found = {h.title for h in page.hits}
    assert not any(t.startswith("东城") for t in found)          # another district's: never
    assert old_title.title in found and newest.title in found    # an older title match competes
    assert page.hits[0].title == old_title.title                 # and a title match ranks first
    assert page.total >= len(page.hits) and page.error == ""
    if connection.vendor == "sqlite":                            # SQLite counts exactly up to COUNT_CAP
        assert page.total == 8 and page.total_exact


def test_a_window_that_covers_everything_ranks_like_no_window(tree, staff, monkeypatch):
    for i in range(5):
        article(tree.d2, f"西城欠薪案例{i}", f"<p>{'欠薪' * (i + 1)}的处理。</p>")
        article(tree.d2, f"西城动态{i}", "<p>欠薪治理。</p>")
    user = staff.d2_admin
    plain = search.search("欠薪", user=user, kinds=("article", "question"), log=False)
    _force_window(monkeypatch, 50)
    # SQLite: BM25 of the whole query (facet tokens and all) instead of the text alone.
    monkeypatch.setattr(search, "TEXT_RANGE_MAX", 0)
    windowed = search.search("欠薪", user=user, kinds=("article", "question"), log=False)
    assert [h.obj_id for h in windowed.hits] == [h.obj_id for h in plain.hits]
    assert [round(h.score, 6) for h in windowed.hits] == [round(h.score, 6) for h in plain.hits]
    assert plain.total == windowed.total == 10 and plain.total_exact and windowed.total_exact


def test_later_pages_widen_the_window(tree, monkeypatch):
    for i in range(7):
        article(tree.city, f"全市动态{i}", "<p>欠薪治理。</p>")
    _force_window(monkeypatch, 2)
    first = search.search("欠薪", limit=3, log=False)
    second = search.search("欠薪", limit=3, offset=3, log=False)
    assert len(first.hits) == 3 and len(second.hits) == 3
    assert not {h.obj_id for h in first.hits} & {h.obj_id for h in second.hits}


def test_a_worker_still_finds_only_their_unions_articles_through_the_window(tree, monkeypatch):
    for i in range(4):
        article(tree.g1, f"东城机械厂欠薪通报{i}")
        article(tree.g2, f"西城纺织厂欠薪通报{i}")
    article(tree.city, "全市欠薪求助渠道")
    worker = member_user(tree.g1)
    _force_window(monkeypatch, 2)
    found = [h.title for h in search.search("欠薪", user=worker, log=False).hits]
    assert found and all(t.startswith(("东城机械厂", "全市")) for t in found)
    assert "全市欠薪求助渠道" in found


def test_question_owner_finds_their_question_through_the_window(tree, monkeypatch):
    asker = member_user(tree.g1)
    for i in range(4):
        search.index_item("question", 500 + i, title=f"公司欠薪{i}个月怎么办", body="已答复。",
                          node_path=tree.g1.path, url=f"/q/{500 + i}/", published_at=timezone.now(),
                          facets={"owner_id": asker.pk if i == 0 else asker.pk + 1000})
    _force_window(monkeypatch, 2)
    hits = search.search("欠薪", user=asker, kinds=("question",), log=False).hits
    assert [h.obj_id for h in hits] == [500]


def test_the_ranking_table_follows_the_index(staff, tree):
    # PostgreSQL matches and ranks in the narrow kb_searchrank (migration 0008), kept by triggers.
    if connection.vendor != "postgresql":
        pytest.skip("the ranking table is PostgreSQL's")

    def found(query):
        page = search.search(query, user=staff.d1_admin, kinds=("question",), log=False)
        return [h.obj_id for h in page.hits]

    def rank_rows():
        with connection.cursor() as cur:
            cur.execute("SELECT r.boost FROM kb_searchrank r JOIN kb_searchentry e USING (id) WHERE e.obj_id = 88")
            return [row[0] for row in cur.fetchall()]

    where = {"node_path": tree.g1.path, "url": "/q/88/", "published_at": timezone.now()}
    search.index_item("question", 88, title="公司欠薪怎么办", body="可申请劳动仲裁。", **where)
    assert found("欠薪") == [88] and rank_rows() == [1.0]
    # Indexed again: an upsert.
    search.index_item("question", 88, title="工伤认定怎么办", body="先申请认定。", boost=2.0, **where)
    assert found("欠薪") == [] and found("工伤认定") == [88] and rank_rows() == [2.0]
    search.unindex_item("question", 88)
    assert found("工伤认定") == [] and rank_rows() == []
    search.index_item("question", 88, title="公司欠薪怎么办", body="", **where)
    with connection.cursor() as cur:
        cur.execute("TRUNCATE kb_searchentry")
        cur.execute("SELECT count(*) FROM kb_searchrank")
        assert cur.fetchone()[0] == 0


def test_pinyin_initials_find_a_title_through_the_window(tree, monkeypatch):
    # PostgreSQL estimates a pinyin prefix from the title index's statistics (_pg_estimates).
    article(tree.city, "金秋助学申请指南", "<p>说明。</p>")
    for i in range(4):
        article(tree.city, f"全市动态{i}", "<p>欠薪治理。</p>")
    _force_window(monkeypatch, 2)
    assert [h.title for h in search.search("jqzx", log=False).hits] == ["金秋助学申请指南"]
