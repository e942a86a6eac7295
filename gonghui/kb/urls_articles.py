from django.urls import path

from gonghui.kb import feeds
from gonghui.kb import views_articles as v

urlpatterns = [
    path("kb/", v.home, name="home"),
    path("kb/search/", v.search_view, name="search"),
    path("kb/list/<slug:kind>/", v.list_kind, name="list"),
    path("kb/articles/<int:pk>/", v.article_view, name="article"),
    path("kb/feed/<int:node_id>/rss/", feeds.UnionRssFeed(), name="feed_rss"),
    path("kb/feed/<int:node_id>/atom/", feeds.UnionAtomFeed(), name="feed_atom"),
    path("console/kb/articles/", v.ArticleList.as_view(), name="articles"),
    path("console/kb/articles/new/", v.article_new, name="article_new"),
    path("console/kb/articles/<int:pk>/", v.article_manage, name="article_manage"),
    path("console/kb/articles/<int:pk>/edit/", v.article_edit, name="article_edit"),
    path("console/kb/articles/<int:pk>/versions/<int:number>/", v.article_version, name="article_version"),
    path("console/kb/articles/<int:pk>/<slug:action>/", v.article_action, name="article_action"),
    path("console/kb/synonyms/", v.synonyms, name="synonyms"),
    path("console/kb/synonyms/<int:pk>/", v.synonyms, name="synonym_edit"),
]
