"""Console pages of the organisation tree: scope (404), permission (403), forms, import, HTMX."""

import csv
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from stdnum.cn import uscc as stdnum_uscc

from gonghui.accounts.tests.factories import WorkerUserFactory
from gonghui.audit.models import AuditEntry
from gonghui.orgs.models import UnionNode
from gonghui.orgs.tests.factories import UnionNodeFactory


def make_uscc(n: int, prefix: str = "81") -> str:
    body = f"{prefix}320100{n:09d}"
    return body + stdnum_uscc.calc_check_digit(body)


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def nodes():
    return UnionNode.objects.unscoped()


def listed_ids(response):
    return [n.pk for n in response.context["object_list"]]


def field_error_html(response, field: str) -> str:
    """The text shown in the error element tied to a field (aria-describedby)."""
    html = response.content.decode()
    assert f'aria-describedby="id_{field}-errors"' in html, f"no error element tied to {field}"
    match = re.search(rf'id="id_{field}-errors">(.*?)</div>', html, re.S)
    assert match, f"no error text for {field}"
    return match.group(1)


# ----- list -----

def test_list_shows_the_users_subtree(tree, staff):
    response = as_user(staff.d1_manager).get(reverse("orgs:list"))
    assert response.status_code == 200
    assert listed_ids(response) == [tree.d1.pk, tree.g1.pk]
    text = response.content.decode()
    assert "东城机械厂工会" in text
    assert "西城纺织厂工会" not in text and "西城区总工会" not in text


def test_list_for_a_viewer(tree, staff):
    response = as_user(staff.g1_viewer).get(reverse("orgs:list"))
    assert listed_ids(response) == [tree.g1.pk]
    assert response.context["can_import"] is False


def test_list_filters(tree, staff):
    client = as_user(staff.city_admin)
    response = client.get(reverse("orgs:list"), {"kind": "district_federation"})
    assert listed_ids(response) == [tree.d1.pk, tree.d2.pk]
    response = client.get(reverse("orgs:list"), {"q": "纺织"})
    assert listed_ids(response) == [tree.g2.pk]
    response = client.get(reverse("orgs:list"), {"kind": "no-such-kind"})
    assert len(listed_ids(response)) == 5  # an unknown kind is ignored


def test_list_search_by_uscc(tree, staff):
    from gonghui.orgs import services

    services.update_node(tree.g2, {"uscc": make_uscc(1)}, by=None)
    response = as_user(staff.city_admin).get(reverse("orgs:list"), {"q": make_uscc(1).lower()})
    assert listed_ids(response) == [tree.g2.pk]


