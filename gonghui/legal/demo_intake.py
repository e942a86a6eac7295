"""Demo data of the legal app's intake part (runs first; the cases and reports parts build on it).

- The city's legal-aid centre (江海市总工会法律援助中心, node key "city_legal") serves the whole city
  with the default eligibility rules; 南山区 (the third district) keeps its own rules (the defaults
  plus 女职工维权) so the rules page shows both.
- Legal consultations in every district: online ones from members (answered or waiting) and
  walk-in/phone ones logged at the centre; some were turned into applications.
- Applications in every district and in every state of the "legal_aid" type: submitted (urgent
  wage arrears before Spring Festival among them), approved, rejected, withdrawn, in_progress and
  closed. Wage-arrears group cases (several workers, one employer) are common, and a few employers
  have several cases (the board's patterns). The in_progress and closed ones carry the decision
  only: the cases part's demo gives them a lawyer, stages, outcomes and recoveries.
- The demo worker (13800000001) has one application waiting for assignment.

Everything is bulk-inserted (a few hundred rows in well under a second); seed_demo rebuilds the
workflow tallies afterwards.
"""

import datetime
import hashlib
import uuid
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

# (employer, USCC body without the check digit or "", address): the first three recur (patterns).
EMPLOYERS = [
    ("江海宏达建筑劳务有限公司", "91320602MA1H0001", "江海市东湖区建设路18号"),
    ("江海顺发装饰工程有限公司", "91320611MA1H0002", "江海市西江区码头街66号"),
    ("江海鑫源物流有限公司", "91320612MA1H0003", "江海市南山区工业园路9号"),
    ("江海美佳服装厂", "", "江海市东湖区湖滨大道210号"),
    ("江海华景园林绿化有限公司", "91320611MA1H0005", "江海市西江区临江大道88号"),
    ("江海快帮家政服务有限公司", "", "江海市南山区南苑路35号"),
    ("江海恒通电子有限公司", "91320612MA1H0007", "江海市南山区科技大道101号"),
    ("江海味道餐饮管理有限公司", "", "江海市东湖区新华路52号"),
    ("包工头张某（江海新城三期工地）", "", "江海市西江区江北路新城三期工地"),
]
FACTS = {
    "wages": ["在工地干了{m}个月，包工头一直说年底结账，现在人找不到了，{n}个工友的工资都没发。",
              "公司连续{m}个月没发工资，老板说资金困难，让我们再等等，已经等不下去了。",
              "干完活结账时老板只给了一半，剩下的说要扣押到明年，{n}个人一共被欠了不少钱。"],
    "dismissal": ["怀孕后公司以“岗位调整”为由把我辞退了，没有任何补偿。",
                  "干了{m}年，公司突然说我不能胜任工作，让我明天不用来了。"],
    "work_injury": ["在车间被机器压伤手指，公司不给申报工伤，医药费都是自己垫的。"],
    "social_insurance": ["公司一直没给我交社保，现在要看病才发现没有医保。"],
    "labour_contract": ["入职{m}个月了公司一直不签劳动合同，也不给工资条。"],
    "hours_leave": ["每天干12个小时，周末也不休息，加班费一分没有。"],
    "other": ["公司扣了我的身份证原件不还，说是押金。"],
}
CONSULT_TEXTS = [
    "老板拖欠三个月工资不给，我该怎么办？",
    "被公司辞退了，能要求几个月的经济补偿？",
    "在工地受伤了，包工头不管，工伤怎么认定？",
    "公司不签劳动合同，可以要求双倍工资吗？",
    "加班不给加班费，可以去哪里投诉？",
]
ANSWERS = [
    ("可以先与用人单位协商；协商不成，可向劳动人事争议仲裁委员会申请仲裁，符合条件的可申请工会法律援助。",
     "《保障农民工工资支付条例》第三条、《劳动争议调解仲裁法》第二十七条"),
    ("用人单位违法解除劳动合同的，应按经济补偿标准的二倍支付赔偿金；请保留辞退通知和工资记录。",
     "《劳动合同法》第四十七条、第八十七条"),
    ("受伤之日起一年内可由本人或近亲属向社会保险行政部门申请工伤认定；单位未参保的由单位支付工伤待遇。",
     "《工伤保险条例》第十七条"),
    ("用工超过一个月不满一年未签书面合同的，可要求支付二倍工资，仲裁时效一年。",
     "《劳动合同法》第八十二条"),
]
REJECT_REASONS = ["争议已超过一年仲裁时效且无中止、中断事由，建议向劳动保障监察部门投诉。",
                  "经核实申请人已委托律师代理，不再重复提供援助。"]
# state -> (how many per district, days ago range)
PLAN = [("submitted", 3, (0, 3)), ("approved", 2, (3, 8)), ("in_progress", 4, (10, 120)),
        ("closed", 4, (60, 300)), ("rejected", 1, (15, 200)), ("withdrawn", 1, (20, 150))]
