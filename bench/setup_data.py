"""Build the benchmark tree in the (throwaway) database named by the settings.

    python -m bench.setup_data --unions 20000

A city federation with two sibling districts. The measured district holds ``--unions``
grassroots unions under its towns; the sibling district holds a tenth as many, so the scope
filter has rows to leave out. Rows are bulk-inserted with paths built as the tree service
builds them (parent path + one fixed-width step). Prints one JSON line: the staff user's
credentials and the counts.
"""

import argparse
import json
import os
import sys
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--unions", type=int, default=20_000)
    parser.add_argument("--per-town", type=int, default=500)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings_bench")
    import django

    django.setup()

    from django.db import transaction

    from gonghui.accounts.models import Grant, User
    from gonghui.orgs.models import STEP_LEN, UnionNode, encode_step

    K = UnionNode.Kind
    started = time.monotonic()

    def child(parent, number, **fields):
        path = (parent.path if parent else "") + encode_step(number)
        return UnionNode(parent=parent, path=path, depth=len(path) // STEP_LEN, **fields)

    def grassroots_under(district, count, label):
        towns = []
        for t in range((count + args.per_town - 1) // args.per_town):
            town = child(district, t, name=f"{label}第{t + 1}街道工会", kind=K.TOWN_UNION)
            town.save()
            towns.append(town)
        rows = []
        for n in range(count):
            town = towns[n // args.per_town]
            rows.append(child(
                town, n % args.per_town, name=f"{label}基准测试企业{n + 1:05d}有限公司工会委员会",
                short_name=f"{label}企业{n + 1}工会", kind=K.GRASSROOTS_UNION,
                address=f"江海市{label}测试路{n + 1}号", contact_person="张三", contact_phone="0513-80000000",
            ))
        UnionNode.objects.bulk_create(rows, batch_size=2000)
        return len(towns)

    with transaction.atomic():
        if UnionNode.objects.unscoped().exists():
            sys.exit("bench.setup_data: the database is not empty (use a fresh GONGHUI_VAR_DIR)")
        city = child(None, 0, name="江海市总工会", kind=K.CITY_FEDERATION)
        city.save()
        district = child(city, 0, name="东湖区总工会", kind=K.DISTRICT_FEDERATION)
        district.save()
        sibling = child(city, 1, name="西江区总工会", kind=K.DISTRICT_FEDERATION)
        sibling.save()
        towns = grassroots_under(district, args.unions, "东湖区")
        sibling_unions = max(1, args.unions // 10)
        grassroots_under(sibling, sibling_unions, "西江区")

        username, password = "bench_district_staff", "bench-pass-2026"
        user = User(username=username, kind=User.Kind.STAFF, display_name="基准测试干部")
        user.set_password(password)
        user.save()
        Grant.objects.create(user=user, node=district, role="manager")

    print(json.dumps({
        "username": username, "password": password,
        "district_unions": args.unions, "district_towns": towns, "sibling_unions": sibling_unions,
        "total_nodes": UnionNode.objects.unscoped().count(),
        "seconds": round(time.monotonic() - started, 1),
    }))


if __name__ == "__main__":
    main()
