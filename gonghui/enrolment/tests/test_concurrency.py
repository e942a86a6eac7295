"""Many sign-ups for the last places at once: never more confirmed than the capacity, never a valid
sign-up lost, exact counts. Runs on the file-backed SQLite test database (the IMMEDIATE transaction
serialises writers) and on PostgreSQL (the offering's row lock does)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from gonghui.enrolment import services
from gonghui.enrolment.models import Enrolment, Offering
from gonghui.enrolment.tests.factories import make_offering, make_worker_user

THREADS = 40
S = Enrolment.Status


def run_at_once(targets) -> list[str]:
    barrier = threading.Barrier(len(targets))
    outcomes: list[str] = []
    lock = threading.Lock()

    def work(target):
        try:
            barrier.wait(timeout=60)
            outcome = target().status
        except ValidationError as error:
            outcome = error.code or "invalid"
        except Exception as error:  # anything else is a failure of the service
            outcome = f"error: {error!r}"
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=work, args=(t,)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    return outcomes


def _prefill(offering, tree, n):
    for _ in range(n):
        services.sign_up(offering, make_worker_user(tree.g1))


def _counts(offering):
    rows = Enrolment.objects.unscoped().filter(offering=offering)
    return {status: rows.filter(status=status).count() for status in (S.CONFIRMED, S.WAITING)}


@pytest.mark.django_db(transaction=True)
def test_40_concurrent_sign_ups_for_the_last_8_places(tree):
    offering = make_offering(tree.g1, capacity=12)
    _prefill(offering, tree, 4)
    users = [make_worker_user(tree.g1) for _ in range(THREADS)]

    outcomes = run_at_once([lambda u=u: services.sign_up(offering, u) for u in users])

    assert not [o for o in outcomes if o.startswith("error")], outcomes
    assert outcomes.count(S.CONFIRMED) == 8 and outcomes.count(S.WAITING) == THREADS - 8, outcomes
    offering = Offering.objects.unscoped().get(pk=offering.pk)
    assert (offering.confirmed_count, offering.waiting_count) == (12, THREADS - 8)
    assert _counts(offering) == {S.CONFIRMED: 12, S.WAITING: THREADS - 8}
    positions = sorted(Enrolment.objects.unscoped().filter(offering=offering, status=S.WAITING)
                       .values_list("position", flat=True))
    assert positions == list(range(1, THREADS - 8 + 1))  # one queue, no gaps, no twins
    codes = Enrolment.objects.unscoped().filter(offering=offering).values_list("code", flat=True)
    assert len(set(codes)) == 12 + THREADS - 8


@pytest.mark.django_db(transaction=True)
def test_40_concurrent_sign_ups_without_waiting_list_refuse_the_rest(tree):
    offering = make_offering(tree.g1, capacity=10, waitlist=False, kind="course")
    _prefill(offering, tree, 5)
    users = [make_worker_user(tree.g1) for _ in range(THREADS)]

    outcomes = run_at_once([lambda u=u: services.sign_up(offering, u) for u in users])

    assert outcomes.count(S.CONFIRMED) == 5 and outcomes.count("full") == THREADS - 5, outcomes
    offering = Offering.objects.unscoped().get(pk=offering.pk)
    assert (offering.confirmed_count, offering.waiting_count) == (10, 0)
    assert _counts(offering) == {S.CONFIRMED: 10, S.WAITING: 0}


@pytest.mark.django_db(transaction=True)
def test_32_concurrent_sign_ups_of_one_person_count_once(tree):
    offering = make_offering(tree.g1, capacity=3)
    user = make_worker_user(tree.g1)

    outcomes = run_at_once([lambda: services.sign_up(offering, user) for _ in range(32)])

    assert outcomes.count(S.CONFIRMED) == 1 and outcomes.count("duplicate") == 31, outcomes
    assert Offering.objects.unscoped().get(pk=offering.pk).confirmed_count == 1
    assert Enrolment.objects.unscoped().filter(offering=offering).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_cancels_and_sign_ups_keep_the_counts_exact(tree):
    offering = make_offering(tree.g1, capacity=10)
    holders = [make_worker_user(tree.g1) for _ in range(10)]
    held = [services.sign_up(offering, u) for u in holders]
    newcomers = [make_worker_user(tree.g1) for _ in range(24)]
    targets = [lambda e=e, u=u: services.cancel(e, by=u) for e, u in zip(held[:8], holders[:8], strict=True)]
    targets += [lambda u=u: services.sign_up(offering, u) for u in newcomers]

    outcomes = run_at_once(targets)

    assert not [o for o in outcomes if o.startswith("error")], outcomes
    offering = Offering.objects.unscoped().get(pk=offering.pk)
    rows = Enrolment.objects.unscoped().filter(offering=offering)
    holding = sum(e.seats for e in rows.filter(status__in=Enrolment.HOLDING))
    waiting = rows.filter(status=S.WAITING).count()
    assert offering.confirmed_count == holding == 10  # every freed place went to someone at once
    assert offering.waiting_count == waiting == 24 + 2 - 10
    assert rows.filter(status=S.CANCELLED).count() == 8

