"""Workers and memberships: validation, encryption at rest, one active membership, audited reveal."""

import random

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from gonghui.audit.models import AuditEntry
from gonghui.core import crypto
from gonghui.demo.idnumbers import fake_id_number
from gonghui.members import services
from gonghui.members.models import Membership, MembershipChange, Worker
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


# ----- enrol allocates member numbers -----

def test_enrol_allocates_a_member_number_when_none_is_given(tree):
    first = services.enrol(WorkerFactory(), tree.g1, by=None)
    second = services.enrol(WorkerFactory(), tree.g1, by=None)
    assert first.member_number.startswith("M") and len(first.member_number) == 11
    assert int(second.member_number[1:]) == int(first.member_number[1:]) + 1


def test_enrol_keeps_the_search_copies(tree):
    worker = services.register_worker(name="张三", id_number=ID_NUMBER, by=None)
    membership = services.enrol(worker, tree.g1, by=None)
    assert (membership.node_path, membership.sort_name) == (tree.g1.path, "zhangsan")


# ----- register_worker: the profile, checked against the ID number -----

def _id_facts(id_number):
    import datetime

    gender = "M" if int(id_number[16]) % 2 else "F"
    return gender, datetime.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def test_register_worker_derives_gender_and_birth_date(db):
    worker = services.register_worker(name="张三", id_number=ID_NUMBER, ethnicity="回族", education="college",
                                      household_type="rural", migrant_worker=True, employer="润丰食品", by=None)
    gender, born = _id_facts(ID_NUMBER)
    assert (worker.gender, worker.birth_date) == (gender, born)
    assert (worker.ethnicity, worker.education, worker.household_type, worker.migrant_worker, worker.employer) == \
        ("回族", "college", "rural", True, "润丰食品")


def test_register_worker_refuses_a_gender_that_contradicts_the_id(db):
    gender, _born = _id_facts(ID_NUMBER)
    wrong = "F" if gender == "M" else "M"
    with pytest.raises(ValidationError) as info:
        services.register_worker(name="张三", id_number=ID_NUMBER, gender=wrong, by=None)
    said = "男" if gender == "M" else "女"
    assert errors_of(info) == {"gender": [f"性别与身份证号不符：身份证号第17位表示{said}，请核对。"]}
    assert workers().count() == 0


def test_register_worker_refuses_a_birth_date_that_contradicts_the_id(db):
    import datetime

    _gender, born = _id_facts(ID_NUMBER)
    with pytest.raises(ValidationError) as info:
        services.register_worker(name="张三", id_number=ID_NUMBER, birth_date=born + datetime.timedelta(days=1),
                                 by=None)
    assert errors_of(info) == {
        "birth_date": [f"出生日期与身份证号不符：身份证号中的出生日期是{born.year}年{born.month}月{born.day}日，请核对。"]}


def test_register_worker_accepts_a_matching_gender_and_birth_date(db):
    gender, born = _id_facts(ID_NUMBER)
    worker = services.register_worker(name="张三", id_number=ID_NUMBER, gender=gender, birth_date=born, by=None)
    assert worker.pk


@pytest.mark.parametrize("field, value, message", [
    ("ethnicity", "火星族", "民族请从56个民族中选择，例如“汉族”。"),
    ("education", "phd", "学历的选项不正确。"),
    ("household_type", "abroad", "户籍类型请选择城镇或农村。"),
])
def test_register_worker_refuses_unknown_profile_values(db, field, value, message):
    with pytest.raises(ValidationError) as info:
        services.register_worker(name="张三", id_number=ID_NUMBER, by=None, **{field: value})
    assert errors_of(info) == {field: [message]}


def test_there_are_56_ethnicities_and_the_two_codes_for_the_rest():
    assert len(services.ETHNICITIES) == len(set(services.ETHNICITIES)) == 58
    assert all(e.endswith("族") for e in services.ETHNICITIES[:56])
    assert services.ETHNICITIES[56:] == ("其他", "外国血统中国籍人士")  # GB/T 3304


@pytest.mark.parametrize("mobile", ["+1 415 555 0100", "02150001234", "1391234567"])
def test_register_worker_refuses_a_phone_that_is_not_a_mainland_mobile(db, mobile):
    with pytest.raises(ValidationError) as info:
        services.register_worker(name="张三", id_number=ID_NUMBER, mobile=mobile, by=None)
    assert "mobile" in errors_of(info)
    assert errors_of(info)["mobile"][0] in ("手机号码不正确，请输入中国大陆11位手机号码。", "请输入11位手机号码。")


# ----- register_and_enrol: one active membership per ID number across the whole tree -----

def test_register_and_enrol(tree, staff):
    m = services.register_and_enrol(union=tree.g1, name="王五", id_number=ID_NUMBER, mobile="13912345678",
                                    by=staff.g1_handler)
    assert m.status == Membership.Status.ACTIVE and m.worker.name == "王五"
    assert sorted(audit().filter(actor=staff.g1_handler).values_list("event", flat=True)) == \
        ["membership.created", "worker.registered"]


