"""The rules of enrolment: sign-up, waiting list, promotion, offers, staff changes, check-in."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gonghui.audit.models import AuditEntry
from gonghui.enrolment import registry, services
from gonghui.enrolment.models import Enrolment, Offering
from gonghui.enrolment.tests.factories import make_offering, make_worker_user
from gonghui.ledger.models import ServiceRecord
from gonghui.notifications.models import Notification

S = Enrolment.Status


def fresh(offering):
    return Offering.objects.unscoped().get(pk=offering.pk)


def status_of(enrolment):
    return Enrolment.objects.unscoped().get(pk=enrolment.pk).status


def code_of(error) -> str:
    return error.value.code if error.value.code else getattr(error.value, "error_list", [error.value])[0].code


@pytest.fixture
def event_kind():
    previous = registry._KINDS.get("event")  # the activities app's own registration, when installed
    registry.register_kind("event", ledger_kind="activities.attended", label="参加职工文体活动")
    yield
    if previous is None:
        registry._KINDS.pop("event", None)
    else:  # put it back: later tests (activities) rely on it
        registry._KINDS["event"] = previous


def test_sign_up_confirms_then_waits(tree):
    offering = make_offering(tree.g1, capacity=2)
    users = [make_worker_user(tree.g1) for _ in range(4)]
    results = [services.sign_up(offering, u) for u in users]
    assert [r.status for r in results] == [S.CONFIRMED, S.CONFIRMED, S.WAITING, S.WAITING]
    assert [r.position for r in results[2:]] == [1, 2]
    offering = fresh(offering)
    assert (offering.confirmed_count, offering.waiting_count) == (2, 2)
    assert len({r.code for r in results}) == 4 and all(len(r.code) == 6 for r in results)


def test_twice_is_refused_with_a_clear_message(tree):
    offering = make_offering(tree.g1, capacity=5)
    user = make_worker_user(tree.g1)
    services.sign_up(offering, user)
    with pytest.raises(ValidationError) as error:
        services.sign_up(offering, user)
    assert error.value.code == "duplicate" and "不能重复报名" in error.value.messages[0]
    assert fresh(offering).confirmed_count == 1


def test_full_without_waiting_list_is_refused(tree):
    offering = make_offering(tree.g1, capacity=1, waitlist=False, kind="course")
    services.sign_up(offering, make_worker_user(tree.g1))
    with pytest.raises(ValidationError) as error:
        services.sign_up(offering, make_worker_user(tree.g1))
    assert error.value.code == "full" and error.value.messages == ["名额已满，且不设候补，不能再报名。"]
    assert Enrolment.objects.unscoped().filter(offering=offering).count() == 1


@pytest.mark.parametrize("change, expected", [
    ({"closes_at": timezone.now() - datetime.timedelta(hours=1)}, "报名已于"),
    ({"opens_at": timezone.now() + datetime.timedelta(hours=1)}, "报名尚未开始"),
    ({"status": "draft"}, "尚未发布"),
    ({"status": "cancelled"}, "已取消"),
])
def test_outside_the_window_is_refused(tree, change, expected):
    offering = make_offering(tree.g1, capacity=5, **change)
    with pytest.raises(ValidationError) as error:
        services.sign_up(offering, make_worker_user(tree.g1))
    assert error.value.code == "closed" and expected in error.value.messages[0]
    assert not Enrolment.objects.unscoped().filter(offering=offering).exists()


def test_audience_rules(tree):
    members = make_offering(tree.d1, audience="members")
    women = make_offering(tree.d1, audience="women")
    migrant = make_offering(tree.d1, audience="migrant")
    everyone = make_offering(tree.d1, audience="workers")
    in_d1, in_d2 = make_worker_user(tree.g1), make_worker_user(tree.g2)
    woman = make_worker_user(tree.g1, gender="F")
    non_member = make_worker_user(None, member=False, migrant=True)

    services.sign_up(members, in_d1)
    with pytest.raises(ValidationError) as error:
        services.sign_up(members, in_d2)
    assert error.value.code == "audience" and "东城区总工会及其下级工会" in error.value.messages[0]
    with pytest.raises(ValidationError) as error:
        services.sign_up(members, non_member)
    assert "请先入会" in error.value.messages[0]
    with pytest.raises(ValidationError) as error:
        services.sign_up(women, in_d1)
    assert error.value.messages == ["本项目只面向女职工。如您的性别登记有误，请联系所在工会更正。"]
    services.sign_up(women, woman)
    with pytest.raises(ValidationError):
        services.sign_up(migrant, in_d1)
    services.sign_up(migrant, non_member)
    services.sign_up(everyone, non_member)
    with pytest.raises(ValidationError):
        services.sign_up(everyone, in_d2)


def test_staff_account_cannot_sign_up_itself(tree, staff):
    with pytest.raises(ValidationError) as error:
        services.sign_up(make_offering(tree.g1), staff.d1_admin)
    assert "职工身份" in error.value.messages[0]


def test_offerings_for_lists_what_a_worker_may_join(tree):
    from gonghui.enrolment.audience import offerings_for

    city = make_offering(tree.city, audience="members")
    mine = make_offering(tree.g1, audience="workers")
    women = make_offering(tree.d1, audience="women")
    make_offering(tree.d2, audience="workers")
    make_offering(tree.g1, status="draft")
    user = make_worker_user(tree.g1)
    listed = set(offerings_for(user, Offering.objects.unscoped()).values_list("pk", flat=True))
    assert listed == {city.pk, mine.pk}
    woman = make_worker_user(tree.g1, gender="F")
    assert women.pk in set(offerings_for(woman, Offering.objects.unscoped()).values_list("pk", flat=True))


def test_answers_and_seats_are_checked(tree):
    offering = make_offering(tree.g1, capacity=5, per_person_limit=2, questions=services.clean_questions([
        {"key": "size", "label": "衣服尺码", "type": "choice", "required": True, "choices": ["S", "M", "L"]},
        {"key": "age", "label": "年龄", "type": "number"},
    ]))
    user = make_worker_user(tree.g1)
    with pytest.raises(ValidationError) as error:
        services.sign_up(offering, user, answers={"age": "abc"})
    assert error.value.message_dict == {"q_size": ["请填写“衣服尺码”。"], "q_age": ["“年龄”请填写数字。"]}
    with pytest.raises(ValidationError) as error:
        services.sign_up(offering, user, answers={"size": "XXL"})
    assert "请从给出的选项中选择" in error.value.message_dict["q_size"][0]
    with pytest.raises(ValidationError) as error:
        services.sign_up(offering, user, answers={"size": "M"}, seats=3)
    assert error.value.message_dict == {"seats": ["每人最多报2个名额。"]}
    enrolment = services.sign_up(offering, user, answers={"size": "M", "age": "35", "junk": "x"}, seats=2)
    assert enrolment.answers == {"size": "M", "age": "35"} and enrolment.seats == 2
    assert fresh(offering).confirmed_count == 2


def test_clean_questions_refuses_bad_lists():
    with pytest.raises(ValidationError):
        services.clean_questions({"a": 1})
    with pytest.raises(ValidationError) as error:
        services.clean_questions([{"label": "尺码", "type": "choice", "choices": ["S"]}])
    assert "至少给出两个选项" in error.value.message_dict["questions"][0]
    with pytest.raises(ValidationError):
        services.clean_questions([{"label": "a", "key": "k"}, {"label": "b", "key": "k"}])
    assert services.clean_questions([{"label": " 备注 "}]) == [
        {"key": "q1", "label": "备注", "type": "text", "required": False, "choices": []}]


def test_cancel_promotes_the_next_with_a_notice_and_deadline(tree):
    offering = make_offering(tree.g1, capacity=1, confirm_hours=24, ends_at=timezone.now() + datetime.timedelta(days=5))
    first, second, third = (make_worker_user(tree.g1) for _ in range(3))
    a = services.sign_up(offering, first)
    b = services.sign_up(offering, second)
    services.sign_up(offering, third)
    with pytest.raises(PermissionDenied):
        services.cancel(a, by=second)
    services.cancel(a, by=first)
    b = Enrolment.objects.unscoped().get(pk=b.pk)
    assert b.status == S.OFFERED
    assert abs((b.offer_expires_at - timezone.now()) - datetime.timedelta(hours=24)) < datetime.timedelta(minutes=1)
    offering = fresh(offering)
    assert (offering.confirmed_count, offering.waiting_count) == (1, 1)
    notice = Notification.objects.filter(recipient=second, channel="inbox").get()
    assert offering.title in notice.subject and "确认" in notice.body
    services.confirm_offer(b, by=second)
    assert status_of(b) == S.CONFIRMED
    with pytest.raises(ValidationError) as error:
        services.cancel(a, by=first)
    assert error.value.code == "not_live"


def test_unconfirmed_offer_expires_and_goes_to_the_next(tree):
    offering = make_offering(tree.g1, capacity=1, confirm_hours=2)
    users = [make_worker_user(tree.g1) for _ in range(3)]
    a, b, c = (services.sign_up(offering, u) for u in users)
    services.cancel(a, by=users[0])
    assert status_of(b) == S.OFFERED
    assert services.expire_offers() == 0
    later = timezone.now() + datetime.timedelta(hours=3)
    assert services.expire_offers(now=later) == 1
    assert status_of(b) == S.EXPIRED and status_of(c) == S.OFFERED
    assert Notification.objects.filter(recipient=users[1], channel="inbox", subject__contains="已失效").exists()
    offering = fresh(offering)
    assert (offering.confirmed_count, offering.waiting_count) == (1, 0)


def test_confirming_too_late_is_refused_and_passes_the_place_on(tree):
    offering = make_offering(tree.g1, capacity=1, confirm_hours=1)
    users = [make_worker_user(tree.g1) for _ in range(3)]
    a, b, c = (services.sign_up(offering, u) for u in users)
    services.cancel(a, by=users[0])
    with pytest.raises(ValidationError) as error:
        services.confirm_offer(b, by=users[1], now=timezone.now() + datetime.timedelta(hours=2))
    assert error.value.code == "offer_expired" and "超过截止时间" in error.value.messages[0]
    assert status_of(b) == S.EXPIRED and status_of(c) == S.OFFERED
    assert services.confirm_offer(c, by=users[2]).status == S.CONFIRMED
    with pytest.raises(ValidationError) as error:
        services.confirm_offer(c, by=users[2])
    assert error.value.code == "not_offered"


def test_hardship_households_are_promoted_first(tree):
    from gonghui.hardship.tests.factories import HardshipFileFactory

    offering = make_offering(tree.g1, capacity=1, hardship_first=True)
    holder = make_worker_user(tree.g1)
    early, needy = make_worker_user(tree.g1), make_worker_user(tree.g1)
    HardshipFileFactory(worker=needy.worker, union=tree.g1, membership=False)
    a = services.sign_up(offering, holder)
    e1 = services.sign_up(offering, early)
    e2 = services.sign_up(offering, needy)
    services.cancel(a, by=holder)
    assert status_of(e2) == S.OFFERED and status_of(e1) == S.WAITING


def test_without_hardship_first_order_is_kept(tree):
    from gonghui.hardship.tests.factories import HardshipFileFactory

    offering = make_offering(tree.g1, capacity=1, hardship_first=False)
    holder, early, needy = (make_worker_user(tree.g1) for _ in range(3))
    HardshipFileFactory(worker=needy.worker, union=tree.g1, membership=False)
    a, e1, e2 = (services.sign_up(offering, u) for u in (holder, early, needy))
    services.cancel(a, by=holder)
    assert status_of(e1) == S.OFFERED and status_of(e2) == S.WAITING


def test_hardship_reader_tolerates_a_missing_app(monkeypatch):
    from gonghui.enrolment import audience

    monkeypatch.setattr(audience.apps, "is_installed", lambda name: False)
    assert audience.hardship_worker_ids([1, 2]) == set()


def test_staff_add_and_remove_with_reason(tree, staff):
    offering = make_offering(tree.g1, capacity=1, closes_at=timezone.now() - datetime.timedelta(hours=1))
    worker_user, waiting_user = make_worker_user(tree.g1), make_worker_user(tree.g1)
    with pytest.raises(ValidationError) as error:
        services.staff_add(offering, worker_user.worker, reason=" ", by=staff.d1_manager)
    assert error.value.message_dict["reason"][0].startswith("请填写原因")
    with pytest.raises(PermissionDenied):
        services.staff_add(offering, worker_user.worker, reason="电话报名", by=staff.d2_manager)
    added = services.staff_add(offering, worker_user.worker, reason="电话报名", by=staff.d1_manager)
    assert added.status == S.CONFIRMED and added.reason == "电话报名" and added.added_by == staff.d1_manager
    queued = services.staff_add(offering, waiting_user.worker, reason="纸质报名", by=staff.g1_handler)
    assert queued.status == S.WAITING
    with pytest.raises(ValidationError) as error:
        services.staff_add(offering, worker_user.worker, reason="再次", by=staff.d1_manager)
    assert error.value.code == "duplicate"
    services.staff_remove(added, reason="本人要求退出", by=staff.d1_manager)
    assert status_of(added) == S.REMOVED and status_of(queued) == S.OFFERED
    assert AuditEntry.objects.unscoped().filter(event="enrolment.removed", object_id=str(added.pk)).exists()
    assert AuditEntry.objects.unscoped().filter(event="enrolment.added").count() == 2
    assert Notification.objects.filter(recipient=worker_user, subject__contains="移除", channel="inbox").exists()
    with pytest.raises(PermissionDenied):
        services.staff_remove(queued, reason="x", by=staff.g1_viewer)


def test_staff_add_refuses_a_worker_without_account(tree, staff):
    from gonghui.members.tests.factories import WorkerFactory

    with pytest.raises(ValidationError) as error:
        services.staff_add(make_offering(tree.g1), WorkerFactory(), reason="电话报名", by=staff.d1_manager)
    assert "还没有职工账号" in error.value.message_dict["worker"][0]


def test_capacity_change_promotes_or_is_refused(tree, staff):
    offering = make_offering(tree.g1, capacity=1)
    users = [make_worker_user(tree.g1) for _ in range(3)]
    enrolments = [services.sign_up(offering, u) for u in users]
    services.set_capacity(offering, 3, by=staff.d1_manager)
    assert [status_of(e) for e in enrolments] == [S.CONFIRMED, S.OFFERED, S.OFFERED]
    with pytest.raises(ValidationError) as error:
        services.set_capacity(offering, 2, by=staff.d1_manager)
    assert "不能少于" in error.value.message_dict["capacity"][0]
    assert fresh(offering).capacity == 3


def test_cancel_offering_tells_everyone(tree, staff):
    offering = make_offering(tree.g1, capacity=1)
    users = [make_worker_user(tree.g1) for _ in range(2)]
    for u in users:
        services.sign_up(offering, u)
    services.cancel_offering(offering, reason="台风预警", by=staff.d1_manager)
    assert fresh(offering).status == Offering.Status.CANCELLED
    assert Notification.objects.filter(channel="inbox", body__contains="台风预警").count() == 2
    with pytest.raises(ValidationError):
        services.sign_up(offering, make_worker_user(tree.g1))


def test_check_in_by_token_once_with_a_ledger_row(tree, staff, event_kind):
    offering = make_offering(tree.g1, capacity=2)
    user = make_worker_user(tree.g1)
    enrolment = services.sign_up(offering, user)
    token = services.make_token(enrolment)
    done = services.check_in(token, by=staff.g1_handler)
    assert done.attended_at and done.checked_in_by == staff.g1_handler
    row = ServiceRecord.objects.unscoped().get(kind="activities.attended")
    assert row.worker == user.worker and row.delivering_union == tree.g1 and row.title == offering.title
    with pytest.raises(ValidationError) as error:
        services.check_in(token, by=staff.g1_handler)
    assert error.value.code == "already" and "不能重复签到" in error.value.messages[0]
    with pytest.raises(ValidationError) as error:
        services.check_in(enrolment.code, by=staff.g1_handler, offering=offering)
    assert error.value.code == "already"
    assert ServiceRecord.objects.unscoped().count() == 1
    with pytest.raises(ValidationError) as error:
        services.cancel(enrolment, by=user)
    assert error.value.code == "attended"


def test_check_in_by_code_and_course_kind_writes_no_ledger_row(tree, staff):
    offering = make_offering(tree.g1, kind="course")
    enrolment = services.sign_up(offering, make_worker_user(tree.g1))
    services.check_in(enrolment.code.lower(), by=staff.d1_manager, offering=offering)
    assert Enrolment.objects.unscoped().get(pk=enrolment.pk).attended_at
    assert not ServiceRecord.objects.unscoped().exists()


def test_check_in_bad_input(tree, staff):
    offering = make_offering(tree.g1, capacity=1)
    other = make_offering(tree.g1)
    holder, waiter = make_worker_user(tree.g1), make_worker_user(tree.g1)
    confirmed = services.sign_up(offering, holder)
    waiting = services.sign_up(offering, waiter)
    token = services.make_token(confirmed)

    def refused(value, **kwargs):
        with pytest.raises(ValidationError) as error:
            services.check_in(value, by=staff.g1_handler, **kwargs)
        return error.value

    forged = token[:-3] + ("abc" if not token.endswith("abc") else "xyz")
    assert refused(forged).code == "forged" and "签到二维码无效" in refused(forged).messages[0]
    assert refused("garbage:token").code == "forged"
    assert refused(token, offering=other).code == "wrong_offering"
    assert refused(waiting.code, offering=offering).code == "not_confirmed"
    assert "候补中" in refused(waiting.code, offering=offering).messages[0]
    assert refused("ZZZZZZ", offering=offering).code == "unknown"
    assert refused("ABCDEF").code == "no_offering"
    assert refused("").code == "empty"
    after_end = offering.ends_at + datetime.timedelta(days=2)
    with pytest.raises(ValidationError) as error:
        services.check_in(token, by=staff.g1_handler, now=after_end)
    assert error.value.code == "expired" and "已过期" in error.value.messages[0]
    with pytest.raises(PermissionDenied):
        services.check_in(token, by=staff.d2_admin)
    with pytest.raises(PermissionDenied):
        services.check_in(token, by=staff.g1_viewer)
    assert not Enrolment.objects.unscoped().filter(attended_at__isnull=False).exists()


def test_one_live_sign_up_per_person_but_again_after_cancelling(tree):
    offering = make_offering(tree.g1, capacity=3)
    user = make_worker_user(tree.g1)
    first = services.sign_up(offering, user)
    services.cancel(first, by=user)
    again = services.sign_up(offering, user)
    assert again.status == S.CONFIRMED and again.pk != first.pk
    assert fresh(offering).confirmed_count == 1
