"""Thirty-two approvals against one fund at once: the fund never goes negative, the remaining balance
is exact, and no approval beyond it succeeds. Runs on the file-backed SQLite test database (the
IMMEDIATE transaction serialises writers) and on PostgreSQL (the row locks do)."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from gonghui.hardship import services_aid as aid
from gonghui.hardship.models import AidPayment, Fund
from gonghui.hardship.tests.aid_factories import make_file, make_fund, make_payment
from gonghui.ledger.models import ServiceRecord

THREADS = 32


def run_at_once(targets) -> list[str]:
    barrier = threading.Barrier(len(targets))
    outcomes: list[str] = []
    lock = threading.Lock()

    def work(target):
        try:
            barrier.wait(timeout=30)
            target()
            outcome = "paid"
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
        t.join(timeout=180)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_32_concurrent_approvals_never_overspend_one_fund(tree, staff):
    # Room for 20 payments of 500 and 250 over: the 12 others must be refused, never paid.
    fund = make_fund(tree.d1, budget="10250")
    payments = [make_payment(make_file(tree.g1), fund=fund, amount="500") for _ in range(THREADS)]
    approver = staff.d1_manager

    outcomes = run_at_once([lambda p=p: aid.approve_aid(p, by=approver) for p in payments])

    assert not [o for o in outcomes if o.startswith("error")], outcomes
    assert outcomes.count("paid") == 20 and outcomes.count("over_budget") == THREADS - 20, outcomes
    fund = Fund.objects.unscoped().get(pk=fund.pk)
    assert fund.spent == Decimal("10000.00") and fund.remaining == Decimal("250.00")
    paid = AidPayment.objects.unscoped().filter(fund=fund, status=AidPayment.Status.PAID)
    assert paid.count() == 20 and sum(p.amount for p in paid) == fund.spent
    assert AidPayment.objects.unscoped().filter(fund=fund, status=AidPayment.Status.PENDING).count() == 12
    assert ServiceRecord.objects.unscoped().filter(kind="hardship.aid_paid").count() == 20


@pytest.mark.django_db(transaction=True)
def test_32_concurrent_approvals_of_one_aid_pay_it_once(tree, staff):
    fund = make_fund(tree.d1, budget="100000")
    payment = make_payment(make_file(tree.g1), fund=fund, amount="800")
    approvers = [staff.d1_manager, staff.d1_admin, staff.city_admin]

    outcomes = run_at_once([lambda i=i: aid.approve_aid(payment, by=approvers[i % 3]) for i in range(THREADS)])

    assert outcomes.count("paid") == 1 and outcomes.count("already_decided") == THREADS - 1, outcomes
    assert Fund.objects.unscoped().get(pk=fund.pk).spent == Decimal("800.00")
    assert ServiceRecord.objects.unscoped().filter(kind="hardship.aid_paid").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_write_lock_sqlite_gave_up_on_is_tried_again(tree, staff, monkeypatch):
    from django.db import OperationalError

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's busy timeout only")
    payment = make_payment(make_file(tree.g1), fund=make_fund(tree.d1), amount="300")
    real = aid._approve_once
    calls = []

    def locked_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("database is locked")
        return real(*args, **kwargs)

    monkeypatch.setattr(aid, "_approve_once", locked_once)
    assert aid.approve_aid(payment, by=staff.d1_manager).status == AidPayment.Status.PAID and len(calls) == 2
    monkeypatch.setattr(aid, "_approve_once", lambda *a, **k: (_ for _ in ()).throw(OperationalError("disk I/O")))
    with pytest.raises(OperationalError):
        aid.approve_aid(payment, by=staff.d1_manager)
