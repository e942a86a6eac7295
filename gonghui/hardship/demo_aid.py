"""Demo data of the hardship app's aid part, written through services_aid so the rows are what the
pages write: a fund per district (union funds, and fiscal money in 东湖区) and two at the city; aid of
every kind on the registered households, most paid (spread over the year), some pending, one
rejected per district; one large medical aid approved by 东湖区 and awaiting the city (city_hardship
approves it); plans of targeted measures; pairings with contacts, one per district overdue.

东湖区 raises its deep-hardship medical cap to 50,000 yuan today (a new policy version with the
same figures otherwise), so aid above the 20,000 threshold is possible at all.
"""

import datetime
from decimal import Decimal

from django.utils import timezone

LARGE_MEDICAL = Decimal("26000")
HELPERS = [
    ("cadre", "工会干部", ["王立新", "李春梅", "赵国强", "陈晓红", "周建华"]),
    ("model_worker", "劳动模范", ["刘师傅（市劳动模范）", "孙桂芳（五一劳动奖章获得者）", "马永刚（全国劳动模范）"]),
    ("enterprise", "爱心企业", ["江海重工集团", "东湖精密机械有限公司", "滨江物业服务有限公司"]),
]
MEASURES = {
    "deep": [("living_aid", "每季度发放生活救助，保障基本生活"), ("medical_aid", "协助办理大病医疗救助和二次报销"),
             ("pairing", "安排工会干部结对，每月至少联系一次")],
    "relative": [("education_aid", "子女高中学费纳入助学救助"), ("job_referral", "为配偶推荐社区保洁或物业岗位"),
                 ("skills_training", "报名育婴师培训并取得证书")],
    "accident": [("medical_aid", "康复期间医疗自付部分给予救助"), ("entrepreneurship", "申请创业担保贷款开办小店"),
                 ("living_aid", "灾后临时生活救助")],
}
AMOUNTS = {"living": (800, 3000), "medical": (2000, 8000), "education": (2000, 5000), "other": (500, 2000)}


def _amount(rng, kind: str) -> Decimal:
    low, high = AMOUNTS[kind]
    return Decimal(rng.randrange(low, high + 1, 100))


