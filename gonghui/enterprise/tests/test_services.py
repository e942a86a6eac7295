"""Services: enterprises (USCC in Chinese, scope of the unions chosen), visits opening one case per problem."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gonghui.audit.models import AuditEntry
from gonghui.enterprise import services
from gonghui.enterprise.models import Enterprise, Problem, Visit
from gonghui.enterprise.tests.factories import make_enterprise, make_uscc, make_visit
from gonghui.orgs.models import UnionNode
from gonghui.orgs.tests.factories import UnionNodeFactory
from gonghui.workflow.models import Case, CaseEvent

YESTERDAY = datetime.date.today() - datetime.timedelta(days=1)


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


# ----- enterprises -----

def test_create_enterprise_is_audited(tree, staff):
    enterprise = services.create_enterprise(
        {"name": " 东城机械有限公司 ", "uscc": make_uscc(1).lower(), "industry": "C", "employees": "320",
         "node": tree.d1, "union": tree.g1}, by=staff.d1_admin)
    assert enterprise.name == "东城机械有限公司" and enterprise.uscc == make_uscc(1)
    assert enterprise.employees == 320 and enterprise.industry_label == "制造业"
    entry = AuditEntry.objects.unscoped().get(event="enterprise.created")
    assert entry.actor == staff.d1_admin and entry.node == tree.d1 and entry.object_id == str(enterprise.pk)
    assert entry.changes["name"] == [None, "东城机械有限公司"]


@pytest.mark.parametrize(("code", "message"), [
    ("91320100MA1", "统一社会信用代码应为18位。"),
    (make_uscc(2)[:-1] + ("0" if make_uscc(2)[-1] != "0" else "1"), "统一社会信用代码最后一位校验码不正确，请核对。"),
])
def test_uscc_is_checked_in_chinese(tree, code, message):
    with pytest.raises(ValidationError) as e:
        services.create_enterprise({"name": "某公司", "uscc": code, "node": tree.d1}, by=None)
    assert errors_of(e)["uscc"] == [message]


def test_an_enterprise_code_need_not_start_with_81_but_must_be_unique(tree):
    make_enterprise(tree.d1, uscc=make_uscc(3, prefix="91"))
    with pytest.raises(ValidationError) as e:
        make_enterprise(tree.d2, name="另一家", uscc=make_uscc(3, prefix="91"))
    assert "已登记过企业" in errors_of(e)["uscc"][0]


def test_required_fields_and_numbers_in_chinese(tree):
    with pytest.raises(ValidationError) as e:
        services.create_enterprise({"name": "", "employees": "很多", "industry": "Z"}, by=None)
    errors = errors_of(e)
    assert errors["name"] == ["请填写企业名称。"]
    assert errors["employees"] == ["职工人数应为整数。"]
    assert errors["industry"] == ["行业的选项不正确。"]
    assert errors["node"] == ["请选择负责联系该企业的工会。"]


def test_nodes_must_be_in_the_users_scope_and_in_shape(tree, staff):
    with pytest.raises(ValidationError) as e:
        services.create_enterprise({"name": "某公司", "node": tree.d2}, by=staff.d1_admin)
    assert errors_of(e)["node"] == ["您不能为该工会登记企业。"]
    with pytest.raises(ValidationError) as e:  # the enterprise's union must sit under the contact union
        services.create_enterprise({"name": "某公司", "node": tree.d1, "union": tree.g2}, by=staff.city_admin)
    assert "下级范围" in errors_of(e)["union"][0]
    with pytest.raises(ValidationError) as e:
        services.create_enterprise({"name": "某公司", "node": tree.d1, "union": tree.d1}, by=staff.city_admin)
    assert errors_of(e)["union"] == ["企业工会应是一个基层工会或联合基层工会。"]
    centre = UnionNodeFactory(name="东城区职工服务中心", kind=UnionNode.Kind.SERVICE_CENTRE, parent=tree.d1)
    with pytest.raises(ValidationError) as e:
        services.create_enterprise({"name": "某公司", "node": centre}, by=staff.d1_admin)
    assert "不能是部门或服务中心" in errors_of(e)["node"][0]
    assert not Enterprise.objects.unscoped().exists()


def test_update_audits_the_diff_and_needs_the_handle_right(tree, staff):
    enterprise = make_enterprise(tree.g1, employees=10)
    services.update_enterprise(enterprise, {"employees": 12, "address": "机械路1号"}, by=staff.g1_handler)
    entry = AuditEntry.objects.unscoped().get(event="enterprise.changed")
    assert entry.changes == {"employees": [10, 12], "address": ["", "机械路1号"]}
    with pytest.raises(PermissionDenied):
        services.update_enterprise(enterprise, {"employees": 13}, by=staff.g1_viewer)


# ----- visits -----

def test_a_visit_with_problems_opens_one_case_each_in_one_transaction(tree, staff):
    enterprise = make_enterprise(tree.d1, name="东城机械有限公司", union=tree.g1)
    visit = services.record_visit(enterprise, {
        "visited_on": YESTERDAY, "node": tree.d1, "staff": [staff.d1_manager], "met_with": "人事经理张伟",
        "notes": "座谈了解用工情况",
    }, [{"kind": "wages", "description": "三名职工反映工资推迟发放\n涉及9月、10月"},
        {"kind": "safety", "description": "车间通风不足"}], by=staff.d1_manager)
    assert list(visit.staff.all()) == [staff.d1_manager]
    problems = list(Problem.objects.unscoped().filter(visit=visit).select_related("case").order_by("pk"))
    assert [p.kind for p in problems] == ["wages", "safety"]
    for problem in problems:
        case = problem.case
        assert problem.pk == case.pk  # the problem shares its case's id
        assert case.case_type == "enterprise_problem" and case.state == "recorded" and case.is_open
        assert case.node == tree.d1 and case.applicant is None and case.applicant_name == "东城机械有限公司"
        assert case.number.startswith("QY") and case.due_at is not None
    assert problems[0].case.title == "工资与欠薪：三名职工反映工资推迟发放"
    assert CaseEvent.objects.unscoped().get(case=problems[0].case, kind="opened").text.startswith("三名职工")
    entry = AuditEntry.objects.unscoped().get(event="enterprise.visit_recorded")
    assert entry.node == tree.d1 and entry.extra == {"problems": [p.pk for p in problems]}
    assert entry.changes["staff"] == [None, [staff.d1_manager.pk]]
    assert AuditEntry.objects.unscoped().filter(event="enterprise_problem.opened").count() == 2


def test_a_bad_problem_row_saves_nothing(tree, staff):
    enterprise = make_enterprise(tree.d1)
    with pytest.raises(ValidationError) as e:
        make_visit(enterprise, problems=(("wages", "工资推迟"), ("nonsense", "")), by=staff.d1_manager)
    assert errors_of(e)["problems"] == ["第2个问题：请选择问题类别。", "第2个问题：请填写问题描述。"]
    assert not Visit.objects.unscoped().exists() and not Case.objects.unscoped().exists()


def test_visit_fields_are_checked_in_chinese(tree, staff):
    enterprise = make_enterprise(tree.g1)
    with pytest.raises(ValidationError) as e:
        services.record_visit(enterprise, {"visited_on": datetime.date.today() + datetime.timedelta(days=1),
                                           "node": tree.d2}, [], by=staff.city_admin)
    errors = errors_of(e)
    assert errors["visited_on"] == ["走访日期不能晚于今天。"]
    assert errors["node"] == ["走访工会应是企业的联系工会或它的上级工会。"]
    assert errors["staff"] == ["请选择走访人员，或在“其他走访人员”中填写。"]
    with pytest.raises(ValidationError) as e:  # d2's manager is not near district 1's visit
        services.record_visit(enterprise, {"visited_on": YESTERDAY, "node": tree.d1, "staff": [staff.d2_manager]},
                              [], by=staff.city_admin)
    assert errors_of(e)["staff"] == ["走访人员应是走访工会或其上下级工会的干部。"]


def test_the_visiting_union_defaults_to_the_nearest_the_user_may_act_for(tree, staff):
    enterprise = make_enterprise(tree.g1)
    assert make_visit(enterprise, by=staff.d1_manager).node == tree.d1
    assert make_visit(enterprise, by=staff.g1_handler).node == tree.g1
    assert services.visit_nodes(enterprise, staff.city_admin) == [tree.g1, tree.d1, tree.city]
    with pytest.raises(PermissionDenied):
        make_visit(enterprise, by=staff.g1_viewer)
    with pytest.raises(PermissionDenied):
        make_visit(enterprise, by=staff.d2_manager)


def test_a_visit_without_problems_is_fine(tree, staff):
    visit = make_visit(make_enterprise(tree.d1), problems=(), by=staff.d1_manager)
    assert visit.created_problems == [] and not Case.objects.unscoped().exists()


def test_state_counts(tree, staff):
    make_visit(make_enterprise(tree.d1), problems=(("wages", "a"), ("safety", "b")), by=staff.d1_manager)
    assert services.state_counts(Problem.objects.visible_to(staff.d1_manager, "enterprise.view")) == {"recorded": 2}
    assert services.state_counts(Problem.objects.visible_to(staff.d2_manager, "enterprise.view")) == {}
