"""Demo data of the hardship app's core part.

Policy versions (the city's, and each district's own 低保 standard, 东湖区 with a raise this year),
and 20 households per district in every category and state, built through the services so the
rows are what the pages write: members, incomes, rigid spending, home visit, checks, an
assessment under the version in force at the time, and registration cases at every step of the
engine (submitted, notice, district approval, registered, rejected, withdrawn). One exit and one
closure per district go through the review part's services. The demo worker (seed_demo's
WORKER_PHONE) has a registered deep-hardship household in union 1, so the portal shows something;
it stays registered for the other parts (aid, Golden Autumn, Send Warmth) to build on.
"""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

WORKER_PHONE = "13800000001"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ["秀英", "建国", "桂兰", "志强", "丽娟", "小明", "晓燕", "浩然", "欣怡", "子涵", "玉梅", "国庆"]
CAUSE_BY_CATEGORY = {
    "deep": ["serious_illness", "no_work_ability", "laid_off"],
    "relative": ["children_school", "unemployed", "no_social_insurance"],
    "accident": ["accident", "natural_disaster", "serious_illness"],
    "none": ["other", "children_school"],
}
# District policies: (effective from, params). 东湖区 raised its standard this year.
POLICIES = {
    "city": [(datetime.date(2024, 1, 1), {"min_living_standard": "780", "min_wage": "2090"})],
    0: [(datetime.date(2025, 1, 1), {"min_living_standard": "850", "min_wage": "2280"}),
        (datetime.date(2026, 7, 1), {"min_living_standard": "900", "min_wage": "2380"})],
    1: [(datetime.date(2025, 1, 1), {"min_living_standard": "820", "min_wage": "2200"})],
    2: [(datetime.date(2025, 3, 1), {"min_living_standard": "800", "min_wage": "2200", "notice_days": 7})],
}
# (final state, category) for the 20 households of each district.
PLAN = (
    [("registered", "deep")] * 4 + [("registered", "relative")] * 4 + [("registered", "accident")] * 2
    + [("draft", ""), ("draft", "none"), ("submitted", "deep"), ("notice", "relative"), ("district", "deep"),
       ("case_registered", "deep"), ("rejected", "none"), ("withdrawn", "relative"), ("exited", "relative"),
       ("closed", "deep")]
)


def _figures(category: str, size: int, standard: Decimal, rng) -> tuple[Decimal, Decimal, bool]:
    """(annual income, rigid spending, sudden) that land the household in ``category``."""
    line = standard * size * 12
    if category == "deep":
        return (line * Decimal(rng.randint(45, 95)) / 100).quantize(Decimal("1")), Decimal(0), False
    if category == "relative":
        spending = Decimal(rng.choice([0, 3000, 6000]))
        return (line * Decimal(rng.randint(115, 190)) / 100 + spending).quantize(Decimal("1")), spending, False
    if category == "accident":
        income = (line * 16).quantize(Decimal("1"))
        return income, (income * Decimal("0.85")).quantize(Decimal("1")), True
    return (line * Decimal(rng.randint(260, 400)) / 100).quantize(Decimal("1")), Decimal(0), False


def _name(rng) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


