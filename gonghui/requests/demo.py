"""Demo requests for the fictional 江海市总工会: every district, every state, some overdue.

``seed_requests(rng)`` is called by ``seed_demo`` inside its transaction. Like the demo's workers,
the requests are bulk-inserted (cases, timelines, request rows) rather than stepped through the
engine: the whole batch is covered by seed_demo's one audit entry and fills no inbox with
notifications. The rows are what the engine would have written: states, due times on the working-day
calendar, timelines, ratings, escalations (督办) of the overdue ones.
"""

import datetime
import uuid

from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.members.models import Membership
from gonghui.orgs.models import UnionNode
from gonghui.requests import casetype
from gonghui.requests.categories import ensure_seeded
from gonghui.requests.models import Category, Request
from gonghui.workflow import calendar
from gonghui.workflow.models import Case, CaseEvent

K = UnionNode.Kind
DEMO_WORKER_PHONE = "13800000001"

TEXTS = {
    "wages": ["公司已经拖欠我们班组三个月工资，老板说等工程款到了再发。",
              "加班费一直没有按规定发放，每月少发一千多元。",
              "项目完工后包工头联系不上，工资还欠着八千元。"],
    "contract": ["入职半年了单位一直不和我签劳动合同。", "单位要求我们改签劳务派遣合同，不签就不给排班。"],
    "social_insurance": ["单位没有给我缴社保，想问怎么办。", "公积金基数比实际工资低很多。"],
    "injury_safety": ["车间的防护设备坏了一个月没修，大家很担心。", "我在工作时受伤，单位不给申报工伤。"],
    "hardship": ["家里老人住院，孩子上学，生活实在困难，想申请帮扶。", "爱人重病，想了解困难职工帮扶政策。"],
    "legal": ["被单位辞退了，想咨询能不能要求经济补偿。", "想咨询竞业限制协议是否有效。"],
    "jobs_training": ["想参加育婴师培训，怎么报名？", "失业了，想找工会推荐工作。"],
    "union_affairs": ["我们单位工会好几年没有换届了。", "会员卡丢了，怎么补办？"],
    "suggestion": ["建议在工业园区多建几个爱心驿站。", "建议夏季给户外劳动者送清凉。"],
    "other": ["想了解工会会员有哪些优惠。", "职工书屋周末能不能开放？"],
}
REPLIES = ["已联系单位负责人，正在核实情况。", "已转告企业工会，约定本周内答复。", "已向劳动监察部门通报，正在协调。"]
OUTCOMES = ["经协调，单位已补发拖欠工资，职工已确认收到。", "已为职工提供法律咨询意见，并告知申请劳动仲裁的途径。",
            "单位已与职工补签劳动合同。", "已将职工纳入帮扶对象，发放生活救助金。", "建议已转相关部门研究采纳。"]
# (state, how many days ago it was submitted, flags): one of each per district, plus a few more.
PLAN = [
    ("submitted", 0, {}),
    ("submitted", 6, {"overdue": True}),
    ("submitted", 1, {"urgent": True}),
    ("handling", 3, {}),
    ("handling", 12, {"overdue": True}),
    ("handling", 2, {"urgent": True, "reply": True}),
    ("handling", 4, {"grade": "difficult", "reply": True}),
    ("awaiting_info", 5, {}),
    ("quality_check", 8, {"grade": "complex"}),
    ("reopened", 20, {"rating": 1}),
    ("closed", 40, {"rating": 5}),
    ("closed", 70, {"rating": 4}),
    ("closed", 100, {"rating": 5, "channel": "phone"}),
    ("closed", 130, {"rating": 4, "late": True}),
    ("closed", 180, {"rating": 3}),
    ("closed", 220, {"rating": 5}),
    ("closed", 280, {"rating": 5, "channel": "phone"}),
    ("closed", 320, {"rating": 4}),
    ("closed", 160, {"rating": None}),  # invited, never answered: "not rated"
    ("closed", 200, {"rating": 4, "channel": "letter"}),
    ("closed", 250, {"rating": 5, "channel": "visit"}),
    ("closed", 300, {"rating": 2, "reopened_then_closed": True}),
    ("closed", 3, {"rating": None}),  # invited, the 7 days still running
]
KINDS = ["help", "complaint", "consultation", "help", "suggestion"]


