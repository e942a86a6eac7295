#!/usr/bin/env python
"""Legal aid at scale (the legal-aid issue's speed goals).

    .venv/bin/python bench/legal.py [--cases 100000] [--repeat 15] [--letters 1000]
                                    [--database-url postgres://…/EMPTY_DB] [--keep] [--explain]

1. Builds a throwaway database (SQLite under a temporary GONGHUI_VAR_DIR, or the empty PostgreSQL
   database named by --database-url, filled and not cleaned): a city federation with its legal-aid
   centre, 10 districts of 200 grassroots unions, 20 law firms with 200 lawyers, 3,000 employers
   (half with a USCC; a third of the wage cases against 100 of them), and --cases legal-aid cases (a workflow case and its LegalCase each, raw
   inserts) submitted over the last five years: 45 % about wages, 86 % closed, 6 % refused or
   withdrawn, the rest open (waiting for a decision, for a lawyer, or in progress), group cases among
   them; then ANALYZE.
2. Measures the median server time (Django test client, in-process: middleware, view, queries,
   template) of the centre manager's wage-arrears board and figures page (and their API), beside three
   baselines of the same run: the minimal view (/bench/minimal/), the console home (/console/: the
   shell every console page pays) and a bare indexed COUNT of the centre's cases.
3. Generates --letters assignment letters (委派函) as PDF in one batch (each read from the database and
   rendered by documents.letter_pdf), and reports the time per document beside a bare reportlab page
   (one line of Helvetica on a canvas) and a bare page with one line in the CID font, in the same run.

Goals: board and figures page each < 200 ms median. Each line reads ``name: value (ratio)``.
"""

import argparse
import datetime
import io
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.hardship_figures import _defaults, insert  # noqa: E402
from bench.run import ROOT, explain_page, run, say, use_in_process  # noqa: E402

PAGE_GOAL_MS = 200.0
DISTRICTS = 10
UNIONS_PER_DISTRICT = 200
EMPLOYERS = 3000
LAWYERS = 200
MATTERS = (["wages"] * 45 + ["labour_contract"] * 15 + ["work_injury"] * 12 + ["social_insurance"] * 10
           + ["dismissal"] * 10 + ["hours_leave"] * 5 + ["other"] * 3)
