#!/usr/bin/env python
"""Member roster import: rows per second from CSV and .xlsx beside a raw bulk insert, peak memory.

    .venv/bin/python bench/members_import.py [--rows 1000000] [--format csv|xlsx|both]
                                             [--database-url postgres://…/EMPTY_DB]

Generates a realistic roster (distinct valid ID numbers from gonghui.demo.idnumbers, names,
mobiles, ethnicity, education, household, migrant flag, join dates, employers) as .csv and .xlsx
(cached under --cache-dir, generating a million rows takes a minute or two), migrates a throwaway
database (SQLite in a temporary directory unless --database-url names a PostgreSQL database,
which is emptied of members between runs), then measures, each in a child process of its own:

- ``import_csv``  the import as the console runs it — the dry run (read, check, look up) and the
  commit (read, check, encrypt, write in chunks), through gonghui.members.importing;
- ``import_xlsx`` the same from the .xlsx file;
- ``raw``         the baseline: the very rows the import writes (workers and memberships,
  prepared beforehand and not timed), inserted with executemany (SQLite) or COPY (PostgreSQL)
  in the same chunks and transactions;
- ``costs``       per-row cost of each check on one core, the naive validators beside them, and
  Fernet encryption;
- ``profile``     cProfile of a single-process commit of --profile-rows rows.

Peak memory is ru_maxrss of the importing process and of its worker processes. See
bench/README.md and docs/members-import.md.
"""

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HEADER = ["序号", "姓名", "性别", "身份证号", "手机号", "民族", "学历", "户籍", "是否农民工", "入会时间", "工作单位"]
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜"
            "崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN = ("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国文玉红梅鹏辉斌宇浩凯健俊帆帅旭宁龙林欢阳佳慧"
         "雪琳晶莉婷倩颖媛雯璐瑶怡欣悦思嘉子豪博晨雨轩泽一诺浩然梓涵")
ETHNIC = ["汉族"] * 92 + ["回族", "满族", "壮族", "苗族", "土家族", "蒙古族", "彝族", "朝鲜族"]
EDUCATION = ["初中", "高中", "中专", "大专", "本科", "本科", "大专", "研究生", "小学"]
MOBILE_PREFIXES = ["130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155",
                   "157", "158", "159", "166", "176", "177", "180", "181", "186", "187", "188", "189", "199"]
EMPLOYERS = [f"江海市{a}{b}有限公司" for a in ("东城", "西城", "南湖", "北港", "新区", "高新", "滨江", "开发区")
             for b in ("机械", "纺织", "电子", "物流", "建筑", "食品", "化工", "服装", "汽车配件", "医药",
                       "印刷", "家具", "钢结构", "塑料制品", "环保科技")]


def say(line: str = "") -> None:
    print(line, flush=True)


# ----- the roster -----

_AREAS_BY_YEAR: dict[int, list[str]] = {}


def _areas_by_year(born_from: int, born_to: int) -> dict[int, list[str]]:
    """The area codes of gonghui.demo.idnumbers that python-stdnum accepts for each birth year.

    fake_id_number draws an area and redraws until stdnum accepts it (about 40 tries, 2 ms an ID);
    knowing the valid areas per year up front makes the same numbers 50 times faster."""
    from stdnum.cn import ric

    from gonghui.demo.idnumbers import CANDIDATE_AREAS, _with_check_digit

    if not _AREAS_BY_YEAR:
        for year in range(born_from, born_to + 1):
            valid = []
            for area in CANDIDATE_AREAS:
                try:
                    ric.validate(_with_check_digit(f"{area}{year}0101001"))
                    valid.append(area)
                except (ric.ValidationError, KeyError):
                    pass
            _AREAS_BY_YEAR[year] = valid
    return _AREAS_BY_YEAR


