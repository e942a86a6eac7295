"""Demo data of the kb app's questions part: a few hundred consultation questions across districts.

Like the requests demo, the questions are bulk-inserted (cases, timelines, request rows) rather
than stepped through the engine: seed_demo's one audit entry covers the batch and no inbox fills
with notifications. Most are answered (some with links to the demo articles, a few late), some are
still waiting (a few overdue and escalated), and a dozen good answers were published as FAQs.
The answered ones go into the search index; zero-result searches fill the figures page.
"""

import datetime
import uuid

from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.members.models import Membership
from gonghui.orgs.models import UnionNode
from gonghui.requests import casetype
from gonghui.requests.categories import ensure_seeded
from gonghui.requests.demo import DEMO_WORKER_PHONE, _at, _event, _granted_path
from gonghui.requests.models import Category, Request
from gonghui.workflow import calendar
from gonghui.workflow.models import Case, CaseEvent

K = UnionNode.Kind
PER_DISTRICT = 100

# (category, question, answer, search words for the articles to link)
QUESTIONS = [
    ("wages", "公司已经两个月没发工资了，老板说资金周转困难，欠薪怎么办？",
     "用人单位应当按月足额支付工资。您可以先保留考勤、工资条、聊天记录等证据，向当地劳动保障监察机构投诉，"
     "也可以向劳动人事争议仲裁委员会申请仲裁；工会可以协助您与单位协商。", "欠薪"),
    ("wages", "包工头跑了，工地欠我们班组的工钱找谁要？",
     "建设领域实行总承包单位对农民工工资清偿负责。请整理好考勤和工资约定，向项目所在地人社部门投诉，"
     "总承包单位应当先行清偿；工会可以陪同您反映。", "欠薪"),
    ("wages", "周末加班公司只给调休不给加班费，合法吗？",
     "休息日安排加班又不能安排补休的，应支付不低于工资200%的加班费；安排了同等时间补休的，可以不再支付加班费。"
     "法定节假日加班必须支付不低于300%的加班费，不能以调休代替。", "加班费"),
    ("wages", "试用期工资可以只发一半吗？",
     "试用期工资不得低于本单位相同岗位最低档工资或者劳动合同约定工资的百分之八十，并不得低于当地最低工资标准。", "试用期 工资"),
    ("wages", "我们这里最低工资标准是多少？单位发的比这个还低。",
     "请以本市人社部门公布的最新最低工资标准为准；工资低于最低工资标准的，可以向劳动保障监察机构投诉，要求补足差额。",
     "最低工资"),
    ("contract", "入职三个月了单位还不和我签劳动合同，怎么办？",
     "用人单位自用工之日起超过一个月不满一年未与劳动者订立书面劳动合同的，应当向劳动者每月支付二倍的工资。"
     "建议您先书面要求签订，保留入职证明，必要时申请劳动仲裁。", "劳动合同"),
    ("contract", "公司要把我们转成劳务派遣，不同意就不排班，可以吗？",
     "变更劳动合同应当协商一致并采用书面形式。单位单方面以不排班相逼，您可以拒绝并保留证据；工会可以代表职工与单位协商。",
     "劳务派遣"),
    ("contract", "被公司辞退了，能要求经济补偿吗？",
     "单位解除劳动合同的，一般应按工作年限每满一年支付一个月工资的经济补偿；违法解除的，应支付二倍的赔偿金。"
     "请保留解除通知，可以申请劳动仲裁。", "经济补偿"),
    ("contract", "我想辞职，公司说要赔违约金，对吗？",
     "除服务期和竞业限制两种情形外，用人单位不得与劳动者约定由劳动者承担违约金。提前三十日书面通知即可解除合同。",
     "辞职 违约金"),
    ("contract", "年假每年有几天？单位说没有年假。",
     "累计工作满1年不满10年的，年休假5天；满10年不满20年的，10天；满20年的，15天。单位不安排又不支付报酬的，"
     "应按日工资的300%支付未休年假工资报酬。", "年休假"),
    ("social_insurance", "单位一直没给我缴社保，怎么办？",
     "为职工缴纳社会保险是用人单位的法定义务。您可以向社会保险费征收机构或劳动保障监察机构投诉，要求补缴；"
     "因此解除合同的，可以要求经济补偿。", "社会保险"),
    ("social_insurance", "公积金基数比实际工资低很多，合理吗？",
     "住房公积金缴存基数应为职工本人上一年度月平均工资。基数明显偏低的，可以向公积金管理中心反映，要求按规定补缴。",
     "公积金"),
    ("social_insurance", "灵活就业的外卖骑手能参加社保吗？",
     "灵活就业人员可以以个人身份参加基本养老保险和基本医疗保险，本市还在推进新就业形态人员职业伤害保障。"
     "可以到联合工会咨询入会和参保。", "新就业形态"),
    ("injury_safety", "我在工作时受伤了，单位不给申报工伤怎么办？",
     "单位应在事故发生之日起30日内提出工伤认定申请；单位不申请的，您本人或近亲属可以在1年内直接向人社部门申请。"
     "请保留就医记录和事故证明。", "工伤认定"),
    ("injury_safety", "上下班路上出了车祸算工伤吗？",
     "在上下班途中，受到非本人主要责任的交通事故伤害的，应当认定为工伤。请保留交警部门的事故责任认定书。", "工伤"),
    ("injury_safety", "车间防护设备坏了很久没人修，能向谁反映？",
     "可以向企业工会或安全生产管理部门反映，也可以向应急管理部门举报；工会有权要求企业及时整改安全隐患。",
     "安全生产"),
    ("hardship", "家里老人住院、孩子上学，生活很困难，工会有帮扶吗？",
     "符合条件的困难职工可以申请建档帮扶，获得生活救助、医疗救助和子女助学救助。请向所在基层工会提出申请，"
     "并准备家庭收入和支出证明。", "困难职工"),
    ("hardship", "孩子考上大学了，金秋助学怎么申请？",
     "金秋助学面向困难职工家庭考入大学的子女，一般在每年7至9月集中受理。请向所在工会提交录取通知书和家庭困难证明。",
     "金秋助学"),
    ("hardship", "得了大病，医保报销后自费部分还很多，工会能帮忙吗？",
     "工会会员患重大疾病的，可以申请医疗救助；参加了职工互助保障的，还可以申请互助金。请携带病历和费用清单到所在工会申请。",
     "医疗救助"),
    ("legal", "和单位发生劳动争议，工会能提供免费律师吗？",
     "市总工会法律援助中心为会员提供免费法律咨询，符合条件的可以申请法律援助，由律师代理劳动仲裁和诉讼。", "法律援助"),
    ("legal", "竞业限制协议没有给补偿，还要遵守吗？",
     "竞业限制期间用人单位应按月给予经济补偿。因单位原因三个月未支付补偿的，劳动者可以请求解除竞业限制约定。",
     "竞业限制"),
    ("jobs_training", "失业了想学个技能，工会有免费培训吗？",
     "工会职工服务中心常年开展技能培训，如育婴员、养老护理员、电工等，会员参加可享受补贴。请关注工会公布的培训计划。",
     "技能培训"),
    ("jobs_training", "考电工证有补贴吗？",
     "取得职业资格证书或职业技能等级证书的，可以按规定申请职业技能提升补贴，请向当地人社部门或工会服务中心咨询。",
     "技能 补贴"),
    ("union_affairs", "我们公司还没有工会，我怎么入会？",
     "所在单位没有工会的，可以向所在地的乡镇（街道）工会或区域性、行业性联合工会申请入会，也可以在网上工会在线申请。",
     "入会"),
    ("union_affairs", "会员卡丢了，怎么补办？",
     "请在网上工会“我的”中挂失并申请补办，或到所在基层工会办理，新卡一般在10个工作日内发放。", "会员卡"),
    ("union_affairs", "工会会费是怎么交的？",
     "会员按本人工资收入的千分之五按月交纳会费，一般由单位工会代扣代缴。", "会费"),
    ("other", "夏天户外工作，有高温津贴吗？",
     "每年6月至9月，用人单位安排劳动者在高温天气下露天作业的，应当按规定发放高温津贴，且不得纳入最低工资。", "高温津贴"),
    ("other", "职工书屋周末开放吗？",
     "各职工服务中心的职工书屋开放时间以服务中心公告为准，部分站点周末开放，欢迎会员凭会员卡借阅。", "职工书屋"),
]
NAMES_IN_TEXT = ["我是{name}，", "本人{name}，", ""]
ZERO_RESULT = [("宠物寄养补贴", 14), ("电动车充电桩", 11), ("夜班补贴标准", 9), ("育儿假几天", 8), ("带薪病假", 7),
               ("外卖骑手职业伤害", 6), ("公司搬迁补偿", 6), ("疗休养报名", 5), ("婚假天数", 4), ("工会活动室预约", 3),
               ("异地就医备案", 3), ("退休返聘合同", 2)]
