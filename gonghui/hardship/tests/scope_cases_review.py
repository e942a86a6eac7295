"""The review part's routes for the shared scope test: each makes its row in district 2 (union g2)."""

import datetime

from django.utils import timezone

from gonghui.core.tests.scopecases import ScopeCase


def _today():
    return timezone.localdate()


def _registered(env):
    from gonghui.hardship.tests.factories import HardshipFileFactory

    return HardshipFileFactory(union=env.tree.g2, registered_on=_today() - datetime.timedelta(days=400),
                               next_review_due=_today() + datetime.timedelta(days=5))


def _exited(env):
    from gonghui.hardship import services_review

    file = _registered(env)
    services_review.exit_file(file, reason="safety_net", note="纳入低保", on=_today() - datetime.timedelta(days=100),
                              by=None)
    file.refresh_from_db()
    return file


def _followup(env):
    from gonghui.hardship.models import FollowUp

    return FollowUp.objects.unscoped().filter(file=_exited(env)).order_by("due_on").first()


def _number(obj):
    return obj.number


def _union_name(obj):
    return obj.union.display_name


def _file_kwargs(obj):
    return {"pk": obj.pk}


def _api_file(obj):
    return {"file_id": obj.pk}


TODAY = lambda obj: _today().isoformat()  # noqa: E731

CASES = [
    ScopeCase("hardship:reviews", _registered, kind="list", kwargs=lambda obj: {}, marker=_number),
    ScopeCase("hardship:review_file", _registered, kind="change",
              data=lambda obj: {"reviewed_on": TODAY(obj), "situation": "家庭情况无变化", "decision": "keep"}),
    ScopeCase("hardship:exit_file", _registered, kind="change",
              data=lambda obj: {"on": TODAY(obj), "reason": "safety_net", "note": "已纳入政府兜底保障"}),
    ScopeCase("hardship:reopen_file", _exited, kind="change",
              data=lambda obj: {"on": TODAY(obj), "situation": "户主再次失业"}),
    ScopeCase("hardship:monthly_income", _registered, kind="change",
              data=lambda obj: {"month": (_today().replace(day=1) - datetime.timedelta(days=1)).strftime("%Y-%m"),
                                "household_income": "2000", "household_size": "2"}),
    ScopeCase("hardship:followup", _followup, kind="change",
              data=lambda obj: {"done_on": TODAY(obj), "finding": "stable", "notes": "电话回访，生活稳定"}),
    ScopeCase("hardship:figures", _registered, kind="list", kwargs=lambda obj: {}, marker=_union_name),
    ScopeCase("hardship:figures_households", _registered, kind="list", kwargs=lambda obj: {}, marker=_number),
    # The export names its node: out of scope is 404 (and nothing is audited).
    ScopeCase("hardship:figures_export", _registered, kind="read", kwargs=lambda obj: {},
              data=lambda obj: {"node": obj.union_id}),
    ScopeCase("GET /api/v1/hardship/reviews/due", _registered, kind="list", kwargs=lambda obj: {}, marker=_number),
    ScopeCase("GET /api/v1/hardship/followups/due", _exited, kind="list", kwargs=lambda obj: {}, marker=_number),
    ScopeCase("GET /api/v1/hardship/files/{int:file_id}/exit-rule", _registered, kwargs=_api_file),
    ScopeCase("POST /api/v1/hardship/files/{int:file_id}/review", _registered, kind="change", kwargs=_api_file,
              data=lambda obj: {"situation": "家庭情况无变化"}),
    ScopeCase("POST /api/v1/hardship/files/{int:file_id}/incomes", _registered, kind="change", kwargs=_api_file,
              data=lambda obj: {"month": (_today().replace(day=1) - datetime.timedelta(days=1)).strftime("%Y-%m"),
                                "household_income": "2000", "household_size": 2}),
    ScopeCase("POST /api/v1/hardship/files/{int:file_id}/exit", _registered, kind="change", kwargs=_api_file,
              data=lambda obj: {"reason": "safety_net", "note": "已纳入政府兜底保障"}),
    ScopeCase("POST /api/v1/hardship/files/{int:file_id}/reopen", _exited, kind="change", kwargs=_api_file,
              data=lambda obj: {"situation": "户主再次失业"}),
    ScopeCase("POST /api/v1/hardship/followups/{int:followup_id}", _followup, kind="change",
              kwargs=lambda obj: {"followup_id": obj.pk},
              data=lambda obj: {"finding": "stable", "notes": "电话回访，生活稳定"}),
    ScopeCase("GET /api/v1/hardship/figures", _registered, kind="list", kwargs=lambda obj: {}, marker=_union_name),
]

EXEMPT = {}
