"""Demo data of the hardship app's campaigns part: this year's 金秋助学 rounds (东湖区's own and the
city's for the other districts) with applications in every state — the demo worker's one paid, so
"我的服务" shows it — and a 送温暖 campaign in 东湖区 whose visit list is partly visited.

Written through the services and the engine (a handful of cases), so timelines, ledger rows and
audit entries are what the pages would have written. The notice periods are said to have run by
moving their end into the past: demo data only.
"""

import datetime
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from gonghui.demo.idnumbers import fake_id_number
from gonghui.hardship import services_campaigns as svc
from gonghui.hardship.models import GoldenAutumnApplication, GoldenAutumnRound, HardshipFile, WarmthTarget
from gonghui.members.models import Membership, Worker
from gonghui.orgs.models import UnionNode
from gonghui.workflow import services as workflow
from gonghui.workflow.services import Upload

K = UnionNode.Kind
WORKER_PHONE = "13800000001"
# A 1×1 PNG: the demo's admission letters and visit photos.
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
SCHOOLS = [("college", "江海大学"), ("college", "江海职业技术学院"), ("high_school", "江海市第一中学"),
           ("college", "南京师范大学"), ("high_school", "东湖区职业高级中学"), ("college", "江苏科技大学"),
           ("high_school", "江海市实验中学"), ("college", "苏州大学")]
CHILD_NAMES = ["小雨", "佳怡", "子轩", "梓涵", "浩然", "欣怡", "宇航", "思远", "雨桐", "俊杰"]
# The state each demo application is left in (the first is the demo worker's).
PLAN = ["paid", "paid", "approved", "approved", "notice_over", "notice", "submitted", "submitted", "rejected",
        "rejected"]
REJECT_NOTE = "经核实，该生已获市教育局全额资助，按规定不再重复资助。"


def _users():
    User = get_user_model()
    return {u.username: u for u in User.objects.filter(username__in=("district1_staff", "union1_staff",
                                                                       "city_hardship", "city_admin"))}


def _bank(rng) -> str:
    return "622202" + "".join(str(rng.randint(0, 9)) for _ in range(13))


def _applicants(district: UnionNode, demo_worker: Worker | None, count: int) -> list[Worker]:
    """Registered households of the district first (H1's demo files), then members of its unions."""
    chosen: list[Worker] = [demo_worker] if demo_worker is not None else []
    seen = {w.pk for w in chosen}
    files = (HardshipFile.objects.unscoped().filter(node_path__startswith=district.path,
                                                   status=HardshipFile.Status.REGISTERED)
             .select_related("worker").order_by("pk")[:count])
    for f in files:
        if f.worker_id not in seen and len(chosen) < count:
            chosen.append(f.worker)
            seen.add(f.worker_id)
    members = (Membership.objects.unscoped().filter(node_path__startswith=district.path, status="active")
               .exclude(worker__in=seen).select_related("worker").order_by("pk")[:count * 3])
    for m in members:
        if len(chosen) >= count:
            break
        if m.worker_id not in seen:
            chosen.append(m.worker)
            seen.add(m.worker_id)
    return chosen


