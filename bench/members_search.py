#!/usr/bin/env python
"""Finding members among 2,000,000 (the members issue's "With 2,000,000 members" goal).

    .venv/bin/python bench/members_search.py [--members 2000000] [--database-url postgres://…/EMPTY_DB]

1. Builds a throwaway database (SQLite under a temporary GONGHUI_VAR_DIR, or the empty PostgreSQL
   database named by --database-url, which is filled, not cleaned) with a city federation, 10
   districts, 6 towns each and --unions grassroots unions (5,000 by default), then loads --members
   workers and their memberships with raw SQL (SQLite executemany, PostgreSQL COPY; not
   bulk_create): Chinese names drawn with the real surname frequencies, valid-format ID numbers
   with their keyed hashes (one shared ciphertext: nothing here decrypts), mobiles, flags,
   statuses. Then ANALYZE.
2. Measures the median server time (Django test client, in-process: middleware, the view, its
   queries and the template) of the member list for a district manager (about 200,000 members
   under them) and for a grassroots union's handler, each beside a bare indexed query in the same
   run (the ratio): exact ID look-up, mobile, a Chinese name prefix, pinyin initials, a pinyin
   prefix, the district's first page in the default order, in pinyin order, in join-date order, a
   flag filter, an HTMX table request and the API list.
3. Exports the district (CSV, streamed) and reports rows/s and the peak Python memory it took.

Each line reads ``name: value unit (ratio)``. Goal: every list/search median < 50 ms, on SQLite and on
PostgreSQL. See bench/README.md.
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
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run import ROOT, explain_query, run, say, use_in_process  # noqa: E402

GOAL_MS = 50.0
# (surname, frequency in per mille), the most common Chinese surnames.
SURNAMES = [
    ("王", 72), ("李", 72), ("张", 68), ("刘", 54), ("陈", 45), ("杨", 31), ("赵", 23), ("黄", 22), ("周", 21),
    ("吴", 20), ("徐", 17), ("孙", 15), ("胡", 13), ("朱", 13), ("高", 12), ("林", 11), ("何", 12), ("郭", 11),
    ("马", 15), ("罗", 9), ("梁", 8), ("宋", 6), ("郑", 8), ("谢", 7), ("韩", 5), ("唐", 7), ("冯", 5), ("于", 4),
    ("董", 4), ("萧", 1), ("程", 4), ("曹", 5), ("袁", 4), ("邓", 5), ("许", 6), ("傅", 2), ("沈", 3), ("曾", 5),
    ("彭", 5), ("吕", 3), ("苏", 3), ("卢", 3), ("蒋", 4), ("蔡", 4), ("贾", 2), ("丁", 3), ("魏", 3), ("薛", 2),
    ("叶", 4), ("阎", 1), ("余", 4), ("潘", 4), ("杜", 4), ("戴", 1), ("夏", 2), ("钟", 2), ("汪", 2), ("田", 4),
    ("任", 3), ("姜", 3), ("范", 2), ("方", 2), ("石", 2), ("姚", 3), ("谭", 2), ("廖", 2), ("邹", 2), ("熊", 2),
    ("金", 2), ("陆", 2), ("郝", 1), ("孔", 1), ("白", 2), ("崔", 2), ("康", 1), ("毛", 1), ("邱", 2), ("秦", 2),
    ("江", 2), ("史", 1), ("顾", 1), ("侯", 1), ("邵", 1), ("孟", 2), ("龙", 1), ("万", 1), ("段", 1), ("雷", 1),
    ("钱", 1), ("汤", 1), ("尹", 1), ("黎", 1), ("易", 1), ("常", 1), ("武", 1), ("乔", 1), ("贺", 1), ("赖", 1),
]
GIVEN = ("伟芳娜秀敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂英华玉兰萍红鹏辉建国文斌宇浩凯健俊帆帅旭宁龙林欣佳怡"
         "梓涵子轩博晨阳瑞雪琳婷颖慧洁燕丹玲倩蕾薇晶莉芬娇凤云莲真环海波峰东海亮志成兵春生永新中金德"
         "光荣福贵祥安庆振家鑫晓飞鸿雨欢宏波彬楠昊然天佑思远嘉怡梦雯琪瑶岚菲媛蓉婉妍诗淑惠珍")
DISTRICTS = 10
TOWNS = 6
# ID number area codes (江苏 counties), birth years 1962–2006.
AREAS = ["320602", "320611", "320612", "320623", "320681", "320682", "320684", "320685", "320105", "320106",
         "320111", "320113", "320115", "320116", "320211", "320213", "320214", "320281", "320282", "320302"]
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"


def check_digit(body: str) -> str:
    return CHECK[sum(int(c) * w for c, w in zip(body, ID_WEIGHTS, strict=True)) % 11]


def id_number(i: int) -> str:
    start = datetime.date(1962, 1, 1).toordinal()
    span = 45 * 365
    area = AREAS[i % len(AREAS)]
    rest = i // len(AREAS)
    born = datetime.date.fromordinal(start + (rest * 7919) % span)
    seq = (rest // span) % 1000
    body = f"{area}{born:%Y%m%d}{seq:03d}"
    return body + check_digit(body)


# ----- building -----

def build_tree(unions: int) -> dict:
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

    per_district = max(1, unions // DISTRICTS)
    with transaction.atomic():
        city = node(None, 0, name="江海市总工会", kind=K.CITY_FEDERATION)
        city.save()
        grassroots, districts = [], []
        for d in range(DISTRICTS):
            district = node(city, d, name=f"第{d + 1}区总工会", kind=K.DISTRICT_FEDERATION)
            district.save()
            districts.append(district)
            towns = []
            for t in range(TOWNS):
                town = node(district, t, name=f"第{d + 1}区第{t + 1}街道工会", kind=K.TOWN_UNION)
                town.save()
                towns.append(town)
            rows = [node(towns[u % TOWNS], u // TOWNS, name=f"江海第{d + 1}区基准企业{u + 1:04d}有限公司工会委员会",
                         short_name=f"{d + 1}区企业{u + 1}工会", kind=K.GRASSROOTS_UNION)
                    for u in range(per_district)]
            UnionNode.objects.bulk_create(rows, batch_size=2000)
        grassroots = list(UnionNode.objects.unscoped().filter(kind=K.GRASSROOTS_UNION).values_list("pk", "path"))
        manager = User.objects.create(username="bench_district_manager", kind=User.Kind.STAFF, display_name="区审批人")
        Grant.objects.create(user=manager, node=districts[0], role="manager")
        first_union = UnionNode.objects.unscoped().filter(
            kind=K.GRASSROOTS_UNION, path__startswith=districts[0].path).order_by("path").first()
        handler = User.objects.create(username="bench_union_handler", kind=User.Kind.STAFF, display_name="基层经办人")
        Grant.objects.create(user=handler, node=first_union, role="handler")
    return {"grassroots": grassroots, "district": districts[0], "union": first_union, "manager": manager,
            "handler": handler}


def _columns(model, values: dict) -> list[str]:
    """The table's columns (those the model knows), checked against what the loader fills."""
    columns = [f.column for f in model._meta.concrete_fields]
    missing = [c for c in columns if c not in values]
    if missing:
        sys.exit(f"bench: the loader does not fill {model._meta.db_table}.{missing}")
    return columns


