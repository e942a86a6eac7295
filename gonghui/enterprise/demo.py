"""Demo data for 进企业、解难题: an enterprise for each grassroots union, some without a union, and
visits whose problems stand in every state of the case type.

Called by ``seed_demo`` inside its transaction. Like the members there, rows are written directly
(not through the services) so the whole seed stays one audited batch: the returned counts go into
seed_demo's single "demo.seeded" audit entry. Timelines are written as the engine would.
"""

import datetime
import random
import uuid

from django.contrib.auth import get_user_model
from django.utils import timezone
from stdnum.cn import uscc as stdnum_uscc

from gonghui.accounts.models import Grant
from gonghui.enterprise.casetype import ENTERPRISE_PROBLEM, IN_PROGRESS, RECORDED, SOLVED, UNSOLVABLE
from gonghui.enterprise.models import Enterprise, Industry, Problem, Visit
from gonghui.enterprise.services import problem_title
from gonghui.orgs.models import UnionNode
from gonghui.workflow import calendar
from gonghui.workflow.models import Case, CaseEvent

K = UnionNode.Kind

# Words in an enterprise's name -> its industry section (GB/T 4754).
INDUSTRY_WORDS = [
    ("医院", Industry.Q), ("中医院", Industry.Q), ("学校", Industry.P), ("中学", Industry.P), ("银行", Industry.J),
    ("软件", Industry.I), ("物流", Industry.G), ("快递", Industry.G), ("公共交通", Industry.G), ("港务", Industry.G),
    ("建设", Industry.E), ("自来水", Industry.D), ("燃气", Industry.D), ("光伏", Industry.D), ("百货", Industry.F),
    ("酒店", Industry.H), ("农业", Industry.A), ("文化旅游", Industry.R), ("环保", Industry.N),
]

# Small firms without a union of their own: (name, district index, industry, employees).
WITHOUT_UNION = [
    ("江海市鑫旺五金加工厂", 0, Industry.C, 38),
    ("江海东湖味道餐饮管理有限公司", 0, Industry.H, 56),
    ("江海江北冷链运输有限公司", 1, Industry.G, 72),
    ("江海临江家具制造有限公司", 1, Industry.C, 120),
    ("江海南苑家政服务有限公司", 2, Industry.O, 95),
    ("江海青山建材有限公司", 2, Industry.C, 64),
]

PROBLEMS = {
    Problem.Kind.WAGES: [
        ("部分一线职工反映10月工资推迟发放，企业称回款慢，预计月底补发。", "经协调企业已于月底前足额补发工资，并承诺按月15日前发放。"),
        ("外包装卸工反映加班费计算基数偏低，与劳动合同约定不一致。", "协调企业按合同约定重新核算加班费并补发差额，涉及职工23人。"),
    ],
    Problem.Kind.LABOUR_RELATIONS: [
        ("企业拟调整排班为两班倒，职工担心收入和休息受影响，希望工会参与沟通。", "工会组织职工代表与企业协商，新排班方案经职代会讨论通过。"),
        ("少数新入职职工尚未签订书面劳动合同。", "督促企业在一个月内补签劳动合同，并建立入职签约台账。"),
    ],
    Problem.Kind.SAFETY: [
        ("车间夏季通风降温设施不足，高温时段作业职工反映强烈。", "企业新增工业风扇和降温设备，调整高温时段作息，并发放防暑用品。"),
        ("叉车司机持证情况不全，安全培训记录缺失。", ""),
    ],
    Problem.Kind.EMPLOYMENT: [
        ("企业扩产急需数控车工约20名，本地招聘困难。", "推荐参加区职工服务中心专场招聘会，已招录14人，并对接职业技能培训。"),
        ("职工希望参加电工、焊工等技能培训取得证书。", ""),
    ],
    Problem.Kind.WELFARE: [
        ("女职工较多，厂区没有母婴室。", "工会指导企业利用闲置办公室建成爱心母婴室，已投入使用。"),
        ("职工食堂价格上涨，夜班职工没有热饭。", ""),
    ],
    Problem.Kind.UNION_BUILDING: [
        ("企业职工已超过50人，尚未建立工会组织，企业负责人有建会意愿。", ""),
        ("企业工会换届时间已超过半年，尚未启动换届选举。", "指导企业工会制定换届方案，已完成候选人提名。"),
    ],
    Problem.Kind.BUSINESS: [
        ("受订单减少影响，企业资金周转紧张，担心无法稳定岗位。", "协助企业申请稳岗返还和技能提升补贴，已到账18.6万元。"),
        ("企业反映用电增容审批时间长，影响新生产线投产。", ""),
    ],
    Problem.Kind.OTHER: [
        ("职工通勤不便，希望增开早晚班公交线路。", ""),
    ],
}