FOUND = [("欠薪", 40), ("劳动合同", 25), ("工伤", 18), ("金秋助学", 15), ("入会", 12), ("加班费", 10)]


def _plan_states(rng, n: int):
    """70% answered (a few late), 20% waiting, 10% waiting and overdue."""
    for _ in range(n):
        r = rng.random()
        if r < 0.70:
            yield "closed", rng.uniform(1, 170), rng.random() < 0.08
        elif r < 0.90:
            yield "submitted", rng.uniform(0.02, 0.6), False
        else:
            yield "submitted", rng.uniform(2, 9), False


def seed(rng) -> dict:
    from gonghui.kb import search
    from gonghui.kb import services_questions as svc

    now = timezone.now()
    city = UnionNode.objects.unscoped().filter(kind=K.CITY_FEDERATION).order_by("path").first()
    if city is None:
        return {}
    ensure_seeded()
    categories = {c.code: c for c in Category.objects.all()}
    staff = {u.username: u for u in User.objects.filter(kind=User.Kind.STAFF)}
    handler = staff.get("union1_staff") or staff.get("city_admin")
    handler_at = _granted_path(handler)
    districts = list(UnionNode.objects.unscoped().filter(kind=K.DISTRICT_FEDERATION, path__startswith=city.path)
                     .order_by("path"))
    accounts = {u.phone: u for u in User.objects.filter(kind=User.Kind.WORKER).exclude(phone="")}
    plans = []
    for district in districts:
        memberships = [m for m in Membership.objects.unscoped().filter(
            union__path__startswith=district.path, status=Membership.Status.ACTIVE)
            .select_related("worker", "union").order_by("pk")[:300]]
        if not memberships:
            continue
        for state, days, late in _plan_states(rng, PER_DISTRICT):
            plans.append((rng.choice(memberships), state, days, late, rng.choice(QUESTIONS)))
    demo = (Membership.objects.unscoped().select_related("worker", "union")
            .filter(worker__mobile=DEMO_WORKER_PHONE, status=Membership.Status.ACTIVE).first())
    if demo:
        plans.append((demo, "closed", 20.0, False, QUESTIONS[5]))   # 不签劳动合同: answered
        plans.append((demo, "submitted", 0.1, False, QUESTIONS[9]))  # 年假: waiting

    # Worker accounts for the askers (questions are asked online).
    new_users = []
    for m, *_rest in plans:
        phone = m.worker.mobile
        if phone and phone not in accounts:
            user = User(username=f"w{phone}", phone=phone, kind=User.Kind.WORKER, display_name=m.worker.name)
            user.set_unusable_password()
            accounts[phone] = user
            new_users.append(user)
    User.objects.bulk_create(new_users)
    for m, *_rest in plans:
        if m.worker.user_id is None and m.worker.mobile in accounts:
            m.worker.user = accounts[m.worker.mobile]
            m.worker.save(update_fields=["user"])

    cases, requests, timelines = [], [], []
    for n, (m, state, days, late, (code, question, answer, _words)) in enumerate(plans):
        applicant = accounts.get(m.worker.mobile)
        intro = rng.choice(NAMES_IN_TEXT).format(name=m.worker.name)
        text = intro + question
        node = m.union
        category = categories[code]
        created = _at(days, 8 + (n * 7) % 15, now)
        actor = handler if node.path.startswith(handler_at) else staff.get("city_admin")
        case = Case(case_type=casetype.NAME, number=uuid.uuid4().hex, node=node, node_path=node.path,
                    title=f"{category.name}·咨询：{text[:40]}", applicant=applicant, applicant_name=m.worker.name,
                    state=state, state_entered_at=created, topic=code, is_open=state != "closed")
        req = Request(category=category, kind=Request.Kind.CONSULTATION, description=text,
                      channel=Request.Channel.ONLINE, worker=m.worker, contact_phone=m.worker.mobile,
                      contact_name=m.worker.name)
        timeline = [(created, CaseEvent.Kind.OPENED, "", "", "submitted", text, True, applicant)]
        if state == "submitted":
            case.due_at = calendar.add_working_days(created, 1)
            if case.due_at <= now:
                case.escalated_at = case.due_at + datetime.timedelta(minutes=5)
                case.supervising_node = node.parent or node
                timeline.append((case.escalated_at, CaseEvent.Kind.ESCALATION, "", "", "",
                                 f"已超过办理时限，转{case.supervising_node.name}督办。", False, None))
            case.warn_at = case.due_at - datetime.timedelta(hours=24)
        else:
            accepted = created + datetime.timedelta(hours=rng.uniform(0.5, 20))
            limit = casetype.GRADE_DAYS["general"]
            req.handling_started_at = accepted
            req.handling_due_at = calendar.add_working_days(accepted, limit)
            took = datetime.timedelta(days=limit + 3) if late else datetime.timedelta(hours=rng.uniform(0.5, 60))
            closed = min(accepted + took, now - datetime.timedelta(minutes=30))
            timeline.append((accepted, CaseEvent.Kind.TRANSITION, "accept", "submitted", "handling", "", True, actor))
            timeline.append((closed, CaseEvent.Kind.TRANSITION, "close", "handling", "closed", answer, True, actor))
            req.outcome, req.outcome_at, req.closed_at = answer, closed, closed
            req.on_time = closed <= req.handling_due_at
            req.rating_invited_at = closed
            if applicant is not None and rng.random() < 0.5:
                req.rating, req.rated_at = rng.choice([5, 5, 5, 4, 4, 3]), closed + datetime.timedelta(hours=8)
                timeline.append((req.rated_at, CaseEvent.Kind.TRANSITION, "rate", "closed", "closed", "", True,
                                 applicant))
            case.assignee, case.closed_at, case.state_entered_at, case.due_at = actor, closed, closed, None
        case.version = len([t for t in timeline if t[1] == CaseEvent.Kind.TRANSITION]) + 1
        case._demo_created = created
        cases.append(case)
        requests.append(req)
        timelines.append(timeline)

    Case.objects.bulk_create(cases)
    for case in cases:
        case.number = f"SQ{timezone.localtime(case._demo_created):%Y}{case.pk:06d}"
        case.created_at = case._demo_created
    Case.objects.unscoped().bulk_update(cases, ["number", "created_at"])
    for case, req in zip(cases, requests, strict=True):
        req.case = case
    Request.objects.bulk_create(requests)
    rows = [_event(case, *t[1:7], t[7], t[0]) for case, timeline in zip(cases, timelines, strict=True)
            for t in timeline]
    CaseEvent.objects.bulk_create(rows)
    for row in rows:
        row.at = row._demo_at
    CaseEvent.objects.unscoped().bulk_update(rows, ["at"])

    links, faqs = _link_and_index(rng, requests, search, svc)
    logs = _search_logs(rng, districts, now)
    return {"questions": len(requests), "questions_answered": sum(1 for r in requests if r.outcome),
            "question_links": links, "faqs_from_questions": faqs, "search_logs": logs}