def load_members(n: int, seed: int, grassroots: list[tuple[int, str]]) -> dict:
    """Workers and memberships by raw SQL: executemany on SQLite, COPY on PostgreSQL."""
    from django.db import connection, transaction
    from django.utils import timezone

    from gonghui.core import crypto
    from gonghui.members.models import Membership, Worker
    from gonghui.members.pinyin import name_keys

    rng = random.Random(seed)
    surnames = [s for s, w in SURNAMES for _ in range(w)]
    token = crypto.encrypt("110105194912310029")  # one ciphertext of the right length for every row
    now = timezone.now()
    educations = ["primary", "junior", "junior", "senior", "senior", "college", "college", "bachelor", "bachelor",
                  "postgraduate"]
    statuses = ["active"] * 900 + ["retired_retained"] * 60 + ["left"] * 20 + ["transferred_out"] * 15 + \
        ["deceased"] * 5
    worker_sample = {"id": 0, "name": "", "name_pinyin": "", "name_initials": "", "id_number_encrypted": "",
                     "id_number_hash": "", "id_number_masked": "", "gender": "", "birth_date": None, "ethnicity": "",
                     "mobile": "", "education": "", "household_type": "", "migrant_worker": False, "employer": "",
                     "photo": "", "user_id": None, "import_batch_id": None, "created_at": now, "updated_at": now}
    member_sample = {"id": 0, "worker_id": 0, "union_id": 0, "node_path": "", "sort_name": "", "status": "",
                     "status_changed_on": None, "status_reason": "", "member_number": "", "joined_on": None,
                     "import_batch_id": None, "created_at": now}
    w_cols = _columns(Worker, worker_sample)
    m_cols = _columns(Membership, member_sample)
    w_table, m_table = Worker._meta.db_table, Membership._meta.db_table
    started = time.monotonic()
    gen_s = 0.0
    batch = 50_000
    pg = connection.vendor == "postgresql"
    if not pg:  # random index inserts into a 1 GB file: give SQLite's page cache room while loading
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -1000000")
    for start in range(0, n, batch):
        t = time.monotonic()
        workers, members = [], []
        for i in range(start + 1, min(n, start + batch) + 1):
            name = rng.choice(surnames) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
            pinyin, initials = name_keys(name)
            idn = id_number(i)
            born = datetime.date(int(idn[6:10]), int(idn[10:12]), int(idn[12:14]))
            rural = rng.random() < 0.4
            union_id, path = grassroots[rng.randrange(len(grassroots))]
            status = rng.choice(statuses)
            w = dict(worker_sample, id=i, name=name, name_pinyin=pinyin, name_initials=initials,
                     id_number_encrypted=token, id_number_hash=crypto.keyed_hash(idn),
                     id_number_masked=crypto.mask_id_number(idn), gender="M" if int(idn[16]) % 2 else "F",
                     birth_date=born, ethnicity="汉族", mobile=f"139{i:08d}", education=rng.choice(educations),
                     household_type="rural" if rural else "urban", migrant_worker=rural and rng.random() < 0.6,
                     employer="江海基准企业有限公司")
            earliest = max(born + datetime.timedelta(days=18 * 366), datetime.date(1990, 1, 1))
            span = (now.date() - earliest).days
            joined = earliest + datetime.timedelta(days=rng.randrange(span)) if span > 0 else now.date()
            m = dict(member_sample, id=i, worker_id=i, union_id=union_id, node_path=path, sort_name=pinyin,
                     status=status, member_number=f"M{i:010d}", joined_on=joined,
                     status_changed_on=None if status == "active" else now.date())
            workers.append(tuple(w[c] for c in w_cols))
            members.append(tuple(m[c] for c in m_cols))
        gen_s += time.monotonic() - t
        with transaction.atomic():
            if pg:
                raw = connection.connection.cursor()
                with raw.copy(f"COPY {w_table} ({', '.join(w_cols)}) FROM STDIN") as copy:
                    for row in workers:
                        copy.write_row(row)
                with raw.copy(f"COPY {m_table} ({', '.join(m_cols)}) FROM STDIN") as copy:
                    for row in members:
                        copy.write_row(row)
            else:
                with connection.cursor() as cursor:
                    marks = ", ".join(["%s"] * len(w_cols))
                    cursor.executemany(f"INSERT INTO {w_table} ({', '.join(w_cols)}) VALUES ({marks})", workers)
                    marks = ", ".join(["%s"] * len(m_cols))
                    cursor.executemany(f"INSERT INTO {m_table} ({', '.join(m_cols)}) VALUES ({marks})", members)
    if pg:
        with connection.cursor() as cursor:
            for table in (w_table, m_table):
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    load_s = time.monotonic() - started
    t = time.monotonic()
    from gonghui.core import dbstats

    if pg:  # what autovacuum does after a bulk load: statistics, and the visibility map index-only scans need
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM (ANALYZE) {w_table}")
            cursor.execute(f"VACUUM (ANALYZE) {m_table}")
    dbstats.refresh(force=True)
    return {"load_s": load_s, "generate_s": gen_s, "analyze_s": time.monotonic() - t}


