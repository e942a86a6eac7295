#!/usr/bin/env python
"""Enrolment: the release rush over HTTP (the activities-and-training issue's speed goal).

    .venv/bin/python bench/enrolment_rush.py [--attempts 5000] [--clients 64] [--places 500]
        [--workers 2] [--server gunicorn] [--database-url postgres://…/EMPTY_DB] [--skip-sqlite]

For each database (a throwaway SQLite file; then, with ``--database-url`` or DATABASE_URL, that
PostgreSQL database, which must be empty — it is migrated and filled, not cleaned) it:

1. migrates, then bulk-creates a union, ``--attempts`` worker accounts (each with a Worker and a
   membership) and a signed-in session for each, and one published event with ``--places`` places
   and a waiting list;
2. starts the server (gunicorn, 2 sync workers by default) on 127.0.0.1;
3. fires ``--attempts`` sign-ups — ``POST /api/v1/enrolments/offerings/{id}/sign-up``, each as a
   different signed-in worker (session cookie + CSRF header) — from ``--clients`` concurrent
   connections of an asyncio HTTP/1.1 client, every attempt once;
4. checks what matters first: every attempt answered (201), exactly ``--places`` confirmed and the
   rest waiting — in the responses, in the rows and in the offering's counters — and the waiting
   positions 1..n without gaps or twins;
5. reports sign-ups per second beside the foundation's minimal view (``/bench/minimal/``, the same
   number of requests from the same client against the same server in the same run);
6. on PostgreSQL, runs pgbench (64 clients, 10 s) with a script doing the same lock-check-insert
   transaction on two plain tables shaped like the offering and the enrolment (lock the offering
   row, look for the person's live sign-up, insert confirmed or waiting, update the counters) and
   reports the app's rate as a share of it (the issue's goal: ≥ 50 %).

Each line reads ``name: value unit (ratio to baseline)``. See bench/README.md.
"""

import argparse
import asyncio
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run import BIN, Server, bench_env, run, say  # noqa: E402

GOAL_PGBENCH = 0.50


# ----- child stages (Django set up in a process of their own) -----