def _seed_golden(rng: random.Random, users, district, city) -> int:
    today = timezone.localdate()
    opens = max(datetime.date(today.year, 1, 1), today - datetime.timedelta(days=45))
    closes = min(datetime.date(today.year, 12, 31), today + datetime.timedelta(days=30))
    GoldenAutumnRound.objects.create(
        node=district, year=today.year, title=f"{today.year}年东湖区金秋助学", opens_on=opens, closes_on=closes,
        budget=Decimal("300000"), created_by=users.get("district1_staff"),
        note="资助当年录取的大学新生和高中新生：在档困难职工子女大学5000元、高中2000元，其他困难职工子女1000元。"
             "请上传录取通知书。")
    if city is not None:
        GoldenAutumnRound.objects.create(node=city, year=today.year, title=f"{today.year}年江海市金秋助学",
                                         opens_on=opens, closes_on=closes, budget=Decimal("800000"),
                                         created_by=users.get("city_admin"))
    approver = users.get("district1_staff")
    handler = users.get("union1_staff")
    if approver is None:
        return 0
    demo_worker = Worker.objects.unscoped().filter(mobile=WORKER_PHONE, user__isnull=False).first()
    made = 0
    for n, worker in enumerate(_applicants(district, demo_worker, len(PLAN))):
        target = PLAN[n]
        level, school = SCHOOLS[n % len(SCHOOLS)]
        data = {"child_name": worker.name[0] + CHILD_NAMES[n % len(CHILD_NAMES)],
                "child_id_number": fake_id_number(rng, born_from=today.year - 19, born_to=today.year - 15),
                "school": school, "admission_year": str(today.year), "level": level, "bank_name": "工商银行江海分行",
                "bank_account": _bank(rng), "hardship_note": "家中老人患病，子女学费负担较重。"}
        elig = svc.eligibility(worker)
        if elig.problem or elig.round is None:
            continue
        own = worker.user_id is not None
        by = worker.user if own else approver
        try:
            app = svc.apply(by=by, worker=worker, data=data, letter=Upload("录取通知书.png", PNG))
        except Exception:  # noqa: BLE001 - a demo household that does not qualify is skipped
            continue
        made += 1
        step_by = handler if handler is not None and app.case.node_path.startswith(_path(handler)) else approver

        def step(name, who, app=app, **extra):
            app.case.refresh_from_db()
            workflow.perform_transition(app.case, name, by=who, version=app.case.version, data=extra)

        if target == "withdrawn" and own:
            step("withdraw", worker.user)
            continue
        if target in ("withdrawn", "rejected"):
            step("reject", step_by, note=REJECT_NOTE)
            continue
        if target == "submitted":
            continue
        step("verify", step_by, note="已入户核实，情况属实。")
        if target == "notice":
            continue
        # The notice period ran without objection (demo data: its end is moved into the past).
        GoldenAutumnApplication.objects.unscoped().filter(pk=app.pk).update(
            notice_ends_at=timezone.now() - datetime.timedelta(days=1))
        if target == "notice_over":
            continue
        step("approve", approver, note="经公示无异议，同意资助。")
        if target == "paid":
            step("pay", approver)
    if demo_worker is not None and svc.eligibility(demo_worker).problem == "":
        # The demo worker also applied for a second child by mistake and withdrew it.
        app = svc.apply(by=demo_worker.user, worker=demo_worker, letter=Upload("录取通知书.png", PNG), data={
            "child_name": demo_worker.name[0] + "小雪", "school": "江海市第一中学", "level": "high_school",
            "child_id_number": fake_id_number(rng, born_from=today.year - 17, born_to=today.year - 15),
            "admission_year": str(today.year), "bank_name": "工商银行江海分行", "bank_account": _bank(rng),
            "hardship_note": "家中老人患病，子女学费负担较重。"})
        workflow.perform_transition(app.case, "withdraw", by=demo_worker.user, version=app.case.version)
        made += 1
    return made


def _path(user) -> str:
    from gonghui.core.scope import user_grants

    grants = user_grants(user)
    return grants[0][0] if grants else "~"


def _seed_warmth(rng: random.Random, users, district) -> tuple[int, int]:
    approver = users.get("district1_staff")
    if approver is None:
        return 0, 0
    today = timezone.localdate()
    festival_year = today.year + 1 if today.month >= 10 else today.year
    campaign = svc.create_campaign(district, {
        "name": f"{festival_year}年春节送温暖", "starts_on": today - datetime.timedelta(days=10),
        "ends_on": today + datetime.timedelta(days=60), "budget": "200000", "standard_amount": "800",
        "categories": ["deep", "relative", "accident"], "include_model_workers": True}, by=approver)
    svc.generate_targets(campaign, by=approver)
    # Two model workers of union 1 added by hand, as the rule allows.
    union1 = UnionNode.objects.unscoped().filter(path__startswith=district.path, kind=K.GRASSROOTS_UNION) \
        .order_by("depth", "path").first()
    if union1 is not None:
        listed = WarmthTarget.objects.unscoped().filter(campaign=campaign).values("worker")
        for m in (Membership.objects.unscoped().filter(union=union1, status="active").exclude(worker__in=listed)
                  .exclude(worker__mobile=WORKER_PHONE).select_related("worker").order_by("-pk")[:2]):
            svc.add_target(campaign, m.worker, "model_worker", by=approver)
    targets = list(WarmthTarget.objects.unscoped().filter(campaign=campaign).select_related("campaign", "union")
                   .order_by("pk"))
    visited = 0
    for n, target in enumerate(targets):
        if n % 5 >= 3:  # about 60% visited so far
            continue
        goods = n % 3 == 2
        svc.record_visit(target, {
            "visited_on": today - datetime.timedelta(days=rng.randint(0, 9)), "visitors": "区总工会帮扶中心、所在工会主席",
            "kind": "goods" if goods else "cash", "value": "500" if goods else "800",
            "goods": "米、油、棉被" if goods else "", "note": "了解家庭近况，送上节日慰问。"},
            by=approver, photo=Upload("慰问现场.png", PNG) if n % 2 == 0 else None)
        visited += 1
    return len(targets), visited


def seed(rng) -> dict:
    users = _users()
    city = UnionNode.objects.unscoped().filter(kind=K.CITY_FEDERATION).order_by("path").first()
    district = (UnionNode.objects.unscoped().filter(parent=city, kind=K.DISTRICT_FEDERATION).order_by("path").first()
                if city is not None else None)
    if district is None:
        return {}
    golden = _seed_golden(rng, users, district, city)
    listed, visited = _seed_warmth(rng, users, district)
    return {"golden_autumn_applications": golden, "warmth_listed": listed, "warmth_visited": visited}
