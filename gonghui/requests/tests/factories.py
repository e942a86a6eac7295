"""Helpers to make requests in tests (through the service, so routing and clocks are real)."""

from gonghui.accounts.tests.factories import WorkerUserFactory
from gonghui.members.tests.factories import MembershipFactory, WorkerFactory
from gonghui.requests import services
from gonghui.requests.categories import ensure_seeded
from gonghui.requests.models import Category


def category(code="contract"):
    ensure_seeded()
    return Category.objects.get(code=code)


def member_user(union, **worker_fields):
    """A worker account with a Worker record and an active membership of ``union``."""
    user = WorkerUserFactory()
    worker = WorkerFactory(user=user, mobile=user.phone, **worker_fields)
    MembershipFactory(worker=worker, union=union)
    return user


def submit(user, *, code="contract", kind="help", description="单位三个月没发工资", **kwargs):
    from gonghui.members.models import Worker

    worker = Worker.objects.unscoped().filter(user=user).first()
    return services.submit_request(by=user, applicant=user, worker=worker, category=category(code), kind=kind,
                                   description=description, **kwargs)
