"""Demo join applications (入会申请) for the fictional 江海市总工会, in every district.

``seed_join(rng)`` is called by ``seed_demo`` inside its transaction, after the tree, the staff and
the members exist. Like the demo's members and requests, the rows are written directly (not through
the services), so the whole seed stays one audited batch and fills no inbox with notifications; they
are what the engine and join_services would have written: the applicant's account and record, the
case with its due time on the working-day calendar, the timeline, the membership of an approved one,
and the escalation (督办) of the overdue one. Applicants are new people (fake valid ID numbers, no
membership before) with worker accounts named w<mobile>, like the demo requests' workers.
"""

import datetime
import uuid

from django.utils import timezone
from django.utils.translation import gettext as _
from faker import Faker

from gonghui.accounts.models import Grant, User
from gonghui.accounts.roles import permissions_of
from gonghui.core import crypto
from gonghui.demo.idnumbers import fake_id_number
from gonghui.members import join_services, joining
from gonghui.members.models import Education, HouseholdType, JoinApplication, Membership, Worker
from gonghui.members.numbers import format_number, reserve
from gonghui.orgs.models import UnionNode
from gonghui.workflow import calendar
from gonghui.workflow.models import Case, CaseEvent

K = UnionNode.Kind
EMPLOYERS_WITHOUT_UNION = ["江海顺风家政服务部", "江海市小刘汽车维修店", "江海鲜丰水果超市", "江海同城骑手配送站",
                           "江海小桥面馆", "江海明亮装饰工作室"]
REJECT_REASONS = ["经与单位核实，您已于上月离职，请在新单位工会申请入会。",
                  "身份证号与本人信息不一致，请核对后重新申请。",
                  "您的单位已建立工会，请直接向单位工会申请。"]
WELCOME = "欢迎加入工会！电子会员卡已可在网上工会“我的”中查看。"

# (what, where, days ago it was submitted). Every district gets each of these; district 1 also has
# the overdue one (its union's staff are the demo accounts union1_staff and district1_staff).
PLAN = [
    ("pending", "grassroots", 0),
    ("pending", "grassroots", 4),
    ("pending", "district", 2),   # the employer has no union: the district union places the worker
    ("pending", "town", 1),       # …or the town union (which hands it on: joint unions sit under districts)
    ("approved", "grassroots", 9),
    ("approved", "district", 12),  # placed in the district's joint union
    ("rejected", "grassroots", 7),
    ("withdrawn", "grassroots", 3),
]


def _decider(node: UnionNode) -> User | None:
    """A staff member allowed to decide at ``node`` (the nearest grant at or above it)."""
    paths = [node.path[:i] for i in range(len(node.path), 0, -4)]
    grants = (Grant.objects.unscoped().filter(node__path__in=paths, user__is_active=True)
              .select_related("user", "node").order_by("-node__depth", "user__username"))
    return next((g.user for g in grants if joining.APPROVE in permissions_of(g.role)), None)