def test_list_htmx_request_gets_the_table_only(tree, staff):
    response = as_user(staff.d1_manager).get(reverse("orgs:list"), {"q": "东城"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.templates[0].name == "orgs/_table.html"
    text = response.content.decode()
    assert "<html" not in text and "<nav" not in text
    assert "东城机械厂工会" in text


def test_list_boosted_htmx_request_gets_the_whole_page(tree, staff):
    response = as_user(staff.d1_manager).get(reverse("orgs:list"), HTTP_HX_REQUEST="true", HTTP_HX_BOOSTED="true")
    assert response.templates[0].name == "orgs/list.html"


def _list_queries(client):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("orgs:list"))
        assert response.status_code == 200
    return len(ctx.captured_queries)


def test_list_query_count_does_not_grow_with_rows(tree, staff, django_assert_max_num_queries):
    client = as_user(staff.city_admin)
    few = _list_queries(client)
    for i in range(30):
        UnionNodeFactory(name=f"东城分会{i:02d}", parent=tree.d1)
    many = _list_queries(client)
    assert many == few
    with django_assert_max_num_queries(6):  # session, user, grants, count, rows (+1 slack)
        response = client.get(reverse("orgs:list"), {"per_page": 50})
    assert len(response.context["object_list"]) == 35


def test_list_is_paginated(tree, staff):
    for i in range(55):
        UnionNodeFactory(name=f"东城分会{i:02d}", parent=tree.d1)
    client = as_user(staff.d1_manager)
    first = client.get(reverse("orgs:list"))
    third = client.get(reverse("orgs:list"), {"page": 3})
    assert len(listed_ids(first)) == 20  # the default page size
    assert len(listed_ids(third)) == 17  # 57 visible nodes: the district, g1 and 55 new ones
    assert not set(listed_ids(first)) & set(listed_ids(third))


def test_list_page_size_can_be_chosen_but_not_invented(tree, staff):
    for i in range(55):
        UnionNodeFactory(name=f"东城分会{i:02d}", parent=tree.d1)
    client = as_user(staff.d1_manager)
    assert len(listed_ids(client.get(reverse("orgs:list"), {"per_page": 50}))) == 50
    assert len(listed_ids(client.get(reverse("orgs:list"), {"per_page": 100}))) == 57
    # Any other size falls back to the default, so nobody can ask for a 100,000-row page.
    assert len(listed_ids(client.get(reverse("orgs:list"), {"per_page": 100000}))) == 20
    assert len(listed_ids(client.get(reverse("orgs:list"), {"per_page": "abc"}))) == 20


def test_list_needs_login(db):
    response = Client().get(reverse("orgs:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:staff_login"))


def test_list_is_not_for_workers(tree):
    response = as_user(WorkerUserFactory()).get(reverse("orgs:list"))
    assert response.status_code == 404


# ----- detail -----

def test_detail_inside_the_scope(tree, staff):
    response = as_user(staff.d1_manager).get(reverse("orgs:detail", args=[tree.d1.pk]))
    assert response.status_code == 200
    assert response.context["node"] == tree.d1
    assert list(response.context["children"]) == [tree.g1]
    assert list(response.context["ancestors"]) == [tree.city]
    assert response.context["can_change"] is False
    assert as_user(staff.d1_admin).get(reverse("orgs:detail", args=[tree.d1.pk])).context["can_change"] is True


@pytest.mark.parametrize("target", ["d2", "g2", "city"])
def test_detail_outside_the_scope_is_404(tree, staff, target):
    response = as_user(staff.d1_manager).get(reverse("orgs:detail", args=[getattr(tree, target).pk]))
    assert response.status_code == 404
    assert "页面不存在或您无权查看。" in response.content.decode()


# ----- create -----

def form_data(**overrides):
    data = {"name": "东城电子厂工会", "short_name": "", "kind": "grassroots_union", "uscc": "", "address": "",
            "contact_person": "", "contact_phone": "", "active": "on"}
    data.update(overrides)
    return data


def test_create_form_for_an_admin(tree, staff):
    response = as_user(staff.d1_admin).get(reverse("orgs:create", args=[tree.d1.pk]))
    assert response.status_code == 200
    assert response.context["parent"] == tree.d1


def test_create_adds_a_node_and_audits(tree, staff):
    response = as_user(staff.d1_admin).post(reverse("orgs:create", args=[tree.d1.pk]),
                                            form_data(uscc=make_uscc(2)))
    node = nodes().get(name="东城电子厂工会")
    assert response.status_code == 302
    assert response["Location"] == reverse("orgs:detail", args=[node.pk])
    assert node.parent == tree.d1 and node.uscc == make_uscc(2) and node.active
    entry = AuditEntry.objects.unscoped().get(event="org.created", object_id=str(node.pk))
    assert entry.actor == staff.d1_admin


def test_create_with_a_bad_uscc_shows_the_error_next_to_the_field(tree, staff):
    response = as_user(staff.d1_admin).post(reverse("orgs:create", args=[tree.d1.pk]),
                                            form_data(uscc=make_uscc(3, prefix="91")))
    assert response.status_code == 422
    assert response.context["form"].errors["uscc"] == ["工会的统一社会信用代码应以81开头。"]
    assert field_error_html(response, "uscc") == "工会的统一社会信用代码应以81开头。"
    assert not nodes().filter(name="东城电子厂工会").exists()


def test_create_with_missing_fields(tree, staff):
    response = as_user(staff.d1_admin).post(reverse("orgs:create", args=[tree.d1.pk]), form_data(name=""))
    assert response.status_code == 422
    assert field_error_html(response, "name") == "这个字段是必填项。"


def test_create_with_a_kind_not_allowed_there(tree, staff):
    response = as_user(staff.d1_admin).post(reverse("orgs:create", args=[tree.g1.pk]), form_data())
    assert response.status_code == 422
    assert response.context["form"].non_field_errors() == ["基层工会不能设在基层工会之下。"]
    assert "基层工会不能设在基层工会之下。" in response.content.decode()


def test_create_with_a_duplicate_uscc(tree, staff):
    from gonghui.orgs import services

    services.update_node(tree.g2, {"uscc": make_uscc(4)}, by=None)
    response = as_user(staff.d1_admin).post(reverse("orgs:create", args=[tree.d1.pk]), form_data(uscc=make_uscc(4)))
    assert response.status_code == 422
    assert field_error_html(response, "uscc") == "该统一社会信用代码已被其他组织使用。"


@pytest.mark.parametrize("who", ["g1_viewer", "d1_manager", "g1_handler"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_create_without_orgs_change_is_403(tree, staff, who, method):
    client = as_user(getattr(staff, who))
    response = getattr(client, method)(reverse("orgs:create", args=[tree.g1.pk]), form_data())
    assert response.status_code == 403
    assert "您没有执行此操作的权限。" in response.content.decode()
    assert not nodes().filter(name="东城电子厂工会").exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_create_under_another_district_is_404(tree, staff, method):
    client = as_user(staff.d1_admin)
    response = getattr(client, method)(reverse("orgs:create", args=[tree.d2.pk]), form_data())
    assert response.status_code == 404
    assert not nodes().filter(name="东城电子厂工会").exists()


# ----- edit -----

def test_edit_form_is_filled_in(tree, staff):
    response = as_user(staff.d1_admin).get(reverse("orgs:edit", args=[tree.g1.pk]))
    assert response.status_code == 200
    assert response.context["form"].initial["name"] == "东城机械厂工会"


def test_edit_saves_and_audits_the_diff(tree, staff):
    data = form_data(name="东城机械厂工会", short_name="东机", contact_phone="0512-1234")
    response = as_user(staff.d1_admin).post(reverse("orgs:edit", args=[tree.g1.pk]), data)
    assert response.status_code == 302
    node = nodes().get(pk=tree.g1.pk)
    assert (node.short_name, node.contact_phone) == ("东机", "0512-1234")
    entry = AuditEntry.objects.unscoped().get(event="org.changed")
    assert entry.changes == {"short_name": ["", "东机"], "contact_phone": ["", "0512-1234"]}
    assert entry.actor == staff.d1_admin


def test_edit_with_errors_keeps_the_node(tree, staff):
    response = as_user(staff.d1_admin).post(reverse("orgs:edit", args=[tree.g1.pk]), form_data(uscc="123"))
    assert response.status_code == 422
    assert field_error_html(response, "uscc") == "统一社会信用代码应为18位。"
    assert nodes().get(pk=tree.g1.pk).name == "东城机械厂工会"


@pytest.mark.parametrize("who", ["g1_viewer", "d1_manager"])
def test_edit_without_orgs_change_is_403(tree, staff, who):
    response = as_user(getattr(staff, who)).post(reverse("orgs:edit", args=[tree.g1.pk]), form_data(name="改掉"))
    assert response.status_code == 403
    assert nodes().get(pk=tree.g1.pk).name == "东城机械厂工会"


def test_edit_in_another_district_is_404(tree, staff):
    client = as_user(staff.d1_admin)
    assert client.get(reverse("orgs:edit", args=[tree.g2.pk])).status_code == 404
    assert client.post(reverse("orgs:edit", args=[tree.g2.pk]), form_data(name="改掉")).status_code == 404
    assert nodes().get(pk=tree.g2.pk).name == "西城纺织厂工会"


def test_edit_the_own_grant_node_above_is_404(tree, staff):
    # The district admin cannot reach the city node above their grant.
    assert as_user(staff.d1_admin).get(reverse("orgs:edit", args=[tree.city.pk])).status_code == 404


# ----- import -----

def csv_upload(rows, name="orgs.csv"):
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["名称", "类别", "统一社会信用代码", "上级统一社会信用代码"])
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode("utf-8-sig"), content_type="text/csv")


def test_import_page(tree, staff):
    response = as_user(staff.d1_admin).get(reverse("orgs:import", args=[tree.d1.pk]))
    assert response.status_code == 200
    assert response.context["node"] == tree.d1


def test_import_a_good_file(tree, staff):
    upload = csv_upload([
        ["东城甲厂工会", "基层工会", make_uscc(11), make_uscc(10)],
        ["东城街道总工会", "街道/乡镇工会", make_uscc(10), ""],
    ])
    response = as_user(staff.d1_admin).post(reverse("orgs:import", args=[tree.d1.pk]), {"file": upload})
    assert response.status_code == 302
    assert response["Location"] == reverse("orgs:detail", args=[tree.d1.pk])
    town = nodes().get(uscc=make_uscc(10))
    assert town.parent == tree.d1
    assert nodes().get(uscc=make_uscc(11)).parent == town
    entry = AuditEntry.objects.unscoped().get(event="org.imported")
    assert entry.actor == staff.d1_admin
    assert entry.node == tree.d1
    assert entry.extra["created"] == 2


def test_import_a_bad_file_lists_the_rows(tree, staff):
    upload = csv_upload([
        ["东城甲厂工会", "基层工会", make_uscc(12), ""],
        ["东城乙厂工会", "基层工会", "123", ""],
        ["东城丙厂工会", "工厂", "", ""],
    ])
    response = as_user(staff.d1_admin).post(reverse("orgs:import", args=[tree.d1.pk]), {"file": upload})
    assert response.status_code == 422
    assert response.context["import_errors"] == [
        (3, "统一社会信用代码应为18位。"),
        (4, "类别不正确，可选：省总工会、市总工会、区/县总工会、街道/乡镇工会、基层工会、联合基层工会、部门、服务中心。"),
    ]
    text = response.content.decode()
    assert "统一社会信用代码应为18位。" in text
    assert not nodes().filter(name__startswith="东城甲").exists()


def test_import_a_wrong_file_type(tree, staff):
    upload = SimpleUploadedFile("orgs.pdf", b"%PDF-1.4", content_type="application/pdf")
    response = as_user(staff.d1_admin).post(reverse("orgs:import", args=[tree.d1.pk]), {"file": upload})
    assert response.status_code == 422
    assert response.context["import_errors"] == [(0, "只支持 .xlsx 或 .csv 文件。")]


def test_import_without_a_file(tree, staff):
    response = as_user(staff.d1_admin).post(reverse("orgs:import", args=[tree.d1.pk]), {})
    assert response.status_code == 422
    assert field_error_html(response, "file") == "这个字段是必填项。"


def test_import_cannot_hang_rows_under_another_district(tree, staff):
    from gonghui.orgs import services

    services.update_node(tree.d2, {"uscc": make_uscc(13)}, by=None)
    upload = csv_upload([["西城新厂工会", "基层工会", "", make_uscc(13)]])
    response = as_user(staff.d1_admin).post(reverse("orgs:import", args=[tree.d1.pk]), {"file": upload})
    assert response.status_code == 422
    assert response.context["import_errors"] == [(2, f"找不到上级组织（统一社会信用代码 {make_uscc(13)}）。")]
    assert not nodes().filter(name="西城新厂工会").exists()


def test_import_without_orgs_change_is_403(tree, staff):
    upload = csv_upload([["东城甲厂工会", "基层工会", "", ""]])
    response = as_user(staff.d1_manager).post(reverse("orgs:import", args=[tree.d1.pk]), {"file": upload})
    assert response.status_code == 403
    assert not nodes().filter(name="东城甲厂工会").exists()


def test_import_into_another_district_is_404(tree, staff):
    upload = csv_upload([["西城甲厂工会", "基层工会", "", ""]])
    response = as_user(staff.d1_admin).post(reverse("orgs:import", args=[tree.d2.pk]), {"file": upload})
    assert response.status_code == 404
    assert not nodes().filter(name="西城甲厂工会").exists()
