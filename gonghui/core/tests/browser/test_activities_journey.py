"""The activities journey (职工文体活动): the district publishes a small event that fills at once; a
worker finds it in the calendar on the phone and lands on the waiting list; the colleague holding
the place cancels; the worker is promoted, confirms, shows the QR code at the door, and a union
staff member's phone opens the code's address and checks her in once — a ledger row follows."""

import datetime
import re
import time
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from gonghui.activities.models import Activity
from gonghui.activities.tests.factories import png_bytes
from gonghui.core import qr
from gonghui.enrolment import services as enrolment
from gonghui.enrolment.models import Enrolment
from gonghui.enrolment.tests.factories import make_worker_user
from gonghui.ledger.models import ServiceRecord
from gonghui.notifications.models import Notification

from .conftest import PHONE

pytestmark = pytest.mark.django_db(transaction=True)


def assert_fits_phone(page):
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 375, f"{page.url} scrolls sideways at 375px (scrollWidth={width})"


def qr_paths(html: str) -> list[str]:
    return re.findall(r'<path[^>]* d="([^"]+)"', html)


def qr_address(shown: str, enrolment_row, base: str) -> str | None:
    """The check-in address the QR code on the page holds: the signed token carries the second it
    was made, so the codes of the last two minutes are drawn and compared with the one shown."""
    target, now = qr_paths(shown), time.time()
    assert target, "no QR code on the page"
    for back in range(120):
        with mock.patch("django.core.signing.time.time", return_value=now - back):
            url = base + reverse("enrolment:check_in_scan", args=[enrolment.make_token(enrolment_row)])
        if qr_paths(qr.qr_svg(url)) == target:
            return url
    return None


