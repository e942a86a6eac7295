#!/usr/bin/env python
"""Gonghui benchmarks: requests per second of product pages against a minimal Django view.

    .venv/bin/python bench/run.py [--duration 10] [--servers gunicorn,granian] [--unions 20000]

Builds a throwaway data directory (SQLite, generated secrets), migrates it, inserts a tree where
one district holds ``--unions`` grassroots unions, signs a district staff user in through the
login form, then for each server (2 workers on 127.0.0.1) loads three pages with wrk:

- minimal       ``/bench/minimal/``: a view returning a short HttpResponse (the baseline);
- portal_home   ``/``: the worker portal home, anonymous;
- console_orgs  ``/console/orgs/``: the scoped organisation list, as the district staff user.

Each line reads ``name: value unit (ratio to baseline)``; the baseline is the minimal view on
the same server in the same run. The project's goal: both product pages ≥ 0.50 × minimal.
See bench/README.md.
"""

import argparse
import asyncio
import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
GOAL = 0.50

PAGES = [  # (name, path, needs the staff session)
    ("minimal", "/bench/minimal/", False),
    ("portal_home", "/", False),
    ("console_orgs", "/console/orgs/", True),
]


def say(line: str = "") -> None:
    print(line, flush=True)


def explain_page(client, url, connection, sql_chars: int = 400) -> None:
    """Load ``url`` once and print its four slowest statements with the database's plan for each."""
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    for q in sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[:4]:
        explain_query(q, connection, sql_chars)


def explain_query(q: dict, connection, sql_chars: int = 400) -> None:
    """Print one captured statement (its time and SQL) and the database's plan for it."""
    say(f"    {q['time']}s  {q['sql'][:sql_chars]}")
    with connection.cursor() as cursor:
        prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
        try:
            cursor.execute(prefix + q["sql"])
            for row in cursor.fetchall():
                say(f"        {row}")
        except Exception as e:  # a query with its parameters inlined may not re-parse
            say(f"        (no plan: {e})")


def tool(name: str) -> str:
    path = BIN / name
    if path.exists():
        return str(path)
    found = shutil.which(name)
    if not found:
        sys.exit(f"bench: {name} is not installed (make install-test installs the bench tools)")
    return found


