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


# ================= the list: filters, sorting, HTMX =================

import datetime  # noqa: E402

from gonghui.accounts.tests.factories import WorkerUserFactory  # noqa: E402
from gonghui.members import transfers  # noqa: E402
from gonghui.members.models import Membership, Transfer, Worker  # noqa: E402
from gonghui.orgs.tests.factories import UnionNodeFactory  # noqa: E402


def rows(response):
    return [m.worker.name for m in response.context["object_list"]]


@pytest.fixture
def crowd(tree):
    """Five members of g1 with different profiles, joined on different days."""
    people = [("张三", "M", True, "rural", "junior", datetime.date(2015, 3, 1)),
              ("赵四", "M", False, "urban", "bachelor", datetime.date(2018, 6, 1)),
              ("李思", "F", True, "rural", "senior", datetime.date(2021, 1, 5)),
              ("王芳", "F", False, "urban", "college", datetime.date(2012, 9, 9)),
              ("艾米", "F", False, "urban", "postgraduate", datetime.date(2023, 2, 2))]
    made = {}
    for n, (name, gender, migrant, household, education, joined) in enumerate(people):
        rng = random.Random(1000 + n)
        while True:  # an ID number whose 17th digit says the wanted gender
            id_number = fake_id_number(rng)
            if (int(id_number[16]) % 2 == 1) == (gender == "M"):
                break
        worker = services.register_worker(name=name, id_number=id_number, migrant_worker=migrant,
                                          household_type=household, education=education, by=None)
        made[name] = services.enrol(worker, tree.g1, joined_on=joined, by=None)
    return made


@pytest.mark.parametrize("params, expected", [
    ({"q": "zs"}, ["张三", "赵四"]),
    ({"q": "zs", "sort": "-pinyin"}, ["赵四", "张三"]),
    ({"q": "zs", "sort": "-joined"}, ["赵四", "张三"]),
    ({"q": "z", "sort": "pinyin"}, ["张三", "赵四"]),
    ({"q": "zhang"}, ["张三"]),
    ({"q": "李"}, ["李思"]),
    ({"gender": "F", "sort": "pinyin"}, ["艾米", "李思", "王芳"]),
    ({"migrant": "1", "sort": "pinyin"}, ["李思", "张三"]),
    ({"household": "urban", "sort": "pinyin"}, ["艾米", "王芳", "赵四"]),
    ({"education": "postgraduate"}, ["艾米"]),
    ({"sort": "pinyin"}, ["艾米", "李思", "王芳", "张三", "赵四"]),
    ({"sort": "-pinyin"}, ["赵四", "张三", "王芳", "李思", "艾米"]),
    ({"sort": "-joined"}, ["艾米", "李思", "赵四", "张三", "王芳"]),
    ({"sort": "joined"}, ["王芳", "张三", "赵四", "李思", "艾米"]),
])
@pytest.mark.parametrize("large", [False, True], ids=["small subtree", "city-scale plan"])
def test_list_filters_and_sorting(crowd, staff, params, expected, large, monkeypatch):
    from gonghui.members import records_listing

    if large:  # every subtree counts as large: the plan reads through the other indexes
        monkeypatch.setattr(records_listing, "LARGE", 1)
    response = as_user(staff.d1_manager).get(reverse("members:list"), params)
    assert response.context["view"].plan.large is large
    assert rows(response) == expected
    assert response.context["paginator"].count == len(expected)


def test_list_filters_by_status_and_union(crowd, tree, staff):
    services.change_status(crowd["王芳"], "retire", by=staff.g1_handler)
    other = UnionNodeFactory(parent=tree.d1)
    services.enrol(services.register_worker(name="孙七", id_number=ID_G2, by=None), other, by=None)
    client = as_user(staff.d1_manager)
    url = reverse("members:list")
    assert rows(client.get(url, {"status": "retired_retained"})) == ["王芳"]
    assert sorted(rows(client.get(url, {"status": "current"}))) == sorted([*crowd, "孙七"])
    assert rows(client.get(url, {"union": other.pk})) == ["孙七"]
    assert sorted(rows(client.get(url, {"union": tree.d1.pk}))) == sorted([*crowd, "孙七"])
    # A union outside the user's scope shows nothing rather than its members.
    assert rows(client.get(url, {"union": tree.g2.pk})) == []


