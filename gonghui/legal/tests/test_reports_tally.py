"""The figures counted ahead (LegalTally): the same figures as counting the cases, kept true by every
save, deletion and refusal, rebuilt after bulk loads, and read by the figures page."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gonghui.legal import figures, tally
from gonghui.legal import services_intake as svc
from gonghui.legal.models import Consultation, LegalCase, LegalTally
from gonghui.legal.tests.factories import make_centre, make_legal_case
from gonghui.legal.tests.test_intake_services import apply
from gonghui.legal.tests.test_reports_figures import Y, data  # noqa: F401 (the fixture)
from gonghui.requests.tests.factories import member_user

pytestmark = pytest.mark.django_db
D = datetime.date


def _by_cases(year, **kw):
    return figures.report(LegalCase.objects.unscoped(), Consultation.objects.unscoped(), year, **kw)


def _by_tallies(year, **kw):
    return figures.report(LegalCase.objects.unscoped(), Consultation.objects.unscoped(), year,
                          tallies=LegalTally.objects.unscoped(), **kw)


def _rows():
    return sorted(LegalTally.objects.unscoped().values_list(
        *tally.KEY_FIELDS, "count", "refused", "workers", "claimed", "awarded", "recovered", "rating_sum", "rated"))


def test_tallies_give_the_same_figures_as_the_cases(tree, data):  # noqa: F811
    for year in (Y, Y - 1, Y - 2):
        assert _by_tallies(year) == _by_cases(year)
    report = _by_tallies(Y)
    assert report["total"]["applications"] == 3 and report["total"]["approved"] == 2
    assert report["total"]["recovered"] == Decimal("17000")
    assert {r["name"]: r["rating"] for r in report["by_lawyer"]} == {"赵律师": 4.0}
    # One district's union rows are counted from its cases, tallies given or not.
    assert _by_tallies(Y, district=tree.d2) == _by_cases(Y, district=tree.d2)


def test_kept_rows_equal_a_rebuild(tree, data):  # noqa: F811
    kept = _rows()
    assert kept, "the saves of the fixture's cases should have counted rows"
    assert tally.rebuild() == len(kept)
    assert _rows() == kept


def test_an_edit_moves_the_case_between_rows_and_a_deletion_empties_them(tree, data):  # noqa: F811
    a = data["a"]
    a.submitted_on = D(Y, 2, 1)
    a.matter = "dismissal"
    a.save(update_fields=["submitted_on", "matter"])
    month = {r["month"]: r for r in _by_tallies(Y)["by_month"]}
    assert month[2]["applications"] == 1 and month[3]["applications"] == 1  # b stays in March
    assert _by_tallies(Y) == _by_cases(Y)
    before = len(_rows())
    a.delete()
    assert _by_tallies(Y) == _by_cases(Y)
    assert _by_tallies(Y)["total"]["closed"] == 1 and len(_rows()) < before


def test_a_save_of_uncounted_fields_reads_and_writes_no_tally(tree, data):  # noqa: F811
    a = data["a"]
    a.decision_note = "补充说明"
    with CaptureQueriesContext(connection) as captured:
        a.save(update_fields=["decision_note"])
    assert not [q for q in captured.captured_queries if "legal_legaltally" in q["sql"]]


def test_a_refusal_through_the_workflow_counts_as_a_decision_not_an_approval(tree):
    centre = make_centre(tree.city, name="江海市总工会法律援助中心")
    from gonghui.accounts.tests.factories import StaffFactory, grant

    officer = StaffFactory(username="t_tally_manager")
    grant(officer, centre.node, "manager")
    one = apply(member_user(tree.g2, name="李建国", migrant_worker=True))
    two = apply(member_user(tree.g2, name="王芳", migrant_worker=True), opponent_name="另一家公司")
    svc.decide(one, "approve", by=officer, version=one.case.version, note="符合条件")
    svc.decide(two, "reject", by=officer, version=two.case.version, note="已过仲裁时效")
    year = one.decided_on.year
    t = _by_tallies(year)["total"]
    assert t["applications"] == 2 and t["approved"] == 1
    assert _by_tallies(year) == _by_cases(year)
    row = LegalTally.objects.unscoped().get(kind="decided", year=year, month=one.decided_on.month)
    assert (row.count, row.refused) == (2, 1)


def test_a_rating_after_closing_reaches_the_lawyers_row(tree, data):  # noqa: F811
    a = data["a"]
    a.rating = 2
    a.save(update_fields=["rating"])
    assert {r["name"]: r["rating"] for r in _by_tallies(Y)["by_lawyer"]} == {"赵律师": 2.0}


def test_the_page_reads_the_tallies_in_scope(tree, staff, data):  # noqa: F811
    client = Client()
    client.force_login(staff.d2_manager)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("legal:figures"), {"year": Y})
    assert response.status_code == 200 and "赵律师" in response.content.decode()
    assert any("legal_legaltally" in q["sql"] for q in captured.captured_queries)
    # The figures of another district's staff stay empty: the tallies are scoped like the cases.
    other = Client()
    other.force_login(staff.d1_admin)
    assert other.get("/api/v1/legal/figures", {"year": Y}).json()["total"]["applications"] == 0
    # A case of another centre, in the same month and matter, is counted in its own centre's rows.
    make_legal_case(tree.g1, submitted_on=D(Y, 3, 6))
    assert client.get("/api/v1/legal/figures", {"year": Y}).json()["total"]["applications"] == 3
