#!/usr/bin/env python
"""Hardship aid: parallel approvals against one fund (the hardship issue's cap-and-budget check).

    .venv/bin/python bench/hardship_aid.py [--threads 32] [--payments 3200] [--database-url postgres://…/EMPTY_DB]

Builds a throwaway SQLite database (a city, a district, a grassroots union, ``--payments``
registered households each with one pending aid of 100 yuan, and one fund whose budget pays
exactly 75 % of them), then lets ``--threads`` threads approve the payments at once through
``services_aid.approve_aid`` — the lock on the fund row, the cap and budget checks, the payment,
the fund's new total, the ledger row and the audit entry in one transaction each.

It checks what matters first: the fund never goes negative, exactly the affordable payments were
paid, every other one was refused for the budget, and spent = the sum of the paid payments. Then it
reports throughput beside two baselines measured the same way in the same run:

- ``bare_insert``: one INSERT of a two-column row per transaction (the database's own ceiling for
  one writer at a time);
- ``bare_locked_update``: lock one row, read it, check, update it — the minimum any correct
  "never negative" scheme must do per approval.

With ``--database-url`` (or DATABASE_URL in the environment) the same runs again on that
PostgreSQL database, which must be empty (it is migrated and filled, not cleaned). Each database
runs in a child process of its own (Django's settings are per process).
Each line reads ``name: value unit (ratio to baseline)``.
"""

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run import bench_env, run, say  # noqa: E402

AMOUNT = Decimal("100")
AFFORDABLE_SHARE = Decimal("0.75")


# ----- in the child process (Django set up) -----