def fake_id_numbers(rng: random.Random, born_from: int = 1962, born_to: int = 2004):
    """Valid ID numbers drawn like gonghui.demo.idnumbers.fake_id_number does (its areas, real
    dates, correct check digit), without its retry loop."""
    import datetime

    from gonghui.demo.idnumbers import _with_check_digit

    areas = _areas_by_year(born_from, born_to)
    start = datetime.date(born_from, 1, 1).toordinal()
    end = datetime.date(born_to, 12, 31).toordinal()
    while True:
        birth = datetime.date.fromordinal(rng.randint(start, end))
        yield _with_check_digit(f"{rng.choice(areas[birth.year])}{birth:%Y%m%d}{rng.randint(0, 999):03d}")


def _block(args):
    seed, count = args
    rng = random.Random(seed)
    ids = fake_id_numbers(rng)
    rows = []
    for _i in range(count):
        id_number = next(ids)
        birth_year = int(id_number[6:10])
        joined_year = rng.randint(max(birth_year + 18, 1990), 2025)
        rows.append([
            "", rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _j in range(rng.choice((1, 2, 2)))),
            "男" if int(id_number[16]) % 2 else "女", id_number,
            rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}", rng.choice(ETHNIC),
            rng.choice(EDUCATION), rng.choice(("城镇", "农村")), rng.choice(("是", "否", "否")),
            f"{joined_year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", rng.choice(EMPLOYERS),
        ])
    return rows


def generate(rows: int, cache: Path, seed: int) -> dict:
    import csv
    import multiprocessing

    cache.mkdir(parents=True, exist_ok=True)
    csv_path = cache / f"roster-{rows}-{seed}.csv"
    xlsx_path = cache / f"roster-{rows}-{seed}.xlsx"
    if not csv_path.exists():
        started = time.monotonic()
        say(f"generating {rows:,} rows of made-up members into {csv_path} …")
        seen = set()
        tmp = csv_path.with_suffix(".tmp")
        block = 20000
        with tmp.open("w", encoding="utf-8", newline="") as f, multiprocessing.Pool() as pool:
            writer = csv.writer(f)
            writer.writerow(HEADER)
            written = 0
            seeds = ((seed * 1_000_003 + i, block) for i in range(10**9))
            for part in pool.imap(_block, seeds):
                for row in part:
                    if row[3] in seen:
                        continue
                    seen.add(row[3])
                    written += 1
                    row[0] = str(written)
                    writer.writerow(row)
                    if written >= rows:
                        break
                if written >= rows:
                    pool.terminate()
                    break
        tmp.rename(csv_path)
        say(f"  {time.monotonic() - started:.1f} s")
    if not xlsx_path.exists():
        import datetime

        import xlsxwriter

        started = time.monotonic()
        say(f"writing the same rows as .xlsx into {xlsx_path} (xlsxwriter, about a minute per million) …")
        tmp = xlsx_path.with_suffix(".tmp.xlsx")
        book = xlsxwriter.Workbook(str(tmp), {"constant_memory": True, "strings_to_numbers": False})
        sheet = book.add_worksheet("会员花名册")
        date_format = book.add_format({"num_format": "yyyy-mm-dd"})
        text = book.add_format({"num_format": "@"})
        sheet.set_column(3, 3, 22, text)
        sheet.write_row(0, 0, HEADER)
        with csv_path.open(encoding="utf-8", newline="") as f:
            reader = csv.reader(f)
            next(reader)
            for r, row in enumerate(reader, start=1):
                sheet.write_number(r, 0, int(row[0]))
                for c in (1, 2, 5, 6, 7, 8, 10):
                    sheet.write_string(r, c, row[c])
                sheet.write_string(r, 3, row[3], text)  # ID numbers as text, as a careful clerk keeps them
                sheet.write_number(r, 4, int(row[4]))  # mobiles as numbers, as Excel makes them
                sheet.write_datetime(r, 9, datetime.datetime.strptime(row[9], "%Y-%m-%d"), date_format)
        book.close()
        tmp.rename(xlsx_path)
        say(f"  {time.monotonic() - started:.1f} s")
    return {"csv": csv_path, "xlsx": xlsx_path}