# ----- measuring -----

def median_ms(fn, repeat: int) -> float:
    fn()  # warm
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def bare(sql: str, params: list):
    from django.db import connection

    def go():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    return go


def measure(tree: dict, repeat: int, explain: bool) -> list[tuple]:
    from django.db import connection
    from django.test import Client

    from gonghui.core import crypto
    from gonghui.members.services import PREFIX_END

    district_path = tree["district"].path
    end = district_path + "~"
    # A probe inside the district, so the manager finds it.
    from gonghui.members.models import Membership

    inside = (Membership.objects.unscoped().filter(node_path__gte=district_path, node_path__lt=end)
              .select_related("worker").order_by("pk")[1000:1001].get())
    id_probe = id_number(inside.worker_id)
    mobile_probe = inside.worker.mobile
    if inside.worker.id_number_hash != crypto.keyed_hash(id_probe):
        # --reuse of a PostgreSQL database loaded under another data key: re-key the probe only.
        from gonghui.members.models import Worker

        Worker.objects.unscoped().filter(pk=inside.worker_id).update(id_number_hash=crypto.keyed_hash(id_probe))

    manager, handler = Client(), Client()
    manager.force_login(tree["manager"])
    handler.force_login(tree["handler"])
    W, M = "members_worker", "members_membership"
    cases = [
        # (name, client, url, extra headers, bare sql, params)
        ("exact_id", manager, f"/console/members/?q={id_probe}", {},
         f"SELECT m.id FROM {M} m JOIN {W} w ON w.id = m.worker_id WHERE w.id_number_hash = %s",
         [crypto.keyed_hash(id_probe)]),
        ("mobile", manager, f"/console/members/?q={mobile_probe}", {},
         f"SELECT m.id FROM {M} m JOIN {W} w ON w.id = m.worker_id WHERE w.mobile = %s", [mobile_probe]),
        ("name_prefix_surname_given", manager, "/console/members/?q=王建", {},
         f"SELECT id FROM {W} WHERE name >= %s AND name < %s ORDER BY name LIMIT 20", ["王建", "王建" + PREFIX_END]),
        ("name_prefix_surname_only", manager, "/console/members/?q=张", {},
         f"SELECT id FROM {W} WHERE name >= %s AND name < %s ORDER BY name LIMIT 20", ["张", "张" + PREFIX_END]),
        ("initials_zw", manager, "/console/members/?q=zw", {},
         f"SELECT id FROM {W} WHERE name_initials >= %s AND name_initials < %s ORDER BY name_initials LIMIT 20",
         ["zw", "zw~"]),
        ("initials_wjg", manager, "/console/members/?q=wjg", {},
         f"SELECT id FROM {W} WHERE name_initials >= %s AND name_initials < %s ORDER BY name_initials LIMIT 20",
         ["wjg", "wjg~"]),
        ("pinyin_prefix_zhangw", manager, "/console/members/?q=zhangw", {},
         f"SELECT id FROM {M} WHERE sort_name >= %s AND sort_name < %s ORDER BY sort_name LIMIT 20",
         ["zhangw", "zhangw~"]),
        ("district_first_page", manager, "/console/members/", {},
         f"SELECT id FROM {M} WHERE node_path >= %s AND node_path < %s ORDER BY node_path LIMIT 20",
         [district_path, end]),
        ("district_pinyin_order", manager, "/console/members/?sort=pinyin", {},
         f"SELECT id FROM {M} ORDER BY sort_name LIMIT 20", []),
        ("district_pinyin_desc", manager, "/console/members/?sort=-pinyin", {},
         f"SELECT id FROM {M} ORDER BY sort_name DESC LIMIT 20", []),
        ("district_joined_order", manager, "/console/members/?sort=-joined", {},
         f"SELECT id FROM {M} ORDER BY joined_on DESC LIMIT 20", []),
        ("district_migrant_filter", manager, "/console/members/?migrant=1&sort=pinyin", {},
         f"SELECT id FROM {M} ORDER BY sort_name LIMIT 20", []),
        ("district_htmx_name", manager, "/console/members/?q=王", {"HTTP_HX_REQUEST": "true"},
         f"SELECT id FROM {W} WHERE name >= %s AND name < %s ORDER BY name LIMIT 20", ["王", "王" + PREFIX_END]),
        ("initials_zw_in_pinyin_order", manager, "/console/members/?q=zw&sort=pinyin", {},
         f"SELECT id FROM {W} WHERE name_initials >= %s AND name_initials < %s ORDER BY name_initials LIMIT 20",
         ["zw", "zw~"]),
        ("api_district_pinyin", manager, "/api/v1/members/?sort=pinyin", {},
         f"SELECT id FROM {M} ORDER BY sort_name LIMIT 20", []),
        ("union_first_page", handler, "/console/members/?sort=pinyin", {},
         f"SELECT id FROM {M} WHERE node_path >= %s AND node_path < %s ORDER BY node_path LIMIT 20",
         [tree["union"].path, tree["union"].path + "~"]),
        ("union_initials", handler, "/console/members/?q=zw", {},
         f"SELECT id FROM {W} WHERE name_initials >= %s AND name_initials < %s ORDER BY name_initials LIMIT 20",
         ["zw", "zw~"]),
    ]
    results = []
    for name, client, url, headers, sql, params in cases:
        response = client.get(url, **headers)
        if response.status_code != 200:
            sys.exit(f"bench: {url} answered {response.status_code}: {response.content[:300]!r}")
        rows = _rows_shown(response)
        page_ms = median_ms(lambda c=client, u=url, h=headers: c.get(u, **h), repeat)
        bare_ms = median_ms(bare(sql, params), repeat)
        results.append((name, url, page_ms, bare_ms, rows))
        if explain:
            _explain(client, url, headers, connection)
    return results


