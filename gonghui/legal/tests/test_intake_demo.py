"""The intake part's demo data: consultations and applications in every district, every state,
wage-arrears group cases, an employer with several cases, the demo worker's own application."""

import time
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.db.models import Count

from gonghui.legal.models import Consultation, EligibilityRule, LegalCase, LegalCentre, LegalDocument
from gonghui.legal.services_intake import missing_documents
from gonghui.orgs.models import UnionNode
from gonghui.requests.models import Request
from gonghui.workflow.models import Case


def seed_demo(members: int):
    """seed_demo without the later apps' demos (enrolment, activities, courses: not ours, and the
    legal demo must not depend on them)."""
    with mock.patch("gonghui.courses.demo.seed_courses", return_value={}), \
            mock.patch("gonghui.activities.demo.seed_activities", return_value={}), \
            mock.patch("gonghui.enrolment.demo.seed_enrolment", return_value={}):
        call_command("seed_demo", "--members", str(members), stdout=StringIO())


@pytest.fixture
def seeded(db):
    seed_demo(600)


def test_demo_consultations_and_applications(seeded):
    centre = LegalCentre.objects.unscoped().select_related("node").get()
    assert centre.node.name == "江海市总工会法律援助中心" and centre.federation.kind == "city_federation"
    districts = UnionNode.objects.unscoped().filter(kind=UnionNode.Kind.DISTRICT_FEDERATION)
    assert districts.count() >= 3
    for district in districts:
        cases = LegalCase.objects.unscoped().filter(district=district)
        states = set(cases.values_list("case__state", flat=True))
        assert {"submitted", "approved", "in_progress", "closed", "rejected", "withdrawn"} <= states, district.name
        assert cases.filter(matter="wages", workers_involved__gt=1, is_migrant=True).exists(), district.name
        consultations = Request.objects.unscoped().filter(category__code="legal", worker__memberships__node_path__startswith=district.path)
        assert consultations.exists(), district.name
        assert Consultation.objects.unscoped().filter(request__in=consultations).exists(), district.name
    # every case is owned by the centre and carries its matter's documents, numbered FY…
    for lc in LegalCase.objects.unscoped().select_related("case"):
        assert lc.case.node_id == centre.node_id and lc.node_path == centre.node.path
        assert lc.case.number.startswith("FY") and lc.case.case_type == "legal_aid"
        kinds = LegalDocument.objects.unscoped().filter(legal_case=lc).values_list("kind", flat=True)
        assert not missing_documents(lc.matter, kinds), lc.case.number
    # an employer with several cases (the board's pattern)
    top = (LegalCase.objects.unscoped().values("opponent_name").annotate(n=Count("pk")).order_by("-n").first())
    assert top["n"] >= 3
    # open ones have a time limit; urgent arrears have the short one
    assert not Case.objects.unscoped().filter(case_type="legal_aid", state="submitted", due_at__isnull=True).exists()
    assert EligibilityRule.objects.unscoped().filter(code="women_rights").exists()
    demo = LegalCase.objects.unscoped().get(worker__mobile="13800000001")
    assert demo.case.state == "approved" and demo.case.applicant_id


def test_demo_part_is_fast(db):
    """The intake part alone, on a seeded tree, takes well under 3 s."""
    from gonghui.legal import demo_intake

    seed_demo(300)
    LegalCase.objects.unscoped().all().delete()
    import random

    start = time.perf_counter()
    counts = demo_intake.seed(random.Random(7))
    assert time.perf_counter() - start < 3
    assert counts["legal_applications"] > 40
