"""The demo's activities: every district organises some, with waiting lists, check-ins and reports."""

import time
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command

from gonghui.activities.models import Activity, ActivityPhoto
from gonghui.enrolment.models import Enrolment
from gonghui.ledger.models import ServiceRecord
from gonghui.orgs.models import UnionNode


def seed_demo(members: str):
    """seed_demo without the courses part (it runs after ours and is tested by its own app)."""
    with mock.patch("gonghui.courses.demo.seed_courses", return_value={}):
        call_command("seed_demo", "--members", members, stdout=StringIO())


@pytest.fixture
def seeded(db):
    seed_demo("600")


def test_demo_activities_in_every_district(seeded):
    city = UnionNode.objects.unscoped().get(kind=UnionNode.Kind.CITY_FEDERATION)
    assert Activity.objects.unscoped().filter(node_path=city.path).exists()
    for district in UnionNode.objects.unscoped().filter(kind=UnionNode.Kind.DISTRICT_FEDERATION):
        rows = Activity.objects.unscoped().filter(node_path__startswith=district.path).select_related("offering")
        phases = {a.phase for a in rows}
        assert {"draft", "upcoming", "ended"} <= phases, (district.name, phases)
        full = [a for a in rows if a.offering.is_full and a.offering.waiting_count > 0]
        assert full, f"{district.name} has no full activity with a waiting list"
        ended = [a for a in rows if a.phase == "ended"]
        assert all(a.report for a in ended)
        assert ActivityPhoto.objects.unscoped().filter(activity__in=ended).exists()
        attended = Enrolment.objects.unscoped().filter(offering__in=[a.pk for a in ended], attended_at__isnull=False)
        assert attended.exists()
        assert Enrolment.objects.unscoped().filter(offering__in=[a.pk for a in ended], attended_at__isnull=True,
                                                   status="confirmed").exists()  # no-shows
    assert ServiceRecord.objects.unscoped().filter(kind="activities.attended").count() == \
        Enrolment.objects.unscoped().filter(offering__kind="event", attended_at__isnull=False).count()
    # Counts kept by the enrolment services match the rows.
    for a in Activity.objects.unscoped().select_related("offering"):
        held = sum(Enrolment.objects.unscoped().filter(offering_id=a.pk, status__in=["confirmed", "offered"])
                   .values_list("seats", flat=True))
        assert held == a.offering.confirmed_count <= a.offering.capacity
    # The demo worker: a confirmed place at their union's event and a place on a waiting list.
    statuses = set(Enrolment.objects.unscoped().filter(user__phone="13800000001", offering__kind="event")
                   .values_list("status", flat=True))
    assert {"confirmed", "waiting"} <= statuses


def test_the_activities_part_of_the_demo_is_fast(db):
    import random

    from gonghui.activities.demo import seed_activities
    from gonghui.audit.services import one_batch

    seed_demo("300")
    Activity.objects.unscoped().all().delete()
    started = time.perf_counter()
    with one_batch():
        counts = seed_activities(random.Random(1))
    elapsed = time.perf_counter() - started
    assert counts["activities"] >= 13
    print(f"seed_activities: {elapsed:.2f} s")
    assert elapsed < 10, f"seed_activities took {elapsed:.1f} s"
