#!/usr/bin/env python
"""Benchmarks of the workflow engine and worker requests (the requests issue's speed targets).

    .venv/bin/python bench/cases.py [--cases 500000] [--duration 10]

1. ``submit``: requests submitted over HTTP (``POST /api/v1/requests/`` with a bearer token) by
   64 concurrent wrk connections against gunicorn with 2 workers, beside the minimal view loaded
   the same way in the same run: requests per second and the 99th-percentile latency.
2. ``inbox``: with ``--cases`` cases in the tree (500,000 by default, in a 20,000-union
   district and its sibling), the district manager's first inbox page, filtered, with its counts
   per state: median server time over 30 requests (Django test client, in-process).
3. ``sweep``: one time-limit sweep over all open cases (1,000 due soon and 1,000 newly overdue
   among them), then a second sweep with nothing left to do.

Each line reads ``name: value unit (ratio to baseline)``. Targets: inbox median < 50 ms; sweep < 2 s.
"""

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run import ROOT, Server, run, say, use_in_process  # noqa: E402

LUA = """
wrk.method = "POST"
wrk.body = '{"category": "wages", "kind": "help", "description": "公司拖欠工资三个月，请工会帮助协调。", "migrant_worker": true}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer %s"
"""


def wrk(url: str, seconds: float, connections: int, script: str = "") -> dict:
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "10s", "--latency"]
    if script:
        cmd += ["-s", script]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, timeout=seconds + 30).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return {"rps": rps, "p99_ms": float(p99.group(1)) * scale[p99.group(2)] if p99 else float("nan"),
            "non_2xx": int(bad.group(1)) if bad else 0}


def build(cases: int, seed: int) -> dict:
    """Fill the throwaway database: requests spread over the tree, in every state."""
    import django

    django.setup()
    from django.db import transaction
    from django.utils import timezone

    from gonghui.accounts.models import User
    from gonghui.accounts.services import issue_token
    from gonghui.members.models import Membership, Worker
    from gonghui.orgs.models import UnionNode
    from gonghui.requests import casetype
    from gonghui.requests.models import Category, Request
    from gonghui.workflow.models import Case

    rng = random.Random(seed)
    now = timezone.now()
    unions = list(UnionNode.objects.unscoped().filter(kind="grassroots_union").values_list("pk", "path"))
    categories = list(Category.objects.values_list("pk", "code"))
    states = [("closed", 60), ("handling", 20), ("submitted", 9), ("awaiting_info", 5), ("quality_check", 4),
              ("reopened", 2)]
    population = [s for s, weight in states for _ in range(weight)]
    started = time.monotonic()
    batch = 20_000
    made = 0
    with transaction.atomic():
        while made < cases:
            rows = []
            for i in range(min(batch, cases - made)):
                pk, path = rng.choice(unions)
                state = rng.choice(population)
                category = rng.choice(categories)
                created = now - timezone.timedelta(days=rng.randint(0, 365))
                open_ = state != "closed"
                due = now + timezone.timedelta(days=rng.randint(2, 30)) if open_ else None
                rows.append(Case(
                    case_type=casetype.NAME, number=f"SQ{made + i:09d}", title="工资被拖欠，请求帮助",
                    applicant_name="职工", node_id=pk, node_path=path, state=state, urgent=rng.random() < 0.05,
                    topic=category[1],
                    state_entered_at=created, due_at=due,
                    warn_at=due - timezone.timedelta(hours=24) if due else None,
                    is_open=open_, closed_at=None if open_ else created + timezone.timedelta(days=3)))
            Case.objects.bulk_create(rows, batch_size=5000)
            first = Case.objects.unscoped().filter(number=rows[0].number).values_list("pk", flat=True).get()
            Request.objects.bulk_create([
                Request(case_id=first + i, category_id=next(c for c in categories if c[1] == row.topic)[0],
                        kind="help", description="工资被拖欠", channel="online")
                for i, row in enumerate(rows)], batch_size=5000)
            made += len(rows)
        # Due soon and newly overdue: what one sweep has to act on.
        open_ids = list(Case.objects.unscoped().filter(is_open=True).values_list("pk", flat=True)[:2000])
        Case.objects.unscoped().filter(pk__in=open_ids[:1000]).update(
            warn_at=now - timezone.timedelta(minutes=5), due_at=now + timezone.timedelta(hours=20))
        Case.objects.unscoped().filter(pk__in=open_ids[1000:]).update(
            warn_at=now - timezone.timedelta(days=1), due_at=now - timezone.timedelta(minutes=5),
            warned_at=now - timezone.timedelta(days=1))
        # A member who submits over the API.
        union = UnionNode.objects.unscoped().filter(kind="grassroots_union").order_by("path").first()
        user = User.objects.create(username="w13900000000", phone="13900000000", kind=User.Kind.WORKER,
                                   display_name="压测职工")
        worker = Worker(name="压测职工", mobile="13900000000", user=user)
        worker.set_id_number("11010519491231002X")
        worker.save()
        Membership.objects.create(worker=worker, union=union, member_number="BENCH0001",
                                  joined_on=now.date())
    from gonghui.core import dbstats
    from gonghui.workflow import tallies

    tallies.rebuild()  # the cases were bulk-inserted
    dbstats.refresh(force=True)
    _token, plain = issue_token(user, name="bench")
    return {"token": plain, "seconds": round(time.monotonic() - started, 1)}