# ----- child processes (Django set up there) -----

def child_env(args, var_dir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GONGHUI_", "DJANGO_", "DATABASE_URL"))}
    env.update({
        "GONGHUI_VAR_DIR": str(var_dir),
        "GONGHUI_MODE": "trial",
        "DJANGO_SETTINGS_MODULE": "gonghui.settings",
        "DATABASE_URL": args.database_url or f"sqlite:///{var_dir / 'bench.sqlite3'}",
        "GONGHUI_TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "GONGHUI_IMPORT_MAX_MB": "4000",
        "GONGHUI_IMPORT_CHUNK_ROWS": str(args.chunk_rows),
        "GONGHUI_IMPORT_PROCESSES": str(args.processes),
        "GONGHUI_IMPORT_SQLITE_CACHE_MB": str(args.sqlite_cache_mb),
        "PYTHONPATH": str(ROOT),
        "PYTHONDONTWRITEBYTECODE": "1",
    })
    return env


def run_child(args, var_dir: Path, *child_args) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", *child_args]
    result = subprocess.run(cmd, env=child_env(args, var_dir), cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"bench: {' '.join(child_args)} failed:\n{result.stdout[-3000:]}{result.stderr[-6000:]}")
    for line in reversed(result.stdout.splitlines()):
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    sys.exit(f"bench: no result from {' '.join(child_args)}:\n{result.stdout[-3000:]}{result.stderr[-3000:]}")


def _django():
    import django

    django.setup()


def _rss_mb(who) -> float:
    import resource

    return round(resource.getrusage(who).ru_maxrss / 1024, 1)


def _cpu(who) -> float:
    import resource

    usage = resource.getrusage(who)
    return round(usage.ru_utime + usage.ru_stime, 1)


def child_setup() -> dict:
    _django()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from gonghui.orgs.models import UnionNode
    from gonghui.orgs.services import _insert

    city = _insert(None, {"name": "江海市总工会", "kind": UnionNode.Kind.CITY_FEDERATION})
    district = _insert(city, {"name": "东城区总工会", "kind": UnionNode.Kind.DISTRICT_FEDERATION})
    union = _insert(district, {"name": "江海市联合基层工会（压测）", "kind": UnionNode.Kind.JOINT_GRASSROOTS_UNION})
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return {"union": union.pk, "vendor": connection.vendor, "database": connection.settings_dict["NAME"]}


def _fresh_database():
    """Back to the state after setup: no workers, memberships or batches."""
    from django.db import connection

    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("TRUNCATE members_membership, members_worker, members_importbatch, audit_auditentry "
                        "RESTART IDENTITY CASCADE")
            cur.execute("VACUUM ANALYZE members_worker")
            cur.execute("VACUUM ANALYZE members_membership")


class MemoryWatch:
    """Samples the resident memory of this process and its children (the import's worker processes)
    every 0.2 s from /proc: the peak of their sum, and each process's own peak (VmHWM, which,
    unlike ru_maxrss, does not count the parent's pages a spawned child held before exec)."""

    def __init__(self):
        import threading

        self.peak_total_kb = 0
        self.peak_by_pid: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    @staticmethod
    def _status(pid):
        try:
            with open(f"/proc/{pid}/status") as f:
                fields = dict(line.split(":", 1) for line in f if ":" in line)
            return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0]), int(fields["PPid"])
        except (OSError, KeyError, ValueError):
            return None

    def _run(self):
        me = os.getpid()
        while not self._stop.is_set():
            total = 0
            for name in os.listdir("/proc"):
                if not name.isdigit():
                    continue
                status = self._status(int(name))
                if status and (int(name) == me or status[2] == me):
                    total += status[0]
                    self.peak_by_pid[int(name)] = max(self.peak_by_pid.get(int(name), 0), status[1])
            self.peak_total_kb = max(self.peak_total_kb, total)
            self._stop.wait(0.2)

    def stop(self) -> dict:
        self._stop.set()
        self._thread.join()
        me = os.getpid()
        children = [kb for pid, kb in self.peak_by_pid.items() if pid != me]
        return {"peak_total_mb": round(self.peak_total_kb / 1024), "peak_self_mb": round(self.peak_by_pid.get(me, 0) / 1024),
                "peak_worker_mb": round(max(children, default=0) / 1024)}


