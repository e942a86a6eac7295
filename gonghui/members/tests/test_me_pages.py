"""The worker's own pages (我的): card, profile, my services, my data — and never anyone else's."""

import datetime
import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gonghui.accounts.tests.factories import WorkerUserFactory
from gonghui.audit.models import AuditEntry
from gonghui.ledger.tests.factories import service
from gonghui.members import ecard
from gonghui.members.models import JoinApplication, Membership, MembershipChange, Transfer
from gonghui.members.tests.factories import MembershipFactory, WorkerFactory
from gonghui.workflow.models import Case

pytestmark = pytest.mark.django_db
MY_ID = "11010519491231002X"
THEIR_ID = "440524188001010014"


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def make_member(union, *, name, id_number, number, **worker_fields):
    user = WorkerUserFactory()
    worker = WorkerFactory(user=user, name=name, id_number=id_number, **worker_fields)
    membership = MembershipFactory(worker=worker, union=union, member_number=number,
                                   joined_on=datetime.date(2024, 3, 8))
    return user, worker, membership


@pytest.fixture
def me(tree):
    user, worker, membership = make_member(tree.g1, name="陈晓梅", id_number=MY_ID, number="M10000001",
                                           ethnicity="汉族", employer="东城机械厂")
    client = signed_in(user)
    client.user, client.worker, client.membership = user, worker, membership
    return client


@pytest.fixture
def them(tree):
    """Another worker in another district, with data of every kind, none of which may reach me."""
    user, worker, membership = make_member(tree.g2, name="吴他人", id_number=THEIR_ID, number="M20000002",
                                           employer="吴氏纺纱有限公司")
    service(worker, tree.d2, title="他人的救助金", amount="300")
    return worker


def _case(user, node, case_type, number):
    now = timezone.now()
    return Case.objects.create(case_type=case_type, number=number, title="测试事项", applicant=user,
                               applicant_name=str(user), node=node, node_path=node.path, state="submitted",
                               state_entered_at=now)


# ----- the card -----

def test_the_card_shows_who_and_a_qr_code_of_the_verification_url(me):
    response = me.get(reverse("my_union:card"))
    html = response.content.decode()
    assert response.status_code == 200
    for text in ("陈晓梅", "东城机械厂工会", "M10000001", "在册", "card-qr-svg", "有效至"):
        assert text in html
    token = response.context["card_token"].token
    assert ecard.read_token(token) == (ecard.Outcome.VALID, me.membership.pk)
    expected = "http://testserver" + ecard.verify_path(token)
    assert response.context["qr_svg"] == ecard.qr_svg(expected)
    # The QR renews itself before it expires (and when the phone wakes the page).
    assert f'hx-get="{reverse("my_union:card_qr")}"' in html and f"every {ecard.REFRESH_AFTER}s" in html
    assert ecard.REFRESH_AFTER < ecard.TOKEN_TTL
    assert MY_ID not in html and "110************02X" not in html  # the card carries no ID number


