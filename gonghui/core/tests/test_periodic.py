"""The small periodic scheduler: each job is enqueued once per interval, across restarts."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks import task

from gonghui.accounts.models import LoginCode
from gonghui.accounts.tasks import prune_login_codes
from gonghui.core import periodic
from gonghui.core.models import PeriodicRun

CALLS: list[str] = []


@task()
def count_call():
    CALLS.append("ran")


@pytest.fixture
def only_counting_job(monkeypatch):
    """The scheduler with one job of ours (every hour), whatever other apps registered."""
    monkeypatch.setattr(periodic, "JOBS", {})
    periodic.register(count_call, every=timedelta(hours=1))
    CALLS.clear()
    yield count_call.module_path
    CALLS.clear()


def test_prune_login_codes_is_registered_every_six_hours():
    job = periodic.JOBS[prune_login_codes.module_path]
    assert job.task is prune_login_codes
    assert job.every == timedelta(hours=6)


def test_first_run_enqueues_and_records_the_time(db, only_counting_job):
    now = timezone.now()
    assert periodic.run_due(now) == [only_counting_job]
    assert CALLS == ["ran"]
    assert PeriodicRun.objects.get(name=only_counting_job).last_enqueued_at == now


def test_job_is_enqueued_once_per_interval(db, only_counting_job):
    start = timezone.now()
    assert periodic.run_due(start) == [only_counting_job]
    assert periodic.run_due(start + timedelta(minutes=1)) == []
    assert periodic.run_due(start + timedelta(minutes=59, seconds=59)) == []
    assert CALLS == ["ran"]
    assert periodic.run_due(start + timedelta(hours=1)) == [only_counting_job]
    assert CALLS == ["ran", "ran"]
    run = PeriodicRun.objects.get(name=only_counting_job)
    assert run.last_enqueued_at == start + timedelta(hours=1)
    assert PeriodicRun.objects.count() == 1


def test_a_recent_run_in_the_database_is_honoured(db, only_counting_job):
    # As after a restart: the last run is read from the database, not from memory.
    now = timezone.now()
    PeriodicRun.objects.create(name=only_counting_job, last_enqueued_at=now - timedelta(minutes=30))
    assert periodic.run_due(now) == []
    assert CALLS == []
    assert PeriodicRun.objects.get(name=only_counting_job).last_enqueued_at == now - timedelta(minutes=30)


def test_an_old_run_in_the_database_makes_the_job_due(db, only_counting_job):
    now = timezone.now()
    PeriodicRun.objects.create(name=only_counting_job, last_enqueued_at=now - timedelta(hours=2))
    assert periodic.run_due(now) == [only_counting_job]
    assert CALLS == ["ran"]
    assert PeriodicRun.objects.get(name=only_counting_job).last_enqueued_at == now


def test_a_run_row_without_a_time_is_due(db, only_counting_job):
    PeriodicRun.objects.create(name=only_counting_job, last_enqueued_at=None)
    assert periodic.run_due() == [only_counting_job]


def _code(phone, created_at):
    return LoginCode.objects.create(phone=phone, code_hash="x" * 64, created_at=created_at,
                                    expires_at=created_at + timedelta(minutes=5))


def test_run_due_runs_prune_login_codes_with_the_immediate_backend(db):
    now = timezone.now()
    old = _code("13800138001", now - timedelta(days=1, minutes=1))
    older = _code("13800138002", now - timedelta(days=3))
    recent = _code("13800138003", now - timedelta(hours=23))
    fresh = _code("13800138004", now)

    enqueued = periodic.run_due(now)

    assert prune_login_codes.module_path in enqueued
    remaining = set(LoginCode.objects.values_list("pk", flat=True))
    assert remaining == {recent.pk, fresh.pk}
    assert old.pk not in remaining and older.pk not in remaining
    # Not due again within six hours: an old code made now is left alone.
    _code("13800138005", now - timedelta(days=2))
    assert prune_login_codes.module_path not in periodic.run_due(now + timedelta(hours=5))
    assert LoginCode.objects.count() == 3


def test_prune_login_codes_returns_the_number_deleted(db):
    now = timezone.now()
    _code("13800138001", now - timedelta(days=2))
    _code("13800138002", now)
    result = prune_login_codes.enqueue()
    assert result.return_value == 1
    assert LoginCode.objects.count() == 1


def test_run_periodic_command_once(db, only_counting_job, monkeypatch):
    import signal
    from io import StringIO

    monkeypatch.setattr(signal, "signal", lambda *args: None)  # keep pytest's own handlers
    out = StringIO()
    call_command("run_periodic", "--once", stdout=out)
    assert out.getvalue().strip() == f"enqueued {only_counting_job}"
    assert CALLS == ["ran"]
    out = StringIO()
    call_command("run_periodic", "--once", stdout=out)
    assert out.getvalue() == ""
    assert CALLS == ["ran"]
