"""The figures: exit-rate arithmetic, counting from dates (stable past years, reopened households once),
aid, the drill-down pages, their scope and the export."""

import datetime
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from gonghui.hardship import figures
from gonghui.hardship import services_review as sr
from gonghui.hardship.models import AidPayment, Exit, Fund, HardshipFile
from gonghui.hardship.tests.factories import HardshipFileFactory

S = HardshipFile.Status
D = datetime.date
LAST = sr.today().year - 1  # a whole past year


def d(month, day=1, year=LAST):
    return D(year, month, day)


# ----- pure arithmetic -----

def test_exit_rate_arithmetic():
    assert figures.exit_rate(2, 8, 2) == Decimal("20.0")
    assert figures.exit_rate(1, 2, 1) == Decimal("33.3")
    assert figures.exit_rate(0, 5, 0) == Decimal("0.0")
    assert figures.exit_rate(0, 0, 0) is None  # a year with nobody registered: no rate, not 0 %


def test_period_flags():
    f = figures.period_flags
    # Registered before the year, exited during it.
    c = f([(d(6, year=LAST - 1), d(3), "exit")], LAST)
    assert (c.start, c.new, c.exited, c.closed, c.end) == (1, 0, 1, 0, 0)
    # New during the year and still registered.
    c = f([(d(5), None, None)], LAST)
    assert (c.start, c.new, c.exited, c.end) == (0, 1, 0, 1)
    # Exited on 1 January counts in that year; registered on 31 December counts as new.
    assert f([(d(1, year=LAST - 2), d(1, 1), "exit")], LAST).exited == 1
    assert f([(d(12, 31), None, None)], LAST).new == 1
    # Closed (not an exit).
    c = f([(d(1, year=LAST - 1), d(8), "close")], LAST)
    assert (c.start, c.exited, c.closed) == (1, 0, 1)
    # Registered at the start, exited, reopened during the year: start once, not also new; exited.
    c = f([(d(1, year=LAST - 1), d(3), "exit"), (d(9), None, None)], LAST)
    assert (c.start, c.new, c.exited, c.end) == (1, 0, 1, 1)
    # A period entirely in another year does not count.
    c = f([(d(1, year=LAST - 3), d(1, year=LAST - 2), "exit")], LAST)
    assert (c.start, c.new, c.exited, c.closed, c.end) == (0, 0, 0, 0, 0)


# ----- counting from the database -----

def _file(union, registered_on, *, exited_on=None, closed_on=None, status=None):
    status = status or (S.EXITED if exited_on else S.CLOSED if closed_on else S.REGISTERED)
    f = HardshipFileFactory(union=union, registered_on=registered_on, exited_on=exited_on, closed_on=closed_on,
                            status=status)
    if exited_on or closed_on:  # as exit_file / close_file leave it
        Exit.objects.create(file=f, kind="exit" if exited_on else "close",
                            reason="safety_net" if exited_on else "moved", union=union, node_path=union.path,
                            registered_on=registered_on, ended_on=exited_on or closed_on)
    return f


@pytest.fixture
def households(tree):
    """District 1 (g1): 8 at the start of LAST (2 of them exit, 1 closes), 2 new (none exits);
    a draft and a rejected file never registered. District 2 (g2): 3 at the start, 1 exits."""
    g1, g2 = tree.g1, tree.g2
    before = d(6, year=LAST - 1)
    rows = [_file(g1, before) for _ in range(5)]
    rows += [_file(g1, before, exited_on=d(3)), _file(g1, before, exited_on=d(11, 30)), _file(g1, before, closed_on=d(7))]
    rows += [_file(g1, d(4)), _file(g1, d(10))]
    _file(g1, None, status=S.DRAFT)
    _file(g1, None, status=S.REJECTED)
    _file(g1, d(2, year=LAST - 2), exited_on=d(5, year=LAST - 1))  # exited the year before: not counted
    _file(g1, D(LAST + 1, 1, 1))  # registered after LAST
    rows += [_file(g2, before) for _ in range(2)] + [_file(g2, before, exited_on=d(6))]
    return rows


@pytest.mark.django_db
def test_registration_counts_per_district_and_total(households, tree):
    files, exits = HardshipFile.objects.unscoped(), Exit.objects.unscoped()
    counts = figures.registration_counts(files, exits, LAST, tree.city.path)
    d1, d2, total = counts[tree.d1.path], counts[tree.d2.path], counts[""]
    assert (d1.start, d1.new, d1.exited, d1.closed, d1.end) == (8, 2, 2, 1, 7)
    assert d1.rate == Decimal("20.0")  # 2 ÷ (8 + 2)
    assert (d2.start, d2.new, d2.exited, d2.end) == (3, 0, 1, 2)
    assert d2.rate == Decimal("33.3")
    assert (total.start, total.new, total.exited) == (11, 2, 3) and total.rate == Decimal("23.1")
    # One level down: the grassroots union.
    below = figures.registration_counts(files, exits, LAST, tree.d1.path)
    assert set(below) == {tree.g1.path, ""} and below[tree.g1.path].exited == 2


