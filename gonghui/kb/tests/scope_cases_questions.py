"""The questions part's routes for the shared scope test (core/tests/test_scope_routes.py)."""

from gonghui.core.tests.scopecases import ScopeCase


def _question_in_d2(env):
    from gonghui.kb.tests.questions_factories import ask, asker

    return ask(asker(env.tree.g2), "西城专属咨询：加班费怎么算？")


def _answered_in_d2(env):
    from gonghui.accounts.models import User
    from gonghui.kb import services_questions as svc

    req = _question_in_d2(env)
    by = User.objects.get(username="t_d2_manager")
    return svc.answer(req, by=by, text="按国家规定的标准支付加班费。", version=req.case.version)


def _zero_search_in_d2(env):
    from gonghui.kb.models import SearchLog

    return SearchLog.objects.create(query="西城专属无结果词", results=0, node_path=env.tree.g2.path)


def _answer_data(obj):
    return {"answer": "请向劳动监察大队反映。", "version": obj.case.version}


def _faq_data(obj):
    return {"title": "加班费怎么算？", "question": "加班费怎么算？", "answer": "按国家规定的标准支付。",
            "node": obj.case.node.parent_id}


def _number(obj):
    return obj.case.number


_ID = {"question_id": lambda obj: obj.pk}


CASES = [
    ScopeCase("kb:questions", _question_in_d2, kind="list", kwargs=lambda obj: {}, marker=_number),
    ScopeCase("kb:answer", _question_in_d2),
    ScopeCase("kb:answer", _question_in_d2, kind="change", data=_answer_data),
    ScopeCase("kb:article_picker", _question_in_d2, data=lambda obj: {"q": "加班费"}),
    ScopeCase("kb:publish_faq", _answered_in_d2),
    ScopeCase("kb:publish_faq", _answered_in_d2, kind="change", data=_faq_data),
    ScopeCase("kb:ask_done", _question_in_d2),  # staff are sent on to the console case page
    ScopeCase("kb:question", _question_in_d2),  # staff are sent on to the console case page
    ScopeCase("kb:figures", _zero_search_in_d2, kind="list", kwargs=lambda obj: {}, marker=lambda obj: obj.query),
    ScopeCase("GET /api/v1/kb/questions/", _question_in_d2, kind="list", kwargs=lambda obj: {}, marker=_number),
    ScopeCase("GET /api/v1/kb/questions/{int:question_id}", _question_in_d2,
              kwargs=lambda obj: {"question_id": obj.pk}),
    ScopeCase("POST /api/v1/kb/questions/{int:question_id}/answer", _question_in_d2, kind="change",
              kwargs=lambda obj: {"question_id": obj.pk},
              data=lambda obj: {"answer": "请向劳动监察大队反映。", "version": obj.case.version}),
    ScopeCase("POST /api/v1/kb/questions/{int:question_id}/faq", _answered_in_d2, kind="change",
              kwargs=lambda obj: {"question_id": obj.pk}, data=lambda obj: {}),
    ScopeCase("GET /api/v1/kb/questions/figures", _zero_search_in_d2, kind="list", kwargs=lambda obj: {},
              marker=lambda obj: obj.query),
]

EXEMPT = {
    "kb:ask": "the worker files their own question, routed by the requests rule to their union; the page "
              "lists only the signed-in worker's own questions (test_questions_views)",
    "kb:ask_suggest": "suggestions come from kb.search with its audience rule: articles of the worker's union "
                      "and its ancestors, questions of the asker only (test_questions_services, test_search_core)",
}