class _Seeder:
    def __init__(self, rng):
        self.rng = rng
        self.now = timezone.now()
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(rng.randint(0, 10**9))
        self.phones = set(User.objects.exclude(phone="").values_list("phone", flat=True)) | set(
            Worker.objects.unscoped().exclude(mobile="").values_list("mobile", flat=True))
        self.made = 0

    def phone(self) -> str:
        while True:
            number = self.rng.choice(["135", "139", "150", "177", "186", "189"]) + f"{self.rng.randrange(10**8):08d}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    def id_number(self) -> str:
        while True:
            number = fake_id_number(self.rng, born_from=1970, born_to=2003)
            if not Worker.objects.unscoped().filter(id_number_hash=crypto.keyed_hash(number)).exists():
                return number

    def applicant(self, employer: str) -> tuple[User, Worker]:
        phone = self.phone()
        id_number = self.id_number()
        female = int(id_number[16]) % 2 == 0
        name = self.fake.name_female() if female else self.fake.name_male()
        user = User(username=f"w{phone}", phone=phone, kind=User.Kind.WORKER, display_name=name)
        user.set_unusable_password()
        user.save()
        household = self.rng.choice(HouseholdType.values)
        worker = Worker(name=name, mobile=phone, user=user, employer=employer,
                        ethnicity=self.rng.choice(["汉族"] * 8 + ["回族", "满族"]),
                        education=self.rng.choice(Education.values), household_type=household,
                        migrant_worker=household == HouseholdType.RURAL and self.rng.random() < 0.7)
        worker.set_id_number(id_number)
        worker.save()
        return user, worker

    def _event(self, case, at, kind, *, transition="", from_state="", to_state="", text="", actor=None,
               visible=True, data=None) -> CaseEvent:
        event = CaseEvent.objects.create(case=case, kind=kind, transition=transition, from_state=from_state,
                                         to_state=to_state, text=text, actor=actor,
                                         actor_name=str(actor) if actor else _("系统"), visible_to_applicant=visible,
                                         data=data or {})
        CaseEvent.objects.unscoped().filter(pk=event.pk).update(at=at)
        return event

    def application(self, what: str, union: UnionNode, days_ago: float, *, reason: str = "",
                    overdue: bool = False) -> JoinApplication:
        employer = (join_services.employer_guess(union) if union.holds_members
                    else self.rng.choice(EMPLOYERS_WITHOUT_UNION))
        user, worker = self.applicant(employer)
        opened = self.now - datetime.timedelta(days=days_ago, hours=self.rng.randint(0, 6))
        decided = min(opened + datetime.timedelta(days=1, hours=2), self.now)
        title = _("%(name)s申请加入%(union)s") % {"name": worker.name, "union": union.display_name}
        case = Case(case_type=joining.NAME, title=title, applicant=user, applicant_name=worker.name, node=union,
                    node_path=union.path, state="submitted", topic="" if union.holds_members else "no_union",
                    number=uuid.uuid4().hex, state_entered_at=opened)
        due = calendar.add_working_days(opened, joining.join_days())
        case.due_at, case.warn_at = due, due - datetime.timedelta(hours=24)
        case.save()
        case.number = f"RH{timezone.localtime(opened):%Y}{case.pk:06d}"
        self._event(case, opened, CaseEvent.Kind.OPENED, to_state="submitted", actor=user)
        application = JoinApplication.objects.create(case=case, worker=worker, applied_to=union, employer=employer,
                                                      employer_has_union=union.holds_members)
        decider = _decider(union)
        if what in ("approved", "rejected") and decider is None:
            what = "pending"
        if what == "approved" and not union.holds_members and not joining.placement_targets(case).exists():
            what = "pending"
        if what == "approved":
            target = union if union.holds_members else joining.placement_targets(case).first()
            transition = "approve" if union.holds_members else "place"
            membership = Membership.objects.create(
                worker=worker, union=target, member_number=format_number(reserve(1)[0]),
                joined_on=timezone.localtime(decided).date())
            application.membership = membership
            application.save(update_fields=["membership"])
            note = WELCOME if union.holds_members else _("已安排您加入%(union)s。") % {"union": target.name}
            data = {"note": note} | ({} if union.holds_members else {"union": target.pk})
            self._event(case, decided, CaseEvent.Kind.TRANSITION, transition=transition, from_state="submitted",
                        to_state="approved", text=note, actor=decider, data=data)
            case.state, case.assignee = "approved", decider
        elif what == "rejected":
            self._event(case, decided, CaseEvent.Kind.TRANSITION, transition="reject", from_state="submitted",
                        to_state="rejected", text=reason, actor=decider, data={"note": reason})
            case.state, case.assignee = "rejected", decider
        elif what == "withdrawn":
            self._event(case, decided, CaseEvent.Kind.TRANSITION, transition="withdraw", from_state="submitted",
                        to_state="withdrawn", actor=user)
            case.state = "withdrawn"
        if case.state != "submitted":
            case.version, case.is_open, case.closed_at, case.state_entered_at = 2, False, decided, decided
            case.due_at = case.warn_at = None
        elif overdue:
            # What the engine's sweep wrote: a warning before the due time, then the parent supervises.
            parent = case.type.escalation_node(case)
            case.warned_at, case.escalated_at, case.supervising_node = case.warn_at, due + datetime.timedelta(
                minutes=5), parent
            self._event(case, case.warn_at, CaseEvent.Kind.WARNING, visible=False,
                        text=_("即将到期：请在%(due)s前办理。") % {"due": f"{timezone.localtime(due):%Y-%m-%d %H:%M}"})
            self._event(case, case.escalated_at, CaseEvent.Kind.ESCALATION, visible=False,
                        text=_("已超过办理时限，转%(node)s督办。") % {"node": parent.name},
                        data={"supervising_node": parent.pk})
        case.save()
        Case.objects.unscoped().filter(pk=case.pk).update(created_at=opened)
        JoinApplication.objects.unscoped().filter(pk=case.pk).update(created_at=opened)
        self.made += 1
        return application


def seed_join(rng) -> dict:
    """Join applications in every district: pending (one overdue), approved (one placed in a joint
    union), rejected, withdrawn. Returns counts for seed_demo's summary."""
    seeder = _Seeder(rng)
    city = UnionNode.objects.unscoped().filter(kind=K.CITY_FEDERATION).order_by("path").first()
    if city is None:
        return {"join_applications": 0}
    districts = UnionNode.objects.unscoped().filter(parent=city, kind=K.DISTRICT_FEDERATION).order_by("path")
    for d, district in enumerate(districts):
        subtree = district.subtree().filter(active=True)
        # Unions directly under the district first: in district 1 that is union 1 of the demo accounts.
        grassroots = list(subtree.filter(kind=K.GRASSROOTS_UNION).order_by("depth", "path"))
        towns = list(subtree.filter(kind=K.TOWN_UNION).order_by("path"))
        if not grassroots:
            continue
        for n, (what, where, days_ago) in enumerate(PLAN):
            if where == "town" and not towns:
                continue
            union = {"district": district, "town": towns[0] if towns else None}.get(
                where, grassroots[(n + 3 * d) % len(grassroots)] if n else grassroots[0])
            seeder.application(what, union, days_ago, reason=REJECT_REASONS[d % len(REJECT_REASONS)])
        if d == 0:
            # District 1's overdue one: submitted five weeks ago at union 1, escalated to the parent union.
            seeder.application("pending", grassroots[0], 35, overdue=True)
    return {"join_applications": seeder.made}