@pytest.mark.django_db
def test_a_year_with_no_households(tree):
    counts = figures.registration_counts(HardshipFile.objects.unscoped(), Exit.objects.unscoped(), LAST,
                                         tree.city.path)
    assert counts[""].rate is None and counts[""].base == 0


@pytest.mark.django_db
def test_a_past_years_figures_do_not_change(households, tree, staff):
    files, exits = HardshipFile.objects.unscoped(), Exit.objects.unscoped()
    before = figures.registration_counts(files, exits, LAST, tree.d1.path)[""].as_dict()
    # This year one household exits, another closes, one relapses and is reopened.
    still = [f for f in households[:5]]
    sr.exit_file(still[0], reason="safety_net", note="纳入兜底", by=staff.g1_handler)
    sr.close_file(still[1], reason="moved", note="随子女迁居外省", by=staff.g1_handler)
    relapsed = households[5]  # exited in March LAST
    sr.reopen_file(relapsed, situation="户主再次失业", by=staff.g1_handler)
    after = figures.registration_counts(files, exits, LAST, tree.d1.path)[""].as_dict()
    assert after == before


@pytest.mark.django_db
def test_a_reopened_household_counts_once(tree, staff):
    # Registered two years ago, exits in LAST, relapses and is reopened in LAST, exits again in LAST.
    f = _file(tree.g1, d(1, year=LAST - 2), exited_on=d(2))
    Exit.objects.unscoped().filter(file=f).update(reopened_on=d(5))
    f.registered_on, f.exited_on = d(5), d(10)
    f.save()
    Exit.objects.create(file=f, kind="exit", reason="income", union=tree.g1, node_path=tree.g1.path,
                        registered_on=d(5), ended_on=d(10))
    counts = figures.registration_counts(HardshipFile.objects.unscoped(), Exit.objects.unscoped(), LAST,
                                         tree.d1.path)[""]
    assert (counts.start, counts.new, counts.exited, counts.end) == (1, 0, 1, 0)
    # Its household list entries agree with the counts.
    q = figures.flag_q(HardshipFile.objects.unscoped(), Exit.objects.unscoped(), LAST, "new", tree.d1.path)
    assert not HardshipFile.objects.unscoped().filter(q).exists()
    q = figures.flag_q(HardshipFile.objects.unscoped(), Exit.objects.unscoped(), LAST, "start", tree.d1.path)
    assert list(HardshipFile.objects.unscoped().filter(q)) == [f]
    # The year before: registered at its start, still registered at its end.
    prev = figures.registration_counts(HardshipFile.objects.unscoped(), Exit.objects.unscoped(), LAST - 1,
                                       tree.d1.path)[""]
    assert (prev.start, prev.new, prev.exited, prev.end) == (1, 0, 0, 1)


@pytest.mark.django_db
def test_aid_by_kind_and_fund(tree, households):
    fund = Fund.objects.create(union=tree.d1, year=LAST, source="union_funds", budget=Decimal("100000"))
    fiscal = Fund.objects.create(union=tree.d1, year=LAST, source="fiscal", budget=Decimal("100000"))
    f = households[0]

    def pay(fund, kind, amount, on, status="paid"):
        AidPayment.objects.create(file=f, union=f.union, fund=fund, kind=kind, amount=Decimal(amount), status=status,
                                  paid_on=on)

    pay(fund, "living", "1000", d(3))
    pay(fund, "living", "500.50", d(4))
    pay(fiscal, "medical", "3000", d(5))
    pay(fiscal, "medical", "9999", d(5), status="pending")  # not paid
    pay(fund, "living", "700", d(5, year=LAST - 1))  # another year
    aid = figures.aid_figures(AidPayment.objects.unscoped(), LAST, tree.city.path)
    assert aid.total_amount == Decimal("4500.50") and aid.total_count == 3
    assert aid.by_kind_source[("living", "union_funds")] == [Decimal("1500.50"), 2]
    assert aid.by_kind_source[("medical", "fiscal")] == [Decimal("3000.00"), 1]
    assert aid.by_key[tree.d1.path][0] == Decimal("4500.50")


# ----- the pages: drill-down, scope, export -----

def _client(user):
    c = Client()
    c.force_login(user)
    return c


