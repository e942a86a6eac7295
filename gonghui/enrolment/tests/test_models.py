import pytest
from django.db import IntegrityError, transaction

from gonghui.enrolment.models import Enrolment
from gonghui.enrolment.tests.factories import make_offering, make_worker_user


def test_factories_and_constraints(tree):
    offering = make_offering(tree.g1, capacity=1)
    assert offering.node_path == tree.g1.path
    user = make_worker_user(tree.g1, gender="F")
    assert user.worker.memberships.unscoped().get().union == tree.g1
    Enrolment.objects.create(offering=offering, user=user, code="AAAAAA")
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.create(offering=offering, user=user, code="BBBBBB", status="waiting")
    offering.confirmed_count = 2
    with pytest.raises(IntegrityError), transaction.atomic():
        offering.save()