def build(payments: int, seed: int) -> dict:
    import django

    django.setup()
    from django.db import transaction
    from django.utils import timezone

    from gonghui.accounts.models import Grant, User
    from gonghui.demo.idnumbers import fake_id_number
    from gonghui.hardship.models import AidPayment, Fund, HardshipFile
    from gonghui.members.models import Worker
    from gonghui.orgs.models import UnionNode

    rng = random.Random(seed)
    today = timezone.localdate()
    K = UnionNode.Kind
    with transaction.atomic():
        def node(name, kind, parent, step):
            path = (parent.path if parent else "") + step
            return UnionNode.objects.create(name=name, kind=kind, parent=parent, path=path, depth=len(path) // 4)

        city = node("压测市总工会", K.CITY_FEDERATION, None, "ZZ00")
        district = node("压测区总工会", K.DISTRICT_FEDERATION, city, "0000")
        union = node("压测机械厂工会", K.GRASSROOTS_UNION, district, "0000")
        manager = User.objects.create(username="bench_aid_manager", kind=User.Kind.STAFF, display_name="压测审批人")
        Grant.objects.create(user=manager, node=district, role="manager")
        seen: set[str] = set()
        workers = []
        while len(workers) < payments:
            number = fake_id_number(rng)
            if number in seen:
                continue
            seen.add(number)
            worker = Worker(name=f"压测职工{len(workers)}", mobile=f"139{len(workers):08d}")
            worker.set_id_number(number)
            workers.append(worker)
        Worker.objects.bulk_create(workers, batch_size=2000)
        workers = list(Worker.objects.unscoped().order_by("pk").values_list("pk", flat=True))
        HardshipFile.objects.bulk_create([
            HardshipFile(number=f"KN2099{i:06d}", worker_id=pk, union=union, node_path=union.path,
                         status=HardshipFile.Status.REGISTERED, category=HardshipFile.Category.DEEP,
                         household_size=3, registered_on=today)
            for i, pk in enumerate(workers)], batch_size=2000)
        budget = (AMOUNT * payments * AFFORDABLE_SHARE).quantize(Decimal("1"))
        fund = Fund.objects.create(union=district, node_path=district.path, year=today.year,
                                   source=Fund.Source.UNION_FUNDS, budget=budget, name="压测帮扶资金")
        files = list(HardshipFile.objects.unscoped().order_by("pk").values_list("pk", flat=True))
        AidPayment.objects.bulk_create([
            AidPayment(file_id=pk, union=union, node_path=union.path, fund=fund, kind="living", amount=AMOUNT,
                       reason="压测", status=AidPayment.Status.PENDING)
            for pk in files], batch_size=2000)
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("CREATE TABLE IF NOT EXISTS bench_aid_baseline (id serial PRIMARY KEY, n integer)")
        else:
            cursor.execute("CREATE TABLE IF NOT EXISTS bench_aid_baseline (id integer PRIMARY KEY, n integer)")
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_aid_counter (id integer PRIMARY KEY, total integer)")
        cursor.execute("DELETE FROM bench_aid_counter")
        cursor.execute("INSERT INTO bench_aid_counter (id, total) VALUES (1, 0)")
    return {"fund": fund.pk, "manager": manager.pk, "budget": str(budget)}


def in_threads(threads: int, items: list, work) -> tuple[float, list[float], dict]:
    """Run ``work(item)`` for every item from ``threads`` threads started together; returns the wall
    time, each call's latency and the outcomes counted."""
    from django.db import connection

    queue = list(reversed(items))
    lock = threading.Lock()
    latencies: list[float] = []
    outcomes: dict[str, int] = {}
    barrier = threading.Barrier(threads + 1)

    def worker():
        barrier.wait()
        try:
            while True:
                with lock:
                    if not queue:
                        return
                    item = queue.pop()
                started = time.perf_counter()
                outcome = work(item)
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    outcomes[outcome] = outcomes.get(outcome, 0) + 1
        finally:
            connection.close()

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    barrier.wait()
    started = time.perf_counter()
    for t in pool:
        t.join()
    return time.perf_counter() - started, latencies, outcomes


def in_processes(processes: int, items: list, work) -> tuple[float, list[float], dict]:
    """The same with ``processes`` forked processes (as gunicorn's sync workers would be): no shared
    interpreter lock, only the database's."""
    import multiprocessing

    from django.db import connections

    connections.close_all()  # never share a connection with the children
    ctx = multiprocessing.get_context("fork")
    next_index = ctx.Value("i", 0)
    barrier = ctx.Barrier(processes + 1)
    results = ctx.Queue()

    def worker():
        latencies, outcomes = [], {}
        barrier.wait()
        while True:
            with next_index.get_lock():
                i = next_index.value
                next_index.value += 1
            if i >= len(items):
                break
            started = time.perf_counter()
            outcome = work(items[i])
            latencies.append(time.perf_counter() - started)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
        connections.close_all()
        results.put((latencies, outcomes))

    pool = [ctx.Process(target=worker) for _ in range(processes)]
    for p in pool:
        p.start()
    barrier.wait()
    started = time.perf_counter()
    gathered = [results.get() for _ in pool]
    wall = time.perf_counter() - started
    for p in pool:
        p.join()
    latencies = [x for lat, _o in gathered for x in lat]
    outcomes: dict[str, int] = {}
    for _lat, counted in gathered:
        for k, v in counted.items():
            outcomes[k] = outcomes.get(k, 0) + v
    return wall, latencies, outcomes


def measure(threads: int, built: dict, *, processes: bool = False) -> dict:
    from django.core.exceptions import ValidationError
    from django.db import connection, transaction

    from gonghui.accounts.models import User
    from gonghui.hardship import services_aid as aid
    from gonghui.hardship.models import AidPayment, Fund
    from gonghui.ledger.models import ServiceRecord

    manager = User.objects.get(pk=built["manager"])
    ids = list(AidPayment.objects.unscoped().filter(fund_id=built["fund"]).order_by("pk").values_list("pk", flat=True))

    def approve(pk):
        try:
            aid.approve_aid(AidPayment(pk=pk), by=manager)
            return "paid"
        except ValidationError as error:
            return error.code or "invalid"
        except Exception as error:  # anything else is a failure of the service
            return f"error: {error!r}"

    def bare_insert(n):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("INSERT INTO bench_aid_baseline (n) VALUES (%s)", [n])
        return "ok"

    def bare_locked_update(n):
        with transaction.atomic(), connection.cursor() as cursor:
            lock = " FOR UPDATE" if connection.vendor == "postgresql" else ""
            cursor.execute(f"SELECT total FROM bench_aid_counter WHERE id = 1{lock}")
            total = cursor.fetchone()[0]
            if total + 100 <= 10**12:
                cursor.execute("UPDATE bench_aid_counter SET total = total + 100 WHERE id = 1")
        return "ok"

    results = {}
    for name, work, items in (("bare_insert", bare_insert, list(range(len(ids)))),
                              ("bare_locked_update", bare_locked_update, list(range(len(ids)))),
                              ("approve_aid", approve, ids)):
        wall, latencies, outcomes = (in_processes if processes else in_threads)(threads, items, work)
        latencies.sort()
        results[name] = {"seconds": wall, "per_second": len(items) / wall, "outcomes": outcomes,
                         "p50_ms": statistics.median(latencies) * 1000,
                         "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000}
    fund = Fund.objects.unscoped().get(pk=built["fund"])
    paid = AidPayment.objects.unscoped().filter(fund=fund, status=AidPayment.Status.PAID)
    results["check"] = {
        "budget": str(fund.budget), "spent": str(fund.spent), "remaining": str(fund.remaining),
        "paid": paid.count(), "paid_sum": str(sum(p.amount for p in paid)),
        "expected_paid": int(len(ids) * AFFORDABLE_SHARE),
        "ledger_rows": ServiceRecord.objects.unscoped().filter(kind=aid.KIND_AID_PAID).count(),
        "vendor": connection.vendor,
    }
    return results


def child(args) -> None:
    built = build(args.payments, args.seed)
    print(json.dumps(measure(args.threads, built, processes=args.processes)), flush=True)


# ----- the parent: one child per database -----

def run_database(args, database_url: str) -> bool:
    var_dir = Path(tempfile.mkdtemp(prefix="gonghui-bench-aid-"))
    try:
        env = bench_env(var_dir)
        if database_url:
            env["DATABASE_URL"] = database_url
        env["GONGHUI_CONN_MAX_AGE"] = "0"
        database = "PostgreSQL" if database_url else "SQLite"
        run([sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], env, 600)
        out = run([sys.executable, str(Path(__file__).resolve()), "--child", "--threads", str(args.threads),
                   "--payments", str(args.payments), "--seed", str(args.seed)]
                  + (["--processes"] if args.processes else []), env, 3600)
        results = json.loads(out.strip().splitlines()[-1])
        return report(database, args, results)
    finally:
        if not args.keep:
            shutil.rmtree(var_dir, ignore_errors=True)


def report(database: str, args, r: dict) -> bool:
    prefix = "sqlite" if database == "SQLite" else "postgresql"
    check = r["check"]
    approve, insert, locked = r["approve_aid"], r["bare_insert"], r["bare_locked_update"]
    outcomes = approve["outcomes"]
    errors = {k: v for k, v in outcomes.items() if k not in ("paid", "over_budget")}
    ok = (Decimal(check["remaining"]) >= 0 and check["paid"] == check["expected_paid"]
          and outcomes.get("paid", 0) == check["expected_paid"]
          and outcomes.get("over_budget", 0) == args.payments - check["expected_paid"]
          and Decimal(check["spent"]) == Decimal(check["paid_sum"]) and check["ledger_rows"] == check["paid"]
          and not errors)
    say(f"# {database}: {args.threads} threads, {args.payments:,} aid payments of {AMOUNT} yuan against one fund "
        f"of {Decimal(check['budget']):,.2f} yuan")
    say(f"{prefix}.never_negative: {'OK' if ok else 'FAILED'} — paid {check['paid']:,} (expected "
        f"{check['expected_paid']:,}), refused for the budget {outcomes.get('over_budget', 0):,}, "
        f"other outcomes {errors or 'none'}; spent {Decimal(check['spent']):,.2f} = sum of paid "
        f"{Decimal(check['paid_sum']):,.2f}; remaining {Decimal(check['remaining']):,.2f}; "
        f"ledger rows {check['ledger_rows']:,}")
    say(f"{prefix}.bare_insert: {insert['per_second']:.0f} transactions/s (1.00 × bare_insert, the baseline; "
        f"p50 {insert['p50_ms']:.1f} ms, p99 {insert['p99_ms']:.1f} ms)")
    say(f"{prefix}.bare_locked_update: {locked['per_second']:.0f} transactions/s "
        f"({locked['per_second'] / insert['per_second']:.2f} × bare_insert; p50 {locked['p50_ms']:.1f} ms, "
        f"p99 {locked['p99_ms']:.1f} ms)")
    say(f"{prefix}.approve_aid: {approve['per_second']:.0f} approvals/s "
        f"({approve['per_second'] / insert['per_second']:.2f} × bare_insert, "
        f"{approve['per_second'] / locked['per_second']:.2f} × bare_locked_update; p50 {approve['p50_ms']:.1f} ms, "
        f"p99 {approve['p99_ms']:.1f} ms; {approve['seconds']:.1f} s for {args.payments:,})")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=32)
    parser.add_argument("--payments", type=int, default=3200)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""),
                        help="an empty PostgreSQL database to run on as well (it is filled, not cleaned)")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway data directory")
    parser.add_argument("--processes", action="store_true",
                        help="approve from --threads forked processes instead of threads of one process")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    started = time.monotonic()
    say(f"# Gonghui hardship aid bench — {os.cpu_count()} CPUs")
    ok = run_database(args, "")
    if args.database_url.startswith(("postgres://", "postgresql://")):
        ok = run_database(args, args.database_url) and ok
    say(f"# total {time.monotonic() - started:.0f} s")
    if not ok:
        sys.exit("bench: the fund's balance is wrong (see never_negative above)")


if __name__ == "__main__":
    main()
