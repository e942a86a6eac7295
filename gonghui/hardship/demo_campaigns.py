"""Demo data of the hardship app's campaigns part: this year's 金秋助学 rounds (东湖区's own and the
city's for the other districts) with applications in every state — the demo worker's one paid, so
"我的服务" shows it — and a 送温暖 campaign in 东湖区 whose visit list is partly visited.

Called by ``seed_demo`` inside its transaction. Like the other demo modules, rows are written
directly (not through the services) so the whole seed stays one audited batch; timelines are
written as the engine would, and grants paid and visits made get their ledger rows (the ledger is
not audited separately).
"""

import datetime
import hashlib
import random
import uuid
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone

from gonghui.core import crypto
from gonghui.demo.idnumbers import fake_id_number
from gonghui.hardship import golden_autumn
from gonghui.hardship import services_campaigns as svc
from gonghui.hardship.golden_autumn import GOLDEN_AUTUMN
from gonghui.hardship.models import (
    GoldenAutumnApplication,
    GoldenAutumnRound,
    HardshipFile,
    SendWarmthCampaign,
    WarmthTarget,
    WarmthVisit,
)
from gonghui.hardship.models_campaigns import LEVEL_SHORT
from gonghui.ledger.services import record_service
from gonghui.members.models import Membership, Worker
from gonghui.orgs.models import UnionNode
from gonghui.workflow import calendar
from gonghui.workflow.declarations import TimeLimit
from gonghui.workflow.models import Case, CaseAttachment, CaseEvent

K = UnionNode.Kind
WORKER_PHONE = "13800000001"
# A 1×1 PNG: the demo's admission letters and visit photos.
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
SCHOOLS = [("college", "江海大学"), ("college", "江海职业技术学院"), ("high_school", "江海市第一中学"),
           ("college", "南京师范大学"), ("high_school", "东湖区职业高级中学"), ("college", "江苏科技大学"),
           ("high_school", "江海市实验中学"), ("college", "苏州大学")]
CHILD_NAMES = ["小雨", "佳怡", "子轩", "梓涵", "浩然", "欣怡", "宇航", "思远", "雨桐", "俊杰"]
# The state each demo application is left in, and how many days ago it was submitted (the first is
# the demo worker's). "notice_over": noticed, the period ran, waiting for the district's batch.
PLAN = [("paid", 40), ("paid", 38), ("approved", 30), ("approved", 28), ("notice_over", 21), ("notice", 4),
        ("submitted", 3), ("submitted", 1), ("rejected", 25), ("rejected", 12)]
REJECT_NOTE = "经核实，该生已获市教育局全额资助，按规定不再重复资助。"


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _bank(rng) -> str:
    return "622202" + "".join(str(rng.randint(0, 9)) for _ in range(13))


class _Writer:
    """Writes golden_autumn cases and their timelines as the engine would, without audit entries."""

    def __init__(self):
        self.events: list[CaseEvent] = []

    def open(self, node, title, applicant, applicant_name, topic, at, actor) -> Case:
        case = Case(case_type=golden_autumn.NAME, title=title[:200], node=node, node_path=node.path, topic=topic,
                    applicant=applicant, applicant_name=applicant_name, number=uuid.uuid4().hex)
        self._enter(case, "submitted", at)
        case.save()
        Case.objects.unscoped().filter(pk=case.pk).update(created_at=at)
        case.created_at = at
        case.number = f"{GOLDEN_AUTUMN.number_prefix}{timezone.localtime(at):%Y}{case.pk:06d}"
        self.events.append(CaseEvent(case=case, actor=actor, actor_name=str(actor), kind=CaseEvent.Kind.OPENED,
                                     to_state="submitted", at=at))
        return case

    def attach(self, case, at, actor):
        attachment = CaseAttachment(case=case, name="录取通知书.png", extension=".png", content_type="image/png",
                                    size=len(PNG), sha256=hashlib.sha256(PNG).hexdigest(), uploaded_by=actor)
        attachment.file.save("upload", ContentFile(PNG), save=False)
        attachment.save()
        self.events.append(CaseEvent(case=case, actor=actor, actor_name=str(actor), kind=CaseEvent.Kind.ATTACHMENT,
                                     text=attachment.name, data={"attachment": attachment.pk}, at=at))

    def _enter(self, case, state_name, at):
        state = GOLDEN_AUTUMN.state(state_name)
        case.state, case.state_entered_at, case.warned_at = state_name, at, None
        limit = None if state.terminal else (TimeLimit(5 + golden_autumn.APPROVAL_DAYS) if state_name == "notice"
                                             else state.time_limit)
        if limit is None:
            case.due_at = case.warn_at = None
        else:
            case.due_at = calendar.due_at(at, limit)
            case.warn_at = case.due_at - limit.warn_before
        if state.terminal:
            case.is_open, case.closed_at = False, at

    def step(self, case, name, at, actor, note=""):
        transition = GOLDEN_AUTUMN.transition(name)
        from_state = case.state
        if case.assignee_id is None and transition.level != "applicant":
            case.assignee = actor
        self._enter(case, transition.target, at)
        case.version += 1
        self.events.append(CaseEvent(case=case, actor=actor, actor_name=str(actor), kind=CaseEvent.Kind.TRANSITION,
                                     transition=name, from_state=from_state, to_state=case.state, text=note,
                                     data={"note": note} if note else {}, at=at,
                                     visible_to_applicant=transition.visible_to_applicant))

    def finish(self, cases):
        for case in cases:
            case.save()
        moments = [event.at for event in self.events]  # auto_now_add overwrites them on insert
        created = CaseEvent.objects.bulk_create(self.events)
        for event, moment in zip(created, moments, strict=True):
            if event.pk is not None:
                CaseEvent.objects.unscoped().filter(pk=event.pk).update(at=moment)