def test_list_finds_a_full_id_number_and_a_mobile(crowd, staff):
    client = as_user(staff.d1_manager)
    full = crowd["李思"].worker.full_id_number()
    assert rows(client.get(reverse("members:list"), {"q": full})) == ["李思"]
    Worker.objects.unscoped().filter(pk=crowd["赵四"].worker_id).update(mobile="13955556666")
    assert rows(client.get(reverse("members:list"), {"q": "13955556666"})) == ["赵四"]
    response = client.get(reverse("members:list"), {"q": full[:-1] + ("0" if full[-1] != "0" else "1")})
    assert rows(response) == [] and "没有找到这个身份证号" in response.content.decode()


def test_list_htmx_filtering_returns_the_filtered_table(crowd, staff):
    response = as_user(staff.d1_manager).get(reverse("members:list"), {"q": "zs", "sort": "pinyin"},
                                             HTTP_HX_REQUEST="true")
    assert response.templates[0].name == "members/_table.html"
    text = response.content.decode()
    assert "张三" in text and "赵四" in text and "王芳" not in text and "<html" not in text
    assert "共 2 条" in text
    # The export links outside the table follow the new filters (swapped out of band).
    assert 'id="list-actions" hx-swap-oob="true"' in text
    assert f'{reverse("members:export")}?q=zs&amp;sort=pinyin&amp;format=xlsx' in text


def test_list_shows_masked_id_numbers_only(crowd, staff):
    text = as_user(staff.city_admin).get(reverse("members:list")).content.decode()
    for m in crowd.values():
        assert m.worker.id_number_masked in text
        assert m.worker.full_id_number() not in text


def test_list_is_paginated_with_filters_kept(crowd, staff):
    response = as_user(staff.d1_manager).get(reverse("members:list"), {"per_page": "20", "sort": "pinyin"})
    assert response.context["paginator"].count == 5
    assert response.context["page_obj"].paginator.per_page == 20


@pytest.mark.parametrize("large", [False, True], ids=["small subtree", "city-scale plan"])
def test_list_counts_are_capped_at_city_scale(crowd, staff, monkeypatch, large):
    from gonghui.members import records_listing

    monkeypatch.setattr(records_listing, "SEARCH_COUNT_CAP", 1)
    if large:
        monkeypatch.setattr(records_listing, "LARGE", 1)
    response = as_user(staff.d1_manager).get(reverse("members:list"), {"q": "zs"})
    assert response.context["paginator"].capped is True
    assert "超过 1 条，请缩小查找范围" in response.content.decode()


def test_list_needs_members_view(db, tree):
    from gonghui.accounts.tests.factories import StaffFactory

    assert as_user(StaffFactory()).get(reverse("members:list")).status_code == 403
    assert as_user(WorkerUserFactory()).get(reverse("members:list")).status_code == 404


# ================= the record page =================

def test_record_page_shows_history_services_and_transfers(crowd, tree, staff):
    from gonghui.ledger.services import record_service

    m = crowd["张三"]
    services.change_status(m, "retire", on=datetime.date(2024, 1, 2), reason="到龄退休", by=staff.g1_handler)
    record_service(worker=m.worker, kind="hardship", app="hardship", source=m, title="春节送温暖慰问",
                   delivering_union=tree.d1, amount="500.00", delivered_on=datetime.date(2024, 2, 1))
    response = as_user(staff.d1_manager).get(reverse("members:detail", args=[m.pk]))
    text = response.content.decode()
    assert response.status_code == 200
    assert [h["what"] for h in response.context["history"]] == ["退休保留会籍", "入会"]
    assert "到龄退休" in text and "春节送温暖慰问" in text and "¥500.00" in text and "东城区总工会" in text
    assert m.worker.full_id_number() not in text


def test_record_page_lists_the_persons_transfer_and_both_memberships(crowd, tree, staff):
    from gonghui.workflow.services import perform_transition

    m = crowd["赵四"]
    t = transfers.start_transfer(m, tree.g2, reason="调动", by=staff.g1_handler)
    case = perform_transition(t.case, "release", by=staff.g1_handler, version=t.case.version)
    perform_transition(case, "accept", by=staff.d2_manager, version=case.version)
    new = Transfer.objects.unscoped().get(pk=t.pk).new_membership
    # The old union still sees the old record, with the transfer (no link: the case is the new union's now).
    response = as_user(staff.d1_manager).get(reverse("members:detail", args=[m.pk]))
    assert [h["what"] for h in response.context["history"]] == ["转出", "入会"]
    assert response.context["transfers"][0].may_open_case is False
    # The new union sees the new record and the transfer in.
    response = as_user(staff.d2_manager).get(reverse("members:detail", args=[new.pk]))
    assert [h["kind"] for h in response.context["history"]] == ["transferred_in"]
    assert response.context["transfers"][0].may_open_case is True
    assert "东城机械厂工会 → 西城纺织厂工会" in response.content.decode()


