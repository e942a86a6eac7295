"""Build the fictional 江海市总工会 federation with members and staff, for trial mode and demos.

    manage.py seed_demo [--if-empty] [--members 2000] [--seed 2026]

Everything is fictional: enterprise names, codes, addresses, people. ID numbers come from
``gonghui.demo.idnumbers`` so they pass GB 11643 checks; unions' USCCs start with 81 and carry a
correct check character. Workers and memberships are bulk-inserted; one audit entry
("demo.seeded") records the whole batch.
"""

import datetime
import random
import time

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from faker import Faker
from stdnum.cn import uscc as stdnum_uscc

from gonghui.accounts.models import Grant, User
from gonghui.audit.models import AuditEntry
from gonghui.audit.services import one_batch, record
from gonghui.core import dbstats
from gonghui.core.validators import clean_mobile
from gonghui.demo.idnumbers import fake_id_number
from gonghui.enterprise.demo import seed_enterprise
from gonghui.members.models import Education, HouseholdType, Membership, Worker
from gonghui.members.pinyin import name_keys
from gonghui.orgs.models import STEP_LEN, UnionNode, encode_step
from gonghui.orgs.services import validate_node_fields
from gonghui.workflow import tallies

DEMO_PASSWORD = "demo-pass-2026"
# Mostly Han, as in an eastern city; the others so that lists and filters show some variety.
ETHNICITIES = ["汉族"] * 18 + ["回族", "满族", "壮族", "苗族", "土家族"]
CITY_NAME = "江海市总工会"
WORKER_PHONE = "13800000001"

K = UnionNode.Kind

# (district name, area code, town unions, streets)
DISTRICTS = [
    ("东湖区", "320602", ["东湖区新华街道工会", "东湖区湖滨街道工会"], ["新华路", "湖滨大道", "东湖北路", "建设路"]),
    ("西江区", "320611", ["西江区江北街道工会", "西江区临江镇工会"], ["江北路", "临江大道", "西江中路", "码头街"]),
    ("南山区", "320612", ["南山区南苑街道工会", "南山区青山镇工会"], ["南苑路", "青山路", "科技大道", "工业园路"]),
]
CITY_AREA = "320600"

# 30 fictional enterprises: (union name, short name, district index, town index or None when the
# union sits directly under the district federation). Index 0 is "union 1" of the demo accounts.
ENTERPRISES = [
    ("江海东湖精密机械有限公司工会委员会", "东湖精机工会", 0, None),
    ("江海市湖滨纺织集团有限公司工会委员会", "湖滨纺织工会", 0, 1),
    ("江海新华电子科技有限公司工会委员会", "新华电子工会", 0, 0),
    ("江海市第一人民医院工会委员会", "市一院工会", 0, None),
    ("江海东湖百货股份有限公司工会委员会", "东湖百货工会", 0, None),
    ("江海市公共交通集团有限公司工会委员会", "公交集团工会", 0, None),
    ("江海润丰食品有限公司工会委员会", "润丰食品工会", 0, 0),
    ("江海市东湖实验学校工会委员会", "东湖实验学校工会", 0, 1),
    ("江海新华印刷包装有限公司工会委员会", "新华印包工会", 0, 0),
    ("江海湖滨文化旅游发展有限公司工会委员会", "湖滨文旅工会", 0, 1),
    ("江海港务集团有限公司工会委员会", "港务集团工会", 1, None),
    ("江海西江船舶重工有限公司工会委员会", "船舶重工工会", 1, None),
    ("江海临江化工新材料有限公司工会委员会", "临江新材料工会", 1, 1),
    ("江海江北物流有限公司工会委员会", "江北物流工会", 1, 0),
    ("江海市西江自来水有限公司工会委员会", "西江水务工会", 1, None),
    ("江海恒通建设工程有限公司工会委员会", "恒通建设工会", 1, 0),
    ("江海西江农村商业银行股份有限公司工会委员会", "西江农商行工会", 1, None),
    ("江海鑫达汽车零部件有限公司工会委员会", "鑫达汽配工会", 1, 1),
    ("江海临江生态农业发展有限公司工会委员会", "临江农业工会", 1, 1),
    ("江海市中医院工会委员会", "市中医院工会", 1, 0),
    ("江海南山半导体有限公司工会委员会", "南山半导体工会", 2, None),
    ("江海青山环保科技有限公司工会委员会", "青山环保工会", 2, 1),
    ("江海南苑软件信息技术有限公司工会委员会", "南苑软件工会", 2, 0),
    ("江海市南山高级中学工会委员会", "南山高中工会", 2, 0),
    ("江海瑞康医药股份有限公司工会委员会", "瑞康医药工会", 2, None),
    ("江海南山光伏能源有限公司工会委员会", "南山光伏工会", 2, None),
    ("江海青山铸造有限公司工会委员会", "青山铸造工会", 2, 1),
    ("江海市燃气有限公司工会委员会", "江海燃气工会", 2, None),
    ("江海南苑酒店管理有限公司工会委员会", "南苑酒店工会", 2, 0),
    ("江海顺捷快递有限公司工会委员会", "顺捷快递工会", 2, None),
]
# Relative sizes of the workforce (joint unions gather many small firms and gig workers).
ENTERPRISE_WEIGHTS = [8, 10, 7, 9, 5, 8, 4, 3, 3, 3, 9, 10, 5, 4, 3, 6, 4, 6, 2, 7, 8, 3, 5, 3, 5, 4, 3, 4, 3, 6]
JOINT_WEIGHT = 6