def _users():
    User = get_user_model()
    return {u.username: u for u in User.objects.filter(username__in=("district1_staff", "union1_staff",
                                                                       "city_admin"))}


def _applicants(district: UnionNode, demo_worker: Worker | None, count: int) -> list[Worker]:
    """The demo worker, registered households of the district (the core part's demo files), then
    other members of its unions."""
    from gonghui.core.scope import subtree_q

    chosen: list[Worker] = [demo_worker] if demo_worker is not None else []
    seen = {w.pk for w in chosen}
    files = (HardshipFile.objects.unscoped().filter(subtree_q("node_path", district.path),
                                                   status=HardshipFile.Status.REGISTERED)
             .select_related("worker").order_by("pk")[:count])
    for f in files:
        if f.worker_id not in seen and len(chosen) < count:
            chosen.append(f.worker)
            seen.add(f.worker_id)
    members = (Membership.objects.unscoped().filter(subtree_q("node_path", district.path), status="active")
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
    now = timezone.now()
    opens = max(datetime.date(today.year, 1, 1), today - datetime.timedelta(days=45))
    closes = min(datetime.date(today.year, 12, 31), today + datetime.timedelta(days=30))
    approver, handler = users.get("district1_staff"), users.get("union1_staff")
    rnd = GoldenAutumnRound.objects.create(
        node=district, year=today.year, title=f"{today.year}年东湖区金秋助学", opens_on=opens, closes_on=closes,
        budget=Decimal("300000"), created_by=approver,
        note="资助当年录取的大学新生和高中新生：在档困难职工子女大学5000元、高中2000元，其他困难职工子女1000元。"
             "请上传录取通知书。")
    if city is not None:
        GoldenAutumnRound.objects.create(node=city, year=today.year, title=f"{today.year}年江海市金秋助学",
                                         opens_on=opens, closes_on=closes, budget=Decimal("800000"),
                                         created_by=users.get("city_admin"))
    if approver is None:
        return 0
    writer, cases, made = _Writer(), [], 0
    demo_worker = Worker.objects.unscoped().filter(mobile=WORKER_PHONE, user__isnull=False).first()
    pairs = list(zip(_applicants(district, demo_worker, len(PLAN)), PLAN, strict=False))
    if demo_worker is not None:
        pairs.append((demo_worker, ("withdrawn", 2)))  # the demo worker's second child, applied for by mistake
    for n, (worker, (target, days_ago)) in enumerate(pairs):
        elig = svc.eligibility(worker)
        if elig.union is None or elig.round != rnd or not elig.group:
            continue
        level, school = SCHOOLS[n % len(SCHOOLS)]
        child = worker.name[0] + ("小雪" if target == "withdrawn" else CHILD_NAMES[n % len(CHILD_NAMES)])
        child_id = fake_id_number(rng, born_from=today.year - 19, born_to=today.year - 15)
        account = elig.file.full_bank_account() if elig.file and elig.file.bank_account_encrypted else _bank(rng)
        own = worker.user_id is not None
        grassroots = handler if handler is not None and elig.union.path.startswith(
            _grant_path(handler)) else approver
        applied_at = _at(today - datetime.timedelta(days=days_ago), 21 if own else 10, rng.randint(0, 59))
        applicant_actor = worker.user if own else grassroots
        case = writer.open(elig.union, f"{worker.name}为子女{child}申请金秋助学（{LEVEL_SHORT[level]}）",
                           worker.user, worker.name, level, applied_at, applicant_actor)
        writer.attach(case, applied_at, applicant_actor)
        app = GoldenAutumnApplication(
            case=case, round=rnd, year=rnd.year, worker=worker, file=elig.file, group=elig.group,
            hardship_note="" if elig.file else "家中老人患病，子女学费负担较重。", child_name=child,
            child_id_encrypted=crypto.encrypt(child_id), child_id_hash=crypto.keyed_hash(child_id),
            child_id_masked=crypto.mask_id_number(child_id), school=school, admission_year=rnd.year, level=level,
            bank_name=(elig.file.bank_name if elig.file and elig.file.bank_name else "工商银行江海分行"),
            bank_account_encrypted=crypto.encrypt(account), bank_account_masked=svc._mask_account(account),
            amount=elig.amount_for(level))
        if target in ("withdrawn", "rejected"):
            app.active = False
        if target == "withdrawn":
            writer.step(case, "withdraw", applied_at + datetime.timedelta(hours=1), worker.user)
        elif target == "rejected":
            writer.step(case, "reject", applied_at + datetime.timedelta(days=2, hours=-5), grassroots, REJECT_NOTE)
        elif target != "submitted":
            verified_at = applied_at + datetime.timedelta(days=2, hours=-4) if target != "notice" else \
                now - datetime.timedelta(days=1)
            writer.step(case, "verify", verified_at, grassroots, "已入户核实，情况属实。")
            app.notice_ends_at = calendar.due_at(verified_at, TimeLimit(5))
            if target in ("approved", "paid"):
                approved_at = min(app.notice_ends_at + datetime.timedelta(days=1, hours=10),
                                  now - datetime.timedelta(days=2))
                writer.step(case, "approve", approved_at, approver, "经公示无异议，同意资助。")
                app.approved_on = timezone.localtime(approved_at).date()
                if target == "paid":
                    paid_at = approved_at + datetime.timedelta(days=1)
                    writer.step(case, "pay", paid_at, approver)
                    app.paid_on = timezone.localtime(paid_at).date()
        app.save()
        if app.paid_on:
            record_service(worker=worker, kind=svc.KIND_GOLDEN, app="hardship", source=app,
                           title=f"{rnd.title}：{child}（{school}）", delivering_union=rnd.node, amount=app.amount,
                           delivered_on=app.paid_on, by=approver)
        cases.append(case)
        made += 1
    writer.finish(cases)
    return made


def _grant_path(user) -> str:
    from gonghui.core.scope import user_grants

    grants = user_grants(user)
    return grants[0][0] if grants else "~"


def _seed_warmth(rng: random.Random, users, district) -> tuple[int, int]:
    approver = users.get("district1_staff")
    today = timezone.localdate()
    festival_year = today.year + 1 if today.month >= 10 else today.year
    campaign = SendWarmthCampaign.objects.create(
        node=district, name=f"{festival_year}年春节送温暖", starts_on=today - datetime.timedelta(days=10),
        ends_on=today + datetime.timedelta(days=60), budget=Decimal("200000"), standard_amount=Decimal("800"),
        categories=["deep", "relative", "accident"], include_model_workers=True, created_by=approver)
    svc.list_from_registry(campaign)
    # Two model workers of union 1, added to the list by hand as the rule allows.
    union1 = (UnionNode.objects.unscoped().filter(parent=district, kind=K.GRASSROOTS_UNION).order_by("path").first())
    if union1 is not None:
        listed = WarmthTarget.objects.unscoped().filter(campaign=campaign).values("worker")
        for m in (Membership.objects.unscoped().filter(union=union1, status="active").exclude(worker__in=listed)
                  .exclude(worker__mobile=WORKER_PHONE).select_related("worker").order_by("-pk")[:2]):
            WarmthTarget.objects.create(campaign=campaign, worker=m.worker, union=union1, node_path=union1.path,
                                        group=WarmthTarget.Group.MODEL_WORKER)
    targets = list(WarmthTarget.objects.unscoped().filter(campaign=campaign).select_related("union", "worker")
                   .order_by("pk"))
    visited = 0
    for n, target in enumerate(targets):
        if n % 5 >= 3:  # about 60% visited so far
            continue
        goods = n % 3 == 2
        visit = WarmthVisit(
            target=target, visited_on=today - datetime.timedelta(days=rng.randint(0, 9)),
            visitors="区总工会帮扶中心、所在工会主席", kind="goods" if goods else "cash",
            value=Decimal("500" if goods else "800"), goods="米、油、棉被" if goods else "",
            note="了解家庭近况，送上节日慰问。", created_by=approver)
        if n % 2 == 0:
            visit.photo.save(uuid.uuid4().hex, ContentFile(PNG), save=False)
            visit.photo_type = "image/png"
        visit.save()
        record_service(worker=target.worker, kind=svc.KIND_WARMTH, app="hardship", source=visit,
                       title=f"{campaign.name}（{visit.kind_label}）", delivering_union=target.union,
                       amount=visit.value, delivered_on=visit.visited_on, by=approver)
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