def _at(days_ago: float, hour: int, now) -> datetime.datetime:
    local = timezone.localtime(now) - datetime.timedelta(days=days_ago)
    return local.replace(hour=hour, minute=(int(days_ago * 7) % 60), second=0, microsecond=0)


def seed_requests(rng) -> int:
    """Bulk-insert demo requests in every district and state; returns how many."""
    now = timezone.now()
    city = UnionNode.objects.unscoped().filter(kind=K.CITY_FEDERATION).order_by("path").first()
    if city is None:
        return 0
    ensure_seeded()
    categories = {c.code: c for c in Category.objects.all()}
    staff = {u.username: u for u in User.objects.filter(kind=User.Kind.STAFF)}
    handler = staff.get("union1_staff") or staff.get("city_admin")
    handler_at = _granted_path(handler)
    districts = list(UnionNode.objects.unscoped().filter(kind=K.DISTRICT_FEDERATION, path__startswith=city.path)
                     .order_by("path"))
    plans: list[dict] = []
    for d_index, district in enumerate(districts):
        memberships = list(Membership.objects.unscoped().filter(
            union__path__startswith=district.path, status=Membership.Status.ACTIVE)
            .select_related("worker", "worker__user", "union").order_by("pk")[:400])
        for n, (state, days, flags) in enumerate(PLAN):
            m = memberships[(n * 7 + d_index) % len(memberships)] if memberships else None
            plans.append({"state": state, "days": days + rng.random() * 0.8, "flags": flags, "membership": m,
                          "district": district, "n": n})
    # The demo worker's own requests: something to see at every step in "我的诉求".
    demo_member = (Membership.objects.unscoped().select_related("worker", "worker__user", "union")
                   .filter(worker__mobile=DEMO_WORKER_PHONE, status=Membership.Status.ACTIVE).first())
    if demo_member:
        for n, (state, days, flags) in enumerate([
                ("handling", 2, {"reply": True, "code": "wages", "urgent": True}),
                ("awaiting_info", 4, {"code": "social_insurance"}),
                ("closed", 2, {"rating": None, "code": "contract"}),
                ("closed", 30, {"rating": 5, "code": "jobs_training"})]):
            plans.append({"state": state, "days": days + 0.3, "flags": flags, "membership": demo_member,
                          "district": None, "n": n, "demo": True})

    # Worker accounts for the applicants who asked online (the demo worker already has one).
    accounts = {}
    for p in plans:
        m = p["membership"]
        online = p["flags"].get("channel", "online") == "online"
        if m is None or not online:
            continue
        if m.worker.user_id:
            accounts[m.worker.pk] = m.worker.user
        elif m.worker.pk not in accounts and m.worker.mobile and \
                not User.objects.filter(phone=m.worker.mobile).exists():
            user = User(username=f"w{m.worker.mobile}", phone=m.worker.mobile, kind=User.Kind.WORKER,
                        display_name=m.worker.name)
            user.set_unusable_password()
            user.save()
            m.worker.user = user
            m.worker.save(update_fields=["user"])
            accounts[m.worker.pk] = user

    cases, requests, events = [], [], []
    for p in plans:
        flags, m, state = p["flags"], p["membership"], p["state"]
        code = flags.get("code") or (["wages", "contract", "social_insurance", "injury_safety", "hardship", "legal",
                                      "jobs_training", "union_affairs", "suggestion", "other"][p["n"] % 10])
        if flags.get("urgent"):
            code = "wages"
        category = categories[code]
        kind = "suggestion" if code == "suggestion" else KINDS[p["n"] % len(KINDS)]
        channel = flags.get("channel", "online")
        text = rng.choice(TEXTS[code])
        own_union_complaint = code == "union_affairs" and m is not None
        if m is None:
            node = p["district"]
        elif own_union_complaint:
            node = next((a for a in m.union.ancestors() if a.kind == K.DISTRICT_FEDERATION), m.union)
        else:
            node = m.union
        applicant = accounts.get(m.worker.pk) if m and channel == "online" else None
        name = m.worker.name if m else "匿名来电职工"
        created = _at(p["days"], 9 + (p["n"] * 5) % 14, now)
        if p.get("demo") and p["n"] == 0:
            created = created.replace(hour=23, minute=5)  # asked late at night: intake never closes
        urgent = bool(flags.get("urgent"))
        grade = flags.get("grade", "general")
        case = Case(case_type=casetype.NAME, number=uuid.uuid4().hex, node=node, node_path=node.path,
                    title=f"{category.name}·{Request.Kind(kind).label}：{text[:40]}", applicant=applicant,
                    applicant_name=name, urgent=urgent, state=state, state_entered_at=created, topic=category.code,
                    is_open=state != "closed")
        req = Request(category=category, kind=kind, description=text, channel=channel,
                      anonymous_to_employer=p["n"] % 4 == 1, worker=m.worker if m else None,
                      contact_phone=m.worker.mobile if m else "", contact_name="" if m else name, grade=grade,
                      about_own_union=own_union_complaint, migrant_worker=urgent, migrant_wage_arrears=urgent,
                      logged_by=staff.get("city_admin") if channel != "online" else None)
        timeline = [(created, CaseEvent.Kind.OPENED, "", "", "submitted", text, True, applicant or req.logged_by)]
        actor = handler if node.path.startswith(handler_at) else staff.get("city_admin")

        def ev(at, transition, from_state, to_state, note="", visible=True, who=None, timeline=timeline,
               actor=actor):
            timeline.append((at, CaseEvent.Kind.TRANSITION, transition, from_state, to_state, note, visible,
                             who or actor))

        limit = casetype.URGENT_DAYS if urgent else casetype.GRADE_DAYS[grade]
        if state == "submitted":
            case.due_at = calendar.add_working_days(created, 1)
        else:
            accepted = created + datetime.timedelta(hours=3)
            ev(accepted, "accept", "submitted", "handling")
            req.handling_started_at = accepted
            req.handling_due_at = calendar.add_working_days(accepted, limit)
            case.assignee = actor
            case.state_entered_at = accepted
            case.due_at = req.handling_due_at
            if flags.get("reply"):
                ev(accepted + datetime.timedelta(hours=20), "reply", "handling", "handling", rng.choice(REPLIES))
            if state == "awaiting_info":
                at = accepted + datetime.timedelta(days=1)
                ev(at, "ask_info", "handling", "awaiting_info", "请上传工资条或考勤记录的照片。")
                case.state_entered_at, case.due_at, req.paused_at = at, None, at
            if state == "quality_check":
                req.quality_check_required = True
                at = accepted + datetime.timedelta(days=4)
                outcome = rng.choice(OUTCOMES)
                ev(at, "submit_for_check", "handling", "quality_check", outcome, visible=False)
                case.state_entered_at, req.paused_at = at, at
                case.due_at = calendar.add_working_days(at, 3)
                req.outcome, req.outcome_at, req.on_time = outcome, at, True
            if state in ("closed", "reopened"):
                late = flags.get("late")
                took = datetime.timedelta(days=(limit + 4) if late else rng.randint(1, max(limit - 1, 1)))
                closed = min(accepted + took, now - datetime.timedelta(hours=1))
                outcome = rng.choice(OUTCOMES)
                ev(closed, "close", "handling", "closed", outcome)
                req.outcome, req.outcome_at, req.closed_at = outcome, closed, closed
                req.on_time = closed <= req.handling_due_at
                req.rating_invited_at = closed if applicant else None
                case.closed_at, case.state_entered_at, case.due_at = closed, closed, None
                rating = flags.get("rating")
                if rating and applicant:
                    rated = closed + datetime.timedelta(hours=30)
                    req.rating, req.rated_at = rating, rated
                    req.rating_comment = {5: "很满意，感谢工会！", 4: "解决得比较及时。", 3: "基本解决了。",
                                          2: "问题没有真正解决。", 1: "没有人跟我联系。"}.get(rating, "")
                    ev(rated, "rate", "closed", "closed", req.rating_comment, who=applicant)
                    if rating <= 2:
                        supervisor = node.parent or node
                        ev(rated, "reopen", "closed", "reopened", who=applicant)
                        req.reopened_at = rated
                        case.node, case.node_path = supervisor, supervisor.path
                        case.state_entered_at, case.closed_at, case.assignee = rated, None, None
                        case.due_at = calendar.add_working_days(rated, 1)
                        if flags.get("reopened_then_closed"):
                            again = rated + datetime.timedelta(days=3)
                            ev(again + datetime.timedelta(hours=-60), "accept", "reopened", "handling",
                               who=staff.get("city_admin"))
                            ev(again, "close", "handling", "closed", "区总工会督促单位补发全部工资，已回访确认。",
                               who=staff.get("city_admin"))
                            req.closed_at = case.closed_at = case.state_entered_at = again
                            case.due_at = None
        if flags.get("overdue") and case.due_at and case.due_at > now:
            # Backdate so it is overdue now (some were submitted before a long weekend).
            case.due_at = now - datetime.timedelta(hours=6)
        if case.is_open and case.due_at and case.due_at <= now:
            case.escalated_at = case.due_at + datetime.timedelta(minutes=5)
            case.supervising_node = case.node.parent or case.node
            timeline.append((case.escalated_at, CaseEvent.Kind.ESCALATION, "", "", "",
                             f"已超过办理时限，转{case.supervising_node.name}督办。", False, None))
        if case.due_at:
            case.warn_at = case.due_at - datetime.timedelta(hours=24)
            if case.warn_at <= now:
                case.warned_at = case.warn_at
        case.version = len([t for t in timeline if t[1] == CaseEvent.Kind.TRANSITION]) + 1
        case._demo_created = created
        cases.append(case)
        requests.append(req)
        events.append(timeline)

    Case.objects.bulk_create(cases)
    for case in cases:
        case.number = f"SQ{timezone.localtime(case._demo_created):%Y}{case.pk:06d}"
        case.created_at = case._demo_created
    Case.objects.unscoped().bulk_update(cases, ["number", "created_at"])
    by_phone = {}
    for case, req in zip(cases, requests, strict=True):
        req.case = case
        key = (req.worker_id, req.category_id)
        if req.worker_id and case.is_open:
            if key in by_phone:
                req.likely_duplicate_of = by_phone[key]
            else:
                by_phone[key] = req
    Request.objects.bulk_create([r for r in requests if r.likely_duplicate_of is None])
    Request.objects.bulk_create([r for r in requests if r.likely_duplicate_of is not None])
    rows = []
    for case, timeline in zip(cases, events, strict=True):
        for at, kind, transition, from_state, to_state, text, visible, who in timeline:
            rows.append(_event(case, kind, transition, from_state, to_state, text, visible, who, at))
    CaseEvent.objects.bulk_create(rows)
    for row in rows:
        row.at = row._demo_at
    CaseEvent.objects.unscoped().bulk_update(rows, ["at"])
    return len(cases)


def _event(case, kind, transition, from_state, to_state, text, visible, who, at):
    event = CaseEvent(case=case, kind=kind, transition=transition, from_state=from_state, to_state=to_state,
                      text=text, visible_to_applicant=visible, actor=who, actor_name=str(who) if who else "系统")
    event._demo_at = at
    return event


def _granted_path(user) -> str:
    """The node path where ``user`` holds a grant ("~" matches no path)."""
    from gonghui.accounts.models import Grant

    path = Grant.objects.unscoped().filter(user=user).values_list("node__path", flat=True).first() if user else None
    return path or "~"