def test_the_qr_fragment_is_fresh_and_only_for_htmx(me):
    fragment = me.get(reverse("my_union:card_qr"), HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and "<svg" in fragment.content.decode()
    assert "<html" not in fragment.content.decode()
    assert me.get(reverse("my_union:card_qr")).status_code == 302


def test_the_qr_fragment_reloads_the_page_when_the_membership_ended(me):
    Membership.objects.unscoped().filter(pk=me.membership.pk).update(status=Membership.Status.LEFT)
    response = me.get(reverse("my_union:card_qr"), HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and response["HX-Refresh"] == "true"


def test_a_worker_without_a_current_membership_is_told_how_to_join(me):
    Membership.objects.unscoped().filter(pk=me.membership.pk).update(status=Membership.Status.TRANSFERRED_OUT)
    html = me.get(reverse("my_union:card")).content.decode()
    assert "您还没有有效的会籍" in html and 'href="/join/"' in html and "我要入会" in html and "card-qr-svg" not in html


def test_a_retired_member_keeps_the_card(me):
    Membership.objects.unscoped().filter(pk=me.membership.pk).update(status=Membership.Status.RETIRED_RETAINED)
    html = me.get(reverse("my_union:card")).content.decode()
    assert "退休保留会籍" in html and "card-qr-svg" in html


def test_an_account_without_a_worker_record_gets_an_explanation(tree):
    client = signed_in(WorkerUserFactory())
    for name in ("my_union:card", "my_union:profile", "my_union:my_services", "my_union:photo_upload"):
        response = client.get(reverse(name))
        assert response.status_code == 200 and "还没有找到您的职工登记信息" in response.content.decode(), name
    assert client.get(reverse("my_union:my_data")).status_code == 404
    assert client.get(reverse("my_union:photo")).status_code == 404


def test_anonymous_visitors_are_sent_to_the_worker_sign_in(db):
    for name in ("my_union:card", "my_union:profile", "my_union:profile_edit", "my_union:my_services",
                 "my_union:my_data", "my_union:photo", "my_union:photo_upload", "my_union:card_qr"):
        response = Client().get(reverse(name))
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:worker_login"))


# ----- the profile -----

def test_the_profile_shows_my_data_masked_with_my_history(me, them, tree):
    MembershipChange.objects.create(membership=me.membership, kind=MembershipChange.Kind.RETAINED,
                                    on=datetime.date(2026, 2, 1), reason="办理退休", node_path=me.membership.node_path)
    old = MembershipFactory(worker=me.worker, union=tree.g2, status=Membership.Status.TRANSFERRED_OUT,
                            member_number="M09999999", joined_on=datetime.date(2020, 1, 1))
    MembershipChange.objects.create(membership=old, kind=MembershipChange.Kind.TRANSFERRED_OUT,
                                    on=datetime.date(2024, 3, 8), to_union=tree.g1, node_path=old.node_path)
    html = me.get(reverse("my_union:profile")).content.decode()
    for text in ("陈晓梅", "110************02X", "东城机械厂", "M10000001", "M09999999", "办理退休", "已转出",
                 "汉族", me.user.phone):
        assert text in html, text
    assert MY_ID not in html
    assert html.index("M10000001") < html.index("M09999999")  # newest membership first
    for text in ("吴他人", "M20000002", "吴氏纺纱有限公司", "440************014"):
        assert text not in html


def test_i_correct_my_profile_and_it_is_audited(me):
    url = reverse("my_union:profile_edit")
    assert me.get(url).status_code == 200
    response = me.post(url, {"ethnicity": "回族", "education": "college", "household_type": "rural",
                             "migrant_worker": "on", "employer": "  江海  物流公司 ",
                             "name": "改名", "id_number": THEIR_ID})
    assert response.status_code == 302
    me.worker.refresh_from_db()
    assert (me.worker.ethnicity, me.worker.education, me.worker.household_type, me.worker.migrant_worker,
            me.worker.employer) == ("回族", "college", "rural", True, "江海 物流公司")
    assert me.worker.name == "陈晓梅" and me.worker.full_id_number() == MY_ID  # not editable here
    entry = AuditEntry.objects.unscoped().get(event="worker.profile_updated_by_self")
    assert entry.changes["ethnicity"] == ["汉族", "回族"] and "name" not in entry.changes
    assert entry.node == me.membership.union


def test_bad_profile_input_is_refused_in_chinese(me):
    response = me.post(reverse("my_union:profile_edit"), {"ethnicity": "火星族", "education": "phd",
                                                          "employer": "厂" * 201})
    html = response.content.decode()
    assert response.status_code == 422
    assert "火星族" not in html or "选择一个有效的选项" in html  # Django's own choice error, in Chinese
    assert "工作单位名称不能超过200个字。" in html
    me.worker.refresh_from_db()
    assert me.worker.ethnicity == "汉族" and me.worker.employer == "东城机械厂"


def test_the_service_checks_the_values_too(me):
    from django.core.exceptions import PermissionDenied, ValidationError

    from gonghui.members import cardholder

    with pytest.raises(ValidationError) as error:
        cardholder.update_profile(me.worker, {"ethnicity": "火星族", "household_type": "moon"}, by=me.user)
    assert error.value.message_dict == {"ethnicity": ["请从列表中选择民族，例如“汉族”。"],
                                        "household_type": ["户籍类型请选择“城镇”或“农村”。"]}
    other = WorkerUserFactory()
    with pytest.raises(PermissionDenied):
        cardholder.update_profile(me.worker, {"ethnicity": "回族"}, by=other)


# ----- my services -----

def test_my_services_newest_first_with_labels_and_only_mine(me, them, tree, monkeypatch):
    from gonghui.ledger import kinds

    monkeypatch.setattr(kinds, "_LABELS", {"test.aid": "困难帮扶救助金"})
    service(me.worker, tree.d1, title="春节送温暖慰问", amount="800", delivered_on=datetime.date(2026, 1, 20))
    service(me.worker, tree.city, kind="test.course", title="育婴师培训", delivered_on=datetime.date(2026, 5, 4))
    html = me.get(reverse("my_union:my_services")).content.decode()
    assert html.index("育婴师培训") < html.index("春节送温暖慰问")
    assert "困难帮扶救助金" in html and "test.course" in html and "¥800.00" in html
    assert "他人的救助金" not in html and "¥300.00" not in html


def test_no_services_yet_explains_the_page(me):
    assert "还没有服务记录" in me.get(reverse("my_union:my_services")).content.decode()


# ----- my data -----

def test_my_data_download_has_everything_about_me_and_nothing_else(me, them, tree):
    MembershipChange.objects.create(membership=me.membership, kind=MembershipChange.Kind.RESTORED,
                                    on=datetime.date(2025, 6, 1), node_path=me.membership.node_path)
    join_case = _case(me.user, tree.g1, "request", "RH-TEST-1")
    JoinApplication.objects.create(case=join_case, worker=me.worker, applied_to=tree.g1, employer="东城机械厂")
    transfer_case = _case(me.user, tree.g1, "request", "ZH-TEST-1")
    Transfer.objects.create(case=transfer_case, membership=me.membership, from_union=tree.g1, to_union=tree.g2,
                            reason="换工作")
    service(me.worker, tree.d1, title="法律援助：追回欠薪", amount="5000")
    # Their data, which must not appear.
    their_case = _case(them.user, tree.g2, "request", "RH-THEIRS")
    JoinApplication.objects.create(case=their_case, worker=them, applied_to=tree.g2, employer="吴氏纺纱有限公司")

    response = me.get(reverse("my_union:my_data"))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="my-union-data-')
    body = response.content.decode()
    data = json.loads(body)
    assert data["profile"]["id_number"] == MY_ID and data["profile"]["name"] == "陈晓梅"  # their own: in full
    assert data["profile"]["employer"] == "东城机械厂" and data["account"]["phone"] == me.user.phone
    assert [m["member_number"] for m in data["memberships"]] == ["M10000001"]
    assert data["memberships"][0]["changes"][0]["kind"] == "restored"
    assert [a["number"] for a in data["join_applications"]] == ["RH-TEST-1"]
    assert data["transfers"][0]["to_union"] == tree.g2.name and data["transfers"][0]["reason"] == "换工作"
    assert [(s["title"], s["amount"]) for s in data["services"]] == [("法律援助：追回欠薪", "5000.00")]
    for text in ("吴他人", THEIR_ID, "M20000002", "RH-THEIRS", "他人的救助金"):
        assert text not in body
    entry = AuditEntry.objects.unscoped().get(event="worker.data_exported")
    assert entry.action == AuditEntry.Action.VIEW_PERSONAL and entry.actor == me.user
    assert entry.object_id == str(me.worker.pk)


def test_staff_accounts_have_no_data_of_their_own_here(staff):
    client = signed_in(staff.city_admin)
    assert client.get(reverse("my_union:my_data")).status_code == 404
    assert "还没有找到您的职工登记信息" in client.get(reverse("my_union:card")).content.decode()


def test_the_me_page_links_my_pages(me):
    html = me.get(reverse("portal:me")).content.decode()
    for name in ("my_union:card", "my_union:profile", "my_union:my_services", "my_union:my_data"):
        assert reverse(name) in html, name


def test_my_services_page_marks_the_me_tab_not_the_services_tab(me):
    html = me.get(reverse("my_union:my_services")).content.decode()
    assert f'href="{reverse("portal:me")}" aria-current="page"' in html
    assert f'href="{reverse("portal:services")}" aria-current="page"' not in html