def test_record_page_actions_follow_permissions(crowd, staff):
    url = reverse("members:detail", args=[crowd["张三"].pk])
    ctx = as_user(staff.g1_handler).get(url).context
    assert (ctx["may_change"], ctx["may_transfer"]) == (True, True)
    ctx = as_user(staff.g1_viewer).get(url).context
    assert (ctx["may_change"], ctx["may_transfer"]) == (False, False)


# ================= register, edit, status =================

def register_data(tree, **overrides):
    data = {"name": "周八", "id_number": ID_G1, "mobile": "13912340000", "ethnicity": "汉族", "education": "college",
            "household_type": "rural", "migrant_worker": "on", "employer": "东城机械厂", "union": tree.g1.pk,
            "joined_on": "2024-03-01", "gender": "", "birth_date": ""}
    data.update(overrides)
    return data


def test_register_form_creates_a_member(tree, staff):
    client = as_user(staff.g1_handler)
    assert client.get(reverse("members:register")).status_code == 200
    response = client.post(reverse("members:register"), register_data(tree))
    m = Membership.objects.unscoped().get()
    assert response.status_code == 302 and response["Location"] == m.get_absolute_url()
    assert (m.worker.name, m.union, m.joined_on, m.worker.migrant_worker, m.worker.ethnicity) == \
        ("周八", tree.g1, datetime.date(2024, 3, 1), True, "汉族")


def test_register_form_double_submit_creates_one_member(tree, staff):
    client = as_user(staff.g1_handler)
    first = client.post(reverse("members:register"), register_data(tree))
    second = client.post(reverse("members:register"), register_data(tree), follow=True)
    assert Worker.objects.unscoped().count() == 1 and Membership.objects.unscoped().count() == 1
    assert second.redirect_chain[-1][0] == first["Location"]
    assert "该会员刚刚已登记成功，未重复登记。" in second.content.decode()


def _errors(response):
    return {k: list(v) for k, v in response.context["form"].errors.items()}


@pytest.mark.parametrize("overrides, field, message", [
    ({"id_number": ID_G1[:17] + ("0" if ID_G1[17] != "0" else "1")}, "id_number", "身份证号第18位校验码不正确，请核对。"),
    ({"id_number": "12345"}, "id_number", "身份证号应为18位，请核对。"),
    ({"mobile": "+14155550100"}, "mobile", "手机号码不正确，请输入中国大陆11位手机号码。"),
    ({"name": ""}, "name", "请填写姓名。"),
    ({"joined_on": "2999-01-01"}, "joined_on", "入会日期不能晚于今天。"),
])
def test_register_form_bad_input(tree, staff, overrides, field, message):
    response = as_user(staff.g1_handler).post(reverse("members:register"), register_data(tree, **overrides))
    assert response.status_code == 422
    assert message in _errors(response)[field]
    assert message in response.content.decode()
    assert not Worker.objects.unscoped().exists()


def test_register_form_gender_and_birth_date_must_match_the_id(tree, staff):
    id_gender = "M" if int(ID_G1[16]) % 2 else "F"
    born = datetime.date(int(ID_G1[6:10]), int(ID_G1[10:12]), int(ID_G1[12:14]))
    response = as_user(staff.g1_handler).post(reverse("members:register"), register_data(
        tree, gender="F" if id_gender == "M" else "M", birth_date=(born + datetime.timedelta(days=40)).isoformat()))
    errors = _errors(response)
    assert errors["gender"][0].startswith("性别与身份证号不符")
    assert errors["birth_date"][0].startswith("出生日期与身份证号不符")
    assert not Worker.objects.unscoped().exists()


