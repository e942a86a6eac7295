"""The enrolment pages: 我的报名, the sign-up partial, the roster, the phone check-in pages, figures."""

import io

import pytest
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.urls import reverse

from gonghui.enrolment import services
from gonghui.enrolment.models import Enrolment, Offering
from gonghui.enrolment.tests.factories import make_offering, make_worker_user

S = Enrolment.Status


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def xlsx_rows(content: bytes) -> list[list]:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return [row for name in book.sheet_names for row in book.get_sheet_by_name(name).to_python()]


@pytest.fixture
def offering(tree):
    return make_offering(tree.g1, capacity=1, title="东城羽毛球赛", questions=services.clean_questions([
        {"key": "size", "label": "衣服尺码", "type": "choice", "required": True, "choices": ["S", "M", "L"]}]))


def render_partial(offering, user):
    request = RequestFactory().get("/activities/1/")
    request.user = user
    return Template('{% include "enrolment/_signup.html" with offering=offering %}').render(
        Context({"offering": offering, "request": request}))


def test_partial_shows_the_form_then_the_state(tree, offering):
    from django.contrib.auth.models import AnonymousUser

    assert "登录后报名" in render_partial(offering, AnonymousUser())
    user = make_worker_user(tree.g1)
    html = render_partial(offering, user)
    assert "衣服尺码" in html and "立即报名" in html and reverse("enrolment:sign_up", args=[offering.pk]) in html
    services.sign_up(offering, user, answers={"size": "M"})
    offering.refresh_from_db()
    assert 'data-status="confirmed"' in render_partial(offering, user)
    other = make_worker_user(tree.g1)
    assert "名额已满，报名候补" in render_partial(offering, other)
    outsider = make_worker_user(tree.g2)
    assert "不在其中" in render_partial(offering, outsider)


