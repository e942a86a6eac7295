"""A large import commits chunk by chunk: between two chunks another connection sees the rows written
so far and can write itself (SQLite's IMMEDIATE transactions serialise writers; a single long
transaction would lock everyone out for the whole import)."""

import threading

import pytest

from gonghui.members import importing
from gonghui.members.models import ImportBatch, Membership, Worker
from gonghui.members.tests.factories import WorkerFactory
from gonghui.members.tests.importing_fixtures import people, roster_csv, upload


@pytest.mark.django_db(transaction=True)
def test_each_chunk_commits_separately_and_others_write_in_between(tree, staff, settings, monkeypatch):
    settings.GONGHUI_IMPORT_CHUNK_ROWS = 2
    batch = importing.start_import(upload(roster_csv(people(6))), tree.g1, by=staff.g1_handler)
    seen = []

    def another_user_between_chunks(run):
        if not run.commit:
            return
        result = {}

        def other():
            from django.db import connection

            try:
                result["visible"] = Membership.objects.unscoped().filter(import_batch_id=batch.pk).count()
                result["wrote"] = WorkerFactory().pk  # a write of its own, in its own transaction
            finally:
                connection.close()

        thread = threading.Thread(target=other)
        thread.start()
        thread.join(timeout=15)
        assert not thread.is_alive(), "another writer was locked out between chunks"
        seen.append(result)

    monkeypatch.setattr(importing, "_after_chunk", another_user_between_chunks)
    batch = importing.commit(batch, by=staff.g1_handler)
    assert batch.status == ImportBatch.Status.COMMITTED
    assert [r["visible"] for r in seen] == [2, 4, 6]
    assert all(r["wrote"] for r in seen)
    assert Worker.objects.unscoped().count() == 6 + 3


@pytest.mark.django_db(transaction=True)
def test_undo_after_a_late_failure_removes_committed_chunks(tree, staff, settings, monkeypatch):
    settings.GONGHUI_IMPORT_CHUNK_ROWS = 2
    batch = importing.start_import(upload(roster_csv(people(6))), tree.g1, by=staff.g1_handler)

    def fail_after_two_chunks(run):
        if run.commit and run.processed == 4:
            assert Membership.objects.unscoped().filter(import_batch_id=batch.pk).count() == 4  # committed
            raise OSError("connection lost")

    monkeypatch.setattr(importing, "_after_chunk", fail_after_two_chunks)
    batch = importing.commit(batch, by=staff.g1_handler)
    assert batch.status == ImportBatch.Status.FAILED
    assert not Membership.objects.unscoped().exists() and not Worker.objects.unscoped().exists()
