"""Helpers for the questions tests (K2): askers, questions, answers, articles to link."""

import itertools

from gonghui.kb import services_questions as svc
from gonghui.kb.models import Article
from gonghui.kb.tests.articles_factories import article
from gonghui.requests.categories import ensure_seeded
from gonghui.requests.tests.factories import member_user

_tokens = itertools.count(1)


def asker(union, **worker_fields):
    ensure_seeded()
    return member_user(union, **worker_fields)


def ask(user, text="单位拖欠了我两个月工资，欠薪怎么办？", **kwargs):
    req, _created = svc.ask(by=user, text=text, **kwargs)
    return req


def answered(user, staff_user, text="单位拖欠了我两个月工资，欠薪怎么办？", answer="可以向劳动监察大队投诉，也可以申请劳动仲裁。",
             articles=()):
    req = ask(user, text)
    return svc.answer(req, by=staff_user, text=answer, article_ids=[a.pk for a in articles], version=req.case.version)


def policy(node, title="江海市工资支付条例", body="<p>用人单位应当按时足额支付工资，不得克扣或者无故拖欠劳动者工资。</p>"):
    return article(node, title=title, body=body, kind=Article.Kind.POLICY)


def faq(node, title="被拖欠工资怎么办？", body="<p>欠薪可以向劳动保障监察机构投诉，或者申请劳动争议仲裁。</p>"):
    return article(node, title=title, body=body, kind=Article.Kind.FAQ)
