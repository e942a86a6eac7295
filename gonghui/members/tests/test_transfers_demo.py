"""The demo data's transfers and status changes: every district has some in each state, consistently."""

from io import StringIO

import pytest
from django.core.management import call_command

from gonghui.audit.models import AuditEntry
from gonghui.members.models import Membership, MembershipChange, Transfer
from gonghui.orgs.models import UnionNode


@pytest.fixture
def seeded(db):
    call_command("seed_demo", "--members", "400", stdout=StringIO())


def test_every_district_has_transfers_in_each_state(seeded):
    districts = UnionNode.objects.unscoped().filter(kind=UnionNode.Kind.DISTRICT_FEDERATION)
    assert districts.count() == 3
    for district in districts:
        states = set(Transfer.objects.unscoped().filter(from_path__startswith=district.path)
                     .values_list("case__state", flat=True))
        assert {"release", "accept", "completed", "refused"} <= states, (district.name, states)


def test_demo_transfers_are_consistent(seeded):
    for t in Transfer.objects.unscoped().select_related("case", "membership", "new_membership"):
        case = t.case
        if case.state == "release":
            assert case.node_id == t.from_union_id and case.is_open and t.membership.status == "active"
        elif case.state == "accept":
            assert case.node_id == t.to_union_id and case.is_open and t.membership.status == "active"
        elif case.state == "completed":
            assert not case.is_open and case.node_id == t.to_union_id
            assert t.membership.status == "transferred_out"
            assert (t.new_membership.status, t.new_membership.union_id) == ("active", t.to_union_id)
            assert MembershipChange.objects.unscoped().filter(membership=t.membership, kind="transferred_out").exists()
            assert MembershipChange.objects.unscoped().filter(membership=t.new_membership,
                                                              kind="transferred_in").exists()
        opened = case.events.unscoped().get(kind="opened")
        assert opened.at == case.created_at  # dated as the story says, not the day of seeding
    # Still one active membership per person.
    assert not Membership.objects.unscoped().filter(status="active").values("worker").annotate() \
        .order_by().values("worker").distinct().count() != Membership.objects.unscoped().filter(status="active").count()


def test_demo_status_changes(seeded):
    kinds = set(MembershipChange.objects.unscoped().values_list("kind", flat=True))
    assert {"retained", "left", "deceased", "transferred_in", "transferred_out"} <= kinds
    for change in MembershipChange.objects.unscoped().filter(kind__in=("retained", "left", "deceased")) \
            .select_related("membership"):
        assert change.membership.status == {"retained": "retired_retained", "left": "left",
                                            "deceased": "deceased"}[change.kind]
        assert change.membership.status_changed_on == change.on


def test_the_seed_stays_one_audit_entry(seeded):
    assert AuditEntry.objects.unscoped().count() == 1