OUTCOMES = ["settled"] * 5 + ["award"] * 2 + ["judgment"] + ["withdrawn"] + ["lost"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "建国伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英"


def build(seed: int) -> dict:
    from django.db import transaction

    from gonghui.accounts.models import Grant, User
    from gonghui.legal.models import LawFirm, Lawyer, LegalCentre
    from gonghui.orgs.models import STEP_LEN, UnionNode, encode_step
    from gonghui.orgs.services import set_search_keys

    K = UnionNode.Kind
    rng = random.Random(seed)

    def node(parent, number, **fields):
        path = (parent.path if parent else "") + encode_step(number)
        n = UnionNode(parent=parent, path=path, depth=len(path) // STEP_LEN, **fields)
        set_search_keys(n)
        return n

    with transaction.atomic():
        city = node(None, 0, name="江海市总工会", kind=K.CITY_FEDERATION)
        city.save()
        centre_node = node(city, 0, name="江海市总工会法律援助中心", short_name="法律援助中心", kind=K.SERVICE_CENTRE)
        centre_node.save()
        LegalCentre.objects.create(node=centre_node, federation=city)
        districts, unions = [], []
        for d in range(DISTRICTS):
            district = node(city, d + 1, name=f"江海第{d + 1}区总工会", kind=K.DISTRICT_FEDERATION)
            district.save()
            districts.append(district)
            UnionNode.objects.bulk_create([
                node(district, u, name=f"江海第{d + 1}区企业{u + 1:03d}工会委员会", short_name=f"{d + 1}区企业{u + 1}工会",
                     kind=K.GRASSROOTS_UNION) for u in range(UNIONS_PER_DISTRICT)], batch_size=2000)
        for district in districts:
            unions += [(pk, path, district.pk) for pk, path in UnionNode.objects.unscoped()
                       .filter(kind=K.GRASSROOTS_UNION, path__startswith=district.path).values_list("pk", "path")]
        firms = [LawFirm.objects.create(name=f"江海第{i + 1}律师事务所", node=centre_node) for i in range(20)]
        lawyers = Lawyer.objects.bulk_create([
            Lawyer(name=rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN), firm=firms[i % 20],
                   licence_no=f"1320120{i:010d}", node=centre_node, node_path=centre_node.path, capacity=50)
            for i in range(LAWYERS)])
        manager = User.objects.create(username="bench_legal_centre", kind=User.Kind.STAFF, display_name="法律援助中心负责人")
        Grant.objects.create(user=manager, node=centre_node, role="manager")
    return {"centre": centre_node, "districts": districts, "unions": unions, "lawyers": [x.pk for x in lawyers],
            "manager": manager}


def load(tree: dict, count: int, seed: int) -> dict:
    from django.db import connection, transaction
    from django.utils import timezone

    from gonghui.legal.models import LegalCase
    from gonghui.workflow.models import Case

    rng = random.Random(seed)
    now = timezone.now()
    today = timezone.localdate()
    started = time.monotonic()
    centre = tree["centre"]
    c_def, l_def = _defaults(Case, now), _defaults(LegalCase, now)
    employers = []
    for i in range(EMPLOYERS):
        uscc = f"91320100MA{i:07d}X" if i % 2 == 0 else ""
        employers.append((f"江海{rng.choice('宏达恒通鑫盛华兴永安金源')}{i + 1}建筑劳务有限公司", uscc))
    first = datetime.date(today.year - 5, 1, 1).toordinal()
    span = today.toordinal() - first
    cases, legal = [], []
    states = {"closed": 0, "rejected": 0, "withdrawn": 0, "submitted": 0, "approved": 0, "in_progress": 0}

    def flush():
        with transaction.atomic():
            insert(Case, cases, c_def)
            insert(LegalCase, legal, l_def)
        cases.clear()
        legal.clear()

    for i in range(1, count + 1):
        submitted = datetime.date.fromordinal(first + rng.randrange(span))
        age = (today - submitted).days
        roll = rng.random()
        # Recent cases are more often still open.
        if age < 20 and roll < 0.5:
            state = rng.choice(["submitted", "approved"])
        elif roll < 0.04:
            state = "rejected"
        elif roll < 0.06:
            state = "withdrawn"
        elif age < 400 and roll < 0.06 + 0.45 * max(0, 1 - age / 400):
            state = "in_progress"
        else:
            state = "closed"
        states[state] += 1
        matter = rng.choice(MATTERS)
        union_id, union_path, district_id = rng.choice(tree["unions"])
        # A third of the wage cases are against 100 repeat offenders; the rest spread over all employers.
        name, uscc = employers[rng.randrange(100) if matter == "wages" and rng.random() < 0.33
                               else rng.randrange(EMPLOYERS)]
        group = matter == "wages" and rng.random() < 0.2
        workers = rng.randint(3, 60) if group else 1
        claimed = Decimal(rng.randint(20, 600) * 100 * workers)
        decided = submitted + datetime.timedelta(days=rng.randint(1, 7)) if state != "submitted" and \
            state != "withdrawn" else None
        if decided and decided > today:
            decided = today
        closed = None
        if state == "closed":
            closed = min(submitted + datetime.timedelta(days=rng.randint(20, 300)), today)
        lawyer = rng.choice(tree["lawyers"]) if state in ("in_progress", "closed") else None
        outcome = rng.choice(OUTCOMES) if closed else ""
        won = outcome in ("settled", "award", "judgment")
        awarded = (claimed * Decimal(rng.randint(60, 100)) / 100).quantize(Decimal("0.01")) if won else Decimal(0)
        recovered = (awarded * Decimal(rng.randint(50, 100)) / 100).quantize(Decimal("0.01")) if won else Decimal(0)
        migrant = matter == "wages" and rng.random() < 0.7
        terminal = state in ("closed", "rejected", "withdrawn")
        created = datetime.datetime.combine(submitted, datetime.time(9), tzinfo=datetime.UTC)
        applicant = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        cases.append({"id": i, "case_type": "legal_aid", "number": f"FY{submitted.year}{i:07d}",
                      "title": f"{applicant}的法律援助申请", "applicant_name": applicant, "node_id": centre.pk,
                      "node_path": centre.path, "state": state, "topic": matter, "version": 1,
                      "state_entered_at": created, "is_open": not terminal, "created_at": created,
                      "updated_at": created, "closed_at": created if terminal else None})
        legal.append({"case_id": i, "node_path": centre.path, "applicant_name": applicant,
                      "applicant_phone": f"139{i:08d}", "union_id": union_id, "union_path": union_path,
                      "district_id": district_id, "is_member": rng.random() < 0.6, "is_migrant": migrant,
                      "opponent_name": name, "opponent_uscc": uscc, "matter": matter,
                      "facts": "用人单位拖欠工资，多次讨要未果。", "amount_claimed": claimed, "workers_involved": workers,
                      "eligibility_rule": "migrant_arrears" if migrant else "member_hardship",
                      "urgent_arrears": migrant and submitted.month in (12, 1) and rng.random() < 0.5,
                      "submitted_on": submitted, "decided_on": decided, "lawyer_id": lawyer,
                      "stage": "mediation" if state == "in_progress" else "", "outcome": outcome,
                      "amount_awarded": awarded, "amount_recovered": recovered,
                      "workers_covered": workers if won else 0, "closed_on": closed,
                      "rating": rng.randint(3, 5) if closed and rng.random() < 0.5 else None, "created_at": created})
        if len(cases) == 20_000:
            flush()
    if cases:
        flush()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT setval(pg_get_serial_sequence('workflow_case', 'id'), (SELECT max(id) FROM workflow_case))")
            for table in ("workflow_case", "legal_legalcase"):
                cursor.execute(f"VACUUM (ANALYZE) {table}")
    load_s = time.monotonic() - started
    from gonghui.workflow import tallies

    tallies.rebuild()
    from gonghui.legal import tally

    tally.rebuild()
    from gonghui.core import dbstats

    dbstats.refresh(force=True)
    return {"load_s": load_s, "states": states}


def make_assignments(tree: dict, n: int) -> list[int]:
    """Active assignments (with their letter numbers) of the first ``n`` cases in progress or closed."""
    from django.db import transaction
    from django.utils import timezone

    from gonghui.legal.models import Assignment, LegalCase

    rows = list(LegalCase.objects.unscoped().filter(lawyer__isnull=False).order_by("pk")
                .values_list("pk", "lawyer_id", "submitted_on")[:n])
    year = timezone.localdate().year
    with transaction.atomic():
        made = Assignment.objects.bulk_create([
            Assignment(legal_case_id=pk, lawyer_id=lawyer, year=year, seq=i + 1,
                       number=f"江工法援委〔{year}〕第{i + 1:04d}号", issued_on=submitted + datetime.timedelta(days=3))
            for i, (pk, lawyer, submitted) in enumerate(rows)])
    return [a.pk for a in made]


def median_ms(fn, repeat: int) -> float:
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def measure_pages(tree: dict, repeat: int, explain: bool) -> None:
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    manager = Client()
    manager.force_login(tree["manager"])
    centre = tree["centre"]
    year = timezone.localdate().year

    def bare_count():
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM legal_legalcase WHERE node_path >= %s AND node_path < %s",
                           [centre.path, centre.path + "~"])
            return cursor.fetchone()

    minimal_ms = median_ms(lambda: manager.get("/bench/minimal/"), repeat)
    shell_ms = median_ms(lambda: manager.get("/console/"), repeat)
    count_ms = median_ms(bare_count, repeat)
    say(f"baseline_minimal_view: {minimal_ms:.1f} ms median server time (/bench/minimal/, the same middleware)")
    say(f"baseline_console_home: {shell_ms:.1f} ms median (/console/: the console shell and its first page)")
    say(f"baseline_bare_count: {count_ms:.1f} ms median (COUNT of the centre's {bare_count()[0]:,} cases by the "
        f"path index)")
    district = tree["districts"][0].pk
    pages = [
        ("arrears_board", "/console/legal/arrears/", True),
        ("arrears_board_district", f"/console/legal/arrears/?district={district}", False),
        ("arrears_api", "/api/v1/legal/arrears", False),
        ("figures_this_year", "/console/legal/figures/", True),
        ("figures_last_year", f"/console/legal/figures/?year={year - 1}", True),
        ("figures_district", f"/console/legal/figures/?district={district}", False),
        ("figures_api", "/api/v1/legal/figures", False),
        ("figures_export_xlsx", "/console/legal/figures/export/", False),
    ]
    for name, url, goal in pages:
        response = manager.get(url)
        if response.status_code != 200:
            sys.exit(f"bench: {url} answered {response.status_code}: {response.content[:300]!r}")
        ms = median_ms(lambda u=url: manager.get(u), repeat)
        verdict = ""
        if goal:
            verdict = f"; goal < {PAGE_GOAL_MS:.0f} ms {'met' if ms < PAGE_GOAL_MS else 'NOT met'}"
        say(f"{name}: {ms:.1f} ms median ({ms / minimal_ms:.0f} × the minimal view, {ms / shell_ms:.1f} × the "
            f"console home, {ms / max(count_ms, 0.01):.1f} × the bare COUNT{verdict})  {url}")
        if explain:
            explain_page(manager, url, connection)


