"""The registration case type: apply → review + home visit → notice → district approval → registered."""

import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from gonghui.accounts.tests.factories import StaffFactory, grant
from gonghui.hardship import registration
from gonghui.hardship import services_core as svc
from gonghui.hardship.models import HardshipApplication, HardshipFile, NoticeObjection
from gonghui.requests.tests.factories import member_user, submit
from gonghui.workflow.models import Case, CaseEvent
from gonghui.workflow.services import StaleCase, perform_transition

pytestmark = pytest.mark.django_db


@pytest.fixture
def applicant(tree):
    return member_user(tree.g1, name="张三丰")


def apply(user):
    return registration.apply_online(user.worker, by=user, statement="爱人重病住院，孩子上高中，家里入不敷出。",
                                     main_cause="serious_illness", secondary_causes=["children_school"],
                                     address="东城区幸福路1号")


def step(case, name, by, **data):
    case.refresh_from_db()
    return perform_transition(case, name, by=by, version=case.version, data=data)


def prepare(file, staff):
    svc.add_income(file, by=staff.g1_handler, source="wages", annual_amount="9000")
    svc.record_home_visit(file, by=staff.g1_handler, visited_on=datetime.date.today(), visitors="王五、赵六",
                          findings="家中老人卧床，孩子在读高二")
    svc.assess(file, by=staff.g1_handler)


def to_district(case, file, staff):
    prepare(file, staff)
    step(case, "start_notice", staff.g1_handler)
    HardshipApplication.objects.unscoped().filter(case=case).update(notice_ends=datetime.date.today())
    step(case, "forward", staff.g1_handler)


def test_worker_applies_and_district_registers(applicant, tree, staff):
    application = apply(applicant)
    case, file = application.case, application.file
    assert (case.case_type, case.state, case.node, case.applicant) == (
        "hardship_registration", "submitted", tree.g1, applicant)
    assert file.status == "applying" and file.main_cause == "serious_illness" and file.union == tree.g1
    prepare(file, staff)
    step(case, "start_notice", staff.g1_handler)
    application.refresh_from_db()
    assert application.notice_starts == datetime.date.today() and application.notice_ends > application.notice_starts
    step(case, "object", staff.g1_handler, note="邻居反映其家中有一辆轿车")
    assert NoticeObjection.objects.unscoped().get().text == "邻居反映其家中有一辆轿车"
    HardshipApplication.objects.unscoped().filter(case=case).update(notice_ends=datetime.date.today())
    step(case, "forward", staff.g1_handler)
    step(case, "approve", staff.d1_manager, note="同意")
    file.refresh_from_db()
    assert file.status == "registered" and file.registered_on == datetime.date.today()
    assert Case.objects.unscoped().get(pk=case.pk).state == "registered"


def test_second_application_refused(applicant):
    apply(applicant)
    with pytest.raises(ValidationError, match="不需要重复申请"):
        apply(applicant)


def test_worker_without_membership_cannot_apply(tree):
    user = member_user(tree.g1)
    from gonghui.members.models import Membership

    Membership.objects.unscoped().filter(worker=user.worker).update(status="left")
    with pytest.raises(ValidationError, match="没有在册的工会会籍"):
        apply(user)


def test_short_statement_refused_and_nothing_written(applicant):
    with pytest.raises(ValidationError):
        registration.apply_online(applicant.worker, by=applicant, statement="困难", main_cause="laid_off")
    assert not HardshipFile.objects.unscoped().exists() and not Case.objects.unscoped().exists()


def test_notice_needs_home_visit_and_assessment(applicant, staff):
    case = apply(applicant).case
    with pytest.raises(ValidationError, match="请先记录入户调查"):
        step(case, "start_notice", staff.g1_handler)
    assert Case.objects.unscoped().get(pk=case.pk).state == "submitted"  # nothing half-written


def test_a_refused_step_shows_its_reason_on_the_case_page(applicant, staff):
    from django.test import Client
    from django.urls import reverse

    case = apply(applicant).case
    case.refresh_from_db()
    client = Client()
    client.force_login(staff.g1_handler)
    response = client.post(reverse("workflow:transition", args=[case.pk, "start_notice"]),
                           {"start_notice-version": case.version})
    assert response.status_code == 422
    assert "请先记录入户调查" in response.content.decode()
    assert Case.objects.unscoped().get(pk=case.pk).state == "submitted"


def test_forward_before_notice_ends_refused(applicant, staff):
    application = apply(applicant)
    prepare(application.file, staff)
    step(application.case, "start_notice", staff.g1_handler)
    with pytest.raises(ValidationError, match="公示期到.*才结束"):
        step(application.case, "forward", staff.g1_handler)


def test_rejection_with_reason_visible_to_applicant(applicant, staff):
    application = apply(applicant)
    with pytest.raises(ValidationError):
        step(application.case, "reject", staff.g1_handler)  # a reason is required
    step(application.case, "reject", staff.g1_handler, note="家庭月人均收入高于低保标准2倍")
    application.file.refresh_from_db()
    assert application.file.status == "rejected"
    event = CaseEvent.objects.unscoped().get(case=application.case, transition="reject")
    assert event.visible_to_applicant and event.text == "家庭月人均收入高于低保标准2倍"