@transaction.atomic
def seed(rng) -> dict:
    from gonghui.accounts.models import User
    from gonghui.demo.idnumbers import fake_id_number
    from gonghui.hardship import policy, registration
    from gonghui.hardship import services_core as svc
    from gonghui.hardship.models import HardshipApplication, HardshipFile, PolicyVersion
    from gonghui.members.models import Membership, Worker
    from gonghui.orgs.models import UnionNode
    from gonghui.workflow.models import Case
    from gonghui.workflow.services import perform_transition

    K = UnionNode.Kind
    city = UnionNode.objects.unscoped().filter(kind=K.CITY_FEDERATION).order_by("path").first()
    if city is None:
        return {}
    districts = list(UnionNode.objects.unscoped().filter(parent=city, kind=K.DISTRICT_FEDERATION).order_by("path"))
    admin = User.objects.filter(username="city_admin").first()
    versions = 0
    for effective, params in POLICIES["city"]:
        PolicyVersion.objects.create(node=city, effective_from=effective, params=params, created_by=admin,
                                     note="全市统一标准")
        versions += 1
    for d, district in enumerate(districts[:3]):
        for effective, params in POLICIES.get(d, []):
            PolicyVersion.objects.create(node=district, effective_from=effective, params=params, created_by=admin,
                                         note=f"{district.short_name or district.name}{effective.year}年标准")
            versions += 1

    today = timezone.localdate()
    demo_worker = Worker.objects.unscoped().filter(mobile=WORKER_PHONE, user__isnull=False).first()
    used: set[int] = {demo_worker.pk} if demo_worker else set()
    seen_ids: set[str] = set()
    counts = {"hardship_files": 0, "hardship_cases": 0}

    def new_id() -> str:
        while True:
            value = fake_id_number(rng)
            if value not in seen_ids:
                seen_ids.add(value)
                return value

    def pick_worker(union):
        ids = list(Membership.objects.unscoped().filter(union=union, status=Membership.Status.ACTIVE)
                   .exclude(worker_id__in=used).values_list("worker_id", flat=True)[:300])
        if not ids:
            return None
        worker_id = rng.choice(ids)
        used.add(worker_id)
        return Worker.objects.unscoped().get(pk=worker_id)

    def build(worker, union, category, *, assessed_on, approver):
        file = svc.create_file(worker, union, by=None, address=f"{union.address or '江海市'}{rng.randint(1, 30)}栋",
                               bank_name=rng.choice(["江海农商银行", "中国工商银行江海分行", "中国建设银行江海分行"]),
                               bank_account="6222" + "".join(str(rng.randint(0, 9)) for _ in range(15)))
        size = rng.randint(1, 4)
        relations = ["spouse", "child", "parent", "child"]
        for i in range(size - 1):
            relation = relations[i]
            school = rng.choice(["high_school", "college", "compulsory"]) if relation == "child" else ""
            health = "serious" if category in ("deep", "accident") and i == 0 else rng.choice(["healthy", "chronic"])
            work = ("student" if school else "unable" if health == "serious"
                    else rng.choice(["employed", "flexible", "retired"]))
            svc.add_member(file, by=None, id_number=new_id(), name=_name(rng), relation=relation, health=health,
                           work_status=work, school=school)
        standard = Decimal(str(policy.param(union, "min_living_standard", assessed_on)))
        income, spending, sudden = _figures(category or "deep", size, standard, rng)
        svc.add_income(file, by=None, source="wages", annual_amount=(income * Decimal("0.7")).quantize(Decimal("1")))
        svc.add_income(file, by=None, source=rng.choice(["pension", "transfer", "support"]),
                       annual_amount=income - (income * Decimal("0.7")).quantize(Decimal("1")))
        if spending:
            svc.add_spending(file, by=None, kind="illness" if sudden else rng.choice(["illness", "schooling"]),
                             annual_amount=spending, sudden=sudden, note="住院自付费用" if sudden else "")
        main = rng.choice(CAUSE_BY_CATEGORY[category or "deep"])
        others = [c for c in ("children_school", "no_social_insurance", "laid_off") if c != main]
        svc.set_causes(file, main, rng.sample(others, rng.randint(0, 2)), by=None)
        svc.update_details(file, by=None, housing=rng.choice(["own", "public_rental", "private_rental"]),
                           housing_area=Decimal(rng.randint(25, 80)), medical_insurance="employee",
                           exclusion_flags=["motor_vehicle"] if category == "none" and rng.random() < 0.5 else [])
        visitors = f"{approver.display_name or '工会干部'}、{_name(rng)}"
        svc.record_home_visit(file, by=None, visited_on=assessed_on, visitors=visitors,
                              findings=rng.choice(["家中陈设简陋，老人卧床，情况属实。", "租住老旧房屋，孩子在读高中，收入情况属实。",
                                                   "户主因病不能工作，家庭主要靠配偶打零工维持。"]))
        for kind in ("property", "vehicle", "business"):
            found = category == "none" and kind == "vehicle" and "motor_vehicle" in file.exclusion_flags
            svc.record_check(file, by=None, kind=kind, result="found" if found else "not_found",
                             checked_on=assessed_on, checked_by_name=approver.display_name or "经办人")
        if category:
            svc.assess(file, by=None, on=assessed_on)
        counts["hardship_files"] += 1
        return file

    def step(case, name, by, **data):
        case = Case.objects.unscoped().get(pk=case.pk)
        return perform_transition(case, name, by=by, version=case.version, data=data)

    statement = "家中{who}，{why}，生活困难，申请建立困难职工档案。"
    for d, district in enumerate(districts[:3]):
        approver = User.objects.filter(username=f"district{d + 1}_staff").first()
        if approver is None:
            continue
        unions = list(UnionNode.objects.unscoped().filter(path__startswith=district.path,
                                                          kind__in=UnionNode.MEMBER_KINDS).order_by("path"))
        for n, (state, category) in enumerate(PLAN):
            union = unions[n % len(unions)]
            worker = None
            if d == 0 and state == "case_registered" and demo_worker is not None:
                worker = demo_worker
                union = Membership.objects.unscoped().get(worker=demo_worker, status="active").union
            worker = worker or pick_worker(union)
            if worker is None:
                continue
            registered_days = rng.randint(40, 700)
            assessed_on = today - datetime.timedelta(days=registered_days if state in (
                "registered", "exited", "closed") else rng.randint(3, 30))
            file = build(worker, union, category, assessed_on=assessed_on, approver=approver)
            if state in ("registered", "exited", "closed"):
                svc.register(file, by=None)
                registered_on = assessed_on + datetime.timedelta(days=rng.randint(10, 25))
                HardshipFile.objects.unscoped().filter(pk=file.pk).update(
                    registered_on=registered_on,
                    next_review_due=svc.add_months(registered_on, 12 * (1 + (today - registered_on).days // 365)))
                file.refresh_from_db()
                if state in ("exited", "closed"):
                    from gonghui.hardship import services_review as review

                    if state == "exited":
                        review.exit_file(file, reason="safety_net", note="已纳入城乡低保，由民政部门兜底保障。",
                                         by=approver)
                    else:
                        review.close_file(file, reason="moved", note="调离本市。", by=approver)
                continue
            if state == "draft":
                continue
            who = rng.choice(["老人长期住院", "爱人重病", "孩子上大学", "本人下岗"])
            why = rng.choice(["医药费负担重", "只有一人有收入", "收入不够日常开支"])
            if state in ("submitted", "withdrawn") and not worker.user_id and worker.mobile:
                # These two applied themselves on the portal (at night, on a phone): give them an account.
                account = User(username=f"w{worker.mobile}", phone=worker.mobile, kind=User.Kind.WORKER,
                               display_name=worker.name)
                account.set_unusable_password()
                account.save()
                Worker.objects.unscoped().filter(pk=worker.pk).update(user=account)
                worker.user = account
            if worker.user_id and state in ("case_registered", "withdrawn", "submitted"):
                application = registration.apply_online(
                    worker, by=worker.user, statement=statement.format(who=who, why=why), main_cause=file.main_cause)
            else:
                application = registration.apply_for(file, by=approver, statement=statement.format(who=who, why=why))
            counts["hardship_cases"] += 1
            case = application.case
            if state == "withdrawn":
                if worker.user_id:
                    step(case, "withdraw", worker.user)
                else:
                    step(case, "reject", approver, note="经入户调查，家庭收入高于相对困难标准，暂不符合建档条件。")
                continue
            if state == "rejected":
                step(case, "reject", approver, note="经入户调查和信息核对，家庭有机动车辆且收入高于标准，不符合建档条件。")
                continue
            if state == "submitted":
                continue
            step(case, "start_notice", approver, note="入户调查属实，同意公示。")
            if state == "notice":
                if d == 0:
                    step(case, "object", approver, note="有职工反映其配偶在外打工有收入，已安排复核。")
                continue
            HardshipApplication.objects.unscoped().filter(case=case).update(
                notice_starts=today - datetime.timedelta(days=10), notice_ends=today - datetime.timedelta(days=3))
            step(case, "forward", approver, note="公示期满无异议。")
            if state == "district":
                continue
            step(case, "approve", approver, note="同意建档。")
    counts["hardship_policy_versions"] = versions
    return counts