MOBILE_PREFIXES = ["133", "135", "136", "137", "138", "139", "150", "151", "152", "157", "158", "159",
                   "177", "180", "181", "182", "183", "186", "187", "188", "189", "199"]


class Command(BaseCommand):
    help = "Build the fictional 江海市总工会 demo federation with members and staff accounts."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true",
                            help="Do nothing (successfully) when the demo federation or other data exists.")
        parser.add_argument("--members", type=int, default=2000, help="Number of members (default 2000).")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (default 2026).")

    def handle(self, *args, if_empty=False, members=2000, seed=2026, **options):
        if getattr(settings, "PRODUCTION", False):
            raise CommandError("seed_demo 不能在生产模式下运行（GONGHUI_MODE=production）：演示数据只用于试用。")
        if members < 1:
            raise CommandError("--members must be at least 1")

        existing = self._existing_data()
        if existing:
            if if_empty:
                self.stdout.write(f"seed_demo: {existing}, nothing to do.")
                return
            raise CommandError(f"seed_demo refused: {existing}. It only seeds an empty database "
                               f"(use --if-empty to skip silently, or start from a fresh var/ directory).")

        started = time.monotonic()
        seeder = _Seeder(seed=seed, members=members)
        with transaction.atomic():
            counts = seeder.run()
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(
            f"seed_demo: built {CITY_NAME} in {elapsed:.1f} s — "
            f"{counts['nodes']} nodes ({counts['grassroots']} grassroots + {counts['joint']} joint unions), "
            f"{counts['workers']} members, {counts['staff']} staff accounts, 1 worker account."
        ))
        self.stdout.write("Demo accounts: manage.py demo_accounts")

    def _existing_data(self) -> str:
        if UnionNode.objects.unscoped().filter(name=CITY_NAME, kind=K.CITY_FEDERATION).exists():
            return f"{CITY_NAME} already exists"
        if UnionNode.objects.unscoped().exists():
            return "the database already holds union nodes"
        if Worker.objects.unscoped().exists():
            return "the database already holds workers"
        taken = User.objects.filter(username__in=[u for u, *_ in STAFF_ACCOUNTS] + [f"w{WORKER_PHONE}"]) \
            .values_list("username", flat=True)
        if taken or User.objects.filter(phone=WORKER_PHONE).exists():
            return "demo usernames are already taken: " + ", ".join(sorted(taken) or [WORKER_PHONE])
        return ""


# (username, display role, node key, role). Node keys are filled in by _Seeder.build_tree.
# Partners (lawyers, schools) hold no grant on a node; the app that works with them creates the
# account in its demo (legal: lawyer1, with assigned cases). Listed here so demo_accounts prints them.
PARTNER_ACCOUNTS = [
    ("lawyer1", "合作律师（只看到指派给自己的法律援助案件） partner lawyer, sees only assigned cases"),
]

