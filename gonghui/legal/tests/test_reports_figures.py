"""The legal-aid figures: each counted by its own date; by matter, union, month and lawyer; the page,
the .xlsx export and the API."""

import datetime
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from gonghui.audit.models import AuditEntry
from gonghui.legal import figures
from gonghui.legal.models import Consultation, LegalCase
from gonghui.legal.tests.factories import make_legal_case, set_state
from gonghui.legal.tests.scope_cases_reports import assign, make_lawyer
from gonghui.orgs.tests.factories import UnionNodeFactory

Y = 2026
D = datetime.date


def _all():
    return LegalCase.objects.unscoped(), Consultation.objects.unscoped()


@pytest.fixture
def data(tree):
    g2b = UnionNodeFactory(name="西城电子厂工会", parent=tree.d2)
    # Applied in March, approved in April, closed in June by the lawyer: recovered 10,000 for 4 workers.
    a = make_legal_case(tree.g2, state="in_progress", submitted_on=D(Y, 3, 5), amount_claimed=Decimal("20000"),
                        workers_involved=4)
    lawyer = make_lawyer(a, name="赵律师")
    assign(a, lawyer)
    a.decided_on = D(Y, 4, 1)
    a.closed_on = D(Y, 6, 30)
    a.outcome = "settled"
    a.workers_covered = 4
    a.amount_awarded = Decimal("18000")
    a.amount_recovered = Decimal("10000")
    a.rating = 4
    a.save()
    set_state(a, "closed")
    # A work-injury case of another union: applied in March, approved in March, still open with the lawyer.
    b = make_legal_case(g2b, matter="work_injury", state="in_progress", submitted_on=D(Y, 3, 20),
                        amount_claimed=Decimal("50000"))
    b.decided_on = D(Y, 3, 25)
    b.save()
    assign(b, lawyer)
    # Refused: an application, not an approval.
    c = make_legal_case(tree.g2, state="rejected", submitted_on=D(Y, 5, 2), amount_claimed=Decimal("3000"))
    c.decided_on = D(Y, 5, 3)
    c.save()
    # Applied the year before, closed this year: counts as closed this year only.
    d = make_legal_case(tree.g2, state="closed", submitted_on=D(Y - 1, 11, 2), amount_claimed=Decimal("7000"))
    d.decided_on = D(Y - 1, 11, 5)
    d.closed_on = D(Y, 1, 10)
    d.workers_covered = 1
    d.amount_recovered = Decimal("7000")
    d.save()
    return {"a": a, "b": b, "c": c, "d": d, "lawyer": lawyer, "g2b": g2b}


@pytest.mark.django_db
def test_each_figure_counts_by_its_own_date(tree, data):
    report = figures.report(*_all(), Y)
    t = report["total"]
    assert t["applications"] == 3 and t["claimed"] == Decimal("73000") and t["involved"] == 6
    assert t["approved"] == 2  # a and b; c was refused, d was decided last year
    assert t["closed"] == 2 and t["covered"] == 5
    assert t["recovered"] == Decimal("17000") and t["awarded"] == Decimal("18000")
    last = figures.report(*_all(), Y - 1)["total"]
    assert last["applications"] == 1 and last["approved"] == 1 and last["closed"] == 0


@pytest.mark.django_db
def test_by_matter_month_union_and_lawyer(tree, data):
    report = figures.report(*_all(), Y)
    matter = {r["key"]: r for r in report["by_matter"]}
    assert matter["wages"]["applications"] == 2 and matter["work_injury"]["applications"] == 1
    assert matter["wages"]["closed"] == 2 and matter["work_injury"]["closed"] == 0
    assert len(report["by_matter"]) == 7  # every matter shown, even with nothing
    month = {r["month"]: r for r in report["by_month"]}
    assert month[3]["applications"] == 2 and month[3]["approved"] == 1 and month[4]["approved"] == 1
    assert month[6]["closed"] == 1 and month[6]["recovered"] == Decimal("10000") and month[1]["closed"] == 1
    assert [r["name"] for r in report["by_unit"]] == [tree.d2.name]  # the districts
    lawyers = {r["name"]: r for r in report["by_lawyer"]}
    assert lawyers["赵律师"]["closed"] == 1 and lawyers["赵律师"]["open"] == 1
    assert lawyers["赵律师"]["rating"] == 4.0 and lawyers["赵律师"]["recovered"] == Decimal("10000")
    # One district: the rows are its unions.
    one = figures.report(*_all(), Y, district=tree.d2)
    assert one["unit"] == "union"
    assert {r["name"] for r in one["by_unit"]} == {tree.g2.name, data["g2b"].name}


@pytest.mark.django_db
def test_xlsx_export_holds_every_breakdown(tree, data):
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(figures.to_xlsx(figures.report(*_all(), Y))))
    assert book.sheetnames == ["概况", "按争议事项", "按区（县）", "按月份", "按律师"]
    summary = {row[0]: row[1] for row in book["概况"].iter_rows(values_only=True)}
    assert summary["申请件数"] == 3 and summary["追回金额（元）"] == 17000
    matter = {row[0]: row for row in book["按争议事项"].iter_rows(values_only=True)}
    assert matter["工资报酬（欠薪）"][1] == 2
    lawyer_rows = list(book["按律师"].iter_rows(values_only=True))
    assert lawyer_rows[1][0].startswith("赵律师")


@pytest.mark.django_db
def test_figures_page_export_and_api_for_the_centre(tree, staff, data):
    client = Client()
    client.force_login(staff.d2_manager)
    response = client.get(reverse("legal:figures"), {"year": Y})
    assert response.status_code == 200
    body = response.content.decode()
    assert "法律援助统计" in body and "赵律师" in body and "chart-month" in body and "echarts" in body
    # Bad year: the current year, not an error; an unknown district: 404.
    assert client.get(reverse("legal:figures"), {"year": "abc"}).status_code == 200
    assert client.get(reverse("legal:figures"), {"district": tree.d1.pk}).status_code == 404
    before = AuditEntry.objects.unscoped().count()
    response = client.get(reverse("legal:figures_export"), {"year": Y, "district": tree.d2.pk})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AuditEntry.objects.unscoped().count() == before + 1
    api = client.get("/api/v1/legal/figures", {"year": Y}).json()
    assert api["total"]["applications"] == 3 and api["unit"] == "district"
    assert client.get("/api/v1/legal/figures", {"year": Y, "district": tree.d2.pk}).json()["unit"] == "union"

    stranger = Client()
    stranger.force_login(staff.d1_admin)
    assert stranger.get("/api/v1/legal/figures", {"year": Y}).json()["total"]["applications"] == 0
    viewer = Client()
    viewer.force_login(staff.g1_viewer)
    assert viewer.get(reverse("legal:figures")).status_code == 403
    assert viewer.get(reverse("legal:figures_export")).status_code == 403
    assert viewer.get("/api/v1/legal/figures").status_code == 403
