"""The pages: portal list with its calendar, an activity, pictures; the console's list, forms and actions."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gonghui.activities import services as svc
from gonghui.activities.models import Activity, ActivityPhoto
from gonghui.activities.tests.factories import fresh, make_activity, png_bytes
from gonghui.enrolment import services as enrolment
from gonghui.enrolment.tests.factories import make_worker_user

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _form(node, **over):
    start = timezone.localtime(timezone.now() + datetime.timedelta(days=6)).replace(hour=9, minute=0)
    data = {"title": "新年职工趣味运动会", "kind": "sports", "node": node.pk,
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + datetime.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
            "place_name": "区体育中心", "address": "体育路8号", "latitude": "32.01", "longitude": "120.86",
            "description": "<p>欢迎参加</p>", "capacity": "50", "audience": "members", "waitlist": "on",
            "per_person_limit": "1", "confirm_hours": "24", "questions_text": "衣服尺码：S/M/L/XL\n备注（选填）"}
    data.update(over)
    return data


def test_portal_needs_a_sign_in(tree):
    response = Client().get(reverse("activities:list"))
    assert response.status_code == 302 and "next=" in response["Location"]


def test_portal_list_shows_what_the_worker_may_join_with_a_calendar(tree):
    own = make_activity(tree.g1, title="机械厂篮球赛", starts_in=datetime.timedelta(hours=30))
    other = make_activity(tree.g2, title="纺织厂歌咏比赛")
    draft = make_activity(tree.g1, title="还没发布的活动", publish=False)
    worker = make_worker_user(tree.g1)
    body = client_for(worker).get(reverse("activities:list")).content.decode()
    assert own.offering.title in body and other.offering.title not in body and draft.offering.title not in body
    assert 'class="act-cal"' in body and "剩余10个名额" in body
    day = timezone.localtime(own.starts_at).date()
    month = f"{day:%Y-%m}"
    body = client_for(worker).get(reverse("activities:list"), {"month": month, "day": day.isoformat()}).content.decode()
    assert own.offering.title in body and f"{day.month}月{day.day}日的活动" in body
    # another day, another kind: not there
    body = client_for(worker).get(reverse("activities:list"), {"kind": "lecture"}).content.decode()
    assert own.offering.title not in body and "暂时没有可报名的活动" in body


def test_past_tab_and_bad_parameters(tree):
    past = make_activity(tree.g1, title="去年的拔河赛", starts_in=-datetime.timedelta(days=20))
    worker = make_worker_user(tree.g1)
    c = client_for(worker)
    assert past.offering.title not in c.get(reverse("activities:list")).content.decode()
    assert past.offering.title in c.get(reverse("activities:list"), {"tab": "past"}).content.decode()
    for params in ({"month": "abc"}, {"day": "2026-99-99"}, {"page": "x"}, {"kind": "<b>"}, {"tab": "zzz"}):
        assert c.get(reverse("activities:list"), params).status_code == 200


def test_detail_shows_the_activity_and_out_of_audience_is_404(tree):
    activity = make_activity(tree.g1, title="职工书法展", cover=png_bytes(), latitude="32.000001",
                             longitude="120.000001")
    worker = make_worker_user(tree.g1)
    response = client_for(worker).get(reverse("activities:detail", args=[activity.pk]))
    body = response.content.decode()
    assert response.status_code == 200 and "职工书法展" in body and "市工人文化宫" in body
    assert "uri.amap.com/marker?position=120.000001,32.000001" in body
    assert reverse("activities:cover", args=[activity.pk]) in body
    cover = client_for(worker).get(reverse("activities:cover", args=[activity.pk]))
    assert cover.status_code == 200 and cover["Content-Type"] == "image/png"
    stranger = make_worker_user(tree.g2)
    assert client_for(stranger).get(reverse("activities:detail", args=[activity.pk])).status_code == 404
    assert client_for(stranger).get(reverse("activities:cover", args=[activity.pk])).status_code == 404


def test_detail_after_the_event_shows_the_report_and_photos(tree, staff):
    past = make_activity(tree.g1, starts_in=-datetime.timedelta(days=2))
    svc.save_report(past, by=None, report="120名职工参加了比赛。")
    photo = svc.add_photo(past, by=None, content=png_bytes(), caption="颁奖合影")
    worker = make_worker_user(tree.g1)
    body = client_for(worker).get(reverse("activities:detail", args=[past.pk])).content.decode()
    assert "活动回顾" in body and "120名职工参加了比赛" in body and "颁奖合影" in body
    assert "0人签到参加" in body
    assert client_for(worker).get(reverse("activities:photo", args=[photo.pk])).status_code == 200
    assert client_for(make_worker_user(tree.g2)).get(reverse("activities:photo", args=[photo.pk])).status_code == 404


def test_console_pages_are_for_staff(tree, staff):
    activity = make_activity(tree.g1)
    worker = make_worker_user(tree.g1)
    assert client_for(worker).get(reverse("activities:console_list")).status_code == 404
    assert client_for(worker).get(reverse("activities:manage", args=[activity.pk])).status_code == 404
    c = client_for(staff.g1_viewer)
    assert activity.offering.title in c.get(reverse("activities:console_list")).content.decode()
    assert c.get(reverse("activities:new")).status_code == 403
    assert c.get(reverse("activities:edit", args=[activity.pk])).status_code == 403
    body = c.get(reverse("activities:manage", args=[activity.pk])).content.decode()
    assert "发布活动" not in body and "取消活动" not in body


def test_staff_create_publish_and_see_it_in_the_list(tree, staff):
    c = client_for(staff.g1_handler)
    response = c.post(reverse("activities:new"), _form(tree.g1, cover=SimpleUploadedFile("c.png", png_bytes())))
    assert response.status_code == 302, response.content.decode()[:2000]
    activity = Activity.objects.unscoped().get()
    assert activity.cover and activity.offering.status == "draft"
    assert [q["type"] for q in activity.offering.questions] == ["choice", "text"]
    assert activity.offering.questions[1]["required"] is False
    body = c.get(response["Location"]).content.decode()
    assert "发布活动" in body
    c.post(reverse("activities:action", args=[activity.pk, "publish"]))
    assert fresh(activity.pk).offering.status == "published"
    body = c.get(reverse("activities:console_list"), {"phase": "upcoming"}).content.decode()
    assert "新年职工趣味运动会" in body
    body = c.get(reverse("activities:console_list"), {"phase": "draft"}).content.decode()
    assert "新年职工趣味运动会" not in body


def test_form_errors_keep_what_was_typed(tree, staff):
    c = client_for(staff.g1_handler)
    response = c.post(reverse("activities:new"), _form(tree.g1, latitude="132", longitude="32",
                                                       cover=SimpleUploadedFile("x.png", b"MZ" + b"\0" * 300)))
    body = response.content.decode()
    assert response.status_code == 200 and "填反" in body and "新年职工趣味运动会" in body
    assert not Activity.objects.unscoped().exists()
    response = c.post(reverse("activities:new"), _form(tree.g1, cover=SimpleUploadedFile("x.png", b"MZ" + b"\0" * 300)))
    assert "不能上传可执行文件" in response.content.decode()
    assert not Activity.objects.unscoped().exists()
    response = c.post(reverse("activities:new"), _form(tree.g1, ends_at=_form(tree.g1)["starts_at"]))
    assert "结束时间须晚于开始时间" in response.content.decode()


def test_edit_cancel_report_and_photos_through_the_pages(tree, staff):
    activity = make_activity(tree.g1, capacity=1)
    worker = make_worker_user(tree.g1)
    enrolment.sign_up(activity.offering, worker, answers={})
    c = client_for(staff.g1_handler)
    response = c.post(reverse("activities:edit", args=[activity.pk]), _form(tree.g1, title="改过的名字", capacity="5"))
    assert response.status_code == 302
    assert fresh(activity.pk).offering.title == "改过的名字" and fresh(activity.pk).offering.capacity == 5
    c.post(reverse("activities:action", args=[activity.pk, "cancel"]), {"reason": ""})
    assert fresh(activity.pk).offering.status == "published"  # a published one needs a reason
    c.post(reverse("activities:action", args=[activity.pk, "cancel"]), {"reason": "场馆临时检修"})
    assert fresh(activity.pk).offering.status == "cancelled"

    past = make_activity(tree.g1, starts_in=-datetime.timedelta(days=1))
    c.post(reverse("activities:report", args=[past.pk]), {"report": "圆满结束。"})
    assert fresh(past.pk).report == "圆满结束。"
    c.post(reverse("activities:photo_add", args=[past.pk]),
           {"file": SimpleUploadedFile("p.png", png_bytes()), "caption": "合影"})
    photo = ActivityPhoto.objects.unscoped().get()
    response = c.post(reverse("activities:photo_add", args=[past.pk]),
                      {"file": SimpleUploadedFile("p.png", b"not an image at all" * 20)}, follow=True)
    assert "这个文件不是图片" in response.content.decode()
    assert ActivityPhoto.objects.unscoped().count() == 1
    c.post(reverse("activities:photo_delete", args=[photo.pk]))
    assert not ActivityPhoto.objects.unscoped().exists()


def test_a_sibling_districts_union_cannot_be_chosen(tree, staff):
    response = client_for(staff.d1_admin).post(reverse("activities:new"), _form(tree.g2))
    assert response.status_code == 404
    assert not Activity.objects.unscoped().exists()
