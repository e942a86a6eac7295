"""/api/v1/members/me… (the worker's own data) and /api/v1/members/cards/verify."""

import datetime
import json
import time
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from gonghui.accounts.models import User
from gonghui.accounts.tests.factories import StaffFactory, WorkerUserFactory
from gonghui.audit.models import AuditEntry
from gonghui.ledger.tests.factories import service
from gonghui.members import ecard
from gonghui.members.models import Membership
from gonghui.members.tests.factories import MembershipFactory, WorkerFactory
from gonghui.members.tests.scope_cases_card import PNG

pytestmark = pytest.mark.django_db
ME = "/api/v1/members/me"
VERIFY = "/api/v1/members/cards/verify"
MY_ID = "11010519491231002X"


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def send(client, method, url, data):
    return getattr(client, method)(url, json.dumps(data), content_type="application/json")


@pytest.fixture
def me(tree):
    user = WorkerUserFactory()
    worker = WorkerFactory(user=user, name="陈晓梅", id_number=MY_ID, ethnicity="汉族")
    membership = MembershipFactory(worker=worker, union=tree.g1, member_number="M10000001")
    client = signed_in(user)
    client.user, client.worker, client.membership = user, worker, membership
    return client


@pytest.fixture
def them(tree):
    worker = WorkerFactory(user=WorkerUserFactory(), name="吴他人")
    MembershipFactory(worker=worker, union=tree.g2, member_number="M20000002")
    service(worker, tree.d2, title="他人的救助金")
    return worker


def test_my_profile_is_masked_with_my_membership(me, them):
    data = me.get(ME).json()
    assert data["name"] == "陈晓梅" and data["id_number_masked"] == "110************02X"
    assert MY_ID not in json.dumps(data)
    assert data["mobile"] == me.user.phone and data["photo_url"] is None
    assert data["membership"]["member_number"] == "M10000001" and data["membership"]["status_label"] == "在册"


def test_i_correct_my_profile_but_not_my_name(me):
    response = send(me, "patch", ME, {"ethnicity": "回族", "migrant_worker": True, "employer": "江海物流"})
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["ethnicity"], data["migrant_worker"], data["employer"]) == ("回族", True, "江海物流")
    assert AuditEntry.objects.unscoped().filter(event="worker.profile_updated_by_self").count() == 1

    refused = send(me, "patch", ME, {"name": "改名", "ethnicity": "满族"})
    assert refused.status_code == 422 and refused.json()["code"] == "locked_field"
    assert "实名核验" in refused.json()["message"]
    unknown = send(me, "patch", ME, {"nickname": "x"})
    assert unknown.status_code == 422 and "nickname" in unknown.json()["message"]
    bad = send(me, "patch", ME, {"household_type": "moon"})
    assert bad.status_code == 422 and bad.json()["message"] == "户籍类型请选择“城镇”或“农村”。"
    me.worker.refresh_from_db()
    assert me.worker.name == "陈晓梅" and me.worker.ethnicity == "回族"


def test_my_card_has_a_token_a_verification_url_and_the_qr(me):
    data = me.get(f"{ME}/card").json()
    assert ecard.read_token(data["token"]) == (ecard.Outcome.VALID, me.membership.pk)
    assert data["verify_url"] == "http://testserver" + ecard.verify_path(data["token"])
    assert data["qr_svg"].startswith("<svg") and data["member_number"] == "M10000001"
    expires = datetime.datetime.fromisoformat(data["expires_at"])
    assert 0 < (expires - datetime.datetime.now(datetime.UTC)).total_seconds() <= ecard.TOKEN_TTL
    assert data["refresh_after_seconds"] < ecard.TOKEN_TTL


def test_no_card_without_a_current_membership(me):
    Membership.objects.unscoped().filter(pk=me.membership.pk).update(status=Membership.Status.LEFT)
    response = me.get(f"{ME}/card")
    assert response.status_code == 404 and response.json()["code"] == "no_membership"
    assert "没有有效的会籍" in response.json()["message"]


def test_an_account_without_a_worker_record(db):
    client = signed_in(WorkerUserFactory())
    for path in ("", "/card", "/services", "/data", "/photo"):
        response = client.get(ME + path)
        assert response.status_code == 404 and response.json()["code"] == "no_worker", path


def test_anonymous_is_401(db):
    for path in ("", "/card", "/services", "/data"):
        assert Client().get(ME + path).status_code == 401
    assert send(Client(), "post", VERIFY, {"token": "x"}).status_code == 401


