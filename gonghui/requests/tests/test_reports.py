import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from gonghui.core.spreadsheet import safe_cell
from gonghui.requests import reports
from gonghui.requests.models import Category, Request
from gonghui.requests.tests.factories import member_user, submit
from gonghui.workflow import services as workflow
from gonghui.workflow.models import Case

pytestmark = pytest.mark.django_db


def close(req, by, rating=None, worker=None):
    case = Case.objects.unscoped().get(pk=req.pk)
    case = workflow.perform_transition(case, "accept", by=by, version=case.version)
    case = workflow.perform_transition(case, "close", by=by, version=case.version, data={"note": "已解决"})
    if rating:
        workflow.perform_transition(case, "rate", by=worker, version=case.version, data={"rating": str(rating)})


def test_figures_count_unanswered_invitations_as_not_rated(member, staff, tree):
    close(submit(member), staff.g1_handler, rating=5, worker=member)
    close(submit(member, code="wages"), staff.g1_handler, rating=3, worker=member)
    close(submit(member, code="legal"), staff.g1_handler)  # invited, never answered
    expired = submit(member, code="hardship")
    close(expired, staff.g1_handler)
    Request.objects.unscoped().filter(pk=expired.pk).update(
        rating_invited_at=timezone.now() - datetime.timedelta(days=30))
    submit(member, code="other")  # still open
    report = reports.build(staff.d1_manager, {})
    assert (report.total, report.closed, report.open) == (5, 4, 1)
    assert (report.invited, report.rated, report.not_rated) == (4, 2, 2)
    assert report.satisfied == 1 and report.satisfaction_rate == 50.0  # 1 of 2 rated; the silent are not satisfied
    assert report.on_time_rate == 100.0 and report.avg_days_to_close is not None
    assert dict((label, n) for _id, label, n in report.by_category)["工资与欠薪"] == 1
    assert report.by_union == [(tree.g1.pk, tree.g1.name, 5)]
    assert report.by_month[-1] == (f"{timezone.localdate():%Y-%m}", 5)


def test_late_closing_lowers_the_on_time_share(member, staff):
    on_time, late = submit(member), submit(member, code="wages")
    close(on_time, staff.g1_handler)
    case = Case.objects.unscoped().get(pk=late.pk)
    case = workflow.perform_transition(case, "accept", by=staff.g1_handler, version=1)
    Request.objects.unscoped().filter(pk=late.pk).update(
        handling_due_at=timezone.now() - datetime.timedelta(days=1))
    workflow.perform_transition(case, "close", by=staff.g1_handler, version=case.version, data={"note": "晚了"})
    report = reports.build(staff.d1_manager, {})
    assert (report.closed, report.closed_on_time, report.on_time_rate) == (2, 1, 50.0)


def test_the_report_and_the_export_are_scoped(member, staff, tree):
    submit(member)
    submit(member_user(tree.g2))
    d1 = reports.build(staff.d1_admin, {})
    assert d1.total == 1 and [row[1] for row in d1.by_union] == [tree.g1.name]
    city = reports.build(staff.city_admin, {})
    assert city.total == 2 and {row[1] for row in city.by_union} == {tree.d1.name, tree.d2.name}
    client = Client()
    client.force_login(staff.d1_admin)
    response = client.get(reverse("requests:export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    from io import BytesIO

    book = load_workbook(BytesIO(response.content))
    summary = {row[0]: row[1] for row in book["概况"].iter_rows(values_only=True)}
    assert summary["诉求总数"] == 1
    unions = [row[0] for row in book["按工会"].iter_rows(min_row=2, values_only=True)]
    assert unions == [tree.g1.name]


def test_export_neutralises_formulas(member, staff):
    evil = Category.objects.create(code="evil", name="=HYPERLINK(\"http://x\",\"点我\")", order=1)
    submit(member, code="evil")
    content = reports.to_xlsx(reports.build(staff.d1_manager, {}))
    from io import BytesIO

    book = load_workbook(BytesIO(content))
    labels = [row[0] for row in book["按类别"].iter_rows(min_row=2, values_only=True)]
    assert labels == ["'" + evil.name]
    assert safe_cell("+1") == "'+1" and safe_cell("-1") == "'-1" and safe_cell("@x") == "'@x"
    assert safe_cell(5) == 5 and safe_cell("工资") == "工资"


def test_the_report_page_draws_charts_with_a_table(member, staff):
    submit(member, code="wages")
    client = Client()
    client.force_login(staff.d1_manager)
    html = client.get(reverse("requests:reports")).content.decode()
    assert "vendor/echarts/echarts.min.js" in html and 'id="chart-category"' in html
    assert "表格视图" in html and "工资与欠薪" in html and "chart-data" in html