DEMO_WORKER_PHONE = "13800000001"


def _uscc(body: str) -> str:
    if not body:
        return ""
    from stdnum.cn import uscc

    return body + uscc.calc_check_digit(body)


def _png() -> tuple[str, bytes]:
    """One small stored picture every demo document points at (the demo never reads it)."""
    from gonghui.legal.tests.factories import PNG

    name = default_storage.save("cases/demo/legal-evidence.png", ContentFile(PNG))
    return name, PNG


def seed(rng) -> dict:
    # A generator of our own: drawing from the shared one would shift every later app's demo data.
    import random

    rng = random.Random("legal-intake")
    from gonghui.accounts.models import User
    from gonghui.legal import case_type, eligibility
    from gonghui.legal import services_intake as svc
    from gonghui.legal.models import (
        Consultation,
        EligibilityRule,
        LegalCase,
        LegalCentre,
        LegalDocument,
        Matter,
    )
    from gonghui.members.models import Membership
    from gonghui.orgs.models import UnionNode
    from gonghui.requests.categories import ensure_seeded
    from gonghui.requests.models import Category, Request
    from gonghui.workflow import calendar
    from gonghui.workflow.models import Case, CaseAttachment, CaseEvent

    K = UnionNode.Kind
    node = UnionNode.objects.unscoped().filter(kind=K.SERVICE_CENTRE, name="江海市总工会法律援助中心").first()
    if node is None:
        return {}
    city = node.parent
    centre, _created = LegalCentre.objects.unscoped().get_or_create(node=node, defaults={"federation": city})
    officer = User.objects.filter(username="legal_centre").first()
    handler = User.objects.filter(username="legal_aid_staff").first() or officer
    districts = list(UnionNode.objects.unscoped().filter(kind=K.DISTRICT_FEDERATION, parent=city).order_by("path"))
    now = timezone.now()

    # 南山区's own rules: the defaults plus 女职工维权.
    if len(districts) >= 3 and not EligibilityRule.objects.unscoped().filter(federation=districts[2]).exists():
        own = districts[2]
        rules = [EligibilityRule(federation=own, code=r.code, label=str(r.label), conditions=dict(r.conditions),
                                 order=r.order) for r in eligibility.DEFAULT_RULES]
        rules.append(EligibilityRule(federation=own, code="women_rights", label="女职工特殊权益受侵害",
                                     conditions={"is_woman": True, "matter": ["dismissal", "labour_contract"]},
                                     order=50))
        EligibilityRule.objects.bulk_create(rules)

    ensure_seeded()
    legal_category = Category.objects.get(code="legal")
    members_by_district = {}
    for district in districts:
        rows = list(Membership.objects.unscoped().select_related("worker", "worker__user", "union")
                    .filter(node_path__startswith=district.path, status=Membership.Status.ACTIVE)
                    .exclude(worker__mobile=DEMO_WORKER_PHONE).order_by("pk")[:400])
        members_by_district[district.pk] = rows
    demo_member = (Membership.objects.unscoped().select_related("worker", "worker__user", "union")
                   .filter(worker__mobile=DEMO_WORKER_PHONE, status=Membership.Status.ACTIVE).first())

    def pick(district, *, migrant=None, used=set()):  # noqa: B006 - one set for the whole demo
        pool = [m for m in members_by_district[district.pk] if m.worker_id not in used
                and (migrant is None or m.worker.migrant_worker == migrant)]
        if not pool:
            pool = [m for m in members_by_district[district.pk] if m.worker_id not in used]
        if not pool:
            return None
        chosen = rng.choice(pool)
        used.add(chosen.worker_id)
        return chosen

    def at(days_ago: float, hour: int = 10) -> datetime.datetime:
        moment = now - datetime.timedelta(days=days_ago)
        return timezone.localtime(moment).replace(hour=hour, minute=rng.randint(0, 59), second=0, microsecond=0)

    # ----- consultations: online ones from members, walk-ins at the centre -----
    c_cases, c_requests, c_answers, c_events = [], [], [], []
    for d_index, district in enumerate(districts):
        for n in range(4):
            m = pick(district)
            if m is None:
                continue
            walk_in = n == 3
            created = at(rng.uniform(1, 90), 9 + n)
            text = CONSULT_TEXTS[(d_index + n) % len(CONSULT_TEXTS)]
            owner = node if walk_in else m.union
            answered = n != 1
            case = Case(case_type="request", number=uuid.uuid4().hex, node=owner, node_path=owner.path,
                        title=f"{legal_category.name}·咨询：{text[:40]}", applicant=None if walk_in else m.worker.user,
                        applicant_name=m.worker.name, state="closed" if answered else "submitted",
                        state_entered_at=created, topic="legal", is_open=not answered,
                        closed_at=created + datetime.timedelta(hours=5) if answered else None,
                        due_at=None if answered else calendar.add_working_days(created, 1))
            case._demo_created = created
            req = Request(category=legal_category, kind=Request.Kind.CONSULTATION, description=text,
                          channel=Request.Channel.VISIT if walk_in else Request.Channel.ONLINE, worker=m.worker,
                          contact_phone=m.worker.mobile, contact_name=m.worker.name if walk_in else "",
                          migrant_worker=m.worker.migrant_worker, logged_by=handler if walk_in else None,
                          outcome="已由法律援助中心解答。" if answered else "",
                          closed_at=case.closed_at)
            c_cases.append(case)
            c_requests.append(req)
            answer = None
            if answered:
                body, law = ANSWERS[(d_index + n) % len(ANSWERS)]
                answer = Consultation(answer=body, law_cited=law, minutes_spent=rng.choice([10, 15, 20, 30, 45]),
                                      answered_by=handler, answered_at=created + datetime.timedelta(hours=4))
            c_answers.append(answer)
    Case.objects.bulk_create(c_cases)
    for case in c_cases:
        case.number = f"SQ{timezone.localtime(case._demo_created):%Y}{case.pk:06d}"
        case.created_at = case._demo_created
    Case.objects.unscoped().bulk_update(c_cases, ["number", "created_at"])
    consultations = []
    for case, req, answer in zip(c_cases, c_requests, c_answers, strict=True):
        req.case = case
        c_events.append(CaseEvent(case=case, kind=CaseEvent.Kind.OPENED, to_state="submitted", text=req.description,
                                  actor=case.applicant or handler, actor_name=case.applicant_name))
        if answer is not None:
            answer.request = req
            answer.node_path = case.node_path
            consultations.append(answer)
            c_events.append(CaseEvent(case=case, kind=CaseEvent.Kind.COMMENT, actor=handler,
                                      actor_name=str(handler) if handler else "法律援助中心",
                                      text=f"法律咨询解答：{answer.answer}\n法律依据：{answer.law_cited}"))
    Request.objects.bulk_create(c_requests)
    Consultation.objects.bulk_create(consultations)
    CaseEvent.objects.bulk_create(c_events)
    consult_by_worker = {c.request.worker_id: c for c in consultations}

    # ----- applications -----
    stored_name, content = _png()
    digest = hashlib.sha256(content).hexdigest()
    plans = []
    for d_index, district in enumerate(districts):
        for state, count, (lo, hi) in PLAN:
            for i in range(count):
                plans.append((district, state, rng.uniform(lo, hi), (d_index * 7 + i + len(plans)) % len(EMPLOYERS)))
    if demo_member is not None:
        plans.append(("demo", "approved", 2.5, 3))

    l_cases, l_rows, l_events, n_group = [], [], [], 0
    for k, (district, state, days_ago, e_index) in enumerate(plans):
        if district == "demo":
            m = demo_member
            district = next((d for d in districts if m.node_path.startswith(d.path)), None)
        else:
            # wages for most (group arrears), other matters for the rest
            m = None
        matter = (Matter.WAGES if k % 3 != 2 else
                  [Matter.DISMISSAL, Matter.WORK_INJURY, Matter.SOCIAL_INSURANCE, Matter.LABOUR_CONTRACT,
                   Matter.HOURS_LEAVE, Matter.OTHER][k % 6])
        if m is None:
            m = pick(district, migrant=True if matter == Matter.WAGES else None)
        if m is None or district is None:
            continue
        worker = m.worker
        employer, uscc_body, address = EMPLOYERS[e_index if matter == Matter.WAGES else (k % len(EMPLOYERS))]
        group = matter == Matter.WAGES and k % 2 == 0
        workers_involved = rng.randint(5, 40) if group else 1
        n_group += group
        months = rng.randint(2, 8)
        per_head = Decimal(rng.randint(35, 90) * 100)
        amount = per_head * months * workers_involved if matter == Matter.WAGES else Decimal(rng.randint(8, 60) * 1000)
        created = at(days_ago, 9 + k % 8)
        submitted_on = timezone.localtime(created).date()
        migrant = worker.migrant_worker or matter == Matter.WAGES
        facts = {"is_member": True, "is_migrant": migrant, "is_woman": worker.gender == "F",
                 "is_disabled": False, "is_elderly": False, "is_model_worker": k % 17 == 5,
                 "is_union_officer": False, "in_hardship": k % 11 == 4, "matter": matter,
                 "workers_involved": workers_involved}
        rule, note = eligibility.evaluate(facts, district)
        urgent = svc.is_urgent_arrears(matter, migrant, submitted_on) and state in ("submitted", "approved")
        title = f"{worker.name}诉{employer}（{Matter(matter).label}）" + (f"，{workers_involved}人" if group else "")
        terminal = state in ("closed", "rejected", "withdrawn")
        decided = created + datetime.timedelta(days=rng.uniform(0.5, 2 if urgent else 4))
        case = Case(case_type=case_type.NAME, number=uuid.uuid4().hex, node=node, node_path=node.path, title=title,
                    applicant=worker.user, applicant_name=worker.name, state=state, topic=matter, urgent=urgent,
                    state_entered_at=created if state == "submitted" else decided, is_open=not terminal,
                    assignee=None if state == "submitted" else officer)
        if state == "submitted":
            case.due_at = calendar.add_working_days(created, centre.urgent_days if urgent else centre.decision_days)
        elif state == "approved":
            case.due_at = calendar.add_working_days(decided, case_type.ASSIGN_DAYS)
        if case.due_at:
            case.warn_at = case.due_at - datetime.timedelta(hours=24)
        if terminal:
            case.closed_at = decided + datetime.timedelta(days=rng.uniform(20, 50)) if state == "closed" else decided
            case.closed_at = min(case.closed_at, now - datetime.timedelta(hours=2))
        facts_text = FACTS[matter][k % len(FACTS[matter])].format(m=months, n=workers_involved)
        timeline = [(created, "", "", "submitted", facts_text, worker.user)]
        if state in ("approved", "in_progress", "closed"):
            timeline.append((decided, "approve", "submitted", "approved", "符合援助条件，予以受理。", officer))
        if state == "rejected":
            timeline.append((decided, "reject", "submitted", "rejected", REJECT_REASONS[k % 2], officer))
        if state == "withdrawn":
            timeline.append((decided, "withdraw", "submitted", "withdrawn", "已与单位达成和解，撤回申请。", worker.user))
        case.version = len(timeline)
        case._demo_created = created
        consultation = consult_by_worker.get(worker.pk)
        row = LegalCase(
            node_path=node.path, worker=worker, applicant_name=worker.name, applicant_phone=worker.mobile,
            union=m.union, union_path=m.union.path, district=district, opponent_name=employer,
            opponent_uscc=_uscc(uscc_body), opponent_address=address, matter=matter, facts=facts_text,
            amount_claimed=amount, workers_involved=workers_involved, consultation=consultation,
            eligibility_rule=rule.code if rule else "",
            eligibility_note=(note if rule or state != "approved" else "经审查特别给予援助：单位恶意欠薪，影响较大。")[:500],
            urgent_arrears=urgent, submitted_on=submitted_on,
            decided_on=timezone.localtime(decided).date() if state not in ("submitted", "withdrawn") else None,
            decision_note=timeline[-1][4] if len(timeline) > 1 else "", created_by=worker.user,
            **{key: facts[key] for key in eligibility.FACTS})
        l_cases.append(case)
        l_rows.append(row)
        l_events.append(timeline)
    Case.objects.bulk_create(l_cases)
    for case in l_cases:
        case.number = f"FY{timezone.localtime(case._demo_created):%Y}{case.pk:06d}"
        case.created_at = case._demo_created
    Case.objects.unscoped().bulk_update(l_cases, ["number", "created_at"])
    events, attachments = [], []
    for case, row, timeline in zip(l_cases, l_rows, l_events, strict=True):
        row.case = case
        for when, transition, from_state, to_state, text, who in timeline:
            event = CaseEvent(case=case, kind=CaseEvent.Kind.TRANSITION if transition else CaseEvent.Kind.OPENED,
                              transition=transition, from_state=from_state, to_state=to_state, text=text,
                              actor=who, actor_name=str(who) if who else "系统")
            event._demo_at = when
            events.append(event)
        for group in svc.REQUIRED_DOCUMENTS.get(row.matter, ()):
            attachment = CaseAttachment(case=case, file=stored_name, name=f"{group[0]}.png", extension=".png",
                                        content_type="image/png", size=len(content), sha256=digest,
                                        uploaded_by=case.applicant)
            attachment._demo_kind = group[0]
            attachments.append(attachment)
    LegalCase.objects.bulk_create(l_rows)
    CaseEvent.objects.bulk_create(events)
    for event in events:
        event.at = event._demo_at
    CaseEvent.objects.unscoped().bulk_update(events, ["at"])
    CaseAttachment.objects.bulk_create(attachments)
    by_case = {row.case_id: row for row in l_rows}
    LegalDocument.objects.bulk_create([
        LegalDocument(legal_case=by_case[a.case_id], kind=a._demo_kind, attachment=a, uploaded_by=a.uploaded_by)
        for a in attachments])
    return {"legal_centres": 1, "legal_consultations": len(c_requests), "legal_applications": len(l_rows),
            "legal_group_cases": n_group}
