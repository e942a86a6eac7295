"""Workers and memberships: validation, encryption at rest, one active membership, audited reveal."""

import random

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from gonghui.audit.models import AuditEntry
from gonghui.core import crypto
from gonghui.demo.idnumbers import fake_id_number
from gonghui.members import services
from gonghui.members.models import Membership, Worker
from gonghui.members.tests.factories import WorkerFactory
from gonghui.orgs.models import UnionNode
from gonghui.orgs.tests.factories import UnionNodeFactory

ID_NUMBER = fake_id_number(random.Random(20260101))
OTHER_ID = fake_id_number(random.Random(20260102))


def workers():
    return Worker.objects.unscoped()


def audit():
    return AuditEntry.objects.unscoped()


def errors_of(info):
    return info.value.message_dict


# ----- register_worker -----

def test_register_worker_stores_the_id_number_encrypted(tree, staff):
    worker = services.register_worker(name=" 张三 ", id_number=ID_NUMBER.lower(), mobile="139 1234 5678",
                                      by=staff.g1_handler)
    worker = workers().get(pk=worker.pk)
    assert worker.name == "张三"
    assert worker.mobile == "13912345678"
    assert worker.id_number_masked == ID_NUMBER[:3] + "*" * 12 + ID_NUMBER[-3:]
    assert worker.id_number_hash == crypto.keyed_hash(ID_NUMBER)
    assert worker.full_id_number() == ID_NUMBER
    # The plaintext is nowhere in the stored row.
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM members_worker WHERE id = %s", [worker.pk])
        row = cursor.fetchone()
    assert all(ID_NUMBER not in str(value) for value in row)
    assert all(ID_NUMBER[6:14] not in str(value) for value in row)  # nor the birth date


def test_register_worker_is_audited_with_the_masked_number_only(tree, staff):
    worker = services.register_worker(name="张三", id_number=ID_NUMBER, by=staff.g1_handler)
    entry = audit().get(event="worker.registered")
    assert entry.action == AuditEntry.Action.CREATE
    assert entry.actor == staff.g1_handler
    assert entry.object_id == str(worker.pk)
    assert entry.changes == {"name": [None, "张三"], "id_number": [None, worker.id_number_masked]}
    assert ID_NUMBER not in str(entry.changes)


@pytest.mark.parametrize(
    "id_number, message",
    [
        ("", "身份证号应为18位，请核对。"),
        (ID_NUMBER[:17], "身份证号应为18位，请核对。"),
        (ID_NUMBER[:17] + ("0" if ID_NUMBER[17] != "0" else "1"), "身份证号第18位校验码不正确，请核对。"),
    ],
)
def test_register_worker_with_a_wrong_id_number(db, id_number, message):
    with pytest.raises(ValidationError) as info:
        services.register_worker(name="张三", id_number=id_number, by=None)
    assert errors_of(info) == {"id_number": [message]}
    assert workers().count() == 0
    assert audit().count() == 0


def test_register_worker_reports_every_field(db):
    with pytest.raises(ValidationError) as info:
        services.register_worker(name=" ", id_number="123", mobile="12345", by=None)
    assert errors_of(info) == {
        "name": ["请填写姓名。"],
        "id_number": ["身份证号应为18位，请核对。"],
        "mobile": ["手机号码不正确，请输入中国大陆11位手机号码。"],
    }


def test_register_worker_refuses_a_duplicate_id_number(db):
    services.register_worker(name="张三", id_number=ID_NUMBER, by=None)
    with pytest.raises(ValidationError) as info:
        services.register_worker(name="张三丰", id_number=" " + ID_NUMBER.lower() + " ", by=None)
    assert errors_of(info) == {"id_number": ["该身份证号已登记。"]}
    assert workers().count() == 1


def test_find_worker_by_id_number(db):
    worker = services.register_worker(name="张三", id_number=ID_NUMBER, by=None)
    assert services.find_worker_by_id_number(ID_NUMBER) == worker
    assert services.find_worker_by_id_number(OTHER_ID) is None
    with pytest.raises(ValidationError):
        services.find_worker_by_id_number("123")


