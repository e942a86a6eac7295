"""Scope cases of the articles part (K1): an article of district 2 is out of district 1's reach."""

from gonghui.core.tests.scopecases import ScopeCase


def _article(env, *, publish=False, title="西城区专属欠薪政策解读"):
    from gonghui.kb import services_articles as svc
    from gonghui.kb.models import Article

    a = svc.create_article(node=env.tree.d2, kind=Article.Kind.GUIDE, title=title,
                           body_html="<p>西城区职工遇到欠薪可以申请法律援助。</p>", by=None)
    if publish:
        svc.publish(a, by=None)
    return a


def _draft(env):
    return _article(env)


def _published(env):
    return _article(env, publish=True)


def _with_version(env):
    from gonghui.kb import services_articles as svc

    a = _article(env, publish=True)
    return svc.update_article(a, by=None, title="西城区专属欠薪政策解读（修订）")


def _put_body(obj):
    return {"kind": "guide", "node_id": obj.node_id, "title": "改过的标题", "body_html": "<p>改过的正文</p>"}


CASES = [
    ScopeCase("kb:articles", _draft, kind="list", kwargs=lambda obj: {}, marker=lambda obj: obj.title),
    ScopeCase("kb:article_manage", _draft),
    ScopeCase("kb:article_edit", _draft),
    ScopeCase("kb:article_version", _with_version, kwargs=lambda obj: {"pk": obj.pk, "number": 1}),
    ScopeCase("kb:article_action", _draft, kind="change", kwargs=lambda obj: {"pk": obj.pk, "action": "submit"}),
    # Portal pages: district 1's staff read their own subtree and the unions above, never district 2's.
    ScopeCase("kb:article", _published),
    ScopeCase("kb:home", _published, kind="list", kwargs=lambda obj: {}, marker=lambda obj: obj.title),
    ScopeCase("kb:list", _published, kind="list", kwargs=lambda obj: {"kind": "guide"},
              marker=lambda obj: obj.title),
    ScopeCase("kb:search", _published, kind="list", kwargs=lambda obj: {}, data=lambda obj: {"q": "法律援助"},
              marker=lambda obj: obj.title),
    ScopeCase("GET /api/v1/kb/search", _published, kind="list", kwargs=lambda obj: {},
              data=lambda obj: {"q": "法律援助"}, marker=lambda obj: obj.title),
    ScopeCase("GET /api/v1/kb/articles/", _draft, kind="list", kwargs=lambda obj: {},
              data=lambda obj: {"manage": "true"}, marker=lambda obj: obj.title),
    ScopeCase("GET /api/v1/kb/articles/{int:article_id}", _draft, kwargs=lambda obj: {"article_id": obj.pk}),
    ScopeCase("PUT /api/v1/kb/articles/{int:article_id}", _draft, kind="change",
              kwargs=lambda obj: {"article_id": obj.pk}, data=_put_body),
    ScopeCase("POST /api/v1/kb/articles/{int:article_id}/submit", _draft, kind="change",
              kwargs=lambda obj: {"article_id": obj.pk}),
    ScopeCase("POST /api/v1/kb/articles/{int:article_id}/publish", _draft, kind="change",
              kwargs=lambda obj: {"article_id": obj.pk}),
    ScopeCase("POST /api/v1/kb/articles/{int:article_id}/unpublish", _published, kind="change",
              kwargs=lambda obj: {"article_id": obj.pk}),
]

EXEMPT = {
    "kb:article_new": "creates an article only at a union the writer picks from their own kb.write subtree "
                      "(the form's choices); another union's id is refused (test_articles_views)",
    "POST /api/v1/kb/articles/": "creates at node_id, answered 404 outside the caller's kb.write subtree "
                                 "(test_articles_api)",
    "kb:synonyms": "the synonym list is one for the whole tree, kept by kb.manage (test_articles_views)",
    "kb:synonym_edit": "the synonym list is one for the whole tree, kept by kb.manage (test_articles_views)",
    "kb:feed_rss": "a public feed for the union's new-media accounts: only published articles of that union and "
                   "the unions above it, exactly what its workers read (test_articles_feeds)",
    "kb:feed_atom": "a public feed for the union's new-media accounts: only published articles of that union and "
                    "the unions above it, exactly what its workers read (test_articles_feeds)",
}