def test_register_and_enrol_needs_members_change_there(tree, staff):
    with pytest.raises(PermissionDenied):
        services.register_and_enrol(union=tree.g2, name="王五", id_number=ID_NUMBER, by=staff.d1_manager)
    with pytest.raises(PermissionDenied):
        services.register_and_enrol(union=tree.g1, name="王五", id_number=ID_NUMBER, by=staff.g1_viewer)
    assert workers().count() == 0


def test_an_active_member_elsewhere_is_refused_with_a_clear_message(tree, staff):
    services.register_and_enrol(union=tree.g2, name="王五", id_number=ID_NUMBER, by=staff.d2_manager)
    with pytest.raises(ValidationError) as info:
        services.register_and_enrol(union=tree.g1, name="王五", id_number=ID_NUMBER, by=staff.d1_manager)
    message = errors_of(info)["id_number"][0]
    assert message.startswith("该职工已是其他基层工会的在册会员：同一身份证号在全市只能有一个在册会籍。")
    assert "西城" not in message  # the other district's union is not named to a stranger
    assert Membership.objects.unscoped().count() == 1 and workers().count() == 1


def test_an_active_member_here_is_told_so(tree, staff):
    m = services.register_and_enrol(union=tree.g1, name="王五", id_number=ID_NUMBER, by=staff.g1_handler)
    with pytest.raises(ValidationError) as info:
        services.register_and_enrol(union=tree.g1, name="王五", id_number=ID_NUMBER, by=staff.g1_handler)
    assert errors_of(info) == {"id_number": [f"该职工已是本工会的在册会员（会员号{m.member_number}），无需重复登记。"]}


def test_a_former_member_is_enrolled_again_with_the_same_person(tree, staff):
    first = services.register_and_enrol(union=tree.g2, name="王五", id_number=ID_NUMBER, by=staff.d2_manager)
    services.change_status(first, "leave", reason="辞职", by=staff.d2_manager)
    again = services.register_and_enrol(union=tree.g1, name="王五", id_number=ID_NUMBER, mobile="13912345678",
                                        by=staff.d1_manager)
    assert again.worker_id == first.worker_id and again.pk != first.pk
    assert again.worker.mobile == "13912345678"
    assert workers().count() == 1


# ----- editing -----

def test_a_new_name_re_derives_pinyin_everywhere(tree, staff):
    m = services.register_and_enrol(union=tree.g1, name="张三", id_number=ID_NUMBER, by=staff.g1_handler)
    services.update_worker(m.worker, name="李四", by=staff.g1_handler)
    m = Membership.objects.unscoped().select_related("worker").get(pk=m.pk)
    assert (m.worker.name_pinyin, m.worker.name_initials, m.sort_name) == ("lisi", "ls", "lisi")
    entry = audit().get(event="worker.changed")
    assert entry.changes == {"name": ["张三", "李四"]} and entry.node == tree.g1


def test_correcting_the_id_number_is_checked_and_audited_masked(tree, staff):
    m = services.register_and_enrol(union=tree.g1, name="张三", id_number=ID_NUMBER, by=staff.g1_handler)
    services.update_worker(m.worker, id_number=OTHER_ID, by=staff.g1_handler)
    worker = workers().get(pk=m.worker_id)
    assert worker.full_id_number() == OTHER_ID and worker.id_number_hash == crypto.keyed_hash(OTHER_ID)
    entry = audit().get(event="worker.changed")
    assert OTHER_ID not in str(entry.changes) and ID_NUMBER not in str(entry.changes)


# ----- status changes -----

@pytest.fixture
def enrolled(tree, staff):
    import datetime

    return services.register_and_enrol(union=tree.g1, name="张三", id_number=ID_NUMBER, by=staff.g1_handler,
                                       joined_on=datetime.date(2020, 1, 1))


def test_retirement_keeps_the_membership(enrolled, staff):
    import datetime

    day = datetime.date.today() - datetime.timedelta(days=3)
    m = services.change_status(enrolled, "retire", on=day, reason="到龄退休", by=staff.g1_handler)
    m = Membership.objects.unscoped().get(pk=m.pk)
    assert (m.status, m.status_changed_on, m.status_reason) == (Membership.Status.RETIRED_RETAINED, day, "到龄退休")
    assert m.status in Membership.CURRENT
    change = MembershipChange.objects.unscoped().get(membership=m)
    assert (change.kind, change.on, change.reason, change.node_path) == ("retained", day, "到龄退休", m.node_path)
    entry = audit().get(event="membership.retire")
    assert entry.changes["status"] == ["active", "retired_retained"]