def bench_env(var_dir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GONGHUI_", "DJANGO_", "DATABASE_URL"))}
    env.update({
        "GONGHUI_VAR_DIR": str(var_dir),
        "GONGHUI_MODE": "trial",
        "DJANGO_SETTINGS_MODULE": "bench.settings_bench",
        "PYTHONPATH": os.pathsep.join([str(ROOT)] + ([os.environ["PYTHONPATH"]] if os.environ.get("PYTHONPATH") else [])),
        "PYTHONDONTWRITEBYTECODE": "1",
    })
    return env


def use_in_process(var_dir: Path, database_url: str = "") -> dict:
    """The bench environment (PostgreSQL when a URL is given), also set in this process so the
    script can set Django up and measure in-process; returns it for the manage.py children."""
    env = bench_env(var_dir)
    if database_url:
        env["DATABASE_URL"] = database_url
    os.environ.update({k: v for k, v in env.items() if k.startswith(("GONGHUI_", "DJANGO_", "DATABASE_URL"))})
    return env


def run(cmd: list[str], env: dict, timeout: float) -> str:
    result = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        sys.exit(f"bench: {' '.join(cmd)} failed:\n{result.stdout[-2000:]}{result.stderr[-4000:]}")
    return result.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ----- servers -----

def server_command(name: str, port: int) -> list[str]:
    if name == "gunicorn":
        return [tool("gunicorn"), "gonghui.wsgi:application", "--bind", f"127.0.0.1:{port}",
                "--workers", "2", "--worker-class", "sync", "--log-level", "warning"]
    if name == "granian":
        return [tool("granian"), "--interface", "wsgi", "--workers", "2", "--host", "127.0.0.1",
                "--port", str(port), "--log-level", "warning", "--no-access-log", "gonghui.wsgi:application"]
    sys.exit(f"bench: unknown server {name!r}")


class Server:
    def __init__(self, name: str, env: dict, log_dir: Path):
        self.name = name
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = log_dir / f"{name}.log"
        self.log = self.log_path.open("w")
        # Its own process group, so stopping it stops its workers and nothing else.
        self.proc = subprocess.Popen(server_command(name, self.port), env=env, cwd=ROOT, stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                sys.exit(f"bench: {self.name} exited early:\n{self.log_tail()}")
            try:
                if http_get(self.base + "/bench/minimal/")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        self.stop()
        sys.exit(f"bench: {self.name} did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        self.log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def last_error(self) -> str:
        """The last exception line the server logged (Django logs 500s with their traceback)."""
        self.log.flush()
        found = [line for line in self.log_path.read_text(errors="replace").splitlines()
                 if re.match(r"^[\w.]+(Error|Exception|DoesNotExist)\b", line)]
        return found[-1] if found else ""

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
            except ProcessLookupError:
                pass
        self.log.close()


# ----- HTTP helpers -----

class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def http_get(url: str, cookie: str = "") -> tuple[int, bytes]:
    opener = urllib.request.build_opener(_NoRedirect())
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def login(base: str, username: str, password: str) -> str:
    """Sign in through the staff login form (GET for the CSRF token, then POST); the session id."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect())
    url = base + "/accounts/login/"
    with opener.open(url, timeout=30) as response:
        html = response.read().decode()
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if not match:
        raise RuntimeError("no CSRF token in the login page")
    data = urllib.parse.urlencode({"username": username, "password": password,
                                   "csrfmiddlewaretoken": match.group(1)}).encode()
    request = urllib.request.Request(url, data=data, headers={"Referer": url})
    try:
        opener.open(request, timeout=30).close()
        status = 200
    except urllib.error.HTTPError as e:
        status = e.code
    session = next((c.value for c in jar if c.name == "sessionid"), None)
    if status != 302 or not session:
        raise RuntimeError(f"login answered {status} without a session (wrong password or form errors)")
    return session


def session_without_form(env: dict, username: str) -> str:
    """Fallback when the login page is not there yet: a session made in the database directly."""
    code = (
        "from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY, BACKEND_SESSION_KEY\n"
        "from django.contrib.sessions.backends.db import SessionStore\n"
        "from gonghui.accounts.models import User\n"
        f"u = User.objects.get(username={username!r})\n"
        "s = SessionStore()\n"
        "s[SESSION_KEY] = str(u.pk)\n"
        "s[BACKEND_SESSION_KEY] = 'gonghui.accounts.backends.ModelBackend'\n"
        "s[HASH_SESSION_KEY] = u.get_session_auth_hash()\n"
        "s.save()\n"
        "print(s.session_key)\n"
    )
    return run([sys.executable, "manage.py", "shell", "-c", code], env, 60).strip().splitlines()[-1]


# ----- load generators -----

def load_wrk(url: str, seconds: float, connections: int, threads: int, cookie: str) -> dict:
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "10s"]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, timeout=seconds + 30).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not rps:
        raise RuntimeError(f"could not read wrk output:\n{out}")
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    latency = re.search(r"Latency\s+([\d.]+\w+)", out)
    return {"rps": float(rps.group(1)), "non_2xx": int(bad.group(1)) if bad else 0,
            "socket_errors": sum(map(int, errors.groups())) if errors else 0,
            "latency": latency.group(1) if latency else "?"}


async def _client(host: str, port: int, path: str, cookie: str, deadline: float, stats: dict) -> None:
    request = (f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
               + (f"Cookie: {cookie}\r\n" if cookie else "") + "\r\n").encode()
    reader = writer = None
    while time.monotonic() < deadline:
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection(host, port)
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", head)
            if length:
                await reader.readexactly(int(length.group(1)))
            else:
                await reader.read()  # no length: the server closes the connection
            if not length or re.search(rb"(?i)\r\nconnection:\s*close", head):
                writer.close()
                reader = writer = None
            stats["done"] += 1
            if not 200 <= status < 400:
                stats["non_2xx"] += 1
        except (OSError, asyncio.IncompleteReadError, ValueError):
            stats["errors"] += 1
            if writer is not None:
                writer.close()
            reader = writer = None


def load_asyncio(url: str, seconds: float, connections: int, threads: int, cookie: str) -> dict:
    """A plain keep-alive HTTP/1.1 client for machines without wrk (slower than wrk itself)."""
    parts = urllib.parse.urlsplit(url)
    stats = {"done": 0, "non_2xx": 0, "errors": 0}

    async def main():
        deadline = time.monotonic() + seconds
        await asyncio.gather(*(_client(parts.hostname, parts.port, parts.path, cookie, deadline, stats)
                               for _ in range(connections)))

    started = time.monotonic()
    asyncio.run(main())
    return {"rps": stats["done"] / (time.monotonic() - started), "non_2xx": stats["non_2xx"],
            "socket_errors": stats["errors"], "latency": "?"}


# ----- the run -----

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--servers", default="gunicorn,granian")
    parser.add_argument("--duration", type=float, default=10, help="seconds of load per page (default 10)")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of load before each measure")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=1,
                        help="repeat every server this many times, alternating order; report medians")
    parser.add_argument("--unions", type=int, default=20_000, help="grassroots unions in the staff's district")
    parser.add_argument("--wait-pages", type=float, default=0,
                        help="keep retrying a page that does not answer 200 for this many seconds")
    parser.add_argument("--no-profile", action="store_true", help="skip the in-process per-page profile")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway data directory")
    args = parser.parse_args()

    load = load_wrk if shutil.which("wrk") else load_asyncio
    servers = [s.strip() for s in args.servers.split(",") if s.strip()]
    var_dir = Path(tempfile.mkdtemp(prefix="gonghui-bench-"))
    env = bench_env(var_dir)
    started = time.monotonic()
    results: dict[str, dict[str, float]] = {}
    try:
        say(f"# Gonghui bench — data in {var_dir}; load: "
            + (f"wrk -t{args.threads} -c{args.connections} -d{args.duration:g}s" if load is load_wrk
               else f"asyncio client, {args.connections} connections, {args.duration:g}s (wrk not found)")
            + f"; {os.cpu_count()} CPUs")
        run([sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], env, 300)
        static = subprocess.run([sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
                                env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
        if static.returncode != 0:
            problem = (static.stderr.strip().splitlines() or ["?"])[-1]
            for line in static.stderr.splitlines():
                if "could not be found" in line or "Error" in line:
                    problem = line.strip()
                    break
            say(f"# NOTE: collectstatic failed ({problem}); serving static URLs without the manifest")
            env["GONGHUI_BENCH_PLAIN_STATIC"] = "1"
        data = json.loads(run([sys.executable, "-m", "bench.setup_data", "--unions", str(args.unions)],
                              env, 600).strip().splitlines()[-1])
        say(f"# tree: {data['district_unions']} grassroots unions in the staff's district "
            f"({data['district_towns']} towns), {data['total_nodes']} nodes in all; built in {data['seconds']} s")

        session = None
        rounds: dict[str, list[dict[str, dict]]] = {name: [] for name in servers}
        for n in range(args.rounds):
            if args.rounds > 1:
                say(f"# round {n + 1} of {args.rounds}")
            # Alternate the order, so neither server always runs first on a noisy machine.
            for name in (servers if n % 2 == 0 else servers[::-1]):
                server = Server(name, env, var_dir)
                try:
                    server.wait_ready()
                    if session is None:
                        try:
                            session = login(server.base, data["username"], data["password"])
                            say(f"# signed in as {data['username']} through /accounts/login/")
                        except (RuntimeError, OSError) as e:
                            session = session_without_form(env, data["username"])
                            say(f"# NOTE: login form failed ({e}; {server.last_error() or 'no error logged'}); "
                                "using a session made directly in the database")
                    rounds[name].append(measure(server, session, load, args, quiet=args.rounds > 1))
                finally:
                    server.stop()

        if args.rounds > 1:
            say(f"# medians over {args.rounds} rounds (ratios are medians of each round's ratio)")
        for name in servers:
            results[name] = report(name, rounds[name])
        compare(results, servers)
        if not args.no_profile:
            say("# in-process profile (Django test client, same database):")
            out = run([sys.executable, "-m", "bench.profile_pages", "--username", data["username"]], env, 300)
            for line in out.strip().splitlines():
                say(line)
        say(f"# total {time.monotonic() - started:.0f} s")
    finally:
        if args.keep:
            say(f"# kept {var_dir}")
        else:
            shutil.rmtree(var_dir, ignore_errors=True)


def measure(server: Server, session: str, load, args, *, quiet: bool = False) -> dict[str, dict]:
    """Load each page on one running server; {page: wrk result}. Prints the lines unless quiet."""
    results: dict[str, dict] = {}
    cookie_for = {False: "", True: f"sessionid={session}"}
    for page, path, staff in PAGES:
        url = server.base + path
        deadline = time.monotonic() + args.wait_pages
        while True:
            status, body = http_get(url, cookie_for[staff])
            if status == 200 or time.monotonic() >= deadline:
                break
            time.sleep(10)
        if status != 200:
            reason = server.last_error() or body[:120].decode(errors="replace").replace("\n", " ")
            say(f"{server.name}.{page}: SKIPPED — {path} answered {status} ({reason})")
            continue
        if args.warmup:
            load(url, args.warmup, args.connections, args.threads, cookie_for[staff])
        results[page] = load(url, args.duration, args.connections, args.threads, cookie_for[staff])
        if not quiet:
            print_line(server.name, page, [results[page]], [results.get("minimal")])
    return results


def print_line(server: str, page: str, runs: list[dict], baselines: list[dict | None]) -> float:
    """One figure: median req/s over rounds and the median of each round's ratio to the minimal view."""
    rps = statistics.median(r["rps"] for r in runs)
    ratios = [r["rps"] / b["rps"] for r, b in zip(runs, baselines, strict=True) if b]
    if page == "minimal":
        ratio_text = "1.00 × minimal, the baseline"
    elif ratios:
        ratio = statistics.median(ratios)
        ratio_text = f"{ratio:.2f} × minimal, goal ≥ {GOAL:.2f} " + ("met" if ratio >= GOAL else "NOT met")
    else:
        ratio_text = "baseline n/a"
    notes = [f"avg latency {runs[-1]['latency']}"]
    if len(runs) > 1:
        notes.append("rounds: " + ", ".join(f"{r['rps']:.0f}" for r in runs))
    bad = sum(r["non_2xx"] for r in runs)
    errors = sum(r["socket_errors"] for r in runs)
    if bad:
        notes.append(f"{bad} non-2xx answers")
    if errors:
        notes.append(f"{errors} socket errors")
    say(f"{server}.{page}: {rps:.1f} req/s ({ratio_text})  [{'; '.join(notes)}]")
    return rps


def report(server: str, rounds: list[dict[str, dict]]) -> dict[str, float]:
    """Median req/s per page over the rounds; prints the lines when there was more than one round."""
    figures: dict[str, float] = {}
    for page, _path, _staff in PAGES:
        runs = [r[page] for r in rounds if page in r]
        if not runs:
            continue
        if len(rounds) > 1:
            figures[page] = print_line(server, page, runs, [r.get("minimal") for r in rounds if page in r])
        else:
            figures[page] = runs[0]["rps"]
    return figures


def compare(results: dict[str, dict[str, float]], servers: list[str]) -> None:
    if len(servers) < 2:
        return
    a, b = servers[0], servers[1]
    product = [p for p, _path, _s in PAGES if p != "minimal" and p in results.get(a, {}) and p in results.get(b, {})]
    if not product:
        say("faster for product pages: undecided (no product page measured on both servers)")
        return
    ratios = {p: results[b][p] / results[a][p] for p in product}
    for p, r in ratios.items():
        say(f"{b}_vs_{a}.{p}: {r:.2f} × ({results[b][p]:.1f} vs {results[a][p]:.1f} req/s)")
    geo = 1.0
    for r in ratios.values():
        geo *= r
    geo **= 1 / len(ratios)
    winner, factor = (b, geo) if geo >= 1 else (a, 1 / geo)
    say(f"faster for product pages: {winner} ({factor:.2f} × the other, geometric mean over {', '.join(product)})")


if __name__ == "__main__":
    main()