def seed(rng) -> dict:
    from gonghui.accounts.models import User
    from gonghui.core.scope import subtree_q
    from gonghui.hardship import policy, services_core
    from gonghui.hardship import services_aid as aid
    from gonghui.hardship.models import AidPayment, Fund, HardshipFile, PlanMeasure, PolicyVersion
    from gonghui.ledger.models import ServiceRecord
    from gonghui.orgs.models import UnionNode

    K = UnionNode.Kind
    city = UnionNode.objects.unscoped().filter(kind=K.CITY_FEDERATION).order_by("path").first()
    if city is None:
        return {}
    districts = list(UnionNode.objects.unscoped().filter(parent=city, kind=K.DISTRICT_FEDERATION).order_by("path"))
    users = {u.username: u for u in User.objects.filter(username__in=[
        "city_hardship", "district1_staff", "district2_staff", "district3_staff", "union1_staff"])}
    district_staff = [users.get(f"district{i + 1}_staff") for i in range(len(districts))]
    today = timezone.localdate()
    year = today.year
    start_of_year = datetime.date(year, 1, 1)
    counts = {"hardship_funds": 0, "hardship_aid": 0, "hardship_plans": 0, "hardship_pairings": 0}

    # 东湖区's larger medical cap for deep hardship (the figures in force otherwise unchanged).
    if districts:
        current = policy.policy_for(districts[0], today)
        params = {k: v for k, v in (current.params if current else {}).items()}
        params["aid_caps"] = {"deep": {"medical": "50000"}}
        effective = today
        while PolicyVersion.objects.unscoped().filter(node=districts[0], effective_from=effective).exists():
            effective -= datetime.timedelta(days=1)
        services_core.add_policy_version(districts[0], effective, params, by=None,
                                         note="深度困难职工大病医疗救助年度上限提高到5万元（单笔超过2万元报市总工会审批）")

    # Funds.
    def fund(union, source, budget, name):
        counts["hardship_funds"] += 1
        return aid.create_fund(union, year=year, source=source, budget=budget, name=name, by=None)

    fund(city, Fund.Source.FISCAL, "500000", f"{year}年市级财政专项帮扶资金")
    fund(city, Fund.Source.DONATION, "120000", "江海市慈善总会定向捐赠")
    district_funds = []
    for d, district in enumerate(districts):
        short = (district.short_name or district.name).removesuffix("总工会")
        budget = "300000" if d == 0 else "180000"
        district_funds.append(fund(district, Fund.Source.UNION_FUNDS, budget, f"{short}{year}年工会帮扶资金"))
        if d == 0:
            fund(district, Fund.Source.FISCAL, "150000", f"{short}{year}年区级财政专项")

    def when() -> datetime.date:
        return start_of_year + datetime.timedelta(days=rng.randint(0, (today - start_of_year).days))

    def backdate(payment, day: datetime.date) -> None:
        """Spread the demo's payments over the year (the services pay today)."""
        moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, rng.randint(0, 59))))
        AidPayment.objects.unscoped().filter(pk=payment.pk).update(
            paid_on=day, approved_at=moment, requested_at=moment - datetime.timedelta(days=rng.randint(2, 9)))
        ServiceRecord.objects.unscoped().filter(kind=aid.KIND_AID_PAID, source_id=payment.pk).update(delivered_on=day)

    large_done = False
    union1_path = _g0_path(users)
    for d, district in enumerate(districts):
        staff = district_staff[d] if d < len(district_staff) else None
        files = list(HardshipFile.objects.unscoped().filter(subtree_q("node_path", district.path),
                                                            status=HardshipFile.Status.REGISTERED)
                     .select_related("worker", "union").order_by("pk"))
        if not files:
            continue
        main_fund = district_funds[d]
        kinds = ["living", "medical", "education", "other"]
        pending_left, rejected_left = 2, 1
        for i, file in enumerate(files):
            # The large aid: a deep household of 东湖区 with a serious illness.
            if d == 0 and not large_done and file.category == "deep":
                payment = aid.request_aid(file, fund=main_fund, kind="medical", amount=LARGE_MEDICAL,
                                          reason="户主确诊尿毒症，全年透析自付费用约3.1万元，医保和大病保险报销后仍难以承担。",
                                          by=users.get("union1_staff") if file.union.path == union1_path else staff)
                aid.approve_aid(payment, by=staff, note="情况属实，同意，报市总工会审批")
                counts["hardship_aid"] += 1
                large_done = True
                continue
            for n in range(rng.randint(1, 3)):
                kind = kinds[(i + n) % len(kinds)]
                amount = _amount(rng, kind)
                cap = aid.aid_cap(file, kind)
                if cap is None or aid.paid_in_year(file, kind, year) + amount > cap:
                    continue
                payment = aid.request_aid(file, fund=main_fund, kind=kind, amount=amount,
                                          reason=_reason(kind), by=staff)
                counts["hardship_aid"] += 1
                if pending_left and i >= len(files) - 3:
                    pending_left -= 1
                    continue
                if rejected_left and i == 1 and n == 0:
                    rejected_left -= 1
                    aid.reject_aid(payment, reason="经核实已获民政部门同类临时救助，本次不予重复救助。", by=staff)
                    continue
                aid.approve_aid(payment, by=staff)
                backdate(payment, when())
        # One city-funded aid per district, so the city's fund shows payments too.
        city_fund = Fund.objects.unscoped().get(union=city, year=year, source=Fund.Source.FISCAL)
        target = files[0]
        if aid.paid_in_year(target, "living", year) + Decimal("2000") <= (aid.aid_cap(target, "living") or 0):
            payment = aid.request_aid(target, fund=city_fund, kind="living", amount="2000",
                                      reason="春节前一次性生活救助（市级财政专项）", by=staff)
            aid.approve_aid(payment, by=users.get("city_hardship"))
            backdate(payment, when())
            counts["hardship_aid"] += 1

        # Plans for about half of the registered households.
        for i, file in enumerate(files[: max(2, len(files) // 2)]):
            chosen = MEASURES.get(file.category) or MEASURES["relative"]
            aid.save_plan(file, goal="一年内家庭人均收入稳定超过当地低保标准，子女正常就学。", by=staff)
            counts["hardship_plans"] += 1
            for j, (kind, target) in enumerate(chosen):
                due = today + datetime.timedelta(days=rng.randint(20, 200))
                if i == 0 and j == 0:
                    due = today - datetime.timedelta(days=12)  # one measure overdue per district
                measure = aid.add_measure(file, kind=kind, target=target, responsible=rng.choice(HELPERS[0][2]),
                                          due_on=due, by=staff)
                if j == 1:
                    aid.update_measure(measure, status=PlanMeasure.Status.IN_PROGRESS, note="已对接相关部门", by=staff)
                elif j == 2 and i % 2:
                    aid.update_measure(measure, status=PlanMeasure.Status.DONE, note="已落实", by=staff)

        # Pairings: one of each kind of helper; the last one overdue.
        for i, file in enumerate(files[:3]):
            helper_kind, _label, names = HELPERS[i]
            overdue = i == 2
            started = today - datetime.timedelta(days=160 if overdue else rng.randint(30, 200))
            pairing = aid.start_pairing(file, helper_kind=helper_kind, helper_name=rng.choice(names),
                                        helper_contact=f"139{rng.randint(10000000, 99999999)}", started_on=started,
                                        helper_unit=(district.short_name or district.name) if helper_kind == "cadre"
                                        else "", by=staff)
            counts["hardship_pairings"] += 1
            last = today - datetime.timedelta(days=120) if overdue else today - datetime.timedelta(days=rng.randint(3, 40))
            if last >= started:
                aid.log_contact(pairing, contacted_on=started + (last - started) // 2, way="visit",
                                help_given="上门走访，了解家庭收支和孩子就学情况，送去米、面、油。", value="300", by=staff)
                aid.log_contact(pairing, contacted_on=last, way="phone", help_given="电话回访，户主身体恢复情况良好。",
                                by=staff)
    return counts


def _g0_path(users) -> str:
    """The path of union1_staff's union (the demo's union 1), or "" when the account is missing."""
    from gonghui.accounts.models import Grant

    user = users.get("union1_staff")
    if user is None:
        return ""
    grant = Grant.objects.unscoped().filter(user=user).select_related("node").first()
    return grant.node.path if grant else ""


def _reason(kind: str) -> str:
    return {
        "living": "家庭收入低于低保标准，申请生活救助。",
        "medical": "家庭成员住院治疗，医保报销后自付部分较大。",
        "education": "子女就读高中（职高），学费和生活费负担重。",
        "other": "冬季取暖和住房维修临时困难。",
    }[kind]