def test_register_form_refuses_an_active_member_elsewhere(tree, staff):
    services.register_and_enrol(union=tree.g2, name="周八", id_number=ID_G1, by=staff.d2_manager)
    response = as_user(staff.g1_handler).post(reverse("members:register"), register_data(tree))
    assert response.status_code == 422
    assert _errors(response)["id_number"][0].startswith("该职工已是其他基层工会的在册会员")
    assert Membership.objects.unscoped().count() == 1


def test_register_form_offers_only_unions_in_scope(tree, staff):
    form = as_user(staff.d1_manager).get(reverse("members:register")).context["form"]
    assert [pk for pk, _label in form.fields["union"].choices if pk] == [tree.g1.pk]
    response = as_user(staff.d1_manager).post(reverse("members:register"), register_data(tree, union=tree.g2.pk))
    assert _errors(response)["union"] == ["请从列表中选择您管理的基层工会。"]
    assert not Worker.objects.unscoped().exists()


def test_register_needs_members_change(tree, staff):
    assert as_user(staff.g1_viewer).get(reverse("members:register")).status_code == 403
    assert as_user(staff.g1_viewer).post(reverse("members:register"), register_data(tree)).status_code == 403


def test_edit_form(crowd, staff):
    m = crowd["张三"]
    client = as_user(staff.g1_handler)
    assert client.get(reverse("members:edit", args=[m.pk])).status_code == 200
    response = client.post(reverse("members:edit", args=[m.pk]), {
        "name": "张叁", "mobile": "13911112222", "ethnicity": "满族", "education": "senior",
        "household_type": "urban", "employer": "新单位", "joined_on": "2015-03-01", "id_number": ""})
    assert response.status_code == 302
    m = Membership.objects.unscoped().select_related("worker").get(pk=m.pk)
    assert (m.worker.name, m.worker.mobile, m.worker.ethnicity, m.worker.migrant_worker, m.sort_name) == \
        ("张叁", "13911112222", "满族", False, "zhangsan")


def test_edit_form_bad_phone(crowd, staff):
    m = crowd["张三"]
    response = as_user(staff.g1_handler).post(reverse("members:edit", args=[m.pk]), {
        "name": "张三", "mobile": "12345", "joined_on": "2015-03-01"})
    assert response.status_code == 422
    assert _errors(response)["mobile"] == ["手机号码不正确，请输入中国大陆11位手机号码。"]


def test_edit_and_status_need_members_change(crowd, staff):
    m = crowd["张三"]
    for name in ("members:edit", "members:status", "members:transfer"):
        assert as_user(staff.g1_viewer).get(reverse(name, args=[m.pk])).status_code == 403


def test_status_form(crowd, staff):
    m = crowd["王芳"]
    client = as_user(staff.g1_handler)
    form = client.get(reverse("members:status", args=[m.pk])).context["form"]
    assert [k for k, _label in form.fields["kind"].choices] == ["retire", "leave", "death"]
    response = client.post(reverse("members:status", args=[m.pk]), {"kind": "leave", "on": "2024-05-01", "reason": ""})
    assert response.status_code == 422 and _errors(response)["reason"] == ["请填写变更原因。"]
    response = client.post(reverse("members:status", args=[m.pk]),
                           {"kind": "leave", "on": "2024-05-01", "reason": "调离本市"})
    assert response.status_code == 302
    assert Membership.objects.unscoped().get(pk=m.pk).status == "left"


# ================= transfers: console and portal =================

def test_console_start_transfer_with_a_union_search(crowd, tree, staff):
    m = crowd["张三"]
    client = as_user(staff.g1_handler)
    page = client.get(reverse("members:transfer", args=[m.pk]), {"q": "西城"})
    assert [u.pk for u in page.context["results"]] == [tree.g2.pk]
    response = client.post(reverse("members:transfer", args=[m.pk]), {"to_union": "", "reason": "", "q": "西城"})
    assert response.status_code == 422
    assert _errors(response) == {"to_union": ["请先查找并选择要转入的基层工会。"],
                                 "reason": ["请填写转会原因，例如“调动到新单位工作”。"]}
    response = client.post(reverse("members:transfer", args=[m.pk]), {"to_union": tree.g2.pk, "reason": "调动"})
    t = Transfer.objects.unscoped().get()
    assert response.status_code == 302 and response["Location"] == reverse("workflow:case", args=[t.pk])
    case_page = client.get(response["Location"])
    assert "西城纺织厂工会" in case_page.content.decode() and "同意转出" in case_page.content.decode()


