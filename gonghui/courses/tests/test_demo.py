"""The demo data: courses in every district with sessions, roll calls, certificates and subsidies,
the city's childcare-worker target counting passes, uplift applications at every step."""

from io import StringIO

import pytest
from django.core.management import call_command

from gonghui.courses import services as svc
from gonghui.courses.models import Certificate, Course, SessionAttendance, TrainingTarget, UpliftApplication
from gonghui.ledger.models import ServiceRecord
from gonghui.orgs.models import UnionNode


@pytest.fixture
def seeded(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", "--members", "600", stdout=StringIO())


def test_demo_courses_certificates_targets_and_uplift(seeded):
    districts = UnionNode.objects.unscoped().filter(kind=UnionNode.Kind.DISTRICT_FEDERATION)
    for district in districts:
        courses = Course.objects.unscoped().filter(node_path__startswith=district.path)
        assert courses.count() >= 3, district.name
        assert set(courses.values_list("offering__status", flat=True)) == {"published", "draft"}
        assert Certificate.objects.unscoped().filter(node_path__startswith=district.path).exists()
        assert SessionAttendance.objects.unscoped().filter(session__node_path__startswith=district.path).exists()
    city_target = TrainingTarget.objects.unscoped().get(node__parent__isnull=True, occupation="育婴师")
    assert city_target.target == 300
    progress = svc.target_progress(city_target)
    assert 0 < progress["passed"] < progress["passed"] + progress["signed_up"]
    states = set(UpliftApplication.objects.unscoped().values_list("case__state", flat=True))
    assert {"submitted", "approved", "enrolment_check", "studying", "completed", "rejected"} <= states
    assert ServiceRecord.objects.unscoped().filter(kind="courses.uplift_subsidy").exists()
    assert ServiceRecord.objects.unscoped().filter(kind="courses.subsidy").exists()
    # The demo worker holds a certificate.
    assert Certificate.objects.unscoped().filter(user__phone="13800000001", revoked=False).exists()