@pytest.mark.parametrize("kind, status", [("leave", "left"), ("death", "deceased")])
def test_leaving_and_death_end_the_membership(enrolled, staff, kind, status):
    m = services.change_status(enrolled, kind, reason="本人申请" if kind == "leave" else "", by=staff.g1_handler)
    assert m.status == status and m.status not in Membership.CURRENT
    assert services.active_membership(m.worker) is None
    assert MembershipChange.objects.unscoped().get(membership=m).kind == {"leave": "left", "death": "deceased"}[kind]


def test_status_changes_are_not_services(enrolled, staff):
    from gonghui.ledger.models import ServiceRecord

    services.change_status(enrolled, "retire", by=staff.g1_handler)
    assert not ServiceRecord.objects.unscoped().exists()


def test_leaving_needs_a_reason(enrolled, staff):
    with pytest.raises(ValidationError) as info:
        services.change_status(enrolled, "leave", by=staff.g1_handler)
    assert errors_of(info) == {"reason": ["请填写变更原因。"]}
    assert Membership.objects.unscoped().get(pk=enrolled.pk).status == "active"


def test_a_status_change_must_follow_the_current_status(enrolled, staff):
    services.change_status(enrolled, "death", by=staff.g1_handler)
    with pytest.raises(ValidationError) as info:
        services.change_status(enrolled, "retire", by=staff.g1_handler)
    assert errors_of(info) == {"kind": ["会籍状态为“已故”时不能办理“退休（保留会籍）”。"]}


def test_a_status_change_date_is_checked(enrolled, staff):
    import datetime

    with pytest.raises(ValidationError) as info:
        services.change_status(enrolled, "retire", on=datetime.date.today() + datetime.timedelta(days=1),
                               by=staff.g1_handler)
    assert errors_of(info) == {"on": ["变更日期不能晚于今天。"]}


def test_status_changes_need_members_change(enrolled, staff):
    with pytest.raises(PermissionDenied):
        services.change_status(enrolled, "retire", by=staff.g1_viewer)
    with pytest.raises(PermissionDenied):
        services.change_status(enrolled, "retire", by=staff.d2_admin)
    assert not MembershipChange.objects.unscoped().exists()


def test_restore_is_refused_while_active_elsewhere(tree, enrolled, staff):
    services.change_status(enrolled, "leave", reason="辞职", by=staff.g1_handler)
    services.enrol(enrolled.worker, tree.g2, by=None)
    with pytest.raises(ValidationError) as info:
        services.change_status(enrolled, "restore", reason="误操作", by=staff.g1_handler)
    assert errors_of(info) == {"kind": ["该职工在其他工会已有在册会籍，不能恢复。"]}


# ----- search -----

@pytest.fixture
def named(tree):
    people = {}
    for name in ("张三", "张三丰", "赵四", "曾小明", "李思"):
        worker = services.register_worker(name=name, id_number=fake_id_number(random.Random(name)), by=None)
        people[name] = services.enrol(worker, tree.g1, by=None)
    return people


def _found(text):
    qs = Membership.objects.unscoped().filter(services.search_q(text))
    return sorted(qs.values_list("worker__name", flat=True))


@pytest.mark.parametrize("text, names", [
    ("zs", ["张三", "张三丰", "赵四"]),   # initials: 张三 zs, 赵四 zs
    ("zsf", ["张三丰"]),
    ("ZS", ["张三", "张三丰", "赵四"]),
    ("zhangs", ["张三", "张三丰"]),       # a pinyin prefix
    ("zhangsan", ["张三", "张三丰"]),
    ("张", ["张三", "张三丰"]),            # a Chinese prefix
    ("张三丰", ["张三丰"]),
    ("三", []),                           # a prefix, not a substring
    ("曾", ["曾小明"]),                    # the surname's reading (zeng), not céng
    ("zxm", ["曾小明"]),
    ("ls", ["李思"]),
])
def test_search_by_name_pinyin_and_initials(named, text, names):
    assert _found(text) == names


def test_search_by_exact_numbers(named):
    m = named["李思"]
    id_number = m.worker.full_id_number()
    assert _found(id_number) == ["李思"]
    assert _found(id_number.lower()) == ["李思"]
    assert _found(id_number[:6] + " " + id_number[6:]) == ["李思"]
    assert _found(id_number[:17]) == []  # no partial ID numbers
    assert _found(m.member_number) == ["李思"]
    assert _found(m.member_number.lower()) == ["李思"]


def test_search_by_mobile(tree):
    worker = services.register_worker(name="钱七", id_number=ID_NUMBER, mobile="13912345678", by=None)
    services.enrol(worker, tree.g1, by=None)
    assert _found("139 1234 5678") == ["钱七"]
    assert _found("1391234567") == []


def test_id_search_never_decrypts(named, monkeypatch):
    id_number = named["李思"].worker.full_id_number()
    monkeypatch.setattr(crypto, "decrypt", lambda token: pytest.fail("decrypted during a search"))
    assert _found(id_number) == ["李思"]