def test_transfer_list_shows_transfers_in_and_out(crowd, tree, staff):
    t = transfers.start_transfer(crowd["张三"], tree.g2, reason="调动", by=staff.g1_handler)
    for user in (staff.d1_manager, staff.d2_manager):
        response = as_user(user).get(reverse("members:transfers"))
        assert [x.pk for x in response.context["object_list"]] == [t.pk]
    response = as_user(staff.d2_manager).get(reverse("members:transfers"), {"direction": "out"})
    assert list(response.context["object_list"]) == []
    response = as_user(staff.d2_manager).get(reverse("members:transfers"), {"direction": "in", "state": "open"})
    assert [x.pk for x in response.context["object_list"]] == [t.pk]
    # Not yet their member: the new union gets no link to the old union's record.
    assert response.context["object_list"][0].member_url == ""
    assert as_user(staff.d1_manager).get(reverse("members:transfers")).context["object_list"][0].member_url == \
        crowd["张三"].get_absolute_url()


def test_transfer_list_links_the_new_union_to_its_new_member(crowd, tree, staff):
    from gonghui.workflow.services import perform_transition

    t = transfers.start_transfer(crowd["张三"], tree.g2, reason="调动", by=staff.g1_handler)
    case = perform_transition(t.case, "release", by=staff.g1_handler, version=t.case.version)
    perform_transition(case, "accept", by=staff.d2_manager, version=case.version)
    new = Transfer.objects.unscoped().get(pk=t.pk).new_membership
    row = as_user(staff.d2_manager).get(reverse("members:transfers")).context["object_list"][0]
    assert row.member_url == new.get_absolute_url()
    assert as_user(staff.d2_manager).get(row.member_url).status_code == 200


@pytest.fixture
def worker_member(tree):
    user = WorkerUserFactory()
    worker = services.register_worker(name="孙悟", id_number=ID_G2, mobile=user.phone, by=None)
    worker.user = user
    worker.save(update_fields=["user"])
    return services.enrol(worker, tree.g1, by=None)


def test_portal_transfer_page(worker_member, tree):
    client = as_user(worker_member.worker.user)
    page = client.get(reverse("my_union:transfer"), {"q": "xcfz"})  # 西城纺织厂 by pinyin initials
    assert page.status_code == 200
    assert [u.pk for u in page.context["results"]] == [tree.g2.pk]
    response = client.post(reverse("my_union:transfer"), {"to_union": tree.g2.pk, "reason": "换工作了", "q": "xcfz"})
    t = Transfer.objects.unscoped().get()
    assert response.status_code == 302 and response["Location"] == reverse("workflow:portal_case", args=[t.pk])
    assert t.case.applicant == worker_member.worker.user
    page = client.get(reverse("my_union:transfer"))
    assert page.context["pending"] == t and "查看办理进度" in page.content.decode()
    portal_case = client.get(response["Location"])
    assert "原工会审核中" in portal_case.content.decode() and "西城纺织厂工会" in portal_case.content.decode()


def test_portal_transfer_page_for_a_non_member(db):
    response = as_user(WorkerUserFactory()).get(reverse("my_union:transfer"))
    assert response.status_code == 200 and "您还不是在册会员" in response.content.decode()


def test_portal_transfer_page_is_for_workers(staff):
    assert as_user(staff.d1_manager).get(reverse("my_union:transfer")).status_code == 404


def test_register_form_shows_every_mistake_at_once(tree, staff):
    response = as_user(staff.g1_handler).post(reverse("members:register"), register_data(
        tree, id_number=ID_G1[:17] + ("0" if ID_G1[17] != "0" else "1"), mobile="+14155550100", union=""))
    errors = _errors(response)
    assert errors["id_number"] == ["身份证号第18位校验码不正确，请核对。"]
    assert errors["mobile"] == ["手机号码不正确，请输入中国大陆11位手机号码。"]
    assert errors["union"] == ["请选择基层工会。"]


def test_date_inputs_show_their_dates(crowd, staff):
    client = as_user(staff.g1_handler)
    m = crowd["张三"]
    assert 'value="2015-03-01"' in client.get(reverse("members:edit", args=[m.pk])).content.decode()
    today = datetime.date.today().isoformat()
    assert f'value="{today}"' in client.get(reverse("members:status", args=[m.pk])).content.decode()
