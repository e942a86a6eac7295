"""Demo data of the legal app's cases part (runs after intake's, which made the applications).

- The city legal-aid centre's roster: three partner law firms and eight lawyers with their
  capacity, the matters they take and declared conflicts (one lawyer declared a conflict with a
  recurring employer, so the assign page shows it greyed out).
- ``lawyer1`` (kind partner, the demo password) is 周明律师 of 江海正平律师事务所, with assigned
  cases open and closed.
- Every in-progress application gets a lawyer (an assignment with its letter number) and a
  current stage — mediation, arbitration, first instance, second instance, enforcement — with
  the earlier stages ended, hearings, deadlines and the facts of the arbitration limitation (a few
  close to running out); one has its closing report in, waiting for the centre to close it.
- Every closed application gets its stages, an outcome, the amounts awarded and recovered
  (recoveries for several workers of the group cases, each member's one ledger row), the final
  document, the closing report and most of them the applicant's rating.

Rows are bulk-inserted; the ledger rows go through ``record_service`` (one per worker).
"""

import datetime
import random
from decimal import ROUND_DOWN, Decimal

from django.contrib.auth.hashers import make_password
from django.utils import timezone

FIRMS = [
    ("江海正平律师事务所", "913206005500000", "江海市东湖区人民中路120号", "周明"),
    ("江海衡信律师事务所", "913206005500001", "江海市西江区滨江路45号", "钱律"),
    ("南山公益律师事务所", "913206005500002", "江海市南山区南苑路8号", "孙晓"),
]
# (name, firm index, capacity, matters)
LAWYERS = [
    ("周明", 0, 8, ["wages", "labour_contract", "dismissal"]),
    ("王丽华", 0, 5, []),
    ("陈志强", 1, 6, ["wages", "work_injury"]),
    ("刘芳", 1, 4, ["dismissal", "labour_contract", "hours_leave"]),
    ("赵建国", 1, 5, ["work_injury", "social_insurance"]),
    ("孙晓", 2, 6, []),
    ("李娜", 2, 3, ["wages"]),
    ("吴海波", 2, 4, []),
]
STAGE_PLAN = ["mediation", "arbitration", "first_instance", "second_instance", "enforcement"]
BODIES = {
    "mediation": "{union}劳动争议调解委员会",
    "arbitration": "江海市劳动人事争议仲裁委员会",
    "first_instance": "{district}人民法院",
    "second_instance": "江海市中级人民法院",
    "enforcement": "{district}人民法院执行局",
}
RESULTS = {
    "mediation": "调解不成，申请人申请劳动仲裁。",
    "arbitration": "仲裁裁决支持申请人大部分请求，对方不服起诉。",
    "first_instance": "一审判决支持申请人请求，对方上诉。",
    "second_instance": "二审驳回上诉，维持原判。",
}


def _uscc(body: str) -> str:
    from stdnum.cn import uscc

    body = (body + "000000000000000000")[:17]
    return body + uscc.calc_check_digit(body)


def _day(d) -> datetime.date:
    return min(d, timezone.localdate())


