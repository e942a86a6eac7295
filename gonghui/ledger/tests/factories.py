"""Ledger rows for tests, written through record_service (so snapshots and idempotency are real)."""

import datetime
import itertools
from decimal import Decimal

from gonghui.accounts.tests.factories import StaffFactory
from gonghui.ledger.services import record_service

_sources = itertools.count(1)


def source_row():
    """A saved row to stand for a module's source object (an aid payment, a course…); an account
    keeps these tests free of the modules that will write to the ledger."""
    return StaffFactory(username=f"ledger_source_{next(_sources)}")


def service(worker, delivering_union, *, kind="test.aid", title="困难帮扶救助金", amount=None, source=None,
            delivered_on: datetime.date | None = None, by=None):
    return record_service(worker=worker, kind=kind, app="test", source=source or source_row(),
                          title=title, delivering_union=delivering_union,
                          amount=Decimal(amount) if amount is not None else None, delivered_on=delivered_on, by=by)
