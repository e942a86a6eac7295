"""The rules of a join application (join_services.submit): what is stored, and every refusal."""

import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from gonghui.audit.models import AuditEntry
from gonghui.core import crypto
from gonghui.members import join_services
from gonghui.members.models import JoinApplication, Membership, Worker
from gonghui.members.tests.factories import MembershipFactory, WorkerFactory
from gonghui.members.tests.join_helpers import applicant, apply, area, form_data, new_id
from gonghui.workflow import calendar
from gonghui.workflow.models import Case

pytestmark = pytest.mark.django_db


def _counts():
    return (Worker.objects.unscoped().count(), Case.objects.unscoped().count(),
            JoinApplication.objects.unscoped().count(), Membership.objects.unscoped().count())


def _messages(excinfo, field):
    return excinfo.value.message_dict[field]


def test_submit_registers_the_person_and_opens_a_case_at_the_chosen_union(tree):
    user = applicant()
    id_number = new_id(female=True)
    application, created = apply(user, tree.g1, id_number=id_number, name="李小红")
    assert created
    case = application.case
    assert (case.case_type, case.state, case.node, case.applicant) == ("join", "submitted", tree.g1, user)
    assert case.number.startswith("RH")
    # Decided within 15 working days (the mainland calendar), then the parent union is alerted.
    assert case.due_at == calendar.add_working_days(case.state_entered_at, 15)
    worker = application.worker
    assert worker.user == user and worker.name == "李小红" and worker.name_initials == "lxh"
    assert worker.id_number_hash == crypto.keyed_hash(id_number) and id_number not in worker.id_number_encrypted
    assert worker.id_number_masked == id_number[:3] + "*" * 12 + id_number[-3:]
    assert worker.gender == "F" and worker.birth_date.year == int(id_number[6:10])
    assert (worker.education, worker.household_type, worker.migrant_worker) == ("senior", "rural", True)
    assert application.applied_to == tree.g1 and application.employer_has_union
    assert application.membership is None
    events = set(AuditEntry.objects.unscoped().values_list("event", flat=True))
    assert {"worker.registered", "join.opened", "join.submitted"} <= events


def test_a_worker_without_a_union_applies_to_the_district(tree):
    application, _ = apply(applicant(), tree.d1, employer="江海小刘汽车维修店")
    assert not application.employer_has_union
    assert application.case.topic == "no_union" and application.case.node == tree.d1


def test_wrong_checksum_is_refused_and_nothing_is_stored(tree):
    good = new_id()
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    before = _counts()
    with pytest.raises(ValidationError) as excinfo:
        apply(applicant(), tree.g1, id_number=bad)
    assert _messages(excinfo, "id_number") == ["身份证号第18位校验码不正确，请核对。"]
    assert _counts() == before


def test_gender_contradicting_the_id_is_refused(tree):
    with pytest.raises(ValidationError) as excinfo:
        apply(applicant(), tree.g1, id_number=new_id(female=True), gender="M")
    assert _messages(excinfo, "gender") == ["性别与身份证号不符：身份证号第17位表示女，请核对身份证号或性别。"]
    assert JoinApplication.objects.unscoped().count() == 0


def test_birth_date_contradicting_the_id_is_refused(tree):
    id_number = new_id()
    stated = datetime.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    with pytest.raises(ValidationError) as excinfo:
        apply(applicant(), tree.g1, id_number=id_number, birth_date=(stated + datetime.timedelta(days=1)).isoformat())
    assert _messages(excinfo, "birth_date") == [
        f"出生日期与身份证号不符：身份证号显示为{stated.year}年{stated.month}月{stated.day}日出生，请核对。"]
    # Agreeing values are accepted.
    application, _ = apply(applicant(), tree.g1, id_number=id_number, birth_date=stated.isoformat(),
                           gender="M" if int(id_number[16]) % 2 else "F")
    assert application.worker.birth_date == stated


@pytest.mark.parametrize("mobile", ["+852 9123 4567", "12345678901", "0513-83001234"])
def test_a_phone_that_is_not_a_mainland_mobile_is_refused(tree, mobile):
    with pytest.raises(ValidationError) as excinfo:
        apply(applicant(), tree.g1, mobile=mobile)
    assert _messages(excinfo, "mobile") == ["手机号码不正确，请输入中国大陆11位手机号码。"]