def test_my_services_and_my_data_are_mine_only(me, them, tree):
    service(me.worker, tree.d1, title="送温暖慰问金", amount="800", delivered_on=datetime.date(2026, 1, 20))
    service(me.worker, tree.city, title="育婴师培训", delivered_on=datetime.date(2026, 5, 4))
    services = me.get(f"{ME}/services").json()
    assert services["count"] == 2
    assert [s["title"] for s in services["items"]] == ["育婴师培训", "送温暖慰问金"]
    assert services["items"][1]["amount"] == "800.00"
    data = me.get(f"{ME}/data").json()
    assert data["profile"]["id_number"] == MY_ID
    assert {s["title"] for s in data["services"]} == {"育婴师培训", "送温暖慰问金"}
    assert "吴他人" not in json.dumps(data, ensure_ascii=False)
    assert AuditEntry.objects.unscoped().filter(event="worker.data_exported", actor=me.user).count() == 1


def test_photo_upload_get_and_delete(me):
    response = me.post(f"{ME}/photo", {"photo": SimpleUploadedFile("me.png", PNG)})
    assert response.status_code == 200, response.content
    assert response.json()["has_photo"] is True and response.json()["photo_url"].endswith("/api/v1/members/me/photo")
    got = me.get(f"{ME}/photo")
    assert got.status_code == 200 and got["Content-Type"] == "image/png"
    bad = me.post(f"{ME}/photo", {"photo": SimpleUploadedFile("virus.jpg", b"MZ" + b"\x00" * 200)})
    assert bad.status_code == 422 and bad.json()["message"] == "不能上传可执行文件，请上传 JPG、PNG 或 WebP 格式的照片。"
    deleted = me.delete(f"{ME}/photo")
    assert deleted.status_code == 200 and deleted.json()["has_photo"] is False
    assert me.get(f"{ME}/photo").status_code == 404


# ----- verification -----

@pytest.fixture
def card(tree):
    membership = MembershipFactory(union=tree.g2, worker__name="西城王五", worker__id_number=MY_ID,
                                   member_number="M20260001")
    membership.worker.photo.save("x.png", SimpleUploadedFile("x.png", PNG), save=True)
    return membership


def test_staff_verify_a_valid_card(card, staff):
    token = ecard.issue_token(card).token
    data = send(signed_in(staff.g1_viewer), "post", VERIFY, {"token": token}).json()
    assert data["outcome"] == "valid" and data["valid"] is True and data["message"] == "有效会员"
    member = data["member"]
    assert member["name"] == "西城王五" and member["id_number_masked"] == "110************02X"
    assert member["member_number"] == "M20260001" and member["union_name"] == card.union.name
    assert MY_ID not in json.dumps(data)
    photo = signed_in(staff.g1_viewer).get(member["photo_url"].replace("http://testserver", ""))
    assert photo.status_code == 200
    assert AuditEntry.objects.unscoped().filter(event="card.valid").count() == 1


def test_a_partner_verifies_the_url_a_scanner_read(card):
    partner = StaffFactory(kind=User.Kind.PARTNER)
    token = ecard.issue_token(card).token
    data = send(signed_in(partner), "post", VERIFY,
                {"token": "https://gonghui.example.cn" + ecard.verify_path(token)}).json()
    assert data["outcome"] == "valid"


def test_the_same_outcomes_and_messages_as_the_page(card, staff):
    client = signed_in(staff.g1_viewer)
    token = ecard.issue_token(card).token
    with mock.patch("django.core.signing.time.time", return_value=time.time() + ecard.TOKEN_TTL + 1):
        expired = send(client, "post", VERIFY, {"token": token}).json()
    assert expired == {**expired, "outcome": "expired", "valid": False, "member": None,
                       "message": "二维码已过期，请会员刷新电子会员卡后重新出示"}
    tampered = send(client, "post", VERIFY, {"token": token[:-3] + "abc"}).json()
    assert (tampered["outcome"], tampered["message"], tampered["member"]) == (
        "invalid", "二维码无效，请让会员重新出示电子会员卡", None)
    Membership.objects.unscoped().filter(pk=card.pk).update(status=Membership.Status.DECEASED)
    gone = send(client, "post", VERIFY, {"token": ecard.issue_token(card).token}).json()
    assert gone["outcome"] == "not_current" and "已故" in gone["message"] and gone["valid"] is False
    assert gone["member"]["name"] == "西城王五"


def test_workers_and_staff_without_the_permission_are_refused(card):
    token = ecard.issue_token(card).token
    for user in (WorkerUserFactory(), StaffFactory()):
        response = send(signed_in(user), "post", VERIFY, {"token": token})
        assert response.status_code == 403 and response.json()["message"] == "您没有执行此操作的权限。"
    assert not AuditEntry.objects.unscoped().filter(event__startswith="card.").exists()
