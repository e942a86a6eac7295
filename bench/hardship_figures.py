#!/usr/bin/env python
"""The hardship figures page and the household-list export (the hardship issue's speed goals).

    .venv/bin/python bench/hardship_figures.py [--households 50000] [--aid 500000] [--repeat 15]
                                               [--database-url postgres://…/EMPTY_DB] [--keep] [--explain]

1. Builds a throwaway database (SQLite under a temporary GONGHUI_VAR_DIR, or the empty PostgreSQL
   database named by --database-url, filled and not cleaned): a city federation, two districts of 10
   towns and 1,000 grassroots unions each, --households hardship files (80 % in the measured
   district; registered over the last six years, about a quarter exited and some closed in those
   years, 1 % reopened, each exit with its Exit row), their head workers, 3 funds per district and
   year, and --aid aid payments over the last three years (90 % paid). Raw inserts (executemany on
   SQLite, COPY on PostgreSQL) for the big tables, then ANALYZE.
2. Measures the median server time (Django test client, in-process: middleware, view, queries,
   template) of the district manager's figures page — this year, last year, one town down, and the
   API's JSON — beside two baselines measured in the same run: the minimal view (/bench/minimal/,
   the cheapest page through the same middleware) and a bare indexed COUNT of the district's files.
3. Exports the district's household list (.xlsx, streamed): the time to the first bytes, to the
   first bytes that carry rows, and cells/s over the whole file.

Goals: the district figures page < 200 ms median; export first bytes < 200 ms and ≥ 100,000 cells/s.
Each line reads ``name: value unit (ratio)``. See bench/README.md.
"""

import argparse
import datetime
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

from bench.run import ROOT, explain_page, run, say, use_in_process  # noqa: E402

PAGE_GOAL_MS = 200.0
FIRST_BYTES_GOAL_MS = 200.0
CELLS_GOAL = 100_000
TOWNS = 10
UNIONS_PER_DISTRICT = 1000


