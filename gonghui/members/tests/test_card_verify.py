"""Card verification in the console: who may verify, the four outcomes, masked data, the audit, photos."""

import time
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from gonghui.accounts.models import User
from gonghui.accounts.tests.factories import StaffFactory, WorkerUserFactory
from gonghui.audit.models import AuditEntry
from gonghui.members import ecard
from gonghui.members.models import Membership
from gonghui.members.tests.factories import MembershipFactory
from gonghui.members.tests.scope_cases_card import PNG

pytestmark = pytest.mark.django_db
FORM = reverse("members:card_verify")
EXPIRED = "二维码已过期，请会员刷新电子会员卡后重新出示"
INVALID = "二维码无效，请让会员重新出示电子会员卡"
ID_NUMBER = "11010519491231002X"


def login(user):
    client = Client()
    client.force_login(user)
    return client


def url(token):
    return reverse("members:card_verify_token", kwargs={"token": token})


@pytest.fixture
def member(tree):
    membership = MembershipFactory(union=tree.g2, worker__name="西城王五", worker__id_number=ID_NUMBER,
                                   member_number="M20260001")
    return membership


@pytest.fixture
def partner(db):
    return StaffFactory(kind=User.Kind.PARTNER, display_name="爱心驿站药店")


def audit(event):
    return AuditEntry.objects.unscoped().filter(event=event)


def test_staff_of_another_district_verify_a_valid_card_with_masked_data(member, staff):
    token = ecard.issue_token(member).token
    response = login(staff.g1_viewer).get(url(token))  # a viewer in district 1, the member in district 2
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-outcome="valid"' in html and "有效会员" in html
    assert "西城王五" in html and "M20260001" in html and member.union.name in html
    assert "110************02X" in html and ID_NUMBER not in html
    entry = audit("card.valid").get()
    assert entry.actor == staff.g1_viewer and entry.object_id == str(member.pk)
    assert entry.action == AuditEntry.Action.VIEW_PERSONAL and entry.node == member.union


def test_partners_verify_too(member, partner):
    token = ecard.issue_token(member).token
    html = login(partner).get(url(token)).content.decode()
    assert "有效会员" in html and "西城王五" in html
    assert audit("card.valid").get().extra["by_kind"] == "partner"


def test_a_retired_member_who_kept_membership_is_valid(member, staff):
    Membership.objects.unscoped().filter(pk=member.pk).update(status=Membership.Status.RETIRED_RETAINED)
    html = login(staff.g1_viewer).get(url(ecard.issue_token(member).token)).content.decode()
    assert 'data-outcome="valid"' in html and "退休保留会籍" in html


def test_an_expired_code_says_so_and_shows_nobody(member, staff):
    token = ecard.issue_token(member).token
    with mock.patch("django.core.signing.time.time", return_value=time.time() + ecard.TOKEN_TTL + 1):
        html = login(staff.g1_viewer).get(url(token)).content.decode()
    assert EXPIRED in html and 'data-outcome="expired"' in html
    assert "西城王五" not in html and "M20260001" not in html
    entry = audit("card.expired").get()
    assert entry.object_id == str(member.pk) and entry.action == AuditEntry.Action.SECURITY


def test_a_tampered_code_is_invalid(member, staff):
    token = ecard.issue_token(member).token
    forged = str(member.pk + 1) + token[len(str(member.pk)):]
    html = login(staff.g1_viewer).get(url(forged)).content.decode()
    assert INVALID in html and "西城王五" not in html
    assert audit("card.invalid").get().object_id == ""


def test_a_membership_no_longer_current_is_reported(member, staff):
    token = ecard.issue_token(member).token
    Membership.objects.unscoped().filter(pk=member.pk).update(status=Membership.Status.TRANSFERRED_OUT)
    html = login(staff.g1_viewer).get(url(token)).content.decode()
    assert 'data-outcome="not_current"' in html and "会籍已失效" in html and "已转出" in html
    assert "有效会员" not in html
    assert audit("card.not_current").count() == 1


def test_a_scanner_types_the_whole_url_into_the_field(member, staff):
    token = ecard.issue_token(member).token
    typed = "https://gonghui.example.cn" + url(token) + "\n"
    client = login(staff.g1_viewer)
    html = client.get(FORM, {"code": typed}).content.decode()
    assert "有效会员" in html and 'name="code"' in html  # the form stays for the next card
    partial = client.get(FORM, {"code": token}, HTTP_HX_REQUEST="true").content.decode()
    assert "有效会员" in partial and "<form" not in partial
    assert audit("card.valid").count() == 2


def test_the_empty_form_verifies_nothing(staff):
    html = login(staff.g1_viewer).get(FORM).content.decode()
    assert 'name="code"' in html and "摄像头扫码" in html
    assert not AuditEntry.objects.unscoped().filter(event__startswith="card.").exists()


def test_workers_staff_without_the_permission_and_strangers_are_refused(member):
    token = ecard.issue_token(member).token
    worker = login(WorkerUserFactory())
    response = worker.get(url(token))
    assert response.status_code == 403 and "工会工作人员和合作商户" in response.content.decode()
    assert "西城王五" not in response.content.decode()
    assert login(StaffFactory()).get(url(token)).status_code == 403  # staff without any grant
    anonymous = Client().get(url(token))
    assert anonymous.status_code == 302 and "next=" in anonymous["Location"]
    assert not AuditEntry.objects.unscoped().filter(event__startswith="card.").exists()


# ----- photos -----

@pytest.fixture
def with_photo(member):
    member.worker.photo.save("x.png", ContentFile(PNG), save=True)
    return member


def test_the_verification_page_shows_the_photo_of_a_valid_card(with_photo, staff):
    token = ecard.issue_token(with_photo).token
    client = login(staff.g1_viewer)
    html = client.get(url(token)).content.decode()
    photo_url = reverse("members:card_photo", kwargs={"token": token})
    assert photo_url in html
    response = client.get(photo_url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == PNG
    assert "private" in response["Cache-Control"]


def test_the_photo_needs_a_genuine_recent_token_and_a_verifier(with_photo, staff):
    token = ecard.issue_token(with_photo).token
    photo_url = reverse("members:card_photo", kwargs={"token": token})
    assert login(WorkerUserFactory()).get(photo_url).status_code == 404
    assert login(StaffFactory()).get(photo_url).status_code == 404
    forged = reverse("members:card_photo", kwargs={"token": token[:-2] + "zz"})
    assert login(staff.g1_viewer).get(forged).status_code == 404
    with mock.patch("django.core.signing.time.time", return_value=time.time() + ecard.PHOTO_GRACE + 1):
        assert login(staff.g1_viewer).get(photo_url).status_code == 404


def test_staff_who_may_see_the_member_get_the_photo(with_photo, staff, member):
    photo_url = reverse("members:photo", kwargs={"pk": with_photo.pk})
    assert login(staff.d2_admin).get(photo_url).status_code == 200
    assert login(staff.d1_admin).get(photo_url).status_code == 404  # another district
    assert login(WorkerUserFactory()).get(photo_url).status_code == 404


def test_no_photo_is_404_not_an_error(member, staff):
    assert login(staff.d2_admin).get(reverse("members:photo", kwargs={"pk": member.pk})).status_code == 404
    html = login(staff.g1_viewer).get(url(ecard.issue_token(member).token)).content.decode()
    assert "未上传照片" in html


def test_photos_are_not_under_a_public_media_url(with_photo):
    from django.conf import settings

    assert with_photo.worker.photo.name.startswith("members/photos/")
    response = Client().get(settings.MEDIA_URL + with_photo.worker.photo.name)
    assert response.status_code == 404