STAFF_ACCOUNTS = [
    ("city_admin", "市总工会管理员", "city", "admin"),
    ("city_viewer", "市总工会查看员", "city", "viewer"),
    ("city_hardship", "市总工会帮扶审批人（大额救助）", "city", "manager"),
    ("legal_centre", "市总工会法律援助中心负责人（审批、指派律师）", "city_legal", "manager"),
    ("legal_aid_staff", "法律援助中心经办人", "city_legal", "handler"),
    ("district1_admin", "东湖区总工会管理员", "d0", "admin"),
    ("district1_staff", "东湖区总工会审批人", "d0", "manager"),
    ("district2_admin", "西江区总工会管理员", "d1", "admin"),
    ("district2_staff", "西江区总工会审批人", "d1", "manager"),
    ("district3_admin", "南山区总工会管理员", "d2", "admin"),
    ("district3_staff", "南山区总工会审批人", "d2", "manager"),
    ("town1_staff", "东湖区新华街道工会经办人", "d0t0", "handler"),
    ("union1_staff", "东湖精密机械工会经办人", "g0", "handler"),
    ("union2_staff", "湖滨纺织工会经办人", "g1", "handler"),
]


class _Seeder:
    def __init__(self, *, seed: int, members: int):
        self.rng = random.Random(seed)
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(seed)
        self.members = members
        self.nodes: dict[str, UnionNode] = {}
        self.children_count: dict[int | None, int] = {}
        self.used_uscc: set[str] = set()
        self.used_mobiles: set[str] = {WORKER_PHONE}

    # ----- helpers -----

    def uscc(self, area: str, *, prefix: str = "81") -> str:
        """A valid unified social credit code: registration prefix, area code, org code, check."""
        alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
        while True:
            org = "M" + "".join(self.rng.choice(alphabet) for _ in range(7)) + self.rng.choice("0123456789")
            body = prefix + area + org
            # calc_check_digit reads the first 17 characters: pass the body without a check char.
            code = body + stdnum_uscc.calc_check_digit(body)
            assert stdnum_uscc.is_valid(code), code
            if code not in self.used_uscc:
                self.used_uscc.add(code)
                return code

    def mobile(self) -> str:
        while True:
            number = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if number not in self.used_mobiles:
                self.used_mobiles.add(number)
                return number

    def landline(self) -> str:
        return f"0513-8{self.rng.randrange(10**6, 10**7):07d}"

    def add_node(self, key: str, parent: UnionNode | None, **data) -> UnionNode:
        data.setdefault("contact_person", self.fake.name())
        data.setdefault("contact_phone", self.landline())
        data.setdefault("active", True)
        try:
            cleaned = validate_node_fields(data, parent)
        except ValidationError as e:  # a bug in the demo data itself
            raise CommandError(f"demo node {data.get('name')}: {e.messages}") from None
        parent_id = parent.pk if parent else None
        if parent_id not in self.children_count:
            self.children_count[parent_id] = (
                0 if parent else UnionNode.objects.unscoped().filter(depth=1).count()
            )
        number = self.children_count[parent_id]
        self.children_count[parent_id] = number + 1
        node = UnionNode(parent=parent, **cleaned)
        node.name_pinyin, node.name_initials = name_keys(node.name)
        node.path = (parent.path if parent else "") + encode_step(number)
        node.depth = len(node.path) // STEP_LEN
        node.save()
        self.nodes[key] = node
        return node

    # ----- the tree -----

    def build_tree(self) -> None:
        city = self.add_node(
            "city", None, name=CITY_NAME, short_name="市总工会", kind=K.CITY_FEDERATION,
            uscc=self.uscc(CITY_AREA), address="江海市东湖区人民中路88号",
        )
        self.add_node("city_legal", city, name="江海市总工会法律援助中心", short_name="法律援助中心",
                      kind=K.SERVICE_CENTRE, uscc=self.uscc(CITY_AREA, prefix="12"),
                      address="江海市东湖区人民中路88号职工服务大楼2楼")
        self.add_node("city_hardship", city, name="江海市总工会困难职工帮扶中心", short_name="帮扶中心",
                      kind=K.SERVICE_CENTRE, uscc=self.uscc(CITY_AREA, prefix="12"),
                      address="江海市东湖区人民中路88号职工服务大楼1楼")
        for d, (district, area, towns, streets) in enumerate(DISTRICTS):
            dnode = self.add_node(
                f"d{d}", city, name=f"{district}总工会", short_name=f"{district}总工会",
                kind=K.DISTRICT_FEDERATION, uscc=self.uscc(area),
                address=f"江海市{district}{streets[0]}{self.rng.randint(1, 200)}号",
            )
            self.add_node(f"d{d}_centre", dnode, name=f"{district}职工服务中心", short_name=f"{district}职工服务中心",
                          kind=K.SERVICE_CENTRE, address=f"江海市{district}{streets[1]}{self.rng.randint(1, 200)}号")
            for t, town in enumerate(towns):
                self.add_node(f"d{d}t{t}", dnode, name=town, kind=K.TOWN_UNION, uscc=self.uscc(area),
                              address=f"江海市{district}{streets[2 + t]}{self.rng.randint(1, 300)}号")
        for i, (name, short, d, t) in enumerate(ENTERPRISES):
            district, area, _towns, streets = DISTRICTS[d]
            parent = self.nodes[f"d{d}" if t is None else f"d{d}t{t}"]
            self.add_node(f"g{i}", parent, name=name, short_name=short, kind=K.GRASSROOTS_UNION,
                          uscc=self.uscc(area),
                          address=f"江海市{district}{self.rng.choice(streets)}{self.rng.randint(1, 999)}号")
        for d, (district, area, _towns, streets) in enumerate(DISTRICTS):
            self.add_node(f"j{d}", self.nodes[f"d{d}"], name=f"{district}新就业形态劳动者联合工会委员会",
                          short_name=f"{district}联合工会", kind=K.JOINT_GRASSROOTS_UNION, uscc=self.uscc(area),
                          address=f"江海市{district}{streets[-1]}{self.rng.randint(1, 300)}号")

    # ----- people -----

    def build_staff(self) -> list[User]:
        password = make_password(DEMO_PASSWORD)  # hashed once: the demo accounts share the password
        users = [
            User(username=username, kind=User.Kind.STAFF, display_name=self.fake.name(), password=password,
                 email=f"{username}@demo.jianghai.example")
            for username, *_ in STAFF_ACCOUNTS
        ]
        User.objects.bulk_create(users)
        users = {u.username: u for u in User.objects.filter(username__in=[a[0] for a in STAFF_ACCOUNTS])}
        Grant.objects.bulk_create([
            Grant(user=users[username], node=self.nodes[node_key], role=role)
            for username, _label, node_key, role in STAFF_ACCOUNTS
        ])
        return list(users.values())

    def build_members(self) -> tuple[int, int]:
        unions = [self.nodes[f"g{i}"] for i in range(len(ENTERPRISES))] + [
            self.nodes[f"j{d}"] for d in range(len(DISTRICTS))]
        weights = ENTERPRISE_WEIGHTS + [JOINT_WEIGHT] * len(DISTRICTS)
        union1 = self.nodes["g0"]
        today = timezone.localdate()

        # The demo worker who signs in at the portal: an active member of union 1.
        worker_user = User(username=f"w{WORKER_PHONE}", phone=WORKER_PHONE, kind=User.Kind.WORKER,
                           display_name="")
        worker_user.set_unusable_password()

        workers: list[Worker] = []
        plan: list[tuple[UnionNode, datetime.date, str]] = []
        seen_ids: set[str] = set()
        for n in range(self.members):
            while True:
                id_number = fake_id_number(self.rng)
                if id_number not in seen_ids:
                    seen_ids.add(id_number)
                    break
            union = union1 if n == 0 else self.rng.choices(unions, weights)[0]
            mobile = WORKER_PHONE if n == 0 else self.mobile()
            female = int(id_number[16]) % 2 == 0
            name = self.fake.name_female() if female else self.fake.name_male()
            worker = Worker(name=name, mobile=mobile, ethnicity=self.rng.choice(ETHNICITIES),
                            education=self.rng.choice(Education.values),
                            household_type=self.rng.choice(HouseholdType.values),
                            employer=union.name.removesuffix("工会委员会").removesuffix("工会"))
            worker.migrant_worker = worker.household_type == HouseholdType.RURAL and self.rng.random() < 0.6
            worker.set_id_number(id_number)
            worker.name_pinyin, worker.name_initials = name_keys(name)
            workers.append(worker)
            born = datetime.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
            earliest = max(datetime.date(born.year + 18, born.month, min(born.day, 28)), datetime.date(1995, 1, 1))
            joined = earliest + datetime.timedelta(days=self.rng.randint(0, max(0, (today - earliest).days)))
            status = Membership.Status.ACTIVE
            if n and born.year < 1970 and self.rng.random() < 0.3:
                status = Membership.Status.RETIRED_RETAINED  # retired, keeping their membership
            plan.append((union, joined, status))
        worker_user.display_name = workers[0].name
        worker_user.save()
        workers[0].user = worker_user

        Worker.objects.bulk_create(workers, batch_size=500)
        if any(w.pk is None for w in workers):  # databases that do not return ids from bulk inserts
            ids = dict(Worker.objects.unscoped().values_list("id_number_hash", "pk"))
            for w in workers:
                w.pk = w.id = ids[w.id_number_hash]

        memberships = []
        per_union: dict[int, int] = {}
        for worker, (union, joined, status) in zip(workers, plan, strict=True):
            seq = per_union[union.pk] = per_union.get(union.pk, 0) + 1
            memberships.append(Membership(
                worker=worker, union=union, status=status, joined_on=joined, node_path=union.path,
                sort_name=worker.name_pinyin,
                member_number=f"JH{union.uscc[2:8]}{union.pk:04d}{seq:05d}",
            ))
        Membership.objects.bulk_create(memberships, batch_size=500)
        clean_mobile(WORKER_PHONE)  # the fixed demo number must stay valid for the sign-in form
        return len(workers), sum(1 for m in memberships if m.status == Membership.Status.ACTIVE)

    def run(self) -> dict:
        self.build_tree()
        staff = self.build_staff()
        workers, active = self.build_members()
        from gonghui.requests.demo import seed_requests

        requests = seed_requests(self.rng)
        counts = {
            "nodes": len(self.nodes),
            "grassroots": len(ENTERPRISES),
            "joint": len(DISTRICTS),
            "workers": workers,
            "active_members": active,
            "staff": len(staff),
            "requests": requests,
        }
        counts.update(seed_enterprise(self.rng))
        from gonghui.members.demo_join import seed_join
        counts.update(seed_join(self.rng))
        from gonghui.members.demo_transfers import seed_transfers
        counts.update(seed_transfers(self.rng))
        from gonghui.activities.demo import seed_activities
        from gonghui.courses.demo import seed_courses
        from gonghui.enrolment.demo import seed_enrolment
        from gonghui.hardship.demo import seed_hardship
        from gonghui.kb.demo import seed_kb
        from gonghui.legal.demo import seed_legal

        with one_batch():  # these demos run the services; the demo is audited once, below
            counts.update(seed_hardship(self.rng))
            counts.update(seed_kb(self.rng))
            counts.update(seed_legal(self.rng))
            counts.update(seed_enrolment(self.rng))
            counts.update(seed_activities(self.rng))
            counts.update(seed_courses(self.rng))
        tallies.rebuild()  # the demo cases were bulk-inserted: count them once
        transaction.on_commit(lambda: dbstats.refresh(force=True))  # fresh planner statistics
        record(None, AuditEntry.Action.IMPORT, None, node=self.nodes["city"], event="demo.seeded",
               extra=counts | {"seed_accounts": [a[0] for a in STAFF_ACCOUNTS] + [f"w{WORKER_PHONE}"]})
        return counts