def child_import(path: str, union_id: int) -> dict:
    watch = MemoryWatch()
    _django()
    from django.db import connection

    from gonghui.members import importing
    from gonghui.members.models import ImportBatch, Membership, Worker
    from gonghui.orgs.models import UnionNode

    _fresh_database()
    union = UnionNode.objects.unscoped().get(pk=union_id)
    started = time.monotonic()
    batch = importing.start_import(Path(path), union, by=None)
    checked = time.monotonic()
    if batch.status != ImportBatch.Status.CHECKED:
        raise SystemExit(f"check ended {batch.status}: {batch.error} {batch.report.get('mapping_problems')}")
    check_report = batch.report
    batch = importing.commit(batch, by=None)
    done = time.monotonic()
    if batch.status != ImportBatch.Status.COMMITTED:
        raise SystemExit(f"commit ended {batch.status}: {batch.error}")
    workers = Worker.objects.unscoped().count()
    members = Membership.objects.unscoped().filter(import_batch=batch).count()
    memory = watch.stop()
    return {
        **memory,
        "rows": batch.total_rows, "created": batch.created_rows, "rejected": batch.rejected_rows,
        "workers_in_db": workers, "memberships_in_db": members,
        "check_seconds": round(checked - started, 2), "commit_seconds": round(done - checked, 2),
        "check_timings": check_report.get("timings", {}), "commit_timings": batch.report.get("timings", {}),
        "reader": check_report.get("file", {}).get("reader", ""),
        "rss_self_mb": _rss_mb(__import__("resource").RUSAGE_SELF),
        "rss_workers_mb": _rss_mb(__import__("resource").RUSAGE_CHILDREN),
        "cpu_self_s": _cpu(__import__("resource").RUSAGE_SELF),
        "cpu_workers_s": _cpu(__import__("resource").RUSAGE_CHILDREN),
        "vendor": connection.vendor,
        "workers": int(__import__("django.conf").conf.settings.GONGHUI_IMPORT_PROCESSES)
        or max((os.cpu_count() or 1) - 1, 1),
    }