PROGRESS_NOTES = ["已与企业负责人面谈，企业同意两周内拿出方案。", "已召开职工座谈会听取意见，正在与企业协商。",
                  "已联系相关部门，等待答复。"]
UNSOLVABLE_REASONS = ["企业已进入破产清算程序，问题转由管理人和人社部门依法处理。",
                      "涉及市政规划调整，超出工会协调范围，已向企业说明并报告上级工会。"]
MET_WITH = ["人事经理{n}、工会主席{m}", "总经理{n}", "行政主管{n}、职工代表3人", "生产副总{n}、车间主任{m}"]
VISIT_NOTES = ["了解企业生产经营和职工队伍情况，宣传工会普惠服务，召开职工代表座谈会。",
               "走访车间和职工宿舍，听取企业和职工意见建议。", "座谈了解用工和职工权益保障情况，发放维权服务卡。"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "强", "敏", "磊", "静", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "霞"]


def _person(rng) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(["", *GIVEN])


def _uscc(rng, area: str, used: set[str]) -> str:
    """A valid code of a company registered with the market regulator (91…)."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    while True:
        body = "91" + area + "".join(rng.choice(alphabet) for _ in range(9))
        code = body + stdnum_uscc.calc_check_digit(body)
        if code not in used:
            used.add(code)
            return code


def _industry(name: str) -> str:
    for word, industry in INDUSTRY_WORDS:
        if word in name:
            return industry
    return Industry.C


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _later(rng, start: datetime.datetime, now: datetime.datetime, max_days: int) -> datetime.datetime:
    """A working-hours moment some days after ``start`` and before ``now``."""
    moment = start + datetime.timedelta(days=rng.randint(1, max_days), hours=rng.randint(0, 6))
    return min(moment, now - datetime.timedelta(hours=1))


class _CaseWriter:
    """Writes a case and its timeline as the engine would, without per-row audit entries."""

    def __init__(self, now):
        self.now = now
        self.events: list[CaseEvent] = []

    def open(self, node, title, applicant_name, text, at, actor) -> Case:
        case = Case(case_type=ENTERPRISE_PROBLEM.name, title=title[:200], node=node, node_path=node.path,
                    state=RECORDED, applicant_name=applicant_name, number=uuid.uuid4().hex)
        self._enter(case, RECORDED, at)
        case.save()
        Case.objects.unscoped().filter(pk=case.pk).update(created_at=at)
        case.created_at = at
        case.number = f"{ENTERPRISE_PROBLEM.number_prefix}{timezone.localtime(at):%Y}{case.pk:06d}"
        self.events.append(CaseEvent(case=case, actor=actor, actor_name=str(actor), kind=CaseEvent.Kind.OPENED,
                                     to_state=RECORDED, text=text, at=at))
        return case

    def _enter(self, case, state_name, at):
        state = ENTERPRISE_PROBLEM.state(state_name)
        case.state = state_name
        case.state_entered_at = at
        case.warned_at = None
        if state.terminal or state.time_limit is None:
            case.due_at = case.warn_at = None
        else:
            case.due_at = calendar.due_at(at, state.time_limit)
            case.warn_at = case.due_at - state.time_limit.warn_before

    def step(self, case, name, at, actor, note="", node=None):
        transition = ENTERPRISE_PROBLEM.transition(name)
        from_state = case.state
        data = {"note": note} if note else {}
        if node is not None:
            case.node, case.node_path, case.assignee = node, node.path, None
            data["node"] = node.pk
        elif case.assignee_id is None:
            case.assignee = actor
        if name == "report_progress":
            case.state = IN_PROGRESS  # the clock keeps running from "start"
        else:
            self._enter(case, transition.target, at)
        if ENTERPRISE_PROBLEM.state(case.state).terminal:
            case.is_open, case.closed_at = False, at
        case.version += 1
        self.events.append(CaseEvent(case=case, actor=actor, actor_name=str(actor), kind=CaseEvent.Kind.TRANSITION,
                                     transition=name, from_state=from_state, to_state=case.state, text=note,
                                     data=data, at=at))

    def warn(self, case, at):
        case.warned_at = at
        self.events.append(CaseEvent(case=case, kind=CaseEvent.Kind.WARNING, actor_name="系统",
                                     visible_to_applicant=False, at=at,
                                     text=f"即将到期：请在{timezone.localtime(case.due_at):%Y-%m-%d %H:%M}前办理。"))

    def escalate(self, case, at):
        parent = case.node.parent or case.node
        case.escalated_at, case.supervising_node = at, parent
        self.events.append(CaseEvent(case=case, kind=CaseEvent.Kind.ESCALATION, actor_name="系统",
                                     visible_to_applicant=False, at=at, data={"supervising_node": parent.pk},
                                     text=f"已超过办理时限，转{parent.name}督办。"))

    def finish(self, cases):
        for case in cases:
            case.save()
        moments = [event.at for event in self.events]  # auto_now_add overwrites them on insert
        created = CaseEvent.objects.bulk_create(self.events)
        for event, moment in zip(created, moments, strict=True):
            if event.pk is not None:
                CaseEvent.objects.unscoped().filter(pk=event.pk).update(at=moment)
            else:  # a database that returns no ids from bulk inserts
                CaseEvent.objects.unscoped().filter(case=event.case, kind=event.kind, transition=event.transition,
                                                    to_state=event.to_state, text=event.text).update(at=moment)


def seed_enterprise(rng: random.Random) -> dict:
    """Enterprises, visits and problems for the demo federation built by seed_demo."""
    nodes = UnionNode.objects.unscoped()
    grassroots = list(nodes.filter(kind=K.GRASSROOTS_UNION, active=True).select_related("parent").order_by("path"))
    districts = list(nodes.filter(kind=K.DISTRICT_FEDERATION, active=True).order_by("path"))
    if not grassroots or not districts:
        return {}
    used: set[str] = set(Enterprise.objects.unscoped().exclude(uscc="").values_list("uscc", flat=True))
    enterprises = []
    for union in grassroots:
        name = union.name.removesuffix("工会委员会")
        area = union.uscc[2:8] if len(union.uscc) == 18 else "320600"
        enterprises.append(Enterprise(
            name=name, uscc=_uscc(rng, area, used), address=union.address, industry=_industry(name),
            employees=rng.choice([80, 120, 260, 450, 680, 1200, 2300]) + rng.randint(0, 60),
            contact_person=_person(rng), contact_phone=union.contact_phone, union=union, node=union.parent))
    for name, d, industry, employees in WITHOUT_UNION:
        district = districts[d % len(districts)]
        towns = list(nodes.filter(parent=district, kind=K.TOWN_UNION).order_by("path"))
        node = rng.choice(towns) if towns and rng.random() < 0.5 else district
        enterprises.append(Enterprise(
            name=name, uscc=_uscc(rng, "320600", used), address=f"{district.name.removesuffix('总工会')}工业集中区",
            industry=industry, employees=employees, contact_person=_person(rng),
            contact_phone=f"0513-8{rng.randrange(10**6, 10**7):07d}", node=node))
    for enterprise in enterprises:
        enterprise.save()

    # Who goes: the staff granted at each district (they may handle its whole subtree).
    User = get_user_model()
    district_staff: dict[int, list] = {}
    for grant in Grant.objects.unscoped().filter(node__in=districts, role__in=("admin", "manager", "handler"),
                                                 user__kind=User.Kind.STAFF).select_related("user").order_by("pk"):
        district_staff.setdefault(grant.node_id, []).append(grant.user)

    now = timezone.now()
    today = timezone.localdate()
    writer = _CaseWriter(now)
    cases, problems, visits = [], [], 0
    # Outcomes cycle so every state shows; "overdue" is left untouched since the visit (the sweep has
    # escalated it), "recorded" was written up recently.
    outcomes = ["solved", "in_progress", "recorded", "solved", "overdue", "in_progress", "unsolvable", "transferred",
                "solved", "in_progress", "recorded"]
    kinds = list(PROBLEMS)
    visited = rng.sample(enterprises, k=min(14, len(enterprises)))
    n = 0
    for i, enterprise in enumerate(visited):
        district = next(d for d in districts if enterprise.node.path.startswith(d.path))
        staff = district_staff.get(district.pk, [])
        if not staff:
            continue
        day = today - datetime.timedelta(days=rng.randint(12, 70) if i % 4 else rng.randint(2, 10))
        visit_node = enterprise.node if enterprise.node.kind == K.TOWN_UNION and rng.random() < 0.5 else district
        visit = Visit.objects.create(
            enterprise=enterprise, node=visit_node, visited_on=day, created_by=staff[0],
            other_participants=rng.choice(["", "区人社局劳动监察大队", "街道劳动保障所"]),
            met_with=rng.choice(MET_WITH).format(n=_person(rng), m=_person(rng)), notes=rng.choice(VISIT_NOTES))
        Visit.objects.unscoped().filter(pk=visit.pk).update(created_at=_at(day, 17))
        visit.staff.set(staff[:2])
        visits += 1
        for _k in range(rng.choice([1, 1, 2, 2, 3])):
            kind = kinds[n % len(kinds)]
            description, solution = rng.choice(PROBLEMS[kind])
            outcome = outcomes[n % len(outcomes)]
            if outcome == "recorded":  # written up a little after the visit, still within its time limit
                day_at = now - datetime.timedelta(hours=rng.randint(3, 30))
            else:
                day_at = _at(day, 10, rng.randint(0, 59))
            actor = staff[0]
            case = writer.open(visit_node, problem_title(kind, description), enterprise.name, description, day_at,
                               actor)
            if outcome in ("solved", "in_progress", "unsolvable"):
                moment = _later(rng, day_at, now, 3)
                writer.step(case, "start", moment, actor, note="已安排专人跟进。")
                if outcome != "unsolvable" or rng.random() < 0.5:
                    moment = _later(rng, moment, now, 6)
                    writer.step(case, "report_progress", moment, actor, note=rng.choice(PROGRESS_NOTES))
                if outcome == "solved":
                    writer.step(case, "solve", _later(rng, moment, now, 10), actor,
                                note=solution or "经协调，企业已落实整改，职工表示满意。")
                elif outcome == "unsolvable":
                    writer.step(case, "close_unsolvable", _later(rng, moment, now, 10), actor,
                                note=rng.choice(UNSOLVABLE_REASONS))
            elif outcome == "transferred":
                centre = nodes.filter(parent=district, kind=K.SERVICE_CENTRE).first()
                if centre is not None and centre.pk != visit_node.pk:
                    writer.step(case, "transfer", _later(rng, day_at, now, 2), actor, node=centre,
                                note="涉及职业介绍和技能培训，转区职工服务中心办理。")
            # What the periodic sweep would have done by now: warn before the due time, escalate after.
            if case.is_open and case.due_at is not None:
                if case.due_at <= now:
                    writer.escalate(case, case.due_at + datetime.timedelta(minutes=5))
                elif case.warn_at <= now:
                    writer.warn(case, case.warn_at)
            cases.append(case)
            problems.append(Problem(case=case, visit=visit, enterprise=enterprise, kind=kind, description=description,
                                    solution=(solution or "经协调，企业已落实整改，职工表示满意。")
                                    if case.state == SOLVED else ""))
            n += 1
    writer.finish(cases)
    Problem.objects.bulk_create(problems)
    return {"enterprises": len(enterprises), "enterprise_visits": visits, "enterprise_problems": len(problems),
            "enterprise_problems_open": sum(1 for c in cases if c.state not in (SOLVED, UNSOLVABLE))}