def measure_inbox(username: str, repeat: int) -> dict:
    from django.test import Client

    from gonghui.accounts.models import User
    from gonghui.requests.models import Category

    client = Client()
    client.force_login(User.objects.get(username=username))
    wages = Category.objects.get(code="wages")
    pages = {
        "inbox_first_page": "/console/requests/",
        "inbox_filtered": f"/console/requests/?state=handling&category={wages.pk}&urgent=1",
        "inbox_category": f"/console/requests/?category={wages.pk}",
        "inbox_urgent": "/console/requests/?urgent=1",
        "inbox_overdue": "/console/requests/?overdue=1",
        "inbox_state_submitted": "/console/requests/?state=submitted",
        "inbox_state_closed": "/console/requests/?state=closed",
        "inbox_all": "/console/requests/?state=all",
    }
    results = {}
    for name, url in pages.items():
        response = client.get(url)
        if response.status_code != 200:
            sys.exit(f"bench: {url} answered {response.status_code}")
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - t) * 1000)
        results[name] = statistics.median(times)
    return results


def measure_sweep() -> tuple[float, float, object]:
    from gonghui.workflow import services

    t = time.perf_counter()
    first = services.sweep()
    first_s = time.perf_counter() - t
    t = time.perf_counter()
    services.sweep()
    return first_s, time.perf_counter() - t, first


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=500_000)
    parser.add_argument("--unions", type=int, default=20_000)
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the throwaway data directory")
    parser.add_argument("--database-url", default="",
                        help="an empty PostgreSQL database to use instead of SQLite (it is filled, not cleaned)")
    args = parser.parse_args()

    var_dir = Path(tempfile.mkdtemp(prefix="gonghui-bench-cases-"))
    try:
        run_all(args, var_dir)
    finally:
        if not args.keep:
            shutil.rmtree(var_dir, ignore_errors=True)


def run_all(args, var_dir: Path) -> None:
    env = use_in_process(var_dir, args.database_url)
    started = time.monotonic()
    database = "PostgreSQL" if args.database_url else "SQLite"
    say(f"# Gonghui cases bench — {database}, data in {var_dir}; {args.cases:,} cases; {os.cpu_count()} CPUs")
    run([sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], env, 300)
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"], env=env, cwd=ROOT,
                   capture_output=True)
    tree = json.loads(run([sys.executable, "-m", "bench.setup_data", "--unions", str(args.unions)], env, 600)
                      .strip().splitlines()[-1])
    built = build(args.cases, args.seed)
    say(f"# built {args.cases:,} cases in {built['seconds']} s over {tree['total_nodes']:,} union nodes")

    inbox = measure_inbox(tree["username"], args.repeat)
    for name, ms in inbox.items():
        say(f"{name}: {ms:.1f} ms median server time ({ms / 50:.2f} × the 50 ms target)")
    first_s, idle_s, result = measure_sweep()
    say(f"sweep_with_work: {first_s:.2f} s ({first_s / 2:.2f} × the 2 s target; "
        f"{result.warned} warned, {result.escalated} escalated)")
    say(f"sweep_idle: {idle_s * 1000:.1f} ms ({idle_s / 2:.3f} × the 2 s target)")

    script = var_dir / "submit.lua"
    script.write_text(LUA % built["token"])
    server = Server("gunicorn", env, var_dir)
    try:
        server.wait_ready()
        base = server.base
        wrk(base + "/bench/minimal/", 2, args.connections)  # warm up
        minimal = wrk(base + "/bench/minimal/", args.duration, args.connections)
        submit = wrk(base + "/api/v1/requests/", args.duration, args.connections, str(script))
    finally:
        server.stop()
    say(f"minimal_c{args.connections}: {minimal['rps']:.1f} req/s (1.00 × minimal, the baseline; "
        f"p99 {minimal['p99_ms']:.1f} ms)")
    say(f"submit_request_c{args.connections}: {submit['rps']:.1f} req/s "
        f"({submit['rps'] / minimal['rps']:.2f} × minimal; p99 {submit['p99_ms']:.1f} ms, "
        f"{minimal['p99_ms'] and submit['p99_ms'] / minimal['p99_ms']:.1f} × minimal's p99; "
        f"non-2xx {submit['non_2xx']})")
    say(f"# total {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