def _link_and_index(rng, requests, search, svc) -> tuple[int, int]:
    """Link answers to the demo articles the asker can read, index the answered questions, and
    publish a dozen good answers as FAQs."""
    from gonghui.kb.models import AnswerLink

    words_of = {q: w for _c, q, _a, w in QUESTIONS}
    links = []
    cache: dict[tuple[str, str], list[int]] = {}
    for req in requests:
        if not req.outcome:
            continue
        words = next((w for q, w in words_of.items() if req.description.endswith(q)), "")
        key = (words, req.case.node_path)
        if key not in cache:
            found = search.search(words, user=None, kinds=("article",), limit=10, log=False).hits if words else []
            linkable = set(svc.linkable_articles(req).filter(pk__in=[h.obj_id for h in found])
                           .values_list("pk", flat=True))
            cache[key] = [h.obj_id for h in found if h.obj_id in linkable][:2]
        for order, article_id in enumerate(cache[key]):
            links.append(AnswerLink(request_id=req.pk, article_id=article_id, order=order))
    AnswerLink.objects.bulk_create(links, ignore_conflicts=True)
    for req in requests:
        if req.outcome:
            svc.index_question(req)
    # A dozen good answers (one per question, the districts in turn) became FAQs at their district.
    district_of = {}
    for req in requests:
        if req.outcome and req.case.node.parent_id:
            district = next((a for a in req.case.node.ancestors() if a.kind == K.DISTRICT_FEDERATION), None)
            if district is not None:
                district_of[req.pk] = district
    districts = sorted({d.pk: d for d in district_of.values()}.values(), key=lambda d: d.path)
    faqs = 0
    for n, (_code, question, _answer, _words) in enumerate(QUESTIONS[:12]):
        if not districts:
            break
        want = districts[n % len(districts)]
        req = next((r for r in requests if r.pk in district_of and district_of[r.pk].pk == want.pk
                    and r.description.endswith(question)), None)
        if req is not None:
            _publish(svc, req, want, svc.faq_draft(req))
            faqs += 1
    return len(links), faqs


