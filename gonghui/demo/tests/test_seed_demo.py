from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from stdnum.cn import uscc

from gonghui.accounts.models import Grant, User
from gonghui.audit.models import AuditEntry
from gonghui.core.validators import clean_id_number, clean_mobile, clean_uscc
from gonghui.members.models import Membership, Worker
from gonghui.orgs.models import UnionNode

K = UnionNode.Kind


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", "--members", "50", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded(db):
    seed()


def grants_of(username):
    return {(g.node.name, g.node.kind, g.role)
            for g in Grant.objects.unscoped().filter(user__username=username).select_related("node")}


def test_tree_shape(seeded):
    nodes = UnionNode.objects.unscoped()
    city = nodes.get(name="江海市总工会")
    assert city.kind == K.CITY_FEDERATION and city.parent is None
    districts = nodes.filter(kind=K.DISTRICT_FEDERATION)
    assert districts.count() == 3 and all(d.parent_id == city.pk for d in districts)
    assert nodes.filter(kind=K.TOWN_UNION).count() == 6
    assert nodes.filter(kind=K.GRASSROOTS_UNION).count() == 30
    assert nodes.filter(kind=K.JOINT_GRASSROOTS_UNION).count() == 3
    assert {"江海市总工会法律援助中心", "江海市总工会困难职工帮扶中心"} <= set(
        nodes.filter(kind=K.SERVICE_CENTRE, parent=city).values_list("name", flat=True))
    for district in districts:
        assert nodes.filter(parent=district, kind=K.SERVICE_CENTRE).exists()
        assert nodes.filter(parent=district, kind=K.JOINT_GRASSROOTS_UNION).count() == 1
    for node in nodes:
        assert node.path.startswith(node.parent.path if node.parent else "")
        assert node.depth == len(node.path) // 4 == (node.parent.depth + 1 if node.parent else 1)
        if node.kind in UnionNode.UNION_KINDS:
            assert node.uscc.startswith("81") and uscc.is_valid(node.uscc)
            assert clean_uscc(node.uscc, union=True) == node.uscc
        assert node.address


def test_named_accounts_and_grants(seeded):
    city = UnionNode.objects.unscoped().get(name="江海市总工会")
    districts = list(UnionNode.objects.unscoped().filter(kind=K.DISTRICT_FEDERATION).order_by("path"))
    for username in ["city_admin", "district1_staff", "district2_staff", "union1_staff",
                     "district1_admin", "district2_admin", "district3_admin"]:
        user = User.objects.get(username=username)
        assert user.kind == User.Kind.STAFF
        assert user.check_password("demo-pass-2026")

    assert grants_of("city_admin") == {(city.name, K.CITY_FEDERATION, "admin")}
    assert grants_of("district1_staff") == {(districts[0].name, K.DISTRICT_FEDERATION, "manager")}
    assert grants_of("district2_staff") == {(districts[1].name, K.DISTRICT_FEDERATION, "manager")}
    assert districts[0].parent_id == districts[1].parent_id == city.pk  # siblings
    for n, district in enumerate(districts, start=1):
        assert grants_of(f"district{n}_admin") == {(district.name, K.DISTRICT_FEDERATION, "admin")}

    (union1_grant,) = Grant.objects.unscoped().filter(user__username="union1_staff").select_related("node")
    assert union1_grant.role == "handler"
    assert union1_grant.node.kind == K.GRASSROOTS_UNION
    assert union1_grant.node.is_in_subtree_of(districts[0])


def test_demo_worker_is_member_of_union1(seeded):
    user = User.objects.get(phone="13800000001")
    assert user.username == "w13800000001"
    assert user.kind == User.Kind.WORKER
    assert not user.has_usable_password()
    worker = Worker.objects.unscoped().get(user=user)
    assert worker.mobile == "13800000001"
    membership = Membership.objects.unscoped().get(worker=worker)
    assert membership.status == Membership.Status.ACTIVE
    union1 = Grant.objects.unscoped().get(user__username="union1_staff").node
    assert membership.union_id == union1.pk


def test_members_are_valid(seeded):
    workers = list(Worker.objects.unscoped().filter(join_applications__isnull=True))  # not the demo applicants
    assert len(workers) == 50
    for worker in workers:
        number = worker.full_id_number()
        assert clean_id_number(number) == number
        assert worker.id_number_masked == number[:3] + "*" * 12 + number[-3:]
        assert clean_mobile(worker.mobile) == worker.mobile
        assert worker.name
    assert len({w.mobile for w in workers}) == 50
    memberships = Membership.objects.unscoped().select_related("union").filter(join_application__isnull=True)
    assert memberships.count() == 50
    assert all(m.union.holds_members for m in memberships)
    assert len({m.member_number for m in memberships}) == 50
    assert memberships.filter(status=Membership.Status.ACTIVE).count() >= 45


def test_one_audit_batch_entry(seeded):
    entries = AuditEntry.objects.unscoped().filter(event="demo.seeded")
    (entry,) = entries
    assert entry.action == AuditEntry.Action.IMPORT
    assert entry.extra["workers"] == 50
    assert entry.node.name == "江海市总工会"
    assert AuditEntry.objects.unscoped().count() == 1


def test_if_empty_changes_nothing(seeded):
    before = (UnionNode.objects.unscoped().count(), Worker.objects.unscoped().count(),
              Membership.objects.unscoped().count(), User.objects.count(), Grant.objects.unscoped().count(),
              AuditEntry.objects.unscoped().count())
    out = seed("--if-empty")
    assert "nothing to do" in out
    after = (UnionNode.objects.unscoped().count(), Worker.objects.unscoped().count(),
             Membership.objects.unscoped().count(), User.objects.count(), Grant.objects.unscoped().count(),
             AuditEntry.objects.unscoped().count())
    assert after == before


def test_refuses_without_flag_when_data_exists(seeded):
    with pytest.raises(CommandError, match="already exists"):
        seed()
    assert UnionNode.objects.unscoped().filter(kind=K.CITY_FEDERATION).count() == 1


def test_refused_in_production(db, settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="生产模式"):
        seed()
    with pytest.raises(CommandError):
        seed("--if-empty")
    assert not UnionNode.objects.unscoped().exists()
    assert not User.objects.exists()


def test_demo_accounts_prints_table(seeded):
    out = StringIO()
    call_command("demo_accounts", stdout=out)
    text = out.getvalue()
    for username in ["city_admin", "district1_staff", "district2_staff", "union1_staff", "13800000001"]:
        assert username in text
    assert "demo-pass-2026" in text
    assert "/accounts/login/" in text and "/accounts/worker-login/" in text