def test_required_fields_say_what_is_missing(tree):
    with pytest.raises(ValidationError) as excinfo:
        apply(applicant(), tree.g1, name="", mobile="", education="", employer="", ethnicity="火星族")
    errors = excinfo.value.message_dict
    assert errors["name"] == ["请填写姓名。"] and errors["mobile"] == ["请填写手机号码。"]
    assert errors["education"] == ["请选择学历。"] and errors["employer"] == ["请填写工作单位。"]
    assert errors["ethnicity"] == ["民族的选项不正确，请重新选择。"]


def test_an_active_member_elsewhere_is_refused_and_their_record_is_untouched(tree):
    id_number = new_id()
    member = WorkerFactory(name="张三", mobile="13700001111", id_number=id_number)
    MembershipFactory(worker=member, union=tree.g2)
    before = _counts()
    with pytest.raises(ValidationError) as excinfo:
        apply(applicant(), tree.g1, id_number=id_number, name="张三", mobile="13912345678")
    assert _messages(excinfo, "id_number") == ["该身份证号已是在册会员，如需更换工会请申请转会。"]
    assert _counts() == before
    member.refresh_from_db()
    assert (member.mobile, member.user_id) == ("13700001111", None)


def test_a_member_account_cannot_apply_again(tree):
    user = applicant()
    member = WorkerFactory(user=user, name="王五")
    MembershipFactory(worker=member, union=tree.g1)
    with pytest.raises(ValidationError) as excinfo:
        apply(user, tree.g2, id_number=new_id(), name="王五")
    assert excinfo.value.message_dict["__all__"] == ["您已是东城机械厂工会的在册会员，如需更换工会请申请转会。"]


def test_a_second_submit_returns_the_open_application(tree):
    user = applicant()
    first, created = apply(user, tree.g1)
    again, created_again = apply(user, tree.g2, id_number=new_id())  # even with other data
    assert created and not created_again and again.pk == first.pk
    assert JoinApplication.objects.unscoped().count() == 1 and Case.objects.unscoped().count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_double_click_creates_one_application(tree):
    """Two posts of the same worker at the same moment: one application, both get it."""
    user = applicant()
    data = form_data()
    barrier = threading.Barrier(2)
    results, lock = [], threading.Lock()

    def post():
        try:
            barrier.wait(timeout=30)
            application, created = join_services.submit(by=user, union=tree.g1, data=dict(data))
            outcome = (application.pk, created)
        except Exception as error:
            outcome = ("error", repr(error))
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=post) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len({pk for pk, _created in results}) == 1, results
    assert sorted(created for _pk, created in results) == [False, True]
    assert JoinApplication.objects.unscoped().count() == 1


def test_an_id_number_registered_by_another_account_is_refused(tree):
    id_number = new_id()
    WorkerFactory(user=applicant(), name="李小红", id_number=id_number)
    with pytest.raises(ValidationError) as excinfo:
        apply(applicant(), tree.g1, id_number=id_number)
    assert _messages(excinfo, "id_number") == ["该身份证号已由其他手机号登记，请联系工会核实。"]


def test_a_former_member_is_found_by_id_number_and_linked(tree):
    id_number = new_id()
    former = WorkerFactory(name="赵六", mobile="13700002222", id_number=id_number)
    MembershipFactory(worker=former, union=tree.g2, status=Membership.Status.LEFT)
    user = applicant()
    application, _ = apply(user, tree.g1, id_number=id_number, name="赵六", employer="东城机械厂")
    former.refresh_from_db()
    assert application.worker == former and former.user == user and former.employer == "东城机械厂"
    assert Worker.objects.unscoped().count() == 1
    entry = AuditEntry.objects.unscoped().get(event="worker.updated")
    assert entry.changes["user"] == [None, user.pk] and entry.changes["mobile"] == ["13700002222", "13912345678"]


