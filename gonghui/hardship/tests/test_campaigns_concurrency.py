"""Concurrent approvals against one Golden Autumn round and visits against one Send Warmth budget:
the budget is never exceeded (SQLite and PostgreSQL)."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from gonghui.hardship import services_campaigns as svc
from gonghui.hardship.models import GoldenAutumnApplication, WarmthTarget, WarmthVisit
from gonghui.hardship.tests.campaigns_helpers import (
    application_data,
    letter,
    make_campaign,
    make_round,
    registered_parent,
    today,
)
from gonghui.workflow import services as workflow

pytestmark = pytest.mark.django_db(transaction=True)
THREADS = 8


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


def run_at_once(work, items):
    barrier = threading.Barrier(len(items))
    errors, lock = [], threading.Lock()

    def one(item):
        try:
            barrier.wait(timeout=30)
            work(item)
        except Exception as error:  # an unexpected error is a failure
            with lock:
                errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=one, args=(item,)) for item in items]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return errors


def test_concurrent_batch_approvals_never_exceed_the_round_budget(tree, staff):
    rnd = make_round(tree.d1, budget="15000")  # three college grants of 5,000
    apps = []
    for n in range(THREADS):
        worker, _f = registered_parent(tree.g1, name=f"并发{n}")
        app = svc.apply(by=worker.user, worker=worker, data=application_data(child_name=f"学生{n}"), letter=letter())
        workflow.perform_transition(app.case, "verify", by=staff.g1_handler, version=app.case.version)
        apps.append(app)
    GoldenAutumnApplication.objects.unscoped().update(notice_ends_at=timezone.now() - datetime.timedelta(minutes=1))
    outcomes, lock = [], threading.Lock()

    def approve(app):
        result = svc.batch_transition([app.pk], "approve", by=staff.d1_manager)
        with lock:
            outcomes.append((len(result.done), [m for _a, m in result.failed]))

    assert run_at_once(approve, apps) == []
    assert sum(done for done, _m in outcomes) == 3
    assert all("超出批次预算" in m[0] for done, m in outcomes if not done)
    assert svc.round_totals(rnd)["granted"] == Decimal("15000.00")
    states = list(GoldenAutumnApplication.objects.unscoped().values_list("case__state", flat=True))
    assert states.count("approved") == 3 and states.count("notice") == THREADS - 3


def test_concurrent_visits_never_exceed_the_campaign_budget(tree, staff):
    campaign = make_campaign(tree.d1, budget=Decimal("2400"))  # three visits of 800
    for n in range(THREADS):
        registered_parent(tree.g1, name=f"户{n}")
    svc.generate_targets(campaign, by=staff.d1_manager)
    targets = list(WarmthTarget.objects.unscoped().select_related("campaign", "union").filter(campaign=campaign))
    refused, lock = [], threading.Lock()

    def visit(target):
        from django.core.exceptions import ValidationError

        try:
            svc.record_visit(target, {"visited_on": today().isoformat(), "visitors": "工会", "kind": "cash",
                                      "value": "800"}, by=staff.g1_handler)
        except ValidationError as error:
            with lock:
                refused.append(error.message_dict["value"][0])

    assert run_at_once(visit, targets) == []
    assert WarmthVisit.objects.unscoped().count() == 3 and len(refused) == THREADS - 3
    assert svc.campaign_figures(campaign, staff.d1_manager)["spent"] == Decimal("2400.00")
