"""The wage-arrears board: open wage cases by employer and district, days open, the Spring Festival
flag, employers with several cases as a pattern; the page and the API."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from gonghui.legal import board
from gonghui.legal.models import LegalCase
from gonghui.legal.tests.factories import GOOD_USCC, make_legal_case
from gonghui.orgs.tests.factories import UnionNodeFactory

# A day inside the drive before the 2027 Spring Festival, and one in summer.
WINTER = datetime.date(2026, 12, 20)
SUMMER = datetime.date(2026, 7, 1)


def _cases():
    return LegalCase.objects.unscoped()


@pytest.fixture
def cases(tree):
    g2b = UnionNodeFactory(name="西城电子厂工会", parent=tree.d2)
    made = {
        # One employer (by USCC) with two open cases in two unions, one group case.
        "a1": make_legal_case(tree.g2, state="approved", opponent_name="宏达建筑劳务有限公司", opponent_uscc=GOOD_USCC,
                              workers_involved=12, amount_claimed=Decimal("86000"),
                              submitted_on=WINTER - datetime.timedelta(days=30)),
        "a2": make_legal_case(g2b, state="in_progress", opponent_name="宏达建筑劳务公司", opponent_uscc=GOOD_USCC,
                              workers_involved=3, amount_claimed=Decimal("15000"), is_migrant=False,
                              submitted_on=WINTER - datetime.timedelta(days=5)),
        # Another employer (no USCC), one case, submitted as urgent arrears.
        "b1": make_legal_case(tree.g2, opponent_name="西城 饭店", urgent_arrears=True, amount_claimed=Decimal("5000"),
                              is_migrant=False, submitted_on=WINTER - datetime.timedelta(days=2)),
        # Not on the board: closed, rejected, withdrawn, not about wages.
        "closed": make_legal_case(tree.g2, state="closed", opponent_name="宏达建筑劳务有限公司", opponent_uscc=GOOD_USCC,
                                  submitted_on=WINTER - datetime.timedelta(days=200)),
        "rejected": make_legal_case(tree.g2, state="rejected", opponent_name="拒绝单位"),
        "withdrawn": make_legal_case(tree.g2, state="withdrawn", opponent_name="撤回单位"),
        "injury": make_legal_case(tree.g2, matter="work_injury", opponent_name="工伤单位"),
    }
    return made


@pytest.mark.django_db
def test_board_groups_open_wage_cases_by_employer_and_district(tree, cases):
    data = board.board(_cases(), WINTER)
    total = data["total"]
    assert total["cases"] == 3
    assert total["workers"] == 16
    assert total["claimed"] == Decimal("106000")
    assert total["employers"] == 2
    assert total["patterns"] == 1
    assert total["days_open"] == 30
    names = [e["name"] for e in data["employers"]]
    assert names[0].startswith("宏达建筑劳务")  # the employer with most cases first
    hongda = data["employers"][0]
    assert hongda["cases"] == 2 and hongda["workers"] == 15 and hongda["pattern"]
    assert hongda["uscc"] == GOOD_USCC
    # The closed case counts in its history (three wage cases within three years).
    assert hongda["history"] == 3
    assert hongda["days_open"] == 30
    assert [d["name"] for d in data["districts"]] == [tree.d2.name]
    assert data["districts"][0]["employers"] == 2
    assert not any(e["name"] in ("拒绝单位", "撤回单位", "工伤单位") for e in data["employers"])


@pytest.mark.django_db
def test_spring_festival_flag_in_the_drive_and_outside_it(tree, cases):
    winter = board.board(_cases(), WINTER)
    assert winter["in_window"] and winter["festival"].year == 2027
    assert 0 < winter["days_to_festival"] < 60
    # In the drive: the migrant worker's case and the urgent one.
    assert winter["total"]["flagged"] == 2
    summer = board.board(_cases(), SUMMER)
    assert not summer["in_window"]
    assert summer["total"]["flagged"] == 1  # only the case marked urgent when submitted
    flagged = [c.pk for c in board.case_list(_cases(), WINTER) if c.flagged]
    assert set(flagged) == {cases["a1"].pk, cases["b1"].pk}
    # Flagged first, then the longest open.
    order = [c.pk for c in board.case_list(_cases(), WINTER)]
    assert order == [cases["a1"].pk, cases["b1"].pk, cases["a2"].pk]


@pytest.mark.django_db
def test_case_list_narrows_to_an_employer_by_uscc_or_by_name(tree, cases):
    by_uscc = {c.pk for c in board.case_list(_cases(), WINTER, employer=GOOD_USCC)}
    assert by_uscc == {cases["a1"].pk, cases["a2"].pk}
    key = board.employer_key("", "西城 饭店")
    assert key == "name:西城饭店"
    assert [c.pk for c in board.case_list(_cases(), WINTER, employer=key)] == [cases["b1"].pk]
    assert list(board.case_list(_cases(), WINTER, employer="name:没有这家")) == []


@pytest.mark.django_db
def test_board_page_for_the_centre_and_nothing_for_another_district(tree, staff, cases):
    client = Client()
    client.force_login(staff.d2_manager)
    response = client.get(reverse("legal:arrears"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "欠薪案件看板" in body and "宏达建筑劳务有限公司" in body
    assert cases["a1"].case.number in body
    assert "多案" in body and "春节" in body
    assert cases["closed"].case.number not in body
    response = client.get(reverse("legal:arrears"), {"employer": GOOD_USCC, "district": tree.d2.pk})
    body = response.content.decode()
    assert cases["a2"].case.number in body and cases["b1"].case.number not in body
    # Bad filters are ignored, not errors.
    assert client.get(reverse("legal:arrears"), {"district": "x", "page": "zz"}).status_code == 200

    other = Client()
    other.force_login(staff.d1_admin)
    body = other.get(reverse("legal:arrears")).content.decode()
    assert cases["a1"].case.number not in body and "没有办理中的欠薪案件" in body
    viewer = Client()
    viewer.force_login(staff.g1_viewer)  # no legal.view anywhere
    assert viewer.get(reverse("legal:arrears")).status_code == 403


@pytest.mark.django_db
def test_board_api(tree, staff, cases):
    client = Client()
    client.force_login(staff.d2_manager)
    data = client.get("/api/v1/legal/arrears").json()
    assert data["total"]["cases"] == 3
    assert data["cases_total"] == 3
    assert {c["number"] for c in data["cases"]} == {cases[k].case.number for k in ("a1", "a2", "b1")}
    assert data["employers"][0]["pattern"] is True
    one = client.get("/api/v1/legal/arrears", {"employer": GOOD_USCC, "limit": 1}).json()
    assert one["cases_total"] == 2 and len(one["cases"]) == 1
    viewer = Client()
    viewer.force_login(staff.g1_viewer)
    response = viewer.get("/api/v1/legal/arrears")
    assert response.status_code == 403
    stranger = Client()
    stranger.force_login(staff.d1_admin)
    assert stranger.get("/api/v1/legal/arrears").json()["total"]["cases"] == 0


@pytest.mark.django_db
def test_the_pages_case_list_reads_like_the_queryset(tree, cases):
    """CaseList (what the page and the API page through) gives the queryset's rows in its order, its
    count taken from the board's total — or counted, once an employer is chosen."""
    data = board.board(_cases(), WINTER)
    for employer in ("", GOOD_USCC):
        listed = board.case_page_source(_cases(), WINTER, data, employer=employer)
        qs = board.case_list(_cases(), WINTER, employer=employer)
        assert listed.count() == qs.count() == len(listed)
        for page in (slice(0, 2), slice(1, 3), slice(2, 40), slice(50, 60)):
            assert [(c.pk, c.flagged, c.case.number) for c in listed[page]] == \
                   [(c.pk, c.flagged, c.case.number) for c in qs[page]]
    assert board.case_page_source(_cases(), WINTER, data)._count == data["total"]["cases"]