def test_withdraw_returns_file_to_draft(applicant):
    application = apply(applicant)
    step(application.case, "withdraw", applicant)
    application.file.refresh_from_db()
    assert application.file.status == "draft"


def test_approval_by_role_or_level_that_may_not(applicant, tree, staff):
    application = apply(applicant)
    to_district(application.case, application.file, staff)
    # A manager at the grassroots union itself is not "above" it; a handler lacks hardship.approve;
    # the other district is out of scope.
    g1_manager = StaffFactory(username="g1mgr")
    grant(g1_manager, tree.g1, "manager")
    d1_handler = StaffFactory(username="d1handler")
    grant(d1_handler, tree.d1, "handler")
    for user in (g1_manager, d1_handler, staff.d2_manager, staff.g1_handler):
        with pytest.raises(PermissionDenied):
            step(application.case, "approve", user)
    assert Case.objects.unscoped().get(pk=application.case.pk).state == "district"


def test_approval_by_town_union_refused(applicant, tree, staff):
    """hardship.approve at a town union between district and grassroots is not a federation."""
    from gonghui.orgs.models import UnionNode
    from gonghui.orgs.tests.factories import UnionNodeFactory

    town = UnionNodeFactory(name="东城街道工会", kind=UnionNode.Kind.TOWN_UNION, parent=tree.d1)
    g3 = UnionNodeFactory(name="街道内工会", parent=town)
    user = member_user(g3)
    application = apply(user)
    handler = StaffFactory(username="g3h")
    grant(handler, g3, "handler")
    staff.g1_handler = handler
    to_district(application.case, application.file, staff)
    town_manager = StaffFactory(username="townmgr")
    grant(town_manager, town, "manager")
    with pytest.raises(PermissionDenied) as error:
        step(application.case, "approve", town_manager)
    assert "区（县）总工会或市总工会" in str(error.value)
    step(application.case, "approve", staff.d1_manager)


def test_same_step_twice_gives_stale_case_in_chinese(applicant, staff, tree):
    application = apply(applicant)
    to_district(application.case, application.file, staff)
    case = Case.objects.unscoped().get(pk=application.case.pk)
    seen = case.version
    perform_transition(case, "approve", by=staff.d1_manager, version=seen)
    with pytest.raises(StaleCase) as error:
        perform_transition(case, "approve", by=staff.city_admin, version=seen)
    assert "已有变化" in str(error.value) and "请刷新后再操作" in str(error.value)


@pytest.mark.django_db(transaction=True)
def test_concurrent_approvals_exactly_one_wins(tree, staff):
    if connection.vendor == "sqlite" and "memory" in str(connection.settings_dict.get("NAME", "")):
        pytest.skip("threads need a file or server database")
    user = member_user(tree.g1, name="并发户")
    application = apply(user)
    to_district(application.case, application.file, staff)
    case = Case.objects.unscoped().get(pk=application.case.pk)
    results = []

    def approve(by):
        try:
            perform_transition(case, "approve", by=by, version=case.version)
            results.append("ok")
        except StaleCase as error:
            results.append(str(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(u,)) for u in (staff.d1_manager, staff.city_admin)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r == "ok" for r in results) == [False, True]
    assert any("请刷新后再操作" in r for r in results)
    assert CaseEvent.objects.unscoped().filter(case=case, transition="approve").count() == 1


def test_apply_from_hardship_request(tree, staff):
    user = member_user(tree.g1, name="诉求户")
    request = submit(user, code="hardship", description="家里老人住院，孩子上学，生活实在困难，想申请帮扶。")
    application = registration.apply_from_request(request, by=staff.g1_handler)
    assert application.source == "request" and application.request == request
    assert application.statement.startswith("家里老人住院") and application.file.worker == user.worker
    assert application.case.applicant == user


def test_apply_from_other_request_refused(tree, staff):
    user = member_user(tree.g1)
    request = submit(user, code="contract")
    with pytest.raises(ValidationError, match="生活困难"):
        registration.apply_from_request(request, by=staff.g1_handler)


def test_apply_from_request_needs_change_permission(tree, staff):
    user = member_user(tree.g1)
    request = submit(user, code="hardship", description="家里老人住院，孩子上学，生活实在困难。")
    with pytest.raises(PermissionDenied):
        registration.apply_from_request(request, by=staff.g1_viewer)


def test_notice_list_masks_names(applicant, tree, staff):
    application = apply(applicant)
    prepare(application.file, staff)
    step(application.case, "start_notice", staff.g1_handler)
    rows = registration.notices_for(tree.g1.path)
    assert rows == [{"name": "张**", "union": tree.g1.display_name, "starts": datetime.date.today(),
                     "ends": HardshipApplication.objects.unscoped().get().notice_ends}]
    assert registration.notices_for(tree.g2.path) == []


def test_mask_name():
    assert registration.mask_name("张三") == "张*"
    assert registration.mask_name("欧阳娜娜") == "欧***"