def seed(rng) -> dict:
    rng = random.Random("legal-cases")  # our own generator: the shared one stays as it was
    from gonghui.accounts.models import User
    from gonghui.demo.management.commands.seed_demo import DEMO_PASSWORD
    from gonghui.ledger.services import record_service
    from gonghui.legal.models import (
        Assignment,
        ClaimLimitation,
        ClosingReport,
        Hearing,
        LawFirm,
        Lawyer,
        LegalCase,
        LegalCentre,
        LegalDocument,
        Outcome,
        Recovery,
        Stage,
    )
    from gonghui.legal.services_cases import KIND_RECOVERED, default_deadline, letter_prefix
    from gonghui.members.models import Membership
    from gonghui.workflow.models import CaseAttachment, CaseEvent

    centre = LegalCentre.objects.unscoped().select_related("node", "node__parent").order_by("node__path").first()
    if centre is None:
        return {}
    node = centre.node
    today = timezone.localdate()
    officer = User.objects.filter(username="legal_centre").first()
    handler = User.objects.filter(username="legal_aid_staff").first() or officer

    # ----- the roster -----
    firms = LawFirm.objects.bulk_create([
        LawFirm(name=name, uscc=_uscc(body), address=address, contact=contact,
                phone=f"1391300{i:04d}", node=node, node_path=node.path)
        for i, (name, body, address, contact) in enumerate(FIRMS)])
    lawyer1 = User.objects.filter(username="lawyer1").first()
    if lawyer1 is None:
        lawyer1 = User.objects.create(username="lawyer1", kind=User.Kind.PARTNER, display_name="周明律师",
                                      password=make_password(DEMO_PASSWORD), phone="13913000001")
    opponents = list(LegalCase.objects.unscoped().exclude(opponent_uscc="")
                     .values_list("opponent_uscc", "opponent_name").distinct().order_by("opponent_uscc")[:1])
    lawyers = []
    for i, (name, firm_index, capacity, matters) in enumerate(LAWYERS):
        conflicts, note = [], ""
        if i == 3 and opponents:
            conflicts, note = [opponents[0][0]], f"曾担任{opponents[0][1]}的常年法律顾问。"
        lawyers.append(Lawyer(user=lawyer1 if i == 0 else None, name=name, firm=firms[firm_index],
                              licence_no=f"13206{2010 + i}1{i:010d}"[:17], phone=f"1391301{i:04d}",
                              matters=matters, capacity=capacity, conflict_usccs=conflicts, conflicts_note=note,
                              node=node, node_path=node.path))
    lawyers = Lawyer.objects.bulk_create(lawyers)
    counts = {"legal_firms": len(firms), "legal_lawyers": len(lawyers)}

    rows = list(LegalCase.objects.unscoped().select_related("case", "worker", "union", "district")
                .filter(case__state__in=("in_progress", "closed")).order_by("submitted_on", "case_id"))
    if not rows:
        return counts
    open_load = {lw.pk: 0 for lw in lawyers}

    def choose(row, open_case: bool, prefer_lawyer1: bool) -> Lawyer:
        candidates = [lw for lw in lawyers if row.opponent_uscc not in lw.conflict_usccs
                      and (not open_case or open_load[lw.pk] < lw.capacity)]
        if prefer_lawyer1 and lawyers[0] in candidates:
            return lawyers[0]
        fitting = [lw for lw in candidates if not lw.matters or row.matter in lw.matters] or candidates
        others = [lw for lw in fitting if lw is not lawyers[0]] or fitting
        return min(others, key=lambda lw: (open_load[lw.pk], rng.random()))

    # One stored picture for the final documents (intake's demo stored it).
    sample = (CaseAttachment.objects.unscoped().filter(case__case_type="legal_aid")
              .values("file", "size", "sha256").first())

    prefix = letter_prefix(node)
    seq = (Assignment.objects.unscoped().filter(year=today.year).order_by("-seq")
           .values_list("seq", flat=True).first()) or 0
    assignments, stages, hearings, limitations, recoveries, reports, events = [], [], [], [], [], [], []
    final_attachments = []
    members_of = {}
    n_open = n_closed = 0
    outcomes = [Outcome.SETTLED] * 5 + [Outcome.AWARD] * 3 + [Outcome.JUDGMENT] * 2 + [Outcome.WITHDRAWN, Outcome.LOST]

    for index, row in enumerate(rows):
        case = row.case
        open_case = case.state == "in_progress"
        prefer = (open_case and n_open % 4 == 0) or (not open_case and n_closed % 5 == 0)
        lawyer = choose(row, open_case, prefer)
        decided = row.decided_on or row.submitted_on
        issued = _day(decided + datetime.timedelta(days=rng.randint(1, 3)))
        seq += 1
        assignments.append(Assignment(legal_case=row, lawyer=lawyer, year=issued.year, seq=seq,
                                      number=f"{prefix}〔{issued.year}〕第{seq:04d}号", issued_on=issued,
                                      issued_by=officer, note="请于3个工作日内与申请人联系。"))
        events.append(CaseEvent(case=case, kind=CaseEvent.Kind.TRANSITION, transition="assign", from_state="approved",
                                to_state="in_progress", actor=officer, actor_name=str(officer or ""),
                                text=f"指派{lawyer.name}律师承办（{prefix}〔{issued.year}〕第{seq:04d}号）",
                                data={"lawyer": lawyer.pk}))
        row.lawyer = lawyer
        district_name = (row.district.name.removesuffix("总工会") if row.district else "江海市")
        union_name = (row.union.short_name or row.union.name) if row.union else "企业"
        end = (timezone.localtime(case.closed_at).date() if (not open_case and case.closed_at) else today)
        start = issued + datetime.timedelta(days=rng.randint(1, 5))
        if open_case:
            depth = n_open % len(STAGE_PLAN)  # every stage is someone's current one
            n_open += 1
            open_load[lawyer.pk] += 1
        else:
            outcome = outcomes[n_closed % len(outcomes)]
            depth = {Outcome.SETTLED: 0, Outcome.AWARD: 1, Outcome.JUDGMENT: 2, Outcome.WITHDRAWN: 0,
                     Outcome.LOST: 2}[outcome]
            n_closed += 1
        span = max((end - start).days, depth + 1)
        step = max(span // (depth + 1), 1)
        case_stages = []
        for s in range(depth + 1):
            kind = STAGE_PLAN[s]
            started = _day(start + datetime.timedelta(days=step * s))
            last = s == depth
            ended = None if (last and open_case) else _day(min(started + datetime.timedelta(days=max(step - 1, 0)), end))
            if last and not open_case:
                result = {Outcome.SETTLED: "双方达成调解协议。", Outcome.AWARD: "仲裁裁决支持申请人请求。",
                          Outcome.JUDGMENT: "判决支持申请人请求。", Outcome.WITHDRAWN: "申请人撤回申请。",
                          Outcome.LOST: "判决驳回申请人的诉讼请求。"}[outcome]
            else:
                result = "" if ended is None else RESULTS.get(kind, "")
            stage = Stage(legal_case=row, kind=kind, started_on=started, deadline=default_deadline(kind, started),
                          ended_on=ended, result=result,
                          body=BODIES[kind].format(union=union_name, district=district_name),
                          docket_no=(f"江劳人仲案字〔{started.year}〕第{rng.randint(100, 999)}号"
                                     if kind == "arbitration" else ""),
                          created_by=lawyer1 if lawyer == lawyers[0] else handler)
            case_stages.append(stage)
        stages.extend(case_stages)
        row.stage = case_stages[-1].kind
        # The facts of the one-year limitation: a couple of open ones still in mediation are close to it.
        if open_case and case_stages[-1].kind == "mediation" and index % 2 == 0:
            infringed = today - datetime.timedelta(days=365 - rng.randint(10, 40))
        else:
            infringed = row.submitted_on - datetime.timedelta(days=rng.randint(20, 200))
        ended_employment = (infringed + datetime.timedelta(days=rng.randint(0, 30))
                            if row.matter != "wages" or index % 3 == 0 else None)
        limitations.append(ClaimLimitation(legal_case=row, infringed_on=infringed,
                                           employment_ended_on=_day(ended_employment) if ended_employment else None,
                                           set_by=handler))

        # Money: what was awarded and what actually came back, worker by worker.
        if not open_case:
            money = outcome in (Outcome.SETTLED, Outcome.AWARD, Outcome.JUDGMENT)
            awarded = (row.amount_claimed * Decimal(rng.randint(60, 100)) / 100).quantize(Decimal("1"), ROUND_DOWN) \
                if money else Decimal("0")
            paid_share = Decimal(rng.randint(70, 100)) / 100 if money else Decimal("0")
            row.outcome, row.amount_awarded = outcome, awarded
            row.closed_on = end
            row.workers_covered = row.workers_involved if money else 0
        elif case_stages[-1].kind == "enforcement":
            awarded = (row.amount_claimed * Decimal("0.8")).quantize(Decimal("1"), ROUND_DOWN)
            paid_share, money = Decimal("0.4"), True
            row.amount_awarded = awarded
        else:
            money = False
        if money and awarded > 0:
            total = (awarded * paid_share).quantize(Decimal("0.01"), ROUND_DOWN)
            if row.union_id not in members_of and row.union_id:
                members_of[row.union_id] = list(
                    Membership.objects.unscoped().filter(union_id=row.union_id, status=Membership.Status.ACTIVE)
                    .exclude(worker_id=row.worker_id).select_related("worker").order_by("pk")[:60])
            colleagues = [m.worker for m in members_of.get(row.union_id, [])]
            rng.shuffle(colleagues)
            people = ([row.worker] if row.worker_id else []) + colleagues[:min(row.workers_involved, 6) - 1]
            others = row.workers_involved - len(people)
            shares = len(people) + (1 if others > 0 else 0)
            each = (total / shares).quantize(Decimal("0.01"), ROUND_DOWN)
            paid_on = _day(case_stages[-1].ended_on or today)
            for worker in people:
                recoveries.append(Recovery(legal_case=row, worker=worker, name=worker.name, amount=each,
                                           recovered_on=paid_on, created_by=handler))
            if others > 0:
                recoveries.append(Recovery(legal_case=row, name=f"其他{others}名工友（非会员，按花名册发放）",
                                           amount=total - each * len(people), recovered_on=paid_on,
                                           created_by=handler))
            row.amount_recovered = total if others > 0 else each * len(people)

        # Closed cases (and one open case waiting for the centre): final document and closing report.
        ready = open_case and n_open == 5  # the first case in enforcement: its report is in
        if (not open_case or ready) and sample:
            attachment = CaseAttachment(case=case, file=sample["file"], name="结案文书.png", extension=".png",
                                        content_type="image/png", size=sample["size"], sha256=sample["sha256"],
                                        uploaded_by=lawyer1 if lawyer == lawyers[0] else handler)
            attachment._demo_row = row
            final_attachments.append(attachment)
            text = (f"受{centre.node.name}指派，{lawyer.name}律师承办{row.applicant_name}诉{row.opponent_name}一案。"
                    f"经{'、'.join(s.kind_label for s in case_stages)}，"
                    f"{(case_stages[-1].result or '案件办理完毕').rstrip('。')}。"
                    f"确定金额¥{row.amount_awarded:,.2f}，已追回¥{row.amount_recovered:,.2f}。")
            reports.append(ClosingReport(legal_case=row, text=text, submitted_by=lawyer1 if lawyer == lawyers[0]
                                         else handler))
            if ready:
                row.outcome = Outcome.JUDGMENT
                row.workers_covered = row.workers_involved
        if not open_case:
            if rng.random() < 0.7:
                row.rating = rng.choice([3, 4, 4, 5, 5, 5])
                row.rating_comment = rng.choice(["律师很负责，谢谢工会！", "钱拿回来了，感谢。", "过程有点长，但结果满意。", ""])
                row.rated_at = case.closed_at + datetime.timedelta(days=rng.randint(1, 5))
            events.append(CaseEvent(case=case, kind=CaseEvent.Kind.TRANSITION, transition="close",
                                    from_state="in_progress", to_state="closed", actor=handler,
                                    actor_name=str(handler or ""), text=f"结案：{row.outcome_label}"))
        else:
            events.append(CaseEvent(case=case, kind=CaseEvent.Kind.COMMENT, actor=lawyer1 if lawyer == lawyers[0]
                                    else handler, actor_name=f"{lawyer.name}律师",
                                    text="已与申请人见面，收集了工资记录和工友证言。", data={"progress": True}))

    Assignment.objects.bulk_create(assignments)
    Stage.objects.bulk_create(stages)
    for stage in stages:
        if stage.kind in ("arbitration", "first_instance", "second_instance") or (stage.kind == "mediation"
                                                                                  and rng.random() < 0.5):
            hearings.append(Hearing(stage=stage, held_on=_day(stage.started_on + datetime.timedelta(days=7)),
                                    place=stage.body, record="双方到庭（到场），陈述意见并质证；申请人提交了工资记录和考勤记录。",
                                    created_by=stage.created_by))
    Hearing.objects.bulk_create(hearings)
    ClaimLimitation.objects.bulk_create(limitations)
    Recovery.objects.bulk_create(recoveries)
    CaseAttachment.objects.bulk_create(final_attachments)
    documents = LegalDocument.objects.bulk_create([
        LegalDocument(legal_case=a._demo_row, kind=LegalDocument.Kind.FINAL_DOCUMENT, attachment=a,
                      uploaded_by=a.uploaded_by) for a in final_attachments])
    final_of = {d.legal_case_id: d for d in documents}
    for report in reports:
        report.final_document = final_of.get(report.legal_case_id)
    ClosingReport.objects.bulk_create(reports)
    CaseEvent.objects.bulk_create(events)
    LegalCase.objects.unscoped().bulk_update(rows, ["lawyer", "stage", "outcome", "amount_awarded", "amount_recovered",
                                                    "workers_covered", "closed_on", "rating", "rating_comment",
                                                    "rated_at"])
    ledger = 0
    for recovery in recoveries:
        if recovery.worker_id:
            record_service(worker=recovery.worker, kind=KIND_RECOVERED, app="legal", source=recovery,
                           title=f"法律援助追回欠款（{recovery.legal_case.case.number}）", delivering_union=node,
                           amount=recovery.amount, delivered_on=recovery.recovered_on, by=handler)
            ledger += 1
    counts.update({"legal_assignments": len(assignments), "legal_stages": len(stages),
                   "legal_recoveries": len(recoveries), "legal_recovery_ledger_rows": ledger})
    return counts
