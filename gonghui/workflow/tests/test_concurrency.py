"""Many people take the same step on one case at once: exactly one succeeds, the rest are refused
cleanly (no error, no lost update). Runs on the file-backed SQLite test database and on PostgreSQL."""

import threading

import pytest
from django.db import connection

from gonghui.workflow import services
from gonghui.workflow.models import Case, CaseEvent

THREADS = 32


@pytest.mark.django_db(transaction=True)
def test_32_concurrent_accepts_exactly_one_wins(make_case, staff):
    case = make_case()
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def accept():
        try:
            barrier.wait(timeout=30)
            services.perform_transition(Case.objects.unscoped().get(pk=case.pk), "accept",
                                        by=staff.g1_handler, version=1)
            outcome = "ok"
        except services.StaleCase:
            outcome = "stale"
        except Exception as error:  # anything else is a failure of the engine
            outcome = f"error: {error!r}"
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=accept) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(set(outcomes)) == ["ok", "stale"], outcomes
    assert outcomes.count("ok") == 1 and outcomes.count("stale") == THREADS - 1
    current = Case.objects.unscoped().get(pk=case.pk)
    assert (current.state, current.version) == ("handling", 2)
    assert CaseEvent.objects.unscoped().filter(case=current, kind="transition").count() == 1