def build_tree() -> dict:
    from django.db import transaction

    from gonghui.accounts.models import Grant, User
    from gonghui.orgs.models import STEP_LEN, UnionNode, encode_step
    from gonghui.orgs.services import set_search_keys

    K = UnionNode.Kind

    def node(parent, number, **fields):
        path = (parent.path if parent else "") + encode_step(number)
        n = UnionNode(parent=parent, path=path, depth=len(path) // STEP_LEN, **fields)
        set_search_keys(n)
        return n

    with transaction.atomic():
        city = node(None, 0, name="江海市总工会", kind=K.CITY_FEDERATION)
        city.save()
        districts = []
        for d in range(2):
            district = node(city, d, name=f"第{d + 1}区总工会", kind=K.DISTRICT_FEDERATION)
            district.save()
            districts.append(district)
            towns = []
            for t in range(TOWNS):
                town = node(district, t, name=f"第{d + 1}区第{t + 1}街道工会", kind=K.TOWN_UNION)
                town.save()
                towns.append(town)
            UnionNode.objects.bulk_create([
                node(towns[u % TOWNS], u // TOWNS, name=f"江海第{d + 1}区基准企业{u + 1:04d}有限公司工会委员会",
                     short_name=f"{d + 1}区企业{u + 1}工会", kind=K.GRASSROOTS_UNION)
                for u in range(UNIONS_PER_DISTRICT)], batch_size=2000)
        manager = User.objects.create(username="bench_hardship_manager", kind=User.Kind.STAFF, display_name="区帮扶审批人")
        Grant.objects.create(user=manager, node=districts[0], role="manager")
        town = UnionNode.objects.unscoped().filter(kind=K.TOWN_UNION, path__startswith=districts[0].path).order_by("path")[0]
    unions = {d.pk: list(UnionNode.objects.unscoped().filter(kind=K.GRASSROOTS_UNION, path__startswith=d.path)
                         .values_list("pk", "path")) for d in districts}
    return {"districts": districts, "unions": unions, "manager": manager, "town": town}


def _defaults(model, now) -> dict:
    """A value for every column of the table (None, "", False, 0, now), for raw inserts."""
    from django.db import models

    values = {}
    for f in model._meta.concrete_fields:
        if f.null:
            values[f.column] = None
        elif isinstance(f, models.BooleanField):
            values[f.column] = False
        elif isinstance(f, models.DateTimeField):
            values[f.column] = now
        elif isinstance(f, models.JSONField):
            values[f.column] = "[]" if f.default is list else "{}"
        elif isinstance(f, (models.IntegerField, models.DecimalField)):
            values[f.column] = 0
        else:
            values[f.column] = ""
    return values


def insert(model, rows: list[dict], defaults: dict) -> None:
    """Raw insert: executemany on SQLite, COPY on PostgreSQL."""
    from django.db import connection

    columns = list(defaults)
    table = model._meta.db_table
    tuples = [tuple(r.get(c, defaults[c]) for c in columns) for r in rows]
    if connection.vendor == "postgresql":
        raw = connection.connection.cursor()
        with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in tuples:
                copy.write_row(row)
    else:
        with connection.cursor() as cursor:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", tuples)


def load(tree: dict, households: int, aid: int, seed: int) -> dict:
    from django.db import connection, transaction
    from django.utils import timezone

    from gonghui.core import crypto
    from gonghui.hardship.models import AidPayment, Exit, Fund, HardshipFile
    from gonghui.hardship.services_review import add_months
    from gonghui.members.models import Worker

    rng = random.Random(seed)
    now = timezone.now()
    today = timezone.localdate()
    started = time.monotonic()
    d1, d2 = tree["districts"]
    token = crypto.encrypt("110105194912310029")
    w_def, f_def, e_def, a_def = (_defaults(m, now) for m in (Worker, HardshipFile, Exit, AidPayment))
    workers, files, exits = [], [], []
    first_day = datetime.date(today.year - 6, 1, 1).toordinal()
    span = today.toordinal() - first_day
    categories = ["deep"] * 3 + ["relative"] * 6 + ["accident"]
    for i in range(1, households + 1):
        district = d1 if i % 5 else d2
        union_id, path = rng.choice(tree["unions"][district.pk])
        workers.append({"id": i, "name": f"困难职工{i}", "name_pinyin": f"kunnan{i}", "name_initials": "knzg",
                        "id_number_encrypted": token, "id_number_hash": crypto.keyed_hash(f"bench-{i}"),
                        "id_number_masked": "110************029", "mobile": f"139{i:08d}", "gender": "M"})
        registered = datetime.date.fromordinal(first_day + rng.randrange(span))
        status, exited_on, closed_on, reason = "registered", None, None, ""
        roll = rng.random()
        end = registered + datetime.timedelta(days=rng.randint(200, 1500))
        if roll < 0.25 and end <= today:
            status, exited_on, reason = "exited", end, "家庭人均收入连续超过当地低保标准"
        elif roll < 0.30 and end <= today:
            status, closed_on, reason = "closed", end, "退休"
        review = None
        if status == "registered":  # the next anniversary (a few are a little overdue)
            k = 1
            while add_months(registered, 12 * k) < today - datetime.timedelta(days=20):
                k += 1
            review = add_months(registered, 12 * k)
        files.append({"id": i, "number": f"KN{registered.year}{i:06d}", "worker_id": i, "union_id": union_id,
                      "node_path": path, "status": status, "category": rng.choice(categories), "household_size": 3,
                      "registered_on": registered, "exited_on": exited_on, "closed_on": closed_on,
                      "closed_reason": reason, "next_review_due": review, "main_cause": "serious_illness"})
        if status != "registered":
            exits.append({"id": len(exits) + 1, "file_id": i, "kind": "exit" if exited_on else "close",
                          "reason": "income" if exited_on else "retired", "union_id": union_id, "node_path": path,
                          "registered_on": registered, "ended_on": exited_on or closed_on, "evidence": "{}"})
        elif rng.random() < 0.012 and registered > datetime.date(today.year - 4, 1, 1):
            # Reopened (防返困): an earlier period ended by an exit, kept on its Exit row.
            first = registered - datetime.timedelta(days=rng.randint(400, 900))
            exits.append({"id": len(exits) + 1, "file_id": i, "kind": "exit", "reason": "income", "union_id": union_id,
                          "node_path": path, "registered_on": first, "ended_on": registered - timedelta_days(60),
                          "reopened_on": registered, "reopen_reason": "返困", "evidence": "{}"})
    with transaction.atomic():
        insert(Worker, workers, w_def)
        insert(HardshipFile, files, f_def)
        insert(Exit, exits, e_def)
    funds = []
    with transaction.atomic():
        for district in (d1, d2):
            for year in range(today.year - 2, today.year + 1):
                for source in ("union_funds", "fiscal", "donation"):
                    funds.append(Fund.objects.create(union=district, year=year, source=source,
                                                     budget=Decimal("900000000"), name=f"{year}年{source}"))
    fund_of = {(f.union_id, f.year, f.source): f.pk for f in funds}
    district_of = {}
    for district in (d1, d2):
        for union_id, _path in tree["unions"][district.pk]:
            district_of[union_id] = district.pk
    kinds = ["living"] * 5 + ["medical"] * 3 + ["education"] * 2 + ["other"]
    sources = ["union_funds"] * 5 + ["fiscal"] * 4 + ["donation"]
    aid_start = datetime.date(today.year - 2, 1, 1).toordinal()
    aid_span = today.toordinal() - aid_start
    batch = []
    for i in range(1, aid + 1):
        f = files[rng.randrange(len(files))]
        paid_on = datetime.date.fromordinal(aid_start + rng.randrange(aid_span))
        paid = rng.random() < 0.9
        batch.append({"id": i, "file_id": f["id"], "union_id": f["union_id"], "node_path": f["node_path"],
                      "fund_id": fund_of[(district_of[f["union_id"]], paid_on.year, rng.choice(sources))],
                      "kind": rng.choice(kinds), "amount": Decimal(rng.randint(2, 100) * 100),
                      "status": "paid" if paid else "pending", "paid_on": paid_on if paid else None,
                      "requested_at": now})
        if len(batch) == 50_000:
            with transaction.atomic():
                insert(AidPayment, batch, a_def)
            batch = []
    if batch:
        with transaction.atomic():
            insert(AidPayment, batch, a_def)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Worker, HardshipFile, Exit, AidPayment):
                table = model._meta.db_table
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
                cursor.execute(f"VACUUM (ANALYZE) {table}")
    load_s = time.monotonic() - started
    # The raw insert bypassed the signals that keep the figures' aid tallies: count them once.
    from gonghui.hardship.services_review import rebuild_aid_tallies

    t = time.monotonic()
    tallies = rebuild_aid_tallies()
    tally_s = time.monotonic() - t
    from gonghui.core import dbstats

    dbstats.refresh(force=True)
    return {"load_s": load_s, "exits": len(exits), "tallies": tallies, "tally_s": tally_s}


