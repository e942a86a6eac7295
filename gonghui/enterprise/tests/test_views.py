"""Console pages: scope (404), permission (403), forms with Chinese errors, rows of problems, HTMX."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse

from gonghui.accounts.tests.factories import WorkerUserFactory
from gonghui.audit.models import AuditEntry
from gonghui.enterprise.models import Enterprise, Problem, Visit
from gonghui.enterprise.tests.factories import make_enterprise, make_uscc, make_visit
from gonghui.workflow import services as workflow

YESTERDAY = (datetime.date.today() - datetime.timedelta(days=1)).isoformat()


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def field_error(response, field: str) -> str:
    html = response.content.decode()
    match = re.search(rf'id="id_{re.escape(field)}-errors">(.*?)</div>', html, re.S)
    assert match, f"no error text for {field}"
    return match.group(1)


def visit_form(node, rows=(), total=3, **extra):
    data = {"visited_on": YESTERDAY, "node": node.pk, "other_participants": "", "met_with": "人事经理张伟",
            "notes": "", "problems-TOTAL_FORMS": str(total), "problems-INITIAL_FORMS": "0", **extra}
    for i, (kind, description) in enumerate(rows):
        data[f"problems-{i}-kind"] = kind
        data[f"problems-{i}-description"] = description
    return data


@pytest.fixture
def enterprises(tree):
    return {
        "d1": make_enterprise(tree.d1, name="东城机械有限公司", union=tree.g1, uscc=make_uscc(11), industry="C"),
        "d1_free": make_enterprise(tree.d1, name="东城小五金加工厂", industry="C"),
        "d2": make_enterprise(tree.d2, name="西城纺织有限公司", union=tree.g2),
    }


# ----- list -----

def test_list_shows_the_users_scope_with_counts(enterprises, staff, tree):
    make_visit(enterprises["d1"], problems=(("wages", "工资推迟"), ("safety", "通风不足")), by=staff.d1_manager)
    response = as_user(staff.d1_manager).get(reverse("enterprise:list"))
    assert response.status_code == 200
    rows = {e.name: e for e in response.context["object_list"]}
    assert set(rows) == {"东城机械有限公司", "东城小五金加工厂"}
    assert (rows["东城机械有限公司"].visit_count, rows["东城机械有限公司"].open_problem_count) == (1, 2)
    assert "西城纺织有限公司" not in response.content.decode()
    assert "登记企业" in response.content.decode()


def test_list_filters_and_htmx_partial(enterprises, staff):
    client = as_user(staff.city_admin)
    response = client.get(reverse("enterprise:list"), {"union": "no"})
    assert [e.name for e in response.context["object_list"]] == ["东城小五金加工厂"]
    response = client.get(reverse("enterprise:list"), {"q": make_uscc(11).lower()})
    assert [e.name for e in response.context["object_list"]] == ["东城机械有限公司"]
    response = client.get(reverse("enterprise:list"), {"q": "不存在"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html and "没有符合条件的企业" in html


def test_list_query_count_does_not_grow_with_rows(tree, staff, django_assert_max_num_queries):
    for i in range(25):
        enterprise = make_enterprise(tree.d1, name=f"东城企业{i:02d}", union=tree.g1 if i % 2 else None)
        if i % 3 == 0:
            make_visit(enterprise, by=staff.d1_manager)
    client = as_user(staff.d1_manager)
    client.get(reverse("enterprise:list"))  # warm the session
    # session, user, grants, count, rows (with both unions), visit counts, open problem counts (+1 slack)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("enterprise:list"), {"per_page": 100})
    assert len(response.context["object_list"]) == 25


def test_viewer_sees_the_list_but_no_create_button(enterprises, staff, tree):
    make_enterprise(tree.g1, name="机械厂本厂")
    response = as_user(staff.g1_viewer).get(reverse("enterprise:list"))
    assert [e.name for e in response.context["object_list"]] == ["机械厂本厂"]
    assert reverse("enterprise:create") not in response.content.decode()


def test_workers_and_outsiders(enterprises):
    worker = WorkerUserFactory()
    assert as_user(worker).get(reverse("enterprise:list")).status_code == 404
    assert Client().get(reverse("enterprise:list")).status_code == 302


# ----- enterprise page -----

def test_detail_shows_visits_and_problems_with_their_states(enterprises, staff):
    visit = make_visit(enterprises["d1"], problems=(("wages", "工资推迟发放"),), by=staff.d1_manager,
                       staff=[staff.d1_manager])
    case = visit.created_problems[0].case
    workflow.perform_transition(case, "start", by=staff.d1_manager, version=case.version)
    response = as_user(staff.d1_manager).get(reverse("enterprise:detail", args=[enterprises["d1"].pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "工资推迟发放" in html and "解决中" in html and case.number in html
    assert reverse("workflow:case", args=[case.pk]) in html
    assert reverse("enterprise:visit", args=[visit.pk]) in html
    assert reverse("enterprise:visit_create", args=[enterprises["d1"].pk]) in html


def test_another_districts_ids_are_404(enterprises, staff):
    visit = make_visit(enterprises["d2"], by=staff.d2_manager)
    client = as_user(staff.d1_admin)
    for url in (reverse("enterprise:detail", args=[enterprises["d2"].pk]),
                reverse("enterprise:edit", args=[enterprises["d2"].pk]),
                reverse("enterprise:visit_create", args=[enterprises["d2"].pk]),
                reverse("enterprise:visit", args=[visit.pk])):
        assert client.get(url).status_code == 404, url
    response = client.post(reverse("enterprise:visit_create", args=[enterprises["d2"].pk]),
                           visit_form(enterprises["d2"].node, rows=[("wages", "x")]))
    assert response.status_code == 404
    assert Visit.objects.unscoped().count() == 1


# ----- creating and editing an enterprise -----

def test_create_enterprise(tree, staff):
    client = as_user(staff.d1_admin)
    form = client.get(reverse("enterprise:create")).context["form"]
    assert set(form.fields["node"].queryset) == {tree.d1, tree.g1}  # only unions in the user's scope
    assert set(form.fields["union"].queryset) == {tree.g1}
    response = client.post(reverse("enterprise:create"), {
        "name": "东城精密有限公司", "uscc": make_uscc(21), "industry": "C", "employees": "150", "node": tree.d1.pk,
        "union": tree.g1.pk})
    enterprise = Enterprise.objects.unscoped().get(name="东城精密有限公司")
    assert response.status_code == 302 and response.url == reverse("enterprise:detail", args=[enterprise.pk])
    assert enterprise.union == tree.g1 and enterprise.created_by == staff.d1_admin
    assert AuditEntry.objects.unscoped().filter(event="enterprise.created", actor=staff.d1_admin).exists()


def test_create_form_errors_in_chinese(tree, staff):
    client = as_user(staff.d1_admin)
    response = client.post(reverse("enterprise:create"), {"name": "", "uscc": "91320100MA1", "node": tree.d1.pk})
    assert response.status_code == 422
    assert field_error(response, "name") == "请填写企业名称。"
    response = client.post(reverse("enterprise:create"), {"name": "某公司", "uscc": "91320100MA1", "node": tree.d1.pk})
    assert response.status_code == 422
    assert field_error(response, "uscc") == "统一社会信用代码应为18位。"
    response = client.post(reverse("enterprise:create"), {"name": "某公司", "node": tree.d2.pk})
    assert response.status_code == 422 and field_error(response, "node") == "只能选择您权限范围内的工会。"
    assert not Enterprise.objects.unscoped().exists()


def test_a_viewer_may_not_create_or_edit(enterprises, tree, staff):
    own = make_enterprise(tree.g1, name="机械厂本厂")
    client = as_user(staff.g1_viewer)
    assert client.get(reverse("enterprise:create")).status_code == 403
    assert client.post(reverse("enterprise:create"), {"name": "x", "node": tree.g1.pk}).status_code == 403
    assert client.get(reverse("enterprise:edit", args=[own.pk])).status_code == 403


def test_edit_enterprise(enterprises, tree, staff):
    enterprise = enterprises["d1_free"]
    client = as_user(staff.d1_admin)
    assert client.get(reverse("enterprise:edit", args=[enterprise.pk])).context["form"]["name"].value() == "东城小五金加工厂"
    response = client.post(reverse("enterprise:edit", args=[enterprise.pk]), {
        "name": "东城小五金加工厂", "node": tree.d1.pk, "union": tree.g1.pk, "employees": "60"})
    assert response.status_code == 302
    enterprise.refresh_from_db()
    assert enterprise.union == tree.g1 and enterprise.employees == 60
    assert AuditEntry.objects.unscoped().get(event="enterprise.changed").changes["employees"] == [None, 60]


# ----- recording a visit -----

def test_visit_form_offers_three_blank_problem_rows_and_the_right_unions(enterprises, tree, staff):
    response = as_user(staff.city_admin).get(reverse("enterprise:visit_create", args=[enterprises["d1"].pk]))
    assert response.status_code == 200
    assert len(response.context["formset"].forms) == 3
    form = response.context["form"]
    assert list(form.fields["node"].queryset) == [tree.d1, tree.city]
    assert form["node"].value() == tree.city.pk  # the user's own union
    district = as_user(staff.d1_manager).get(reverse("enterprise:visit_create", args=[enterprises["d1"].pk]))
    choices = set(district.context["form"].fields["staff"].queryset)
    assert {staff.d1_manager, staff.city_admin, staff.g1_handler} <= choices and staff.d2_manager not in choices


def test_record_a_visit_with_problems(enterprises, tree, staff):
    client = as_user(staff.d1_manager)
    data = visit_form(tree.d1, rows=[("wages", "三名职工工资推迟发放"), ("", ""), ("safety", "车间通风不足")],
                      staff=[staff.d1_manager.pk, staff.d1_admin.pk])
    response = client.post(reverse("enterprise:visit_create", args=[enterprises["d1"].pk]), data)
    visit = Visit.objects.unscoped().get()
    assert response.status_code == 302 and response.url == reverse("enterprise:visit", args=[visit.pk])
    assert set(visit.staff.all()) == {staff.d1_manager, staff.d1_admin} and visit.created_by == staff.d1_manager
    problems = Problem.objects.unscoped().filter(visit=visit).order_by("pk")
    assert [p.kind for p in problems] == ["wages", "safety"]
    page = client.get(response.url)
    html = page.content.decode()
    assert "已登记走访，并建立2个企业难题。" in html
    assert "三名职工工资推迟发放" in html and "待处理" in html
    for p in problems:
        assert reverse("workflow:case", args=[p.pk]) in html
    # The engine's case page opens for it, with the enterprise and the visit.
    case_page = client.get(reverse("workflow:case", args=[problems[0].pk]))
    assert case_page.status_code == 200
    html = case_page.content.decode()
    assert "企业和问题" in html and reverse("enterprise:visit", args=[visit.pk]) in html
    assert reverse("enterprise:detail", args=[enterprises["d1"].pk]) in html


def test_a_viewer_trying_to_record_a_visit_gets_403(tree, staff):
    own = make_enterprise(tree.g1, name="机械厂本厂")
    client = as_user(staff.g1_viewer)
    assert client.get(reverse("enterprise:visit_create", args=[own.pk])).status_code == 403
    response = client.post(reverse("enterprise:visit_create", args=[own.pk]),
                           visit_form(tree.g1, rows=[("wages", "x")], other_participants="走访组"))
    assert response.status_code == 403
    assert not Visit.objects.unscoped().exists()
    page = as_user(staff.g1_viewer).get(reverse("enterprise:detail", args=[own.pk])).content.decode()
    assert reverse("enterprise:visit_create", args=[own.pk]) not in page


def test_visit_form_errors_in_chinese(enterprises, tree, staff):
    client = as_user(staff.d1_manager)
    url = reverse("enterprise:visit_create", args=[enterprises["d1"].pk])
    tomorrow = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()
    response = client.post(url, visit_form(tree.d1, rows=[("wages", ""), ("", "没选类别")], visited_on=tomorrow))
    assert response.status_code == 422
    assert field_error(response, "problems-0-description") == "请填写问题描述。"
    assert field_error(response, "problems-1-kind") == "请选择问题类别。"
    html = response.content.decode()
    assert "没选类别" in html  # what was typed stays
    # Field errors from the service once the rows are right.
    response = client.post(url, visit_form(tree.d1, rows=[("wages", "工资")], visited_on=tomorrow))
    assert response.status_code == 422
    assert field_error(response, "visited_on") == "走访日期不能晚于今天。"
    assert "请选择走访人员" in response.content.decode()
    assert not Visit.objects.unscoped().exists()


def test_more_rows_keeps_what_was_typed(enterprises, tree, staff):
    client = as_user(staff.d1_manager)
    url = reverse("enterprise:visit_create", args=[enterprises["d1"].pk])
    data = visit_form(tree.d1, rows=[("wages", "工资推迟"), ("", ""), ("safety", "通风不足")],
                      staff=[staff.d1_admin.pk], notes="座谈", more_rows="1")
    response = client.post(url, data)
    assert response.status_code == 200 and not Visit.objects.unscoped().exists()
    formset = response.context["formset"]
    assert len(formset.forms) == 6  # the two filled rows, then four blank ones
    assert [f["description"].value() for f in formset.forms[:2]] == ["工资推迟", "通风不足"]
    html = response.content.decode()
    assert "座谈" in html and 'is-invalid' not in html
    assert f'value="{staff.d1_admin.pk}" id="id_staff_' in html and "checked" in html
    # The re-rendered form saves as usual.
    data = visit_form(tree.d1, rows=[("wages", "工资推迟"), ("safety", "通风不足"), ("", ""), ("other", "通勤")],
                      total=6, staff=[staff.d1_admin.pk])
    data["problems-INITIAL_FORMS"] = "2"
    assert client.post(url, data).status_code == 302
    assert Problem.objects.unscoped().count() == 3


# ----- problems list -----

def test_problems_list_with_state_counts(enterprises, staff):
    visit = make_visit(enterprises["d1"], problems=(("wages", "工资推迟"), ("safety", "通风不足"), ("other", "通勤")),
                       by=staff.d1_manager)
    make_visit(enterprises["d2"], problems=(("wages", "西城的问题"),), by=staff.d2_manager)
    first = visit.created_problems[0].case
    workflow.perform_transition(first, "start", by=staff.d1_manager, version=first.version)
    client = as_user(staff.d1_manager)
    response = client.get(reverse("enterprise:problems"))
    assert response.status_code == 200
    tabs = {value: n for value, _label, n in response.context["state_tabs"]}
    assert tabs == {"": 3, "open": 3, "recorded": 2, "in_progress": 1, "solved": 0, "unsolvable": 0}
    assert "西城的问题" not in response.content.decode()
    response = client.get(reverse("enterprise:problems"), {"state": "in_progress"})
    assert [p.pk for p in response.context["object_list"]] == [first.pk]
    response = client.get(reverse("enterprise:problems"), {"kind": "safety"})
    assert [p.description for p in response.context["object_list"]] == ["通风不足"]
    tabs = {value: n for value, _label, n in response.context["state_tabs"]}
    assert tabs[""] == 1  # counts follow the other filters
    response = client.get(reverse("enterprise:problems"), {"q": "通勤"}, HTTP_HX_REQUEST="true")
    assert "<html" not in response.content.decode() and "通勤" in response.content.decode()
