"""Demo data of the hardship app's review part.

In 东湖区 it adds households registered in earlier years (through services_core, then dated back as a
migration of older paper files would be), records their monthly incomes, and — this year — lets
some exit (by the income rule and into the government safety net), closes one (retired), follows
the exited ones up, and reopens one that relapsed (防返困). A few reviews fall due within the month.
The district's exit rate for the year is then a plausible figure of at least 20 %: households exit
until it is reached (the core part's own households count in the denominator).
"""

import datetime
import math
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

CAUSES = ["serious_illness", "laid_off", "unemployed", "children_school", "no_work_ability", "accident"]
GIVEN_SPOUSE = ["秀英", "桂兰", "玉梅", "建华", "志强", "丽娟"]
TARGET_RATE = Decimal("25")


def _add_months(d, n):
    from gonghui.hardship.services_review import add_months

    return add_months(d, n)


@transaction.atomic
def seed(rng) -> dict:
    from gonghui.demo.idnumbers import fake_id_number
    from gonghui.hardship import figures, services_core
    from gonghui.hardship import services_review as sr
    from gonghui.hardship.models import Exit, FollowUp, HardshipFile, HouseholdMember
    from gonghui.members.models import Membership
    from gonghui.orgs.models import UnionNode

    sr.rebuild_aid_tallies()  # in case the aid part's demo inserted payments in bulk
    district = (UnionNode.objects.unscoped().filter(kind=UnionNode.Kind.DISTRICT_FEDERATION, name__startswith="东湖区")
                .first())
    if district is None:
        return {}
    today = timezone.localdate()
    year_start = datetime.date(today.year, 1, 1)
    taken = set(HardshipFile.objects.unscoped().values_list("worker_id", flat=True))
    members = [m for m in Membership.objects.unscoped().filter(
        node_path__startswith=district.path, status=Membership.Status.ACTIVE, union__active=True)
        .select_related("worker", "union").order_by("pk")[:400] if m.worker_id not in taken and m.union.holds_members]
    rng.shuffle(members)
    picks, seen = [], set()
    for m in members:
        if m.worker_id not in seen:
            seen.add(m.worker_id)
            picks.append(m)
        if len(picks) == 16:
            break

    def register(m, registered_on):
        file = services_core.create_file(m.worker, m.union, by=None, main_cause=rng.choice(CAUSES),
                                         address=f"江海市东湖区{rng.choice(['新华路', '湖滨大道', '建设路'])}"
                                                 f"{rng.randint(1, 300)}号")
        services_core.add_member(file, by=None, id_number=fake_id_number(rng, born_from=1970, born_to=1990),
                                 name=m.worker.name[0] + rng.choice(GIVEN_SPOUSE), relation=HouseholdMember.Relation.SPOUSE,
                                 health=rng.choice(["serious", "chronic", "healthy"]), work_status="unemployed_able")
        services_core.add_member(file, by=None, id_number=fake_id_number(rng, born_from=2006, born_to=2012),
                                 name=m.worker.name[0] + rng.choice(["小明", "佳怡", "子涵", "浩然"]),
                                 relation=HouseholdMember.Relation.CHILD, work_status="student", school="high_school")
        services_core.add_income(file, by=None, source="wages", annual_amount=Decimal(rng.randint(18, 30) * 1000))
        services_core.add_spending(file, by=None, kind="illness", annual_amount=Decimal(rng.randint(8, 20) * 1000))
        services_core.assess(file, by=None, on=registered_on)
        file.refresh_from_db()
        if file.category not in ("deep", "relative", "accident"):
            services_core.override_category(file, "relative", "演示数据：按入户调查情况认定为相对困难", by=None)
        services_core.register(file, by=None)
        # An older paper file entered now: its registration dates are those of the paper file.
        months = 12 * (1 + (today - registered_on).days // 365)
        HardshipFile.objects.unscoped().filter(pk=file.pk).update(
            registered_on=registered_on, next_review_due=_add_months(registered_on, months))
        file.refresh_from_db()
        return file

    def incomes(file, until_month, months, low=1000, high=1600):
        for back in range(1, months + 1):
            month = _add_months(until_month, -back)
            size = file.household_size
            sr.record_monthly_income(file, month=month, household_income=Decimal(rng.randint(low, high) * size),
                                     household_size=size, by=None)

    files = []
    for i, m in enumerate(picks):
        registered_on = datetime.date(today.year - 1 - i % 3, 1 + (i * 5) % 12, 1 + (i * 7) % 27)
        files.append(register(m, registered_on))
    if len(files) < 8:
        return {"hardship_review_households": len(files)}

    counts = {"exits": 0, "closures": 0, "followups_done": 0, "reopened": 0, "reviews_due": 0}
    # One household that exited last year, relapsed this spring and was reopened (防返困).
    relapsed = min(files, key=lambda f: f.registered_on)
    files.remove(relapsed)
    exit_day = datetime.date(today.year - 1, 9, 20)
    if relapsed.registered_on < datetime.date(today.year - 1, 3, 1):
        incomes(relapsed, exit_day.replace(day=1), 6)
        sr.exit_file(relapsed, reason="income", note="户主再就业，家庭收入连续半年超过低保标准", on=exit_day, by=None)
        due = list(FollowUp.objects.unscoped().filter(file=relapsed).order_by("due_on"))
        sr.record_followup(due[0], finding="stable", notes="电话回访：工作稳定", on=due[0].due_on, by=None)
        if due[1].due_on <= today:
            sr.record_followup(due[1], finding="returned", notes="入户回访：户主突发脑梗住院，再次失去收入",
                               on=due[1].due_on, by=None)
            sr.reopen_file(relapsed, situation="户主突发脑梗住院，家庭再次陷入困难", on=due[1].due_on + datetime.timedelta(days=5),
                           by=None)
            counts["reopened"] += 1
    # One retires this year (a closure, not an exit).
    retired = files.pop()
    sr.close_file(retired, reason="retired", note="户主已办理退休，领取养老金", on=max(year_start, retired.registered_on),
                  by=None)
    counts["closures"] += 1
    # Reviews falling due: two within the month, one a few days overdue.
    for file, days in zip(files[-3:], (12, 25, -4), strict=False):
        HardshipFile.objects.unscoped().filter(pk=file.pk).update(next_review_due=today + datetime.timedelta(days=days))
        counts["reviews_due"] += 1
    candidates = files[:-3]

    def rate():
        c = figures.registration_counts(HardshipFile.objects.unscoped(), Exit.objects.unscoped(), today.year,
                                        district.path)[""]
        return c, c.rate or Decimal("0")

    # Exits this year, spread over the months, until the district's rate reaches the target.
    _c, current = rate()
    exit_months = [m for m in range(2, today.month + 1)] or [today.month]
    safety_net_done = False
    while candidates and current < TARGET_RATE:
        file = candidates.pop(0)
        month = exit_months[counts["exits"] % len(exit_months)]
        on = min(datetime.date(today.year, month, rng.randint(5, 25)), today)
        if not safety_net_done:
            sr.exit_file(file, reason="safety_net", note="户主重度残疾，已纳入民政低保和特困供养", on=on, by=None)
            safety_net_done = True
        else:
            incomes(file, on.replace(day=1), 6)
            sr.exit_file(file, reason="income", note=rng.choice(["配偶经技能培训后再就业", "子女毕业参加工作",
                                                               "户主病愈返岗，收入恢复"]), on=on, by=None)
        counts["exits"] += 1
        for followup in FollowUp.objects.unscoped().filter(file=file, due_on__lte=today - datetime.timedelta(days=10)):
            if rng.random() < 0.7:
                sr.record_followup(followup, finding="stable", notes="电话回访：收入稳定，生活正常",
                                   on=followup.due_on + datetime.timedelta(days=rng.randint(0, 6)), by=None)
                counts["followups_done"] += 1
        _c, current = rate()
    # The others keep recording their incomes (some close to the line).
    for file in candidates[:4]:
        incomes(file, today.replace(day=1), rng.randint(2, 5), low=600, high=1100)
    final, current = rate()
    needed = math.ceil(final.base * TARGET_RATE / 100)
    return {"hardship_review_households": len(picks), "hardship_exits": counts["exits"],
            "hardship_closures": counts["closures"], "hardship_reopened": counts["reopened"],
            "hardship_followups_done": counts["followups_done"], "hardship_reviews_due": counts["reviews_due"],
            "hardship_exit_rate_donghu": f"{current}% ({final.exited}/{final.base}, target {needed})"}