def timedelta_days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def median_ms(fn, repeat: int) -> float:
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def measure(tree: dict, repeat: int, explain: bool) -> list[tuple]:
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    manager = Client()
    manager.force_login(tree["manager"])
    d1 = tree["districts"][0]
    year = timezone.localdate().year

    def bare_count():
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM hardship_hardshipfile WHERE node_path >= %s AND node_path < %s",
                           [d1.path, d1.path + "~"])
            return cursor.fetchone()

    minimal_ms = median_ms(lambda: manager.get("/bench/minimal/"), repeat)
    count_ms = median_ms(bare_count, repeat)
    say(f"baseline_minimal_view: {minimal_ms:.1f} ms median server time (/bench/minimal/, the same middleware)")
    say(f"baseline_bare_count: {count_ms:.1f} ms median (COUNT of the district's {bare_count()[0]:,} files by the "
        f"path index)")
    cases = [
        ("figures_district_this_year", "/console/hardship/figures/"),
        ("figures_district_last_year", f"/console/hardship/figures/?year={year - 1}"),
        ("figures_town", f"/console/hardship/figures/?node={tree['town'].pk}"),
        ("figures_api_district", "/api/v1/hardship/figures"),
        ("households_exited_list", f"/console/hardship/figures/households/?flag=exited&year={year - 1}"),
    ]
    results = []
    for name, url in cases:
        response = manager.get(url)
        if response.status_code != 200:
            sys.exit(f"bench: {url} answered {response.status_code}: {response.content[:300]!r}")
        page_ms = median_ms(lambda u=url: manager.get(u), repeat)
        results.append((name, url, page_ms, minimal_ms, count_ms))
        if explain:
            explain_page(manager, url, connection, sql_chars=300)
    return results


