"""RSS and Atom feeds per union."""

import xml.etree.ElementTree as ET

import pytest
from django.test import Client
from django.urls import reverse

from gonghui.kb import services_articles as svc
from gonghui.kb.models import Article
from gonghui.kb.tests.articles_factories import article, fresh_synonyms  # noqa: F401

pytestmark = pytest.mark.django_db


def test_rss_feed_of_a_union_has_its_and_its_ancestors_articles(tree):
    article(tree.city, "全市劳模表彰大会召开", kind=Article.Kind.NEWS, summary="表彰100名劳模")
    article(tree.d1, "东城区职工书屋开放", kind=Article.Kind.NOTICE)
    article(tree.d2, "西城区技能大赛", kind=Article.Kind.NEWS)
    article(tree.d1, "东城区草稿", kind=Article.Kind.NEWS, publish=False)
    response = Client().get(reverse("kb:feed_rss", args=[tree.g1.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/rss+xml")
    root = ET.fromstring(response.content)
    titles = [i.findtext("title") for i in root.iter("item")]
    assert sorted(titles) == sorted(["全市劳模表彰大会召开", "东城区职工书屋开放"])
    assert "表彰100名劳模" in response.content.decode()
    assert root.find("channel").findtext("title").startswith("东城机械厂工会")


def test_atom_feed(tree):
    a = article(tree.d2, "西城区技能大赛", kind=Article.Kind.NEWS)
    response = Client().get(reverse("kb:feed_atom", args=[tree.d2.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/atom+xml")
    ns = {"a": "http://www.w3.org/2005/Atom"}
    root = ET.fromstring(response.content)
    entries = root.findall("a:entry", ns)
    assert [e.findtext("a:title", namespaces=ns) for e in entries] == ["西城区技能大赛"]
    assert entries[0].find("a:link", ns).get("href").endswith(a.get_absolute_url())


def test_unpublished_articles_leave_the_feed(tree):
    a = article(tree.city, "将要下线的通知", kind=Article.Kind.NOTICE)
    svc.unpublish(a, by=None)
    assert "将要下线的通知" not in Client().get(reverse("kb:feed_rss", args=[tree.city.pk])).content.decode()


def test_unknown_union_is_404(db):
    assert Client().get(reverse("kb:feed_rss", args=[999999])).status_code == 404
