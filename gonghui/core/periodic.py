"""Periodic jobs: the django-tasks backport has no scheduler, so we keep a small one.

An app registers a task to run every so often::

    periodic.register(prune_login_codes, every=timedelta(hours=1))

``manage.py run_periodic`` (started by ``make run`` beside the web server and the task worker)
enqueues each job when it falls due; the task worker runs it. The last run of each job is kept
in the database, so a restart neither repeats nor skips a job. Time limits of cases are enforced
by such sweeps over due times, never by one deferred task per case.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    task: object  # a django_tasks Task
    every: timedelta


JOBS: dict[str, PeriodicJob] = {}


def register(task, *, every: timedelta) -> None:
    name = task.module_path
    JOBS[name] = PeriodicJob(name, task, every)


def run_due(now=None) -> list[str]:
    """Enqueue every job that is due; returns their names."""
    from gonghui.core.models import PeriodicRun

    now = now or timezone.now()
    enqueued = []
    for job in JOBS.values():
        with transaction.atomic():
            run, _created = PeriodicRun.objects.select_for_update().get_or_create(name=job.name)
            if run.last_enqueued_at and run.last_enqueued_at + job.every > now:
                continue
            run.last_enqueued_at = now
            run.save(update_fields=["last_enqueued_at"])
        job.task.enqueue()
        enqueued.append(job.name)
    return enqueued