def measure_export(tree: dict) -> dict:
    """The district's household list (everything registered during this year), streamed .xlsx."""
    from django.test import Client

    from gonghui.hardship.views_review import export_header

    client = Client()
    client.force_login(tree["manager"])
    client.get("/console/hardship/figures/export/?flag=all")  # warm
    t = time.perf_counter()
    response = client.get("/console/hardship/figures/export/?flag=all")
    chunks = iter(response.streaming_content)
    first = next(chunks)
    first_s = time.perf_counter() - t
    size, rows_first_s = len(first), None
    for chunk in chunks:
        if rows_first_s is None and chunk:
            rows_first_s = time.perf_counter() - t
        size += len(chunk)
    total_s = time.perf_counter() - t
    import io

    from python_calamine import CalamineWorkbook

    body = b"".join(client.get("/console/hardship/figures/export/?flag=all").streaming_content)
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(body)).get_sheet_by_index(0).to_python()
    rows = len(sheet) - 1
    cells = rows * len(export_header())
    return {"rows": rows, "cells": cells, "first_ms": first_s * 1000, "rows_first_ms": (rows_first_s or 0) * 1000,
            "total_s": total_s, "mb": size / 1e6}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--households", type=int, default=50_000)
    parser.add_argument("--aid", type=int, default=500_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--explain", action="store_true", help="print the plans of the slowest queries")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway data directory")
    parser.add_argument("--reuse", default="", help="measure again a data directory kept with --keep (no loading)")
    parser.add_argument("--database-url", default="",
                        help="an empty PostgreSQL database to use instead of SQLite (it is filled, not cleaned)")
    args = parser.parse_args()
    var_dir = Path(args.reuse) if args.reuse else Path(tempfile.mkdtemp(prefix="gonghui-bench-hardship-"))
    try:
        run_all(args, var_dir)
    finally:
        if not args.keep and not args.reuse:
            shutil.rmtree(var_dir, ignore_errors=True)


def run_all(args, var_dir: Path) -> None:
    env = use_in_process(var_dir, args.database_url)
    database = "PostgreSQL" if args.database_url else "SQLite"
    say(f"# Gonghui hardship figures bench — {database}, data in {var_dir}; {args.households:,} households, "
        f"{args.aid:,} aid payments; {os.cpu_count()} CPUs")
    if not args.reuse:
        run([sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], env, 3000)
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"], env=env, cwd=ROOT,
                   capture_output=True)
    import django

    django.setup()
    if args.reuse:
        from gonghui.accounts.models import User
        from gonghui.orgs.models import UnionNode

        manager = User.objects.get(username="bench_hardship_manager")
        district = manager.grants.unscoped().select_related("node").get().node
        town = UnionNode.objects.unscoped().filter(kind=UnionNode.Kind.TOWN_UNION,
                                                   path__startswith=district.path).order_by("path")[0]
        tree = {"districts": [district], "manager": manager, "town": town}
    else:
        tree = build_tree()
        loaded = load(tree, args.households, args.aid, args.seed)
        say(f"# loaded in {loaded['load_s']:.0f} s ({loaded['exits']:,} exit/closure rows); aid tallies rebuilt in "
            f"{loaded['tally_s']:.1f} s ({loaded['tallies']:,} rows); ANALYZE done")
    for name, url, page_ms, minimal_ms, count_ms in measure(tree, args.repeat, args.explain):
        goal = f"; goal < {PAGE_GOAL_MS:.0f} ms {'met' if page_ms < PAGE_GOAL_MS else 'NOT met'}" \
            if name.startswith("figures_district") else ""
        say(f"{name}: {page_ms:.1f} ms median server time ({page_ms / minimal_ms:.1f} × the minimal view, "
            f"{page_ms / count_ms:.1f} × the bare COUNT{goal})  [{url}]")
    e = measure_export(tree)
    say(f"export_first_bytes: {e['first_ms']:.1f} ms (goal < {FIRST_BYTES_GOAL_MS:.0f} ms "
        f"{'met' if e['first_ms'] < FIRST_BYTES_GOAL_MS else 'NOT met'}); first bytes carrying rows "
        f"{e['rows_first_ms']:.1f} ms")
    rate = e["cells"] / e["total_s"]
    say(f"export_cells: {rate:,.0f} cells/s (goal ≥ {CELLS_GOAL:,} {'met' if rate >= CELLS_GOAL else 'NOT met'}; "
        f"{e['rows']:,} rows × 11 columns, {e['mb']:.1f} MB in {e['total_s']:.2f} s, streamed)")


if __name__ == "__main__":
    main()