def test_sign_up_over_htmx_returns_the_partial(tree, offering):
    user = make_worker_user(tree.g1)
    client = client_for(user)
    url = reverse("enrolment:sign_up", args=[offering.pk])
    response = client.post(url, {"q_size": ""}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422 and "请填写“衣服尺码”。" in response.content.decode()
    assert not Enrolment.objects.unscoped().exists()
    response = client.post(url, {"q_size": "L"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'data-status="confirmed"' in response.content.decode()
    response = client.post(url, {"q_size": "L"}, HTTP_HX_REQUEST="true")
    assert 'data-status="confirmed"' in response.content.decode()  # already signed up: the state, not a form
    second = client_for(make_worker_user(tree.g1))
    response = second.post(url, {"q_size": "S"}, HTTP_HX_REQUEST="true")
    assert 'data-status="waiting"' in response.content.decode() and "候补号 1" in response.content.decode()


def test_sign_up_without_htmx_redirects_with_a_message(tree, offering):
    client = client_for(make_worker_user(tree.g1))
    url = reverse("enrolment:sign_up", args=[offering.pk])
    response = client.post(url, {"q_size": "M", "next": "/activities/9/"}, follow=True)
    assert response.redirect_chain[0][0] == "/activities/9/"
    response = client.post(url, {"q_size": "M", "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == reverse("enrolment:mine")


def test_sign_up_needs_sign_in_and_a_published_offering(tree, offering):
    url = reverse("enrolment:sign_up", args=[offering.pk])
    response = Client().post(url, {"q_size": "M"})
    assert response.status_code == 302 and reverse("accounts:worker_login") in response["Location"]
    response = Client().post(url, {"q_size": "M"}, HTTP_HX_REQUEST="true")
    assert "HX-Redirect" in response
    draft = make_offering(tree.g1, status="draft")
    client = client_for(make_worker_user(tree.g1))
    assert client.post(reverse("enrolment:sign_up", args=[draft.pk])).status_code == 404
    assert client.get(url).status_code == 405


def test_mine_shows_qr_code_and_actions(tree, offering):
    first, second = make_worker_user(tree.g1), make_worker_user(tree.g1)
    held = services.sign_up(offering, first, answers={"size": "M"})
    waiting = services.sign_up(offering, second, answers={"size": "S"})
    page = client_for(first).get(reverse("enrolment:mine")).content.decode()
    assert "<svg" in page and held.code in page and "取消报名" in page
    page = client_for(second).get(reverse("enrolment:mine")).content.decode()
    assert "候补号 1" in page and "enrol-qr" not in page

    response = client_for(first).post(reverse("enrolment:cancel", args=[held.pk]))
    assert response.status_code == 302 and Enrolment.objects.unscoped().get(pk=held.pk).status == S.CANCELLED
    page = client_for(second).get(reverse("enrolment:mine")).content.decode()
    assert "确认参加" in page
    client_for(second).post(reverse("enrolment:confirm", args=[waiting.pk]))
    assert Enrolment.objects.unscoped().get(pk=waiting.pk).status == S.CONFIRMED
    # Someone else's sign-up: 404, nothing changed.
    assert client_for(first).post(reverse("enrolment:cancel", args=[waiting.pk])).status_code == 404
    assert client_for(first).post(reverse("enrolment:confirm", args=[waiting.pk])).status_code == 404
    assert Enrolment.objects.unscoped().get(pk=waiting.pk).status == S.CONFIRMED
    response = client_for(first).post(reverse("enrolment:cancel", args=[held.pk]), follow=True)
    assert "无需再操作" in response.content.decode()


def test_roster_add_remove_and_export(tree, staff, offering):
    users = [make_worker_user(tree.g1, name=f"名单职工{i}") for i in range(2)]
    held = services.sign_up(offering, users[0], answers={"size": "M"})
    services.sign_up(offering, users[1], answers={"size": "L"})
    client = client_for(staff.d1_manager)
    page = client.get(reverse("enrolment:roster", args=[offering.pk])).content.decode()
    assert "名单职工0" in page and "衣服尺码" in page and "代为报名" in page
    assert "名单职工1" in client.get(reverse("enrolment:roster", args=[offering.pk]) + "?tab=waiting").content.decode()

    extra = make_worker_user(tree.g1, name="电话报名职工")
    url = reverse("enrolment:add", args=[offering.pk])
    response = client.post(url, {"person": extra.phone, "seats": 1, "reason": ""})
    assert response.status_code == 422 and 'id="id_reason-errors"' in response.content.decode()
    assert not Enrolment.objects.unscoped().filter(user=extra).exists()
    response = client.post(url, {"person": "13900000000", "seats": 1, "reason": "电话报名"})
    assert response.status_code == 422 and "找不到该手机号或身份证号的职工" in response.content.decode()
    response = client.post(url, {"person": extra.phone, "seats": 1, "reason": "电话报名"})
    assert response.status_code == 302
    added = Enrolment.objects.unscoped().get(user=extra)
    assert added.status == S.WAITING and added.reason == "电话报名"
    response = client.post(url, {"person": extra.phone, "seats": 1, "reason": "电话报名"})
    assert response.status_code == 422 and "不能重复添加" in response.content.decode()

    remove_url = reverse("enrolment:remove", args=[held.pk])
    assert "移除 名单职工0 的报名" in client.get(remove_url).content.decode()
    response = client.post(remove_url, {"reason": ""})
    assert response.status_code == 422 and Enrolment.objects.unscoped().get(pk=held.pk).status == S.CONFIRMED
    assert client.post(remove_url, {"reason": "本人要求退出"}).status_code == 302
    assert Enrolment.objects.unscoped().get(pk=held.pk).status == S.REMOVED

    response = client.get(reverse("enrolment:roster_xlsx", args=[offering.pk]))
    rows = xlsx_rows(response.content)
    assert rows[0][:3] == ["姓名", "手机号码", "状态"] and "衣服尺码" in rows[0]
    assert any(r[0] == "名单职工0" and r[2] == "已移除（工作人员）" for r in rows)


def test_roster_permissions(tree, staff, offering):
    viewer = client_for(staff.g1_viewer)
    page = viewer.get(reverse("enrolment:roster", args=[offering.pk])).content.decode()
    assert "代为报名" not in page
    user = make_worker_user(tree.g1)
    response = viewer.post(reverse("enrolment:add", args=[offering.pk]),
                           {"person": user.phone, "seats": 1, "reason": "x"})
    assert response.status_code == 403
    assert client_for(user).get(reverse("enrolment:roster", args=[offering.pk])).status_code == 404
    assert client_for(staff.d2_admin).get(reverse("enrolment:roster", args=[offering.pk])).status_code == 404


def test_check_in_by_scanning_the_qr_on_a_phone(tree, staff, offering):
    user = make_worker_user(tree.g1, name="扫码职工")
    enrolment = services.sign_up(offering, user, answers={"size": "M"})
    url = reverse("enrolment:check_in_scan", args=[services.make_token(enrolment)])
    assert Client().get(url).status_code == 302  # staff must sign in first
    client = client_for(staff.g1_handler)
    page = client.get(url).content.decode()
    assert "扫码职工" in page and "确认签到" in page and not Enrolment.objects.unscoped().get(pk=enrolment.pk).attended_at
    response = client.post(url)
    assert "扫码职工 签到成功" in response.content.decode()
    response = client.post(url)
    assert response.status_code == 422 and "不能重复签到" in response.content.decode()
    forged = reverse("enrolment:check_in_scan", args=["abc:def"])
    response = client.get(forged)
    assert response.status_code == 422 and "签到二维码无效" in response.content.decode()
    assert client_for(staff.d2_admin).get(url).status_code == 404
    assert client_for(user).get(url).status_code == 404


def test_check_in_by_typed_code(tree, staff, offering):
    enrolment = services.sign_up(offering, make_worker_user(tree.g1, name="输码职工"), answers={"size": "M"})
    client = client_for(staff.g1_handler)
    url = reverse("enrolment:check_in", args=[offering.pk])
    assert "已签到 0 / 1 人" in client.get(url).content.decode()
    response = client.post(url, {"code": "XXXXXX"})
    assert response.status_code == 422 and "不是本项目的签到码" in response.content.decode()
    response = client.post(url, {"code": enrolment.code.lower()})
    assert "输码职工 签到成功" in response.content.decode() and "已签到 1 / 1 人" in response.content.decode()
    response = client.post(url, {"code": enrolment.code})
    assert response.status_code == 422 and "不能重复签到" in response.content.decode()
    response = client.post(url, {"code": ""})
    assert response.status_code == 422
    assert client_for(staff.g1_viewer).get(url).status_code == 403


def test_figures_page_and_export_stay_in_scope(tree, staff, offering):
    import datetime

    from django.utils import timezone

    services.sign_up(offering, make_worker_user(tree.g1), answers={"size": "M"})
    past = make_offering(tree.g1, capacity=3, title="东城已结束活动", audience="members")
    present, absent = make_worker_user(tree.g1), make_worker_user(tree.g1)
    e = services.sign_up(past, present)
    services.sign_up(past, absent)
    services.check_in(e.code, by=staff.g1_handler, offering=past)
    Offering.objects.unscoped().filter(pk=past.pk).update(ends_at=timezone.now() - datetime.timedelta(hours=1))
    other = make_offering(tree.g2, title="西城专属活动")
    services.sign_up(other, make_worker_user(tree.g2))

    client = client_for(staff.d1_admin)
    page = client.get(reverse("enrolment:figures")).content.decode()
    assert "东城羽毛球赛" in page and "东城已结束活动" in page and "西城专属活动" not in page
    data = client.get("/api/v1/enrolments/figures").json()
    row = next(o for o in data["offerings"] if o["title"] == "东城已结束活动")
    assert (row["capacity"], row["taken"], row["attended"], row["no_shows"]) == (3, 2, 1, 1)
    assert data["totals"]["people"] == 3
    assert data["by_union_month"][0]["by_audience"]["members"] == 2

    response = client.get(reverse("enrolment:figures_xlsx"))
    rows = xlsx_rows(response.content)
    titles = [r[0] for r in rows]
    assert "东城已结束活动" in titles and "西城专属活动" not in titles
    assert client_for(staff.d2_admin).get(reverse("enrolment:figures_xlsx")).status_code == 200
    assert "西城专属活动" in [r[0] for r in xlsx_rows(client_for(staff.d2_admin).get(
        reverse("enrolment:figures_xlsx")).content)]
    assert client.get(reverse("enrolment:figures") + "?year=abc&kind=zzz").status_code == 200
    assert client_for(make_worker_user(tree.g1)).get(reverse("enrolment:figures")).status_code == 404