def stage_setup(attempts: int, places: int, out: str) -> None:
    import datetime
    import random
    from importlib import import_module

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.db import transaction
    from django.utils import timezone

    from gonghui.accounts.models import User
    from gonghui.demo.idnumbers import fake_id_number
    from gonghui.enrolment.models import Offering
    from gonghui.members.models import Membership, Worker
    from gonghui.orgs.models import UnionNode

    store = import_module(settings.SESSION_ENGINE).SessionStore
    rng = random.Random(8)
    K = UnionNode.Kind
    started = time.monotonic()
    with transaction.atomic():
        def node(name, kind, parent, step):
            path = (parent.path if parent else "") + step
            return UnionNode.objects.create(name=name, kind=kind, parent=parent, path=path, depth=len(path) // 4)

        city = node("压测市总工会", K.CITY_FEDERATION, None, "ZZ00")
        district = node("压测区总工会", K.DISTRICT_FEDERATION, city, "0000")
        union = node("压测机械厂工会", K.GRASSROOTS_UNION, district, "0000")
        User.objects.bulk_create([User(username=f"wrush{i:06d}", phone=f"188{i:08d}", kind=User.Kind.WORKER,
                                       display_name=f"抢报职工{i}") for i in range(attempts)], batch_size=2000)
        users = list(User.objects.filter(username__startswith="wrush").order_by("pk"))
        seen: set[str] = set()
        workers = []
        for user in users:
            number = fake_id_number(rng)
            while number in seen:
                number = fake_id_number(rng)
            seen.add(number)
            worker = Worker(name=user.display_name, mobile=user.phone, user=user)
            worker.set_id_number(number)
            workers.append(worker)
        Worker.objects.bulk_create(workers, batch_size=2000)
        worker_ids = list(Worker.objects.unscoped().filter(user__in=users).order_by("pk").values_list("pk", flat=True))
        Membership.objects.bulk_create([
            Membership(worker_id=pk, union=union, node_path=union.path, member_number=f"RUSH{i:08d}",
                       joined_on=datetime.date(2020, 1, 1)) for i, pk in enumerate(worker_ids)], batch_size=2000)
        now = timezone.now()
        offering = Offering.objects.create(
            kind="event", node=union, title="压测：职工音乐会抢票", capacity=places, audience="workers",
            status="published", waitlist=True, opens_at=now - datetime.timedelta(hours=1),
            closes_at=now + datetime.timedelta(days=1), ends_at=now + datetime.timedelta(days=2))
        sessions = []
        for user in users:
            session = store()
            session[SESSION_KEY] = str(user.pk)
            session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            session.create()
            sessions.append(session.session_key)
    Path(out).write_text(json.dumps({"offering": offering.pk, "sessions": sessions,
                                     "seconds": round(time.monotonic() - started, 1)}))


def stage_verify(offering_id: int) -> None:
    import django

    django.setup()
    from django.db.models import Count

    from gonghui.enrolment.models import Enrolment, Offering

    offering = Offering.objects.unscoped().get(pk=offering_id)
    rows = Enrolment.objects.unscoped().filter(offering=offering)
    by_status = dict(rows.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    positions = list(rows.filter(status="waiting").order_by("position").values_list("position", flat=True))
    print(json.dumps({
        "capacity": offering.capacity, "confirmed_count": offering.confirmed_count,
        "waiting_count": offering.waiting_count, "by_status": by_status,
        "positions_ok": positions == list(range(1, len(positions) + 1)),
        "people": rows.values("user").distinct().count(), "rows": rows.count(),
    }))


# ----- the HTTP client -----

async def _worker(host, port, queue: asyncio.Queue, make_request, stats: dict) -> None:
    reader = writer = None
    while True:
        try:
            item = queue.get_nowait()
        except asyncio.QueueEmpty:
            break
        request = make_request(item)
        started = time.monotonic()
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection(host, port)
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", head)
            body = await reader.readexactly(int(length.group(1))) if length else await reader.read()
            if not length or re.search(rb"(?i)\r\nconnection:\s*close", head):
                writer.close()
                reader = writer = None
            stats["status"][status] += 1
            stats["latency"].append(time.monotonic() - started)
            if status == 201:
                stats["outcome"][json.loads(body).get("status", "?")] += 1
            elif status != 200:
                stats["bodies"].append(body[:300].decode(errors="replace"))
        except (OSError, asyncio.IncompleteReadError, ValueError) as error:
            stats["errors"] += 1
            stats["bodies"].append(repr(error))
            if writer is not None:
                writer.close()
            reader = writer = None


def fire(base: str, items: list, make_request, clients: int) -> dict:
    host, port = base.removeprefix("http://").split(":")
    stats = {"status": Counter(), "outcome": Counter(), "latency": [], "errors": 0, "bodies": []}

    async def main():
        queue: asyncio.Queue = asyncio.Queue()
        for item in items:
            queue.put_nowait(item)
        await asyncio.gather(*(_worker(host, int(port), queue, make_request, stats) for _ in range(clients)))

    started = time.monotonic()
    asyncio.run(main())
    stats["seconds"] = time.monotonic() - started
    stats["rate"] = len(items) / stats["seconds"]
    return stats


def signup_request(host: str, offering: int):
    csrf = secrets.token_hex(16)  # 32 characters: Django accepts the unmasked secret as the token
    body = b"{}"
    path = f"/api/v1/enrolments/offerings/{offering}/sign-up"

    def make(session_key: str) -> bytes:
        return (f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\nCookie: sessionid={session_key}; csrftoken={csrf}\r\n"
                f"X-CSRFToken: {csrf}\r\n\r\n").encode() + body
    return make


def get_request(host: str, path: str, cookie: str = ""):
    raw = (f"GET {path} HTTP/1.1\r\nHost: {host}\r\n" + (f"Cookie: {cookie}\r\n" if cookie else "") + "\r\n").encode()
    return lambda _item: raw


def pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] * 1000


# ----- pgbench -----

PGBENCH_SETUP = """
DROP TABLE IF EXISTS bench_rush_enrolment; DROP TABLE IF EXISTS bench_rush_offering; DROP SEQUENCE IF EXISTS bench_rush_uid;
CREATE TABLE bench_rush_offering (id integer PRIMARY KEY, capacity integer NOT NULL,
  confirmed_count integer NOT NULL DEFAULT 0, waiting_count integer NOT NULL DEFAULT 0,
  last_position integer NOT NULL DEFAULT 0, CHECK (confirmed_count <= capacity));
CREATE TABLE bench_rush_enrolment (id bigserial PRIMARY KEY, offering_id integer NOT NULL REFERENCES bench_rush_offering,
  user_id bigint NOT NULL, status varchar(10) NOT NULL, position integer, code varchar(12) NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now());
CREATE UNIQUE INDEX bench_rush_live ON bench_rush_enrolment (offering_id, user_id)
  WHERE status IN ('confirmed', 'waiting', 'offered');
CREATE UNIQUE INDEX bench_rush_code ON bench_rush_enrolment (offering_id, code);
CREATE SEQUENCE bench_rush_uid;
INSERT INTO bench_rush_offering (id, capacity) VALUES (1, {places});
"""

PGBENCH_SCRIPT = r"""SELECT nextval('bench_rush_uid') AS uid \gset
BEGIN;
SELECT capacity, confirmed_count, waiting_count, last_position FROM bench_rush_offering WHERE id = 1 FOR UPDATE;
SELECT 1 FROM bench_rush_enrolment WHERE offering_id = 1 AND user_id = :uid AND status IN ('confirmed', 'waiting', 'offered');
INSERT INTO bench_rush_enrolment (offering_id, user_id, status, position, code)
  SELECT 1, :uid, CASE WHEN confirmed_count < capacity THEN 'confirmed' ELSE 'waiting' END,
         CASE WHEN confirmed_count < capacity THEN NULL ELSE last_position + 1 END, 'C' || :uid
  FROM bench_rush_offering WHERE id = 1;
UPDATE bench_rush_offering SET
  waiting_count = waiting_count + CASE WHEN confirmed_count < capacity THEN 0 ELSE 1 END,
  last_position = last_position + CASE WHEN confirmed_count < capacity THEN 0 ELSE 1 END,
  confirmed_count = confirmed_count + CASE WHEN confirmed_count < capacity THEN 1 ELSE 0 END
  WHERE id = 1;
END;
"""


def run_pgbench(url: str, places: int, clients: int, seconds: int, work: Path) -> dict:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(PGBENCH_SETUP.format(places=places))
    script = work / "rush.sql"
    script.write_text(PGBENCH_SCRIPT)
    pgbench = shutil.which("pgbench") or "/usr/lib/postgresql/15/bin/pgbench"
    result = subprocess.run([pgbench, "-n", "-c", str(clients), "-j", "2", "-T", str(seconds), "-f", str(script), url],
                            capture_output=True, text=True, timeout=seconds + 120)
    tps = re.search(r"tps = ([\d.]+) \(without initial connection time\)", result.stdout)
    failed = re.search(r"number of failed transactions: (\d+)", result.stdout)
    with psycopg.connect(url, autocommit=True) as conn:
        confirmed = conn.execute("SELECT count(*) FROM bench_rush_enrolment WHERE status = 'confirmed'").fetchone()[0]
        counters = conn.execute("SELECT confirmed_count, waiting_count FROM bench_rush_offering").fetchone()
        total = conn.execute("SELECT count(*) FROM bench_rush_enrolment").fetchone()[0]
        conn.execute("DROP TABLE bench_rush_enrolment; DROP TABLE bench_rush_offering; DROP SEQUENCE bench_rush_uid")
    if not tps:
        raise RuntimeError(f"could not read pgbench output:\n{result.stdout}\n{result.stderr}")
    return {"tps": float(tps.group(1)), "failed": int(failed.group(1)) if failed else 0, "confirmed": confirmed,
            "counters": counters, "rows": total}


# ----- one database -----

def one_database(label: str, database_url: str, args, work: Path) -> dict:
    var_dir = Path(tempfile.mkdtemp(prefix=f"gonghui-rush-{label}-"))
    env = bench_env(var_dir)
    if database_url:
        env["DATABASE_URL"] = database_url
    python = str(BIN / "python")
    try:
        t0 = time.monotonic()
        run([python, "manage.py", "migrate", "--noinput", "-v", "0"], env, timeout=1800)
        run([python, "manage.py", "collectstatic", "--noinput", "-v", "0"], env, timeout=600)
        out = work / f"{label}-setup.json"
        run([python, __file__, "--stage", "setup", "--attempts", str(args.attempts), "--places", str(args.places),
             "--out", str(out)], env, timeout=1800)
        setup = json.loads(out.read_text())
        say(f"{label}: migrated and filled in {time.monotonic() - t0:.0f} s "
            f"({args.attempts} signed-in workers, {args.places} places)")
        server = Server(args.server, env, work)
        try:
            server.wait_ready()
            host = server.base.removeprefix("http://")
            # Warm both workers up (imports, first queries) without writing anything.
            fire(server.base, list(range(200)), get_request(host, "/bench/minimal/"), 8)
            warm_cookie = f"sessionid={setup['sessions'][0]}"
            fire(server.base, list(range(40)), get_request(host, "/api/v1/enrolments/mine", warm_cookie), 4)

            rush = fire(server.base, setup["sessions"], signup_request(host, setup["offering"]), args.clients)
            minimal = fire(server.base, list(range(args.attempts)), get_request(host, "/bench/minimal/"), args.clients)
            # A 5xx page is the server's, not Django's: keep what the server logged about it.
            rush["server_log"] = (server.log_tail(40) if rush["errors"] or any(code >= 500 for code in rush["status"])
                                  else "")
        finally:
            server.stop()
        verify = json.loads(run([python, __file__, "--stage", "verify", "--offering", str(setup["offering"])],
                                env, timeout=600).strip().splitlines()[-1])
        return {"rush": rush, "minimal": minimal, "verify": verify}
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


def report(label: str, result: dict, args) -> float:
    rush, minimal, verify = result["rush"], result["minimal"], result["verify"]
    places, attempts = args.places, args.attempts
    answered = sum(rush["status"].values())
    ok = (answered == attempts and rush["status"].get(201, 0) == attempts and rush["errors"] == 0
          and rush["outcome"].get("confirmed", 0) == places and rush["outcome"].get("waiting", 0) == attempts - places
          and verify["by_status"].get("confirmed", 0) == places
          and verify["by_status"].get("waiting", 0) == attempts - places
          and verify["confirmed_count"] == places and verify["waiting_count"] == attempts - places
          and verify["positions_ok"])
    say(f"{label}.correct: {'yes' if ok else 'NO'} — answered {answered}/{attempts} "
        f"(HTTP {dict(rush['status'])}, socket errors {rush['errors']}), responses confirmed "
        f"{rush['outcome'].get('confirmed', 0)} / waiting {rush['outcome'].get('waiting', 0)}; rows "
        f"{verify['by_status']}; counters {verify['confirmed_count']}/{verify['waiting_count']}; "
        f"waiting positions 1..n {'ok' if verify['positions_ok'] else 'BROKEN'}")
    if rush["bodies"]:
        say(f"{label}.first_errors: {rush['bodies'][:2]}")
    if rush.get("server_log"):
        say(f"{label}.server_log (last lines):\n{rush['server_log']}")
    say(f"{label}.minimal: {minimal['rate']:.1f} req/s (1.00 × minimal, the baseline)  "
        f"[p50 {pct(minimal['latency'], .5):.1f} ms, p99 {pct(minimal['latency'], .99):.1f} ms]")
    say(f"{label}.sign_up: {rush['rate']:.1f} sign-ups/s ({rush['rate'] / minimal['rate']:.2f} × minimal)  "
        f"[{attempts} attempts in {rush['seconds']:.1f} s, p50 {pct(rush['latency'], .5):.1f} ms, "
        f"p99 {pct(rush['latency'], .99):.1f} ms]")
    return rush["rate"] if ok else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stage", choices=["setup", "verify"], help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--offering", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--attempts", type=int, default=5000)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--places", type=int, default=500)
    parser.add_argument("--workers", type=int, default=2, help="server worker processes (default 2)")
    parser.add_argument("--server", default="gunicorn", choices=["gunicorn", "granian"])
    parser.add_argument("--pgbench-seconds", type=int, default=10)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""),
                        help="an EMPTY PostgreSQL database to run on as well")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    if args.stage == "setup":
        return stage_setup(args.attempts, args.places, args.out)
    if args.stage == "verify":
        return stage_verify(args.offering)

    import bench.run as bench_run

    original = bench_run.server_command

    def with_workers(name, port):
        """The shared server command with --workers; gunicorn's 30-second worker timeout raised to 120 s:
        on a starved machine a request queued behind the offering's lock may take that long, and a killed
        worker would turn it into a 500."""
        cmd = original(name, port)
        cmd[cmd.index("--workers") + 1] = str(args.workers)
        return cmd + (["--timeout", "120"] if name == "gunicorn" else [])
    bench_run.server_command = with_workers

    started = time.monotonic()
    say(f"enrolment rush: {args.attempts} sign-up attempts, {args.clients} clients, {args.places} places, "
        f"{args.server} with {args.workers} workers; load average {os.getloadavg()[0]:.1f} at start")
    work = Path(tempfile.mkdtemp(prefix="gonghui-rush-"))
    try:
        if not args.skip_sqlite:
            report("sqlite", one_database("sqlite", "", args, work), args)
        if args.database_url:
            rate = report("postgresql", one_database("postgresql", args.database_url, args, work), args)
            pg = run_pgbench(args.database_url, args.places, args.clients, args.pgbench_seconds, work)
            pg_ok = pg["confirmed"] == args.places and pg["counters"][0] == args.places and pg["failed"] == 0
            say(f"postgresql.pgbench: {pg['tps']:.1f} tps (lock-check-insert, {args.clients} clients, "
                f"{args.pgbench_seconds} s; {pg['rows']} rows, confirmed {pg['confirmed']}, "
                f"over-fill {'none' if pg_ok else 'YES'}, failed {pg['failed']})")
            share = rate / pg["tps"] if pg["tps"] else 0
            say(f"postgresql.sign_up_vs_pgbench: {share:.2f} × pgbench (goal ≥ {GOAL_PGBENCH:.2f} "
                f"{'met' if share >= GOAL_PGBENCH else 'NOT met'})")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    say(f"done in {time.monotonic() - started:.0f} s; load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
