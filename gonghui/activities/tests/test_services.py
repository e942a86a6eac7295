"""The rules of activities: setting up, publishing, cancelling, the report and photos."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gonghui.activities import services as svc
from gonghui.activities.models import Activity, ActivityPhoto
from gonghui.activities.tests.factories import fresh, make_activity, png_bytes
from gonghui.audit.models import AuditEntry
from gonghui.enrolment import services as enrolment
from gonghui.enrolment.models import Offering
from gonghui.enrolment.tests.factories import make_worker_user
from gonghui.notifications.models import Notification

pytestmark = pytest.mark.django_db


def _fields(**over):
    start = timezone.now() + datetime.timedelta(days=4)
    data = dict(title="职工羽毛球赛", kind="sports", starts_at=start, ends_at=start + datetime.timedelta(hours=3),
                place_name="市体育馆", capacity=20, audience="workers")
    data.update(over)
    return data


def _messages(exc) -> str:
    return " ".join(exc.value.messages)


def test_create_makes_a_draft_event_offering_with_the_activity(tree, staff):
    activity = svc.create_activity(node=tree.g1, by=staff.g1_handler, **_fields(
        description='<p onclick="x()">欢迎<script>alert(1)</script></p>'))
    offering = activity.offering
    assert (offering.kind, offering.status, offering.node, offering.capacity) == ("event", "draft", tree.g1, 20)
    assert activity.node_path == tree.g1.path == offering.node_path
    assert offering.ends_at == activity.ends_at
    assert "script" not in activity.description and "onclick" not in activity.description
    assert "欢迎" in activity.description
    assert AuditEntry.objects.unscoped().filter(event="activities.created").count() == 1


def test_a_union_outside_the_staff_members_subtree_is_refused(tree, staff):
    with pytest.raises(PermissionDenied):
        svc.create_activity(node=tree.g2, by=staff.g1_handler, **_fields())
    with pytest.raises(PermissionDenied):  # a viewer may look, not organise
        svc.create_activity(node=tree.g1, by=staff.g1_viewer, **_fields())
    assert not Activity.objects.unscoped().exists() and not Offering.objects.unscoped().exists()


@pytest.mark.parametrize("over, field, words", [
    ({"title": "  "}, "title", "活动名称"),
    ({"place_name": ""}, "place_name", "活动地点"),
    ({"kind": "party"}, "kind", "活动类型"),
    ({"capacity": 0}, "capacity", "至少为1"),
    ({"per_person_limit": 30}, "per_person_limit", "不能超过活动名额"),
    ({"latitude": "120.5", "longitude": "32.1"}, "latitude", "填反"),
    ({"latitude": "abc", "longitude": "120"}, "latitude", "须是数字"),
    ({"latitude": "32.1"}, "longitude", "同时填写"),
    ({"confirm_hours": 0}, "confirm_hours", "1到168"),
    ({"audience": "everyone"}, "audience", "报名对象"),
])
def test_bad_input_is_refused_with_a_sentence_on_its_field(tree, staff, over, field, words):
    with pytest.raises(ValidationError) as exc:
        svc.create_activity(node=tree.g1, by=staff.g1_handler, **_fields(**over))
    assert field in exc.value.message_dict
    assert words in " ".join(exc.value.message_dict[field])
    assert not Offering.objects.unscoped().exists()


def test_times_must_be_in_order(tree, staff):
    start = timezone.now() + datetime.timedelta(days=2)
    with pytest.raises(ValidationError) as exc:
        svc.create_activity(node=tree.g1, by=None, **_fields(starts_at=start, ends_at=start))
    assert "结束时间须晚于开始时间" in exc.value.message_dict["ends_at"][0]
    with pytest.raises(ValidationError) as exc:
        svc.create_activity(node=tree.g1, by=None, **_fields(
            opens_at=start, closes_at=start - datetime.timedelta(hours=1)))
    assert "报名截止时间须晚于报名开始时间" in exc.value.message_dict["closes_at"][0]
    with pytest.raises(ValidationError) as exc:
        svc.create_activity(node=tree.g1, by=None, **_fields(closes_at=start + datetime.timedelta(days=9)))
    assert "不能晚于活动结束时间" in exc.value.message_dict["closes_at"][0]


def test_questions_are_checked(tree):
    with pytest.raises(ValidationError) as exc:
        svc.create_activity(node=tree.g1, by=None, **_fields(questions=[{"label": "尺码", "type": "choice",
                                                                          "choices": ["M"]}]))
    assert "至少要有两个选项" in exc.value.message_dict["questions"][0]
    activity = svc.create_activity(node=tree.g1, by=None, **_fields(questions=[
        {"label": "尺码", "type": "choice", "choices": ["S", "M"]}, {"label": "备注", "required": False}]))
    assert [q["type"] for q in activity.offering.questions] == ["choice", "text"]
    assert activity.offering.questions[1]["required"] is False


def test_publish_opens_the_window_and_refuses_twice_or_after_the_end(tree, staff):
    activity = make_activity(tree.g1, publish=False)
    svc.publish(activity, by=staff.g1_handler)
    offering = Offering.objects.unscoped().get(pk=activity.pk)
    assert offering.status == "published" and offering.opens_at <= timezone.now()
    assert offering.closes_at == activity.starts_at
    with pytest.raises(ValidationError) as exc:
        svc.publish(fresh(activity.pk), by=staff.g1_handler)
    assert "已经发布" in _messages(exc)
    old = make_activity(tree.g1, publish=False)
    Activity.objects.unscoped().filter(pk=old.pk).update(
        starts_at=timezone.now() - datetime.timedelta(days=2), ends_at=timezone.now() - datetime.timedelta(days=1))
    with pytest.raises(ValidationError) as exc:
        svc.publish(fresh(old.pk), by=staff.g1_handler)
    assert "活动已经结束，不能发布" in _messages(exc)


def test_more_places_go_to_the_waiting_list_fewer_than_taken_are_refused(tree, staff):
    activity = make_activity(tree.g1, capacity=1)
    first, second = make_worker_user(tree.g1), make_worker_user(tree.g1)
    enrolment.sign_up(activity.offering, first, answers={})
    waiting = enrolment.sign_up(fresh(activity.pk).offering, second, answers={})
    assert waiting.status == "waiting"
    with pytest.raises(ValidationError) as exc:
        svc.update_activity(fresh(activity.pk), by=staff.g1_handler, capacity=0)
    assert "名额至少为1人" in exc.value.message_dict["capacity"][0]
    svc.update_activity(fresh(activity.pk), by=staff.g1_handler, capacity=2, place_name="新体育馆")
    waiting.refresh_from_db()
    assert waiting.status == "offered"
    a = fresh(activity.pk)
    assert (a.place_name, a.offering.confirmed_count, a.offering.waiting_count) == ("新体育馆", 2, 0)
    with pytest.raises(ValidationError) as exc:
        svc.update_activity(a, by=staff.g1_handler, capacity=1)
    assert "名额不能少于已报名人数" in exc.value.message_dict["capacity"][0]


def test_the_organiser_changes_only_while_a_draft(tree, staff):
    draft = make_activity(tree.g1, publish=False)
    svc.update_activity(draft, by=staff.d1_manager, node=tree.d1)
    assert fresh(draft.pk).node_path == tree.d1.path == fresh(draft.pk).offering.node_path
    published = make_activity(tree.g1)
    with pytest.raises(ValidationError) as exc:
        svc.update_activity(published, by=staff.d1_manager, node=tree.d1)
    assert "不能更换主办工会" in exc.value.message_dict["node"][0]


def test_cancel_tells_everyone_signed_up_or_waiting(tree, staff):
    activity = make_activity(tree.g1, capacity=1)
    first, second = make_worker_user(tree.g1), make_worker_user(tree.g1)
    enrolment.sign_up(activity.offering, first, answers={})
    enrolment.sign_up(fresh(activity.pk).offering, second, answers={})
    with pytest.raises(ValidationError) as exc:
        svc.cancel(fresh(activity.pk), by=staff.g1_handler, reason="")
    assert "请写明取消原因" in exc.value.message_dict["reason"][0]
    svc.cancel(fresh(activity.pk), by=staff.g1_handler, reason="台风预警")
    assert fresh(activity.pk).offering.status == "cancelled"
    notices = Notification.objects.filter(template_key="activities.cancelled", channel="inbox")
    assert {n.recipient_id for n in notices} == {first.pk, second.pk}
    assert "台风预警" in notices.first().body
    with pytest.raises(ValidationError):
        enrolment.sign_up(fresh(activity.pk).offering, make_worker_user(tree.g1), answers={})
    with pytest.raises(ValidationError) as exc:
        svc.update_activity(fresh(activity.pk), by=staff.g1_handler, title="再来")
    assert "已取消的活动不能再修改" in _messages(exc)


def test_report_only_after_the_event(tree, staff):
    upcoming = make_activity(tree.g1)
    with pytest.raises(ValidationError) as exc:
        svc.save_report(upcoming, by=staff.g1_handler, report="很好")
    assert "活动结束后才能填写活动总结" in _messages(exc)
    past = make_activity(tree.g1, starts_in=-datetime.timedelta(days=3))
    with pytest.raises(ValidationError) as exc:
        svc.save_report(past, by=staff.g1_handler, report="  ")
    assert "请填写活动总结" in exc.value.message_dict["report"][0]
    svc.save_report(past, by=staff.g1_handler, report="共有28名职工参加，赛出了好成绩。")
    past = fresh(past.pk)
    assert past.report.startswith("共有28名") and past.reported_at and past.reported_by == staff.g1_handler


def test_photos_are_checked_by_content_and_limited(tree, staff, settings):
    upcoming = make_activity(tree.g1)
    with pytest.raises(ValidationError) as exc:
        svc.add_photo(upcoming, by=staff.g1_handler, content=png_bytes())
    assert "活动开始后才能上传" in _messages(exc)
    past = make_activity(tree.g1, starts_in=-datetime.timedelta(days=1))
    with pytest.raises(ValidationError) as exc:
        svc.add_photo(past, by=staff.g1_handler, content=b"MZ\x90\x00 not a picture" * 10)
    assert "不能上传可执行文件" in exc.value.message_dict["file"][0]
    with pytest.raises(ValidationError) as exc:
        svc.add_photo(past, by=staff.g1_handler, content=b"%PDF-1.4 hello" * 10)
    assert "不是图片" in exc.value.message_dict["file"][0]
    photo = svc.add_photo(past, by=staff.g1_handler, content=png_bytes((3000, 1000)), caption="合影")
    from PIL import Image

    with Image.open(photo.file.open("rb")) as image:
        assert max(image.size) == 1600  # resized on upload
    monkey = svc.MAX_PHOTOS
    try:
        svc.MAX_PHOTOS = 1
        with pytest.raises(ValidationError) as exc:
            svc.add_photo(past, by=staff.g1_handler, content=png_bytes())
        assert "最多1张照片" in exc.value.message_dict["file"][0]
    finally:
        svc.MAX_PHOTOS = monkey
    svc.delete_photo(photo, by=staff.g1_handler)
    assert not ActivityPhoto.objects.unscoped().exists()


def test_portal_rule_follows_the_enrolment_audience(tree, staff):
    own = make_activity(tree.g1, title="本厂活动")
    district = make_activity(tree.d1, title="区里活动", audience="members")
    sibling = make_activity(tree.g2, title="别的区")
    women = make_activity(tree.d1, title="女职工专场", audience="women")
    draft = make_activity(tree.g1, title="草稿", publish=False)
    worker = make_worker_user(tree.g1)
    seen = set(svc.portal_activities(worker).values_list("pk", flat=True))
    assert own.pk in seen and district.pk in seen
    assert sibling.pk not in seen and women.pk not in seen and draft.pk not in seen
    # A person who signed up still opens it when the audience no longer includes them.
    enrolment.sign_up(own.offering, worker, answers={})
    svc.cancel(fresh(own.pk), by=None, reason="场地维修")
    assert svc.portal_activities(worker).filter(pk=own.pk).exists()
    # Staff see what their subtree organises.
    assert set(svc.portal_activities(staff.d1_admin).values_list("pk", flat=True)) >= {own.pk, district.pk}
    assert not svc.portal_activities(staff.d1_admin).filter(pk=sibling.pk).exists()


def test_check_in_at_an_event_writes_the_activities_ledger_row(tree, staff):
    from gonghui.ledger.models import ServiceRecord

    activity = make_activity(tree.g1)
    worker = make_worker_user(tree.g1)
    signed = enrolment.sign_up(activity.offering, worker, answers={})
    enrolment.check_in(signed.code, by=staff.g1_handler, offering=fresh(activity.pk).offering)
    row = ServiceRecord.objects.unscoped().get(worker__user=worker)
    assert row.kind == "activities.attended"