def child_raw(path: str, union_id: int, order: str) -> dict:
    """The import's own writes without the import: the same prepared rows, timed inserts only;
    ``order`` "file" keeps the file's order, "pinyin" sorts each chunk as the import does."""
    _django()
    import csv
    import itertools

    from django.conf import settings
    from django.db import connection, transaction
    from django.utils import timezone

    from gonghui.core import crypto
    from gonghui.members import importing, numbers
    from gonghui.members.importing_files import Header, resolve_mapping
    from gonghui.members.importing_rows import P_JOINED, P_PINYIN, WORKER_VALUES, RowChecker, field_for_header
    from gonghui.members.models import Membership, Worker
    from gonghui.orgs.models import UnionNode

    _fresh_database()
    union = UnionNode.objects.unscoped().get(pk=union_id)
    chunk_rows = int(settings.GONGHUI_IMPORT_CHUNK_ROWS)
    if connection.vendor == "sqlite":  # the same page cache as the import uses
        with connection.cursor() as cur:
            cur.execute(f"PRAGMA cache_size = -{int(settings.GONGHUI_IMPORT_SQLITE_CACHE_MB) * 1024}")
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        mapping = resolve_mapping(Header(1, header, [field_for_header(h) for h in header]), {})
        checker = RowChecker(mapping.columns, today=timezone.localdate(),
                             hash_key=crypto._hash_key(settings.GONGHUI_DATA_KEY),
                             fernet_key=importing._fernet_key(), dates_as_text=connection.vendor == "sqlite")
        worker_columns, worker_defaults = importing._columns(Worker, importing.WORKER_FIELDS)
        member_columns, member_defaults = importing._columns(Membership, importing.MEMBERSHIP_FIELDS)
        writer = importing._Writer.__new__(importing._Writer)
        writer.vendor = connection.vendor
        sqlite = connection.vendor == "sqlite"
        stamp = connection.ops.adapt_datetimefield_value(timezone.now()) if sqlite else timezone.now()
        worker_tail = (None, stamp, stamp) + worker_defaults
        member_tail = (None, stamp) + member_defaults
        timed = 0.0
        cpu = 0.0
        rows = 0
        numbers_start = 1
        numbered = zip(itertools.count(2), reader)
        while True:
            chunk = list(itertools.islice(numbered, chunk_rows))
            if not chunk:
                break
            prepared = [p for _n, p, _e, _k in checker.check_chunk(chunk) if p is not None]
            if order == "pinyin":
                prepared.sort(key=lambda p: p[P_PINYIN])
            started = time.perf_counter()
            cpu_started = time.process_time()
            with transaction.atomic():
                ids = writer._allocate_ids(len(prepared))
                worker_rows = [(wid,) + p[:WORKER_VALUES] + worker_tail for wid, p in zip(ids, prepared, strict=True)]
                member_rows = [(wid, union.pk, union.path, p[P_PINYIN], "active",
                                numbers.format_number(numbers_start + i), p[P_JOINED]) + member_tail
                               for i, (wid, p) in enumerate(zip(ids, prepared, strict=True))]
                writer._insert(Worker._meta.db_table, worker_columns, worker_rows)
                writer._insert(Membership._meta.db_table, member_columns, member_rows)
            timed += time.perf_counter() - started
            cpu += time.process_time() - cpu_started
            numbers_start += len(prepared)
            rows += len(prepared)
    return {"rows": rows, "seconds": round(timed, 2), "cpu_s": round(cpu, 1), "vendor": connection.vendor,
            "order": order}


def child_costs(path: str) -> dict:
    """Per-row cost (µs, one core) of the import's checks and of the naive validators."""
    _django()
    import csv

    from django.conf import settings
    from django.utils import timezone

    from gonghui.core import crypto, validators
    from gonghui.members import importing
    from gonghui.members.importing_files import Header, resolve_mapping
    from gonghui.members.importing_rows import IdChecker, RowChecker, check_mobile, field_for_header
    from gonghui.members.pinyin import name_keys

    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = [row for _i, row in zip(range(100_000), reader, strict=False)]
    ids = [r[3] for r in rows]
    mobiles = [r[4] for r in rows]
    names = [r[1] for r in rows]

    def per_row(fn, values):
        started = time.perf_counter()
        for v in values:
            fn(v)
        return round((time.perf_counter() - started) / len(values) * 1e6, 2)

    mapping = resolve_mapping(Header(1, header, [field_for_header(h) for h in header]), {})
    key = crypto._hash_key(settings.GONGHUI_DATA_KEY)
    numbered = list(enumerate(rows, start=2))

    def whole(fernet):
        checker = RowChecker(mapping.columns, today=timezone.localdate(), hash_key=key, fernet_key=fernet)
        started = time.perf_counter()
        checker.check_chunk(numbered)
        return round((time.perf_counter() - started) / len(rows) * 1e6, 2)

    def naive_row(row):
        validators.clean_id_number(row[3])
        validators.clean_mobile(row[4])
        name_keys.__wrapped__(row[1])
        crypto.keyed_hash(row[3])
        crypto.encrypt(row[3])

    return {
        "row_check_without_encryption_us": whole(None),
        "row_check_with_encryption_us": whole(importing._fernet_key()),
        "naive_row_us (clean_id_number + clean_mobile + pypinyin + hash + encrypt)": per_row(naive_row, rows[:20000]),
        "clean_id_number_us": per_row(validators.clean_id_number, ids[:20000]),
        "fast_id_check_us": per_row(IdChecker().check, ids),
        "clean_mobile_us": per_row(validators.clean_mobile, mobiles[:20000]),
        "fast_mobile_check_us": per_row(check_mobile, mobiles),
        "fernet_encrypt_us": per_row(crypto.encrypt, ids),
        "keyed_hash_us": per_row(crypto.keyed_hash, ids),
        "name_keys_uncached_us": per_row(name_keys.__wrapped__, names),
    }


