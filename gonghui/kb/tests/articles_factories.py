"""Helpers for the articles/search tests (K1)."""

import pytest

from gonghui.kb import services_articles as svc
from gonghui.kb.models import Article


def article(node, title="关于做好欠薪治理工作的通知", body="<p>职工遇到欠薪问题可以向工会求助。</p>", *,
            kind=Article.Kind.NOTICE, publish=True, **fields):
    if kind == Article.Kind.POLICY:
        fields.setdefault("issuing_body", "江海市总工会")
        fields.setdefault("policy_status", Article.PolicyStatus.IN_FORCE)
    a = svc.create_article(node=node, kind=kind, title=title, body_html=body, by=None, **fields)
    if publish:
        svc.publish(a, by=None)
    return a


@pytest.fixture(autouse=True)
def fresh_synonyms():
    """The synonym cache outlives a test's rolled-back transaction: start and end each test empty."""
    from gonghui.kb import search

    search.clear_synonyms_cache()
    yield
    search.clear_synonyms_cache()