def bare_page_helvetica() -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4)
    c.setFont("Helvetica", 12)
    c.drawString(72, 760, "Assignment letter")
    c.showPage()
    c.save()
    return out.getvalue()


def bare_page_cid() -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from gonghui.core import pdf

    pdf.styles()  # registers the font
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4)
    c.setFont(pdf.FONT, 12)
    c.drawString(72, 760, "工会法律援助案件委派函")
    c.showPage()
    c.save()
    return out.getvalue()


def measure_letters(ids: list[int]) -> None:
    from gonghui.legal import documents
    from gonghui.legal.models import Assignment

    def per_doc_ms(fn, n):
        fn()
        t = time.perf_counter()
        for _ in range(n):
            fn()
        return (time.perf_counter() - t) * 1000 / n

    helvetica_ms = per_doc_ms(bare_page_helvetica, 200)
    cid_ms = per_doc_ms(bare_page_cid, 200)
    qs = Assignment.objects.unscoped().filter(pk__in=ids).select_related(
        "legal_case", "legal_case__case", "legal_case__case__node", "lawyer", "lawyer__firm").order_by("pk")
    documents.letter_pdf(qs[0])  # warm
    t = time.perf_counter()
    total_bytes = 0
    n = 0
    for assignment in qs.iterator(chunk_size=500):
        total_bytes += len(documents.letter_pdf(assignment))
        n += 1
    total_s = time.perf_counter() - t
    per = total_s * 1000 / max(n, 1)
    # The same letters rendered from data already read: the layout alone.
    data = [documents.letter_data(a) for a in qs[:200]]
    t = time.perf_counter()
    for d in data:
        documents.render_letter(d)
    render_ms = (time.perf_counter() - t) * 1000 / max(len(data), 1)
    say(f"baseline_bare_page_helvetica: {helvetica_ms:.2f} ms per document (one line, canvas)")
    say(f"baseline_bare_page_cid_font: {cid_ms:.2f} ms per document (one Chinese line in {'STSong-Light'})")
    say(f"assignment_letters: {n:,} PDFs in {total_s:.1f} s = {per:.1f} ms per document "
        f"({per / helvetica_ms:.0f} × the bare Helvetica page, {per / cid_ms:.0f} × the bare CID page; "
        f"{total_bytes / max(n, 1) / 1024:.1f} KB each)")
    say(f"assignment_letter_layout_only: {render_ms:.1f} ms per document (data read beforehand)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--letters", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--explain", action="store_true", help="print the plans of the slowest queries")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway data directory")
    parser.add_argument("--database-url", default="",
                        help="an empty PostgreSQL database to use instead of SQLite (it is filled, not cleaned)")
    args = parser.parse_args()
    var_dir = Path(tempfile.mkdtemp(prefix="gonghui-bench-legal-"))
    try:
        env = use_in_process(var_dir, args.database_url)
        database = "PostgreSQL" if args.database_url else "SQLite"
        say(f"# Gonghui legal-aid bench — {database}, data in {var_dir}; {args.cases:,} cases; "
            f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
        run([sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], env, 3000)
        subprocess.run([sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"], env=env, cwd=ROOT,
                       capture_output=True)
        import django

        django.setup()
        tree = build(args.seed)
        loaded = load(tree, args.cases, args.seed)
        say(f"load: {args.cases:,} cases in {loaded['load_s']:.1f} s; states {loaded['states']}")
        ids = make_assignments(tree, args.letters)
        measure_pages(tree, args.repeat, args.explain)
        measure_letters(ids)
        say(f"# load average at the end {os.getloadavg()[0]:.1f}")
    finally:
        if not args.keep:
            shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
