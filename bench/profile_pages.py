"""In-process cost of each benchmarked page: time per request, SQL queries and SQL time.

    python -m bench.profile_pages --username bench_district_staff [--repeat 30]

Runs against the database named by the settings (the benchmark's throwaway one) with Django's
test client, so no server or network is involved. It explains a low requests-per-second figure:
many queries, one slow query, or time spent outside SQL (templates, Python).
"""

import argparse
import os
import statistics
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--username", required=True)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--show-sql", action="store_true", help="print each query of the last request")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings_bench")
    import django

    django.setup()

    from django.db import connection
    from django.test import Client

    from gonghui.accounts.models import User

    anonymous = Client()
    staff = Client()
    staff.force_login(User.objects.get(username=args.username))
    pages = [("minimal", anonymous, "/bench/minimal/"), ("portal_home", anonymous, "/"),
             ("console_orgs", staff, "/console/orgs/")]
    for name, client, url in pages:
        client.get(url)  # warm caches (templates, URL resolver, connection)
        times, sql_times, counts = [], [], []
        status = None
        for _ in range(args.repeat):
            queries: list[tuple[float, str]] = []

            def timed(execute, sql, params, many, context, queries=queries):
                started = time.perf_counter()
                try:
                    return execute(sql, params, many, context)
                finally:
                    queries.append((time.perf_counter() - started, sql))

            with connection.execute_wrapper(timed):
                started = time.perf_counter()
                response = client.get(url)
                times.append(time.perf_counter() - started)
            status = response.status_code
            counts.append(len(queries))
            sql_times.append(sum(t for t, _sql in queries))
        print(f"profile.{name}: {statistics.median(times) * 1000:.2f} ms/request "
              f"(status {status}, {max(counts)} queries, {statistics.median(sql_times) * 1000:.2f} ms SQL)")
        if args.show_sql:
            for seconds, sql in queries:
                print(f"    {seconds * 1000:7.3f} ms  {sql[:300]}")


if __name__ == "__main__":
    main()
