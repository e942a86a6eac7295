"""The core part's demo data: every category and state in every district, cases at every step."""

from io import StringIO

import pytest
from django.core.management import call_command

from gonghui.hardship.models import HardshipFile, PolicyVersion
from gonghui.orgs.models import UnionNode
from gonghui.workflow.models import Case


@pytest.fixture
def seeded(db):
    call_command("seed_demo", "--members", "600", stdout=StringIO())


def test_demo_files_policies_and_cases(seeded):
    districts = UnionNode.objects.unscoped().filter(kind=UnionNode.Kind.DISTRICT_FEDERATION)
    standards = set()
    for district in districts:
        files = HardshipFile.objects.unscoped().filter(node_path__startswith=district.path)
        assert {"draft", "applying", "registered", "rejected", "exited", "closed"} <= set(
            files.values_list("status", flat=True)), district.name
        assert {"deep", "relative", "accident", "none"} <= set(files.values_list("category", flat=True))
        version = PolicyVersion.objects.unscoped().filter(node=district).order_by("-effective_from").first()
        standards.add(version.params["min_living_standard"])
        states = set(Case.objects.unscoped().filter(case_type="hardship_registration",
                                                    node_path__startswith=district.path)
                     .values_list("state", flat=True))
        assert {"submitted", "notice", "district", "registered", "rejected"} <= states, (district.name, states)
    assert len(standards) == 3  # each district its own 低保 standard
    # The demo worker has a registered deep-hardship household.
    demo = HardshipFile.objects.unscoped().get(worker__mobile="13800000001", worker__user__isnull=False)
    assert (demo.status, demo.category) == ("registered", "deep")
    # Every decision names the version it used.
    for f in HardshipFile.objects.unscoped().exclude(category="").select_related("assessment"):
        assert f.assessment.policy_label