def test_waiting_list_promotion_confirmation_and_qr_check_in(tree, staff, browser, live_server, phone_page,
                                                             desktop_page, sign_in_as, shot, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    settings.GONGHUI_PUBLIC_URL = ""
    liu = make_worker_user(tree.g1, name="刘晓燕", gender="F")
    zhang = make_worker_user(tree.g1, name="张建国")
    phone, desk = phone_page, desktop_page

    # ----- the district creates and publishes the event in the console -----
    sign_in_as(desk, staff.d1_manager)
    desk.goto("/console/activities/new/", timeout=30_000)  # the first page of a cold server, on a loaded machine
    start = timezone.localtime(timezone.now() + datetime.timedelta(days=2)).replace(hour=14, minute=0)
    desk.get_by_label("活动名称").fill("东城区职工气排球友谊赛")
    desk.get_by_label("活动类型").select_option(label="体育")
    desk.get_by_label("主办工会").select_option(label="东城区总工会")
    desk.get_by_label("开始时间", exact=True).fill(start.strftime("%Y-%m-%dT%H:%M"))
    desk.get_by_label("结束时间", exact=True).fill((start + datetime.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"))
    desk.get_by_label("活动地点").fill("东城区全民健身中心")
    desk.get_by_label("详细地址").fill("东城区湖滨大道88号")
    desk.get_by_label("纬度").fill("32.012340")
    desk.get_by_label("经度").fill("120.881200")
    desk.get_by_label("活动介绍").fill("<p>四人制气排球，欢迎各基层工会职工报名。</p>")
    cover = tmp_path / "cover.png"
    cover.write_bytes(png_bytes((800, 500)))
    desk.locator("input[name=cover]").set_input_files(str(cover))
    desk.get_by_label("名额", exact=True).fill("1")
    desk.get_by_label("报名对象").select_option(label="本工会及下级工会会员")
    desk.get_by_role("button", name="保存").click()
    expect(desk.locator(".alert, [role=alert], .messages").first).to_contain_text("草稿")
    desk.get_by_role("button", name="发布活动").click()
    expect(desk.locator("[data-phase]").first).to_have_text("未开始")
    activity = Activity.objects.unscoped().select_related("offering").get()
    assert activity.offering.status == "published" and activity.offering.capacity == 1
    shot(desk, "1-console-published")

    # ----- a colleague takes the only place -----
    taken = enrolment.sign_up(activity.offering, zhang, answers={})
    assert taken.status == "confirmed"

    # ----- on the phone: the calendar marks the day; the event is full; she joins the waiting list -----
    sign_in_as(phone, liu)
    phone.goto(f"/activities/?month={start:%Y-%m}")
    day = phone.locator(f"a.day[href*='day={start:%Y-%m-%d}']")
    expect(day).to_be_visible()
    expect(phone.locator(".act-card")).to_contain_text("已满，可候补")
    assert_fits_phone(phone)
    shot(phone, "2-calendar")
    day.click()
    expect(phone.locator("#list-h")).to_contain_text(f"{start.month}月{start.day}日的活动")
    phone.locator(".act-card", has_text="东城区职工气排球友谊赛").click()
    expect(phone.locator("h1")).to_have_text("东城区职工气排球友谊赛")
    expect(phone.locator("body")).to_contain_text("东城区全民健身中心")
    assert_fits_phone(phone)
    phone.get_by_role("button", name="名额已满，报名候补").click()
    expect(phone.locator("[data-status=waiting]")).to_contain_text("候补号 1")
    assert_fits_phone(phone)
    shot(phone, "3-waiting")
    waiting = Enrolment.objects.unscoped().get(user=liu)
    assert waiting.status == "waiting"

    # ----- the colleague cancels on his own phone: she is promoted and told -----
    other = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, base_url=live_server.url,
                                locale="zh-CN", timezone_id="Asia/Shanghai")
    try:
        his = other.new_page()
        sign_in_as(his, zhang)
        his.goto("/enrolments/")
        his.get_by_role("button", name="取消报名").click()
        expect(his.locator("body")).to_contain_text("已取消")
    finally:
        other.close()
    waiting.refresh_from_db()
    assert waiting.status == "offered" and waiting.offer_expires_at is not None
    assert Notification.objects.filter(recipient=liu, template_key="enrolment.offered").exists()

    # ----- she confirms and shows her QR code -----
    phone.goto("/enrolments/")
    expect(phone.locator(".enrol-item")).to_contain_text("候补递补待确认")
    shot(phone, "4-offered")
    phone.get_by_role("button", name="确认参加").click()
    expect(phone.locator(".enrol-ticket")).to_be_visible()
    assert_fits_phone(phone)
    shot(phone, "5-qr")
    waiting.refresh_from_db()
    assert waiting.status == "confirmed"
    # The QR code on her phone holds the staff check-in address of her place.
    url = qr_address(phone.locator(".enrol-ticket").inner_html(), waiting, live_server.url)
    assert url, "the QR code does not hold the check-in address of her place"
    assert waiting.code in phone.locator(".enrol-code").inner_text()

    # ----- at the door: the staff phone opens the QR's address and checks her in, once -----
    door = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, base_url=live_server.url,
                               locale="zh-CN", timezone_id="Asia/Shanghai")
    try:
        staff_phone = door.new_page()
        sign_in_as(staff_phone, staff.d1_manager)
        staff_phone.goto(url)
        expect(staff_phone.locator("body")).to_contain_text("刘晓燕")
        staff_phone.get_by_role("button", name="确认签到").click()
        expect(staff_phone.locator("[data-result=ok]")).to_contain_text("刘晓燕 签到成功")
        assert_fits_phone(staff_phone)
        shot(staff_phone, "6-staff-check-in")
        staff_phone.goto(url)  # scanned again: already checked in, no second button
        expect(staff_phone.locator("body")).to_contain_text("签到时间")
        expect(staff_phone.get_by_role("button", name="确认签到")).to_have_count(0)
    finally:
        door.close()
    waiting.refresh_from_db()
    assert waiting.attended_at is not None and waiting.checked_in_by == staff.d1_manager
    row = ServiceRecord.objects.unscoped().get(worker__user=liu)
    assert (row.kind, row.title) == ("activities.attended", "东城区职工气排球友谊赛")

    # ----- she sees it on her phone; the console counts it -----
    phone.goto("/enrolments/")
    expect(phone.locator(".enrol-item")).to_contain_text("已签到")
    desk.goto(f"/console/activities/{activity.pk}/")
    expect(desk.locator("[data-count=attended]")).to_have_text("1")
    expect(desk.locator("[data-count=waiting]")).to_have_text("0")
    shot(desk, "7-console-after")


@pytest.mark.parametrize("large_text", [False, True], ids=["normal", "large-text"])
def test_past_activity_with_report_and_photos_fits_the_phone(tree, staff, phone_page, sign_in_as, shot, live_server,
                                                            tmp_path, settings, large_text):
    from gonghui.activities import services as svc
    from gonghui.activities.tests.factories import make_activity

    settings.MEDIA_ROOT = tmp_path
    worker = make_worker_user(tree.g1, name="王丽娟")
    make_activity(tree.g1, title="东城机械厂工会职工乒乓球比赛（男女混合团体）", cover=png_bytes((900, 600)),
                  starts_in=datetime.timedelta(days=1))
    past = make_activity(tree.d1, title="湖滨徒步健身行", kind="outing", starts_in=-datetime.timedelta(days=6),
                         audience="members", cover=png_bytes((900, 600), (30, 110, 160)))
    svc.save_report(past, by=None, report="活动当天共有86名职工参加，沿湖步行约8公里，途中设置了健康知识问答。")
    for caption in ("出发前合影", "湖边打卡点"):
        svc.add_photo(past, by=None, content=png_bytes((800, 600), (30, 140, 90)), caption=caption)
    page = phone_page
    if large_text:
        page.context.add_cookies([{"name": "large_text", "value": "1", "url": live_server.url}])
    sign_in_as(page, worker)
    page.goto("/activities/")
    expect(page.locator(".act-card")).to_contain_text("乒乓球比赛")
    assert_fits_phone(page)
    shot(page, "list")
    page.get_by_role("link", name="往期回顾").click()
    page.locator(".act-card", has_text="湖滨徒步健身行").click()
    expect(page.locator("#report-h")).to_have_text("活动回顾")
    expect(page.locator(".act-photos figure")).to_have_count(2)
    assert_fits_phone(page)
    shot(page, "past-detail")