@pytest.mark.django_db
def test_figures_page_drills_down_from_city_to_household(households, tree, staff):
    c = _client(staff.city_admin)
    url = reverse("hardship:figures")
    r = c.get(url, {"year": LAST})
    assert r.status_code == 200
    text = r.content.decode()
    assert "解困脱困率 = 本年解困脱困的家庭数 ÷（年初在档的家庭数 + 本年新建档的家庭数）" in text
    assert f'?node={tree.d1.pk}&amp;year={LAST}' in text and "东城区总工会" in text and "西城区总工会" in text
    assert 'data-figure="rate"><div class="n">23.1<small>%</small>' in text
    r = c.get(url, {"year": LAST, "node": tree.d1.pk})
    text = r.content.decode()
    assert 'data-figure="rate"><div class="n">20.0<small>%</small>' in text and "东城机械厂工会" in text
    r = c.get(url, {"year": LAST, "node": tree.g1.pk})  # the last level lists the households
    text = r.content.decode()
    assert households[0].number in text and 'data-table="households"' in text
    r = c.get(reverse("hardship:figures_households"), {"year": LAST, "node": tree.d1.pk, "flag": "exited"})
    text = r.content.decode()
    assert households[5].number in text and households[6].number in text and households[0].number not in text


@pytest.mark.django_db
def test_figures_are_scoped(households, tree, staff):
    c = _client(staff.d1_manager)
    r = c.get(reverse("hardship:figures"), {"year": LAST})
    text = r.content.decode()
    assert r.status_code == 200 and "东城区总工会" in text and "西城" not in text
    assert 'data-figure="start"' in text and households[10].number not in text
    assert c.get(reverse("hardship:figures"), {"year": LAST, "node": tree.d2.pk}).status_code == 404
    assert c.get(reverse("hardship:figures"), {"year": LAST, "node": tree.city.pk}).status_code == 404
    assert c.get(reverse("hardship:figures_export"), {"node": tree.g2.pk}).status_code == 404
    assert c.get(reverse("hardship:figures"), {"node": "x"}).status_code == 404
    # The plain viewer bundle holds no hardship permission.
    assert _client(staff.g1_viewer).get(reverse("hardship:figures")).status_code == 403


@pytest.mark.django_db
def test_export_streams_the_household_list(households, tree, staff):
    import openpyxl

    from gonghui.audit.models import AuditEntry

    r = _client(staff.d1_manager).get(reverse("hardship:figures_export"),
                                      {"year": LAST, "node": tree.d1.pk, "flag": "start"})
    assert r.status_code == 200 and r.streaming
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    body = b"".join(r.streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("档案编号", "户主", "建档工会")
    assert sorted(row[0] for row in rows[1:]) == sorted(f.number for f in households[:8])
    assert AuditEntry.objects.unscoped().filter(event="hardship.figures_exported").count() == 1


@pytest.mark.django_db
def test_year_parameter_is_forgiving(tree, staff):
    c = _client(staff.d1_manager)
    assert c.get(reverse("hardship:figures"), {"year": "abc"}).status_code == 200
    assert c.get(reverse("hardship:figures"), {"year": "3000"}).status_code == 200


@pytest.mark.django_db
def test_aid_tallies_follow_every_payment_and_match_the_payments(tree, staff, households):
    from gonghui.hardship.models import AidTally
    from gonghui.hardship.services_review import rebuild_aid_tallies

    fund = Fund.objects.create(union=tree.d1, year=LAST, source="union_funds", budget=Decimal("100000"))
    other = Fund.objects.create(union=tree.d1, year=LAST, source="donation", budget=Decimal("100000"))
    f, g = households[0], households[8]
    p1 = AidPayment.objects.create(file=f, union=f.union, fund=fund, kind="living", amount=Decimal("800"),
                                   status="pending")
    p2 = AidPayment.objects.create(file=g, union=g.union, fund=other, kind="medical", amount=Decimal("1200"),
                                   status="paid", paid_on=d(6))
    p3 = AidPayment.objects.create(file=g, union=g.union, fund=fund, kind="living", amount=Decimal("300"),
                                   status="paid", paid_on=d(7))

    def both():
        live = figures.aid_figures(AidPayment.objects.unscoped(), LAST, tree.city.path)
        tallied = figures.aid_figures_from_tallies(AidTally.objects.unscoped(), LAST, tree.city.path)
        assert (tallied.total_amount, tallied.total_count, tallied.by_kind_source, tallied.by_key) == \
            (live.total_amount, live.total_count, live.by_kind_source, live.by_key)
        return live

    assert both().total_amount == Decimal("1500")
    p1.status, p1.paid_on = "paid", d(8)  # approved: now counted
    p1.save(update_fields=["status", "paid_on"])
    assert both().total_amount == Decimal("2300")
    p3.paid_on = d(2, year=LAST - 1)  # moved to another year
    p3.save()
    assert both().total_amount == Decimal("2000")
    p2.status = "rejected"
    p2.save()
    p1.delete()
    assert both().total_amount == Decimal("0") and both().total_count == 0
    p4 = AidPayment.objects.create(file=f, union=f.union, fund=fund, kind="other", amount=Decimal("50"),
                                   status="paid", paid_on=d(9))
    assert both().by_kind_source == {("other", "union_funds"): [Decimal("50"), 1]}
    AidTally.objects.unscoped().all().delete()
    assert rebuild_aid_tallies() == 2  # p4 this year and p3 the year before
    assert both().total_amount == p4.amount