def test_a_name_that_differs_from_the_register_is_refused(tree):
    id_number = new_id()
    WorkerFactory(name="赵六", id_number=id_number)
    with pytest.raises(ValidationError) as excinfo:
        apply(applicant(), tree.g1, id_number=id_number, name="赵七")
    assert _messages(excinfo, "name") == ["姓名与该身份证号的登记信息不一致，请核对；如姓名已变更，请联系工会。"]


def test_a_mistyped_id_can_be_corrected_after_the_application_ended(tree, staff):
    from gonghui.workflow import services as workflow

    user = applicant()
    first, _ = apply(user, tree.g1)
    workflow.perform_transition(first.case, "reject", by=staff.g1_handler, version=1,
                                data={"note": "身份证号与本人信息不一致，请核对后重新申请。"})
    corrected = new_id()
    second, created = apply(user, tree.g1, id_number=corrected)
    assert created and second.worker != first.worker and second.worker.user == user
    first.worker.refresh_from_db()
    assert first.worker.user is None  # the mistyped record no longer belongs to the account


def test_under_16_is_refused(tree):
    today = timezone.localdate()
    from stdnum.cn import ric

    body = f"320602{today.year - 15}{today:%m%d}123"
    id_number = body + ric.calc_check_digit(body + "0")
    with pytest.raises(ValidationError) as excinfo:
        apply(applicant(), tree.g1, id_number=id_number)
    assert _messages(excinfo, "id_number") == ["根据身份证号，您未满16周岁，暂时不能加入工会。"]


def test_only_workers_apply_and_only_to_unions_that_take_applications(tree, staff):
    with pytest.raises(PermissionDenied):
        apply(staff.g1_handler, tree.g1)
    for node in (tree.city,):
        with pytest.raises(ValidationError) as excinfo:
            apply(applicant(), node)
        assert _messages(excinfo, "union") == ["该组织不受理网上入会申请，请重新选择您单位的工会。"]


def test_search_finds_unions_by_chinese_pinyin_and_initials(tree):
    from gonghui.orgs.models import UnionNode
    from gonghui.orgs.tests.factories import UnionNodeFactory

    jhjx = UnionNodeFactory(name="江海机械制造有限公司工会委员会", short_name="江海机械工会", parent=tree.d1)
    UnionNodeFactory(name="江海机械厂服务中心", kind=UnionNode.Kind.SERVICE_CENTRE, parent=tree.d1)
    inactive = UnionNodeFactory(name="江海机械老厂工会", parent=tree.d1)
    from gonghui.orgs import services as orgs

    orgs.update_node(inactive, {"active": False}, by=None)
    town, joint, _town_joint, _joint2 = area(tree)
    assert join_services.search_unions("jhjx") == [jhjx]  # initials (no service centre, no inactive union)
    assert join_services.search_unions("JiangHai JiXie") == [jhjx]  # pinyin, any case and spaces
    assert join_services.search_unions("机械") == [tree.g1, jhjx]  # a Chinese part of the name, tree order
    assert join_services.search_unions("江海机械工会") == [jhjx]  # the short name
    assert join_services.search_unions("东城") == [tree.g1, joint]
    assert join_services.search_unions("") == []
    assert join_services.search_unions("新华", area=True) == [town]
    assert tree.d1 in join_services.search_unions("", area=True)
    assert join_services.search_unions("xhjd", area=True) == []  # initials start at the name's start
    assert join_services.search_unions("dcqxhjd", area=True) == [town]


def test_search_keys_follow_renames(tree):
    from gonghui.orgs import services as orgs

    orgs.update_node(tree.g1, {"name": "江海湖滨纺织工会"}, by=None)
    tree.g1.refresh_from_db()
    assert (tree.g1.name_pinyin, tree.g1.name_initials) == ("jianghaihubinfangzhigonghui", "jhhbfzgh")
    assert join_services.search_unions("jhhb") == [tree.g1]


def test_search_by_pinyin_reads_an_index_range(tree):
    """At 20,000 unions the search must stay an index range with a limit (figures in the report)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        join_services.search_unions("jhjx")
    sql = ctx.captured_queries[0]["sql"]
    assert "LIMIT 20" in sql
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL plans a tiny table as a scan; the 20,000-union plan is in the report")
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "USING INDEX orgs_unionnode_name_initials" in plan and "name_initials>? AND name_initials<?" in plan