# ----- enrol -----

def test_enrol_in_a_grassroots_union(tree, staff):
    worker = WorkerFactory()
    membership = services.enrol(worker, tree.g1, member_number="DC0001", by=staff.g1_handler)
    assert membership.status == Membership.Status.ACTIVE
    assert membership.union == tree.g1
    assert membership.joined_on is not None
    assert services.active_membership(worker) == membership
    entry = audit().get(event="membership.created")
    assert entry.node == tree.g1
    assert entry.changes == {"union": [None, tree.g1.pk], "member_number": [None, "DC0001"]}


def test_enrol_in_a_joint_grassroots_union(tree):
    joint = UnionNodeFactory(kind=UnionNode.Kind.JOINT_GRASSROOTS_UNION, parent=tree.d1)
    membership = services.enrol(WorkerFactory(), joint, member_number="DC0002", by=None)
    assert membership.union == joint


@pytest.mark.parametrize("node", ["city", "d1"])
def test_enrol_only_in_member_kinds(tree, node):
    worker = WorkerFactory()
    with pytest.raises(ValidationError) as info:
        services.enrol(worker, getattr(tree, node), member_number="X1", by=None)
    assert errors_of(info) == {"union": ["会员只能加入基层工会或联合基层工会。"]}
    assert not Membership.objects.unscoped().exists()


def test_one_active_membership_per_worker(tree):
    worker = WorkerFactory()
    services.enrol(worker, tree.g1, member_number="DC0001", by=None)
    with pytest.raises(ValidationError) as info:
        services.enrol(worker, tree.g2, member_number="XC0001", by=None)
    assert errors_of(info) == {"worker": ["该职工已是会员，请办理转会。"]}
    assert Membership.objects.unscoped().filter(worker=worker).count() == 1


def test_a_former_member_may_enrol_again(tree):
    worker = WorkerFactory()
    old = services.enrol(worker, tree.g1, member_number="DC0001", by=None)
    Membership.objects.unscoped().filter(pk=old.pk).update(status=Membership.Status.TRANSFERRED_OUT)
    new = services.enrol(worker, tree.g2, member_number="XC0001", by=None)
    assert services.active_membership(worker) == new


def test_the_database_also_refuses_two_active_memberships(tree):
    from django.db import IntegrityError, transaction

    worker = WorkerFactory()
    Membership.objects.create(worker=worker, union=tree.g1, member_number="A1", joined_on="2024-01-01")
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(worker=worker, union=tree.g2, member_number="A2", joined_on="2024-01-01")


# ----- reveal_id_number -----

@pytest.fixture
def member(tree):
    worker = services.register_worker(name="李四", id_number=ID_NUMBER, by=None)
    services.enrol(worker, tree.g1, member_number="DC0009", by=None)
    return worker


def test_reveal_is_refused_to_a_handler(tree, staff, member):
    before = audit().count()
    with pytest.raises(PermissionDenied):
        services.reveal_id_number(member, by=staff.g1_handler, node=tree.g1)
    assert audit().count() == before


def test_reveal_is_refused_to_an_admin_of_another_district(tree, staff, member):
    with pytest.raises(PermissionDenied):
        services.reveal_id_number(member, by=staff.d2_admin, node=tree.g1)


@pytest.mark.parametrize("admin", ["d1_admin", "city_admin"])
def test_reveal_for_an_admin_is_audited(tree, staff, member, admin):
    user = getattr(staff, admin)
    before = audit().count()
    assert services.reveal_id_number(member, by=user, node=tree.g1) == ID_NUMBER
    assert audit().count() == before + 1
    entry = audit().get(event="worker.id_number_viewed")
    assert entry.action == AuditEntry.Action.VIEW_PERSONAL
    assert entry.actor == user
    assert entry.node == tree.g1
    assert entry.object_type == "members.worker"
    assert entry.object_id == str(member.pk)
    assert ID_NUMBER not in str(entry.changes) + str(entry.extra)