def _rows_shown(response) -> str:
    """What the page showed: its rows and its total (from the HTML or the API's JSON)."""
    import json
    import re

    text = response.content.decode()
    if response["Content-Type"].startswith("application/json"):
        data = json.loads(text)
        return f"{len(data['items'])} rows of {'>' if data['count_capped'] else ''}{data['count']}"
    shown = text.count("data-membership-id=")
    total = re.search(r"(共|超过) (\d+) 条", text)
    return f"{shown} rows of {'>' if total and total.group(1) == '超过' else ''}{total.group(2) if total else '?'}"


def _explain(client, url, headers, connection) -> None:
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(url, **headers)
    for q in captured.captured_queries:
        if "members_membership" in q["sql"]:
            explain_query(q, connection)


def measure_export(tree: dict) -> dict:
    """The district manager's whole district, streamed: CSV and .xlsx timed, then the .xlsx again
    under tracemalloc for its peak Python memory."""
    from django.http import QueryDict

    from gonghui.members import exporting

    def run(fmt):
        t = time.perf_counter()
        response = exporting.export_response(tree["manager"], QueryDict(f"format={fmt}"))
        size = sum(len(chunk) for chunk in response.streaming_content)
        return int(response["X-Row-Count"]), time.perf_counter() - t, size / 1e6

    rows, csv_s, csv_mb = run("csv")
    _rows, xlsx_s, xlsx_mb = run("xlsx")
    tracemalloc.start()
    run("xlsx")
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"rows": rows, "csv_s": csv_s, "csv_mb": csv_mb, "xlsx_s": xlsx_s, "xlsx_mb": xlsx_mb,
            "xlsx_peak_mb": peak / 1e6}


