"""record_service: one row per source and kind, the member's union then, and what stays out of it."""

import datetime
import re
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection, transaction

from gonghui.core.scope import ScopedQuerySet
from gonghui.ledger.models import ServiceRecord
from gonghui.ledger.services import record_service, services_of
from gonghui.ledger.tests.factories import service, source_row
from gonghui.members import services as member_services
from gonghui.members.models import Membership, MembershipChange
from gonghui.members.tests.factories import MembershipFactory, WorkerFactory

pytestmark = pytest.mark.django_db


def rows():
    return ServiceRecord.objects.unscoped()


def test_recording_the_same_source_and_kind_twice_writes_one_row(tree):
    worker = MembershipFactory(union=tree.g1).worker
    source = source_row()
    first = service(worker, tree.d1, source=source, amount="500.00")
    again = service(worker, tree.d1, source=source, amount="800.00", title="重复调用")
    assert again.pk == first.pk and rows().count() == 1
    assert rows().get().amount == Decimal("500.00")  # the first record stands; a retry changes nothing
    # Another kind for the same source is another service.
    other = service(worker, tree.d1, source=source, kind="test.visit")
    assert other.pk != first.pk and rows().count() == 2


def test_the_twin_that_commits_between_check_and_insert_leaves_the_callers_transaction_usable(tree, monkeypatch):
    worker = MembershipFactory(union=tree.g1).worker
    source = source_row()
    first = service(worker, tree.d1, source=source)
    # The existence check misses the row (as when a concurrent twin commits just after it).
    monkeypatch.setattr(ScopedQuerySet, "first", lambda self: None)
    with transaction.atomic():
        again = service(worker, tree.d1, source=source)
        assert again.pk == first.pk
        assert rows().count() == 1  # the caller's transaction still works after the IntegrityError


@pytest.mark.django_db(transaction=True)
def test_concurrent_twins_write_one_row(tree):
    worker = MembershipFactory(union=tree.g1).worker
    source = source_row()
    threads_n = 12
    barrier = threading.Barrier(threads_n)
    results, errors = [], []
    lock = threading.Lock()

    def record():
        try:
            barrier.wait(timeout=30)
            row = record_service(worker=worker, kind="test.aid", app="test", source=source, title="救助金",
                                 delivering_union=tree.d1, amount=Decimal("100"))
            with lock:
                results.append(row.pk)
        except Exception as error:  # any error is a failure of the ledger
            with lock:
                errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=record) for _ in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert len(results) == threads_n and len(set(results)) == 1
    assert rows().count() == 1


def test_the_members_union_at_that_time_is_kept_after_a_transfer(tree):
    membership = MembershipFactory(union=tree.g1)
    worker = membership.worker
    before = service(worker, tree.city, title="金秋助学", delivered_on=datetime.date(2026, 3, 1))
    assert before.member_union == tree.g1 and before.delivering_union == tree.city
    assert before.node_path == tree.g1.path  # counted where the member belonged, not where it was delivered

    # The member moves to district 2 (as a transfer does: the old membership ends, a new one starts).
    Membership.objects.unscoped().filter(pk=membership.pk).update(status=Membership.Status.TRANSFERRED_OUT)
    MembershipFactory(worker=worker, union=tree.g2)
    before.refresh_from_db()
    assert before.member_union == tree.g1 and before.node_path == tree.g1.path
    after = service(worker, tree.city, title="送温暖", delivered_on=datetime.date(2026, 9, 1))
    assert after.member_union == tree.g2 and after.node_path == tree.g2.path
    # District 1 still counts the first service, district 2 the second.
    assert list(rows().filter(node_path__startswith=tree.d1.path).values_list("pk", flat=True)) == [before.pk]
    assert list(rows().filter(node_path__startswith=tree.d2.path).values_list("pk", flat=True)) == [after.pk]


def test_a_retired_member_who_kept_membership_is_counted_in_their_union(tree):
    membership = MembershipFactory(union=tree.g2, status=Membership.Status.RETIRED_RETAINED)
    row = service(membership.worker, tree.city)
    assert row.member_union == tree.g2 and row.node_path == tree.g2.path


def test_a_worker_who_is_not_a_member_is_counted_at_the_delivering_union(tree):
    worker = WorkerFactory()
    row = service(worker, tree.d2, title="法律咨询")
    assert row.member_union is None and row.node_path == tree.d2.path
    # A former member (left) is not a member either.
    left = MembershipFactory(union=tree.g1, status=Membership.Status.LEFT).worker
    row = service(left, tree.d2)
    assert row.member_union is None and row.node_path == tree.d2.path


def test_by_is_kept_only_for_a_signed_in_person(tree, staff):
    worker = WorkerFactory()
    assert service(worker, tree.d1, by=staff.d1_manager).by == staff.d1_manager

    class Anonymous:
        is_authenticated = False

    assert service(worker, tree.d1, by=Anonymous()).by is None


def test_a_long_title_is_cut_to_the_column(tree):
    row = service(WorkerFactory(), tree.d1, title="长" * 300)
    assert len(row.title) == 200


def test_services_of_lists_newest_first_and_only_that_worker(tree):
    me, other = WorkerFactory(), WorkerFactory()
    old = service(me, tree.d1, delivered_on=datetime.date(2025, 1, 1))
    new = service(me, tree.d1, delivered_on=datetime.date(2026, 1, 1))
    service(other, tree.d1)
    assert [s.pk for s in services_of(me)] == [new.pk, old.pk]


def test_joining_and_membership_changes_write_no_ledger_row(tree, staff):
    """Membership changes are history (MembershipChange), never services."""
    worker = member_services.register_worker(name="李雷", id_number="11010519491231002X", by=staff.g1_handler)
    membership = member_services.enrol(worker, tree.g1, member_number="T0001", by=staff.g1_handler)
    MembershipChange.objects.create(membership=membership, kind=MembershipChange.Kind.RETAINED,
                                    on=datetime.date(2026, 5, 1), node_path=membership.node_path)
    assert rows().count() == 0


def test_the_members_app_never_writes_the_ledger():
    """Joining, transfers, status changes and imports live in gonghui/members; none of them may
    record a service (reading the ledger, e.g. services_of for a record page, is fine)."""
    members_dir = Path(__file__).resolve().parents[2] / "members"
    writers = [str(p.relative_to(members_dir)) for p in members_dir.rglob("*.py")
               if "tests" not in p.parts and re.search(r"\brecord_service\b", p.read_text(encoding="utf-8"))]
    assert writers == []