def child_profile(path: str, union_id: int, rows: int) -> dict:
    """cProfile of a single-process commit of the first ``rows`` rows (no worker processes, so the
    checks show up beside the writes)."""
    os.environ["GONGHUI_IMPORT_PROCESSES"] = "-1"
    _django()
    import cProfile
    import io
    import pstats

    from django.conf import settings

    from gonghui.members import importing
    from gonghui.orgs.models import UnionNode

    settings.GONGHUI_IMPORT_PROCESSES = -1
    _fresh_database()
    sample = Path(tempfile.mkdtemp()) / "sample.csv"
    with open(path, encoding="utf-8") as src, sample.open("w", encoding="utf-8") as out:
        for _i, line in zip(range(rows + 1), src, strict=False):
            out.write(line)
    union = UnionNode.objects.unscoped().get(pk=union_id)
    batch = importing.start_import(sample, union, by=None)
    profiler = cProfile.Profile()
    started = time.monotonic()
    profiler.enable()
    batch = importing.commit(batch, by=None)
    profiler.disable()
    seconds = time.monotonic() - started
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(18)
    say(out.getvalue())
    return {"rows": batch.created_rows, "seconds": round(seconds, 2), "status": batch.status}


def child_main(argv) -> None:
    what = argv[0]
    if what == "setup":
        result = child_setup()
    elif what == "import":
        result = child_import(argv[1], int(argv[2]))
    elif what == "raw":
        result = child_raw(argv[1], int(argv[2]), argv[3])
    elif what == "costs":
        result = child_costs(argv[1])
    elif what == "profile":
        result = child_profile(argv[1], int(argv[2]), int(argv[3]))
    else:
        raise SystemExit(f"unknown child {what}")
    print("RESULT " + json.dumps(result, ensure_ascii=False), flush=True)


# ----- the parent -----