# ----- main -----

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=2_000_000)
    parser.add_argument("--unions", type=int, default=5_000, help="grassroots unions over the 10 districts")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--explain", action="store_true", help="print the plans of the list's queries")
    parser.add_argument("--no-export", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway data directory")
    parser.add_argument("--reuse", default="", help="measure an existing data directory kept with --keep")
    parser.add_argument("--database-url", default="",
                        help="an empty PostgreSQL database to use instead of SQLite (it is filled, not cleaned)")
    args = parser.parse_args()
    var_dir = Path(args.reuse) if args.reuse else Path(tempfile.mkdtemp(prefix="gonghui-bench-members-"))
    try:
        run_all(args, var_dir)
    finally:
        if not args.keep and not args.reuse:
            shutil.rmtree(var_dir, ignore_errors=True)


def run_all(args, var_dir: Path) -> None:
    env = use_in_process(var_dir, args.database_url)
    database = "PostgreSQL" if args.database_url else "SQLite"
    say(f"# Gonghui members search bench — {database}, data in {var_dir}; {args.members:,} members; "
        f"{os.cpu_count()} CPUs")
    run([sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], env, 3000)
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"], env=env, cwd=ROOT,
                   capture_output=True)
    import django

    django.setup()
    from gonghui.accounts.models import User
    from gonghui.orgs.models import UnionNode

    if args.reuse:
        from gonghui.core import dbstats

        dbstats.refresh(force=True)  # indexes added since the load need their statistics
        manager = User.objects.get(username="bench_district_manager")
        handler = User.objects.get(username="bench_union_handler")
        tree = {"manager": manager, "handler": handler,
                "district": manager.grants.unscoped().select_related("node").get().node,
                "union": handler.grants.unscoped().select_related("node").get().node}
    else:
        tree = build_tree(args.unions)
        loaded = load_members(args.members, args.seed, tree["grassroots"])
        rate = args.members / loaded["load_s"]
        say(f"# loaded {args.members:,} workers + memberships in {loaded['load_s']:.0f} s ({rate:,.0f} rows/s each, "
            f"{loaded['generate_s']:.0f} s of it generating rows); ANALYZE (VACUUM too on PostgreSQL) "
            f"{loaded['analyze_s']:.1f} s; {UnionNode.objects.unscoped().count():,} union nodes")
    from gonghui.core.scope import subtree_q
    from gonghui.members.models import Membership

    in_district = Membership.objects.unscoped().filter(subtree_q("node_path", tree["district"].path)).count()
    in_union = Membership.objects.unscoped().filter(node_path=tree["union"].path).count()
    say(f"# district manager sees {in_district:,} memberships; union handler {in_union:,}")
    for name, url, page_ms, bare_ms, rows in measure(tree, args.repeat, args.explain):
        verdict = "met" if page_ms < GOAL_MS else "NOT met"
        say(f"{name}: {page_ms:.1f} ms median server time ({page_ms / bare_ms:.1f} × the bare indexed query's "
            f"{bare_ms:.2f} ms; goal < {GOAL_MS:.0f} ms {verdict})  [{url} — {rows}]")
    if not args.no_export:
        e = measure_export(tree)
        say(f"export_district_csv: {e['rows'] / e['csv_s']:,.0f} rows/s ({e['rows']:,} rows, {e['csv_mb']:.0f} MB "
            f"in {e['csv_s']:.1f} s, streamed)")
        say(f"export_district_xlsx: {e['rows'] / e['xlsx_s']:,.0f} rows/s ({e['xlsx_mb']:.0f} MB in {e['xlsx_s']:.1f} s, "
            f"streamed); peak Python memory while streaming it {e['xlsx_peak_mb']:.1f} MB (tracemalloc)")


if __name__ == "__main__":
    main()
