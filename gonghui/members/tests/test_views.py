"""Member pages: masked ID numbers in lists, scope on details, and the audited reveal."""

import random

import pytest
from django.test import Client
from django.urls import reverse

from gonghui.audit.models import AuditEntry
from gonghui.demo.idnumbers import fake_id_number
from gonghui.members import services

ID_G1 = fake_id_number(random.Random(301))
ID_G2 = fake_id_number(random.Random(302))


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def members(tree):
    w1 = services.register_worker(name="赵一", id_number=ID_G1, mobile="13911110001", by=None)
    w2 = services.register_worker(name="钱二", id_number=ID_G2, mobile="13911110002", by=None)
    return {
        "g1": services.enrol(w1, tree.g1, member_number="DC0001", by=None),
        "g2": services.enrol(w2, tree.g2, member_number="XC0001", by=None),
    }


def views_of_id_numbers():
    return AuditEntry.objects.unscoped().filter(action=AuditEntry.Action.VIEW_PERSONAL)


def test_list_shows_the_users_subtree_without_full_id_numbers(members, staff):
    response = as_user(staff.d1_manager).get(reverse("members:list"))
    assert response.status_code == 200
    assert list(response.context["object_list"]) == [members["g1"]]
    text = response.content.decode()
    assert "赵一" in text and "钱二" not in text
    for id_number in (ID_G1, ID_G2):
        assert id_number not in text
        assert id_number[6:14] not in text  # not even the birth date


def test_list_filters_by_name_and_number(members, staff):
    client = as_user(staff.city_admin)
    assert list(client.get(reverse("members:list"), {"q": "钱"}).context["object_list"]) == [members["g2"]]
    assert list(client.get(reverse("members:list"), {"q": "DC0001"}).context["object_list"]) == [members["g1"]]
    assert list(client.get(reverse("members:list"), {"status": "left"}).context["object_list"]) == []


def test_list_htmx_gets_the_table_only(members, staff):
    response = as_user(staff.d1_manager).get(reverse("members:list"), HTTP_HX_REQUEST="true")
    assert response.templates[0].name == "members/_table.html"


def test_detail_shows_the_masked_number(members, staff):
    response = as_user(staff.d1_manager).get(reverse("members:detail", args=[members["g1"].pk]))
    assert response.status_code == 200
    text = response.content.decode()
    assert members["g1"].worker.id_number_masked in text
    assert ID_G1 not in text
    assert not views_of_id_numbers().exists()


@pytest.mark.parametrize("who", ["d1_manager", "d1_admin", "g1_handler", "g1_viewer"])
def test_detail_of_another_district_is_404(members, staff, who):
    response = as_user(getattr(staff, who)).get(reverse("members:detail", args=[members["g2"].pk]))
    assert response.status_code == 404
    assert "钱二" not in response.content.decode()


def test_reveal_button_only_for_roles_that_may_reveal(members, staff):
    url = reverse("members:detail", args=[members["g1"].pk])
    assert as_user(staff.d1_admin).get(url).context["can_reveal_id"] is True
    assert as_user(staff.g1_handler).get(url).context["can_reveal_id"] is False


def test_reveal_as_admin_shows_the_number_and_audits(members, staff, tree):
    response = as_user(staff.d1_admin).post(reverse("members:reveal_id", args=[members["g1"].pk]))
    assert response.status_code == 200
    assert ID_G1 in response.content.decode()
    entry = views_of_id_numbers().get()
    assert entry.actor == staff.d1_admin
    assert entry.node == tree.g1
    assert entry.event == "worker.id_number_viewed"
    assert entry.object_id == str(members["g1"].worker.pk)
    assert entry.ip == "127.0.0.1"


def test_each_reveal_is_audited(members, staff):
    client = as_user(staff.city_admin)
    client.post(reverse("members:reveal_id", args=[members["g1"].pk]))
    client.post(reverse("members:reveal_id", args=[members["g2"].pk]))
    client.post(reverse("members:reveal_id", args=[members["g1"].pk]))
    assert views_of_id_numbers().count() == 3


@pytest.mark.parametrize("who", ["g1_handler", "g1_viewer", "d1_manager"])
def test_reveal_without_the_permission_is_403(members, staff, who):
    response = as_user(getattr(staff, who)).post(reverse("members:reveal_id", args=[members["g1"].pk]))
    assert response.status_code == 403
    assert ID_G1 not in response.content.decode()
    assert not views_of_id_numbers().exists()


def test_reveal_in_another_district_is_404(members, staff):
    response = as_user(staff.d1_admin).post(reverse("members:reveal_id", args=[members["g2"].pk]))
    assert response.status_code == 404
    assert ID_G2 not in response.content.decode()
    assert not views_of_id_numbers().exists()


def test_reveal_is_post_only(members, staff):
    response = as_user(staff.d1_admin).get(reverse("members:reveal_id", args=[members["g1"].pk]))
    assert response.status_code == 405
    assert not views_of_id_numbers().exists()


def test_reveal_needs_a_csrf_token(members, staff):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff.d1_admin)
    response = client.post(reverse("members:reveal_id", args=[members["g1"].pk]))
    assert response.status_code == 403
    assert "页面已过期或缺少安全校验，请刷新页面后重试。" in response.content.decode()
    assert not views_of_id_numbers().exists()