def _publish(svc, req, node, draft):
    """The FAQ as publish_faq would make it, written directly: seed_demo's one audit entry covers
    the batch (the services would audit each article)."""
    from gonghui.kb import services_articles
    from gonghui.kb.models import Article
    from gonghui.kb.sanitize import clean_html

    published = (req.outcome_at or timezone.now()) + datetime.timedelta(hours=6)
    article = Article.objects.create(
        node=node, node_path=node.path, kind=Article.Kind.FAQ, status=Article.Status.PUBLISHED,
        title=draft["title"], summary=svc.faq_summary(draft["answer"]), source_request=req,
        category=svc.faq_category(req), published_at=min(published, timezone.now()),
        body_html=clean_html(svc.faq_body_html(draft["question"], draft["answer"], [])))
    services_articles.index_article(article)


def _search_logs(rng, districts, now) -> int:
    from gonghui.kb.models import SearchLog

    rows = []
    for queries, results in ((ZERO_RESULT, 0), (FOUND, None)):
        for query, count in queries:
            for _ in range(count):
                district = rng.choice(districts) if districts else None
                rows.append(SearchLog(query=query, results=results if results is not None else rng.randint(3, 40),
                                      node_path=district.path if district else ""))
    SearchLog.objects.bulk_create(rows)
    for row in rows:
        row.created_at = now - datetime.timedelta(days=rng.uniform(0, 60))
    SearchLog.objects.unscoped().bulk_update(rows, ["created_at"])
    return len(rows)