def restore(args, var_dir: Path, template: Path | None) -> None:
    if template is None:
        return  # PostgreSQL: the child truncates
    db = var_dir / "bench.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(template, db)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child_main(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--format", choices=["csv", "xlsx", "both"], default="both")
    parser.add_argument("--database-url", default="", help="an empty PostgreSQL database (default: SQLite)")
    parser.add_argument("--cache-dir", type=Path, default=Path(tempfile.gettempdir()) / "gonghui-bench-import")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--chunk-rows", type=int, default=20000)
    parser.add_argument("--processes", type=int, default=0,
                        help="worker processes (0: one per CPU but one; negative: none)")
    parser.add_argument("--sqlite-cache-mb", type=int, default=32, help="SQLite page cache during the import")
    parser.add_argument("--profile-rows", type=int, default=100_000, help="0 skips the profile")
    parser.add_argument("--no-raw", action="store_true")
    parser.add_argument("--profile-only", action="store_true", help="only the profile (and the costs)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directory")
    args = parser.parse_args()

    files = generate(args.rows, args.cache_dir, args.seed)
    var_dir = Path(tempfile.mkdtemp(prefix="gonghui-bench-import-"))
    try:
        setup = run_child(args, var_dir, "setup")
        template = None
        if setup["vendor"] == "sqlite":
            template = var_dir / "template.sqlite3"
            shutil.copyfile(var_dir / "bench.sqlite3", template)
        union = str(setup["union"])
        say(f"database: {setup['vendor']} ({setup['database']}), {os.cpu_count()} CPUs, "
            f"{args.rows:,} rows, chunks of {args.chunk_rows:,}")
        results = {}
        formats = ["csv", "xlsx"] if args.format == "both" else [args.format]
        if args.profile_only:
            formats = []
        if not args.no_raw and not args.profile_only:
            for order in ("pinyin", "file"):
                restore(args, var_dir, template)
                raw = run_child(args, var_dir, "raw", str(files["csv"]), union, order)
                results[f"raw_{order}"] = raw
                say(f"raw_{order}.{raw['vendor']}: {raw['rows'] / raw['seconds']:,.0f} rows/s "
                    f"({raw['rows']:,} workers + memberships in {raw['seconds']} s, "
                    f"{'executemany' if raw['vendor'] == 'sqlite' else 'COPY'}, chunks in {order} order, "
                    f"{raw['cpu_s']} s CPU"
                    f"{'; the baseline' if order == 'pinyin' else ''})")
            results["raw"] = results["raw_pinyin"]
        for fmt in formats:
            restore(args, var_dir, template)
            r = run_child(args, var_dir, "import", str(files[fmt]), union)
            results[fmt] = r
            rate = r["rows"] / r["commit_seconds"]
            ratio = ""
            if "raw" in results:
                ratio = f", {results['raw']['seconds'] / r['commit_seconds']:.2f} × raw"
            say(f"import_{fmt}.commit: {rate:,.0f} rows/s ({r['created']:,} rows in {r['commit_seconds']} s: "
                f"read, check, encrypt, write{ratio}){'  goal ≥ 25,000 ' + ('met' if rate >= 25000 else 'NOT met') if fmt == 'csv' else ''}")
            say(f"import_{fmt}.dry_run: {r['rows'] / r['check_seconds']:,.0f} rows/s ({r['check_seconds']} s: read, "
                f"check, look up; reader {r['reader']})")
            say(f"import_{fmt}.total: {r['check_seconds'] + r['commit_seconds']:.1f} s for dry run + commit")
            total = r["peak_total_mb"]
            say(f"import_{fmt}.peak_rss: {total:,} MB importing process and its {r['workers']} worker process(es) "
                f"together (sampled); alone {r['peak_self_mb']:,} MB and {r['peak_worker_mb']:,} MB; ru_maxrss "
                f"{r['rss_self_mb']:,.0f} MB" + ("  goal < 500 MB " + ("met" if total < 500 else "NOT met")
                                                  if fmt == "csv" else ""))
            say(f"import_{fmt}.cpu: {r['cpu_self_s']} s importing process, {r['cpu_workers_s']} s worker processes "
                f"(dry run + commit; the machine has {os.cpu_count()} CPUs)")
            say(f"import_{fmt}.where_the_time_goes (commit, importing process): {r['commit_timings']}")
        costs = run_child(args, var_dir, "costs", str(files["csv"]))
        for name, value in costs.items():
            say(f"costs.{name}: {value}")
        if args.profile_rows:
            restore(args, var_dir, template)
            cmd = [sys.executable, str(Path(__file__).resolve()), "--child", "profile", str(files["csv"]), union,
                   str(min(args.profile_rows, args.rows))]
            result = subprocess.run(cmd, env=child_env(args, var_dir), cwd=ROOT, capture_output=True, text=True)
            say(f"profile (single process, {min(args.profile_rows, args.rows):,} rows, commit only):")
            say(result.stdout[-6000:] if result.returncode == 0 else result.stderr[-4000:])
    finally:
        if args.keep:
            say(f"kept {var_dir}")
        else:
            shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
