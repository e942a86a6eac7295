"""Factories for the enrolment app, shared with the activities and courses tests.

``make_offering(tree.g1, capacity=2)`` makes a published event, open now, organised by that node.
``make_worker_user(tree.g1)`` makes a worker account with its Worker row and an active membership
of that union (a man by default; ``gender="F"``, ``migrant=True``, ``member=False`` to vary).
"""

import datetime
import itertools
import random

from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.demo.idnumbers import fake_id_number
from gonghui.enrolment.models import Offering
from gonghui.members.models import Membership, Worker

_seq = itertools.count(1)


def make_offering(node, *, capacity=10, kind="event", title=None, audience="workers", status="published",
                  waitlist=True, opens_at=None, closes_at=None, ends_at=None, per_person_limit=1,
                  questions=None, confirm_hours=24, hardship_first=False, created_by=None) -> Offering:
    now = timezone.now()
    return Offering.objects.create(
        kind=kind, node=node, title=title or f"测试活动{next(_seq)}", capacity=capacity, audience=audience,
        status=status, waitlist=waitlist,
        opens_at=opens_at if opens_at is not None else now - datetime.timedelta(days=1),
        closes_at=closes_at if closes_at is not None else now + datetime.timedelta(days=7),
        ends_at=ends_at if ends_at is not None else now + datetime.timedelta(days=8),
        per_person_limit=per_person_limit, questions=questions or [], confirm_hours=confirm_hours,
        hardship_first=hardship_first, created_by=created_by)


def make_worker_user(union=None, *, name=None, gender="M", migrant=False, member=True) -> User:
    """A worker's account (kind worker) with a Worker and, when ``member``, an active membership."""
    n = next(_seq)
    phone = f"186{n:08d}"
    while User.objects.filter(phone=phone).exists():
        phone = f"186{random.randint(0, 10**8 - 1):08d}"
    user = User.objects.create(username="w" + phone, phone=phone, kind=User.Kind.WORKER,
                               display_name=name or f"报名职工{n}")
    worker = Worker(name=user.display_name, mobile=phone, migrant_worker=migrant, user=user)
    worker.set_id_number(fake_id_number(random.Random(), female=gender == "F"))  # the ID number sets gender
    worker.save()
    if member and union is not None:
        Membership.objects.create(worker=worker, union=union, member_number=f"ME{user.pk:08d}{n}",
                                  joined_on=datetime.date(2020, 1, 1))
    return user
