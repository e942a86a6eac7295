"""The demo's join applications: every district, every outcome, what the engine would have written."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from gonghui.core.validators import clean_id_number
from gonghui.members.models import JoinApplication, Membership
from gonghui.orgs.models import UnionNode
from gonghui.workflow import tallies


@pytest.fixture
def seeded(db):
    call_command("seed_demo", "--members", "50", stdout=StringIO())


def test_every_district_has_applications_in_every_outcome(seeded):
    applications = list(JoinApplication.objects.unscoped().select_related("case", "worker", "membership"))
    districts = UnionNode.objects.unscoped().filter(kind=UnionNode.Kind.DISTRICT_FEDERATION)
    for district in districts:
        states = {a.case.state for a in applications if a.case.node_path.startswith(district.path)}
        assert states == {"submitted", "approved", "rejected", "withdrawn"}, district.name
    now = timezone.now()
    overdue = [a for a in applications if a.case.is_open and a.case.due_at < now]
    assert len(overdue) == 1 and overdue[0].case.supervising_node_id == overdue[0].case.node.parent_id
    for a in applications:
        number = a.worker.full_id_number()
        assert clean_id_number(number) == number and a.worker.user_id == a.case.applicant_id
        memberships = list(Membership.objects.unscoped().filter(worker=a.worker))
        if a.case.state == "approved":
            assert memberships == [a.membership] and a.membership.union.holds_members
        else:
            assert memberships == []  # applicants were not members anywhere
    assert any(not a.employer_has_union and a.case.state == "approved" for a in applications)  # placed
    rejected = [a for a in applications if a.case.state == "rejected"]
    assert all(a.case.events.unscoped().filter(transition="reject").exclude(text="").exists() for a in rejected)


def test_the_kept_counts_match(seeded):
    from gonghui.workflow.models import Case

    live = Case.objects.unscoped().filter(case_type="join").count()
    assert sum(tallies.counts(None, "join").values()) == live > 20
