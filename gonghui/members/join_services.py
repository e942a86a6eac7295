"""Joining online (入会申请): finding the union, the rules of an application, and approval.

Every write goes through here: ``submit`` (the worker's form, the API), and ``after_transition``,
the "join" case type's hook, which runs inside the engine's transaction — raising ValidationError
there refuses the whole step and writes nothing.
"""

import datetime
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.models import User
from gonghui.audit.models import AuditEntry
from gonghui.audit.services import record
from gonghui.core import crypto
from gonghui.core.scope import subtree_q
from gonghui.core.validators import clean_id_number, clean_mobile
from gonghui.members import joining
from gonghui.members.models import Education, Gender, HouseholdType, JoinApplication, Membership, Worker
from gonghui.members.services import ETHNICITIES, active_membership, enrol, id_facts
from gonghui.orgs.models import UnionNode
from gonghui.workflow import services as workflow
from gonghui.workflow.models import Case

K = UnionNode.Kind
# Unions a worker may apply to: their employer's (grassroots or joint) union, or, when the
# employer has no union, the town or district union of the area, which places them in a joint one.
MEMBER_KINDS = (K.GRASSROOTS_UNION, K.JOINT_GRASSROOTS_UNION)
AREA_KINDS = (K.TOWN_UNION, K.DISTRICT_FEDERATION)
SEARCH_LIMIT = 20
MIN_AGE = 16  # the legal working age: younger people cannot be employees, so cannot join

OPEN = Q(case__is_open=True)


# ----- finding the union -----

def joinable_unions(*, area: bool | None = None):
    """Active unions a worker may apply to (area=True: town and district unions only; False: the
    member-holding ones only; None: both)."""
    kinds = AREA_KINDS if area else MEMBER_KINDS if area is False else MEMBER_KINDS + AREA_KINDS
    return UnionNode.objects.unscoped().filter(active=True, kind__in=kinds)


def is_joinable(node: UnionNode) -> bool:
    return node.active and node.kind in MEMBER_KINDS + AREA_KINDS


_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def search_unions(q: str, *, area: bool = False, limit: int = SEARCH_LIMIT) -> list[UnionNode]:
    """Unions whose name or short name contains ``q`` (Chinese), or whose name's pinyin or pinyin
    initials start with it ("jhjx" finds 江海机械…); at most ``limit``.

    Pinyin keys are matched as index ranges (``>= 'jh'`` and ``< 'jh~'``), one query per key,
    each reading at most ``limit`` rows in the index's order: fast at any number of unions.
    """
    base = joinable_unions(area=area).select_related("parent")
    q = "".join((q or "").split())[:60]
    if not q:
        # Unions of the area are few per district: list them; grassroots unions need a search.
        return list(base.order_by("path")[:limit]) if area else []
    if _CJK.search(q):
        return list(base.filter(Q(name__contains=q) | Q(short_name__contains=q)).order_by("path")[:limit])
    key = "".join(ch for ch in q.lower() if ch.isascii() and ch.isalnum())
    if not key:
        return []
    found = list(base.filter(subtree_q("name_initials", key)).order_by("name_initials", "pk")[:limit])
    if len(found) < limit:
        seen = {n.pk for n in found}
        more = base.filter(subtree_q("name_pinyin", key)).order_by("name_pinyin", "pk")[:limit]
        found += [n for n in more if n.pk not in seen][:limit - len(found)]
    return found


def employer_guess(union: UnionNode) -> str:
    """The enterprise behind a grassroots union's name (江海润丰食品有限公司工会委员会 → 江海润丰食品有限公司)."""
    if union.kind != K.GRASSROOTS_UNION:
        return ""
    name = union.name
    for suffix in ("工会委员会", "联合工会", "工会"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


# ----- the application -----

def derived_from_id(id_number: str) -> tuple[str, datetime.date]:
    """(gender, birth date) stated by a valid 18-digit ID number (GB 11643; clean_id_number checked the date)."""
    return id_facts(id_number)


def _age_on(birth: datetime.date, day: datetime.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _date_text(day: datetime.date) -> str:
    return _("%(y)d年%(m)d月%(d)d日") % {"y": day.year, "m": day.month, "d": day.day}


def clean_application(data: dict, *, union: UnionNode) -> dict:
    """The form's fields checked and normalised; ValidationError keyed by field, in Chinese."""
    errors: dict[str, list[str]] = {}
    cleaned: dict = {}

    def text(name, label, max_length, *, required=True):
        value = " ".join(str(data.get(name) or "").split())
        if not value and required:
            errors[name] = [_("请填写%(label)s。") % {"label": label}]
        elif len(value) > max_length:
            errors[name] = [_("%(label)s最多%(n)d个字。") % {"label": label, "n": max_length}]
        cleaned[name] = value

    def choice(name, label, allowed):
        value = str(data.get(name) or "").strip()
        if not value:
            errors[name] = [_("请选择%(label)s。") % {"label": label}]
        elif value not in allowed:
            errors[name] = [_("%(label)s的选项不正确，请重新选择。") % {"label": label}]
        cleaned[name] = value

    text("name", _("姓名"), 60)
    try:
        cleaned["id_number"] = clean_id_number(str(data.get("id_number") or ""))
    except ValidationError as e:
        errors["id_number"] = e.messages
    try:
        cleaned["mobile"] = clean_mobile(str(data.get("mobile") or ""))
    except ValidationError as e:
        errors["mobile"] = [_("请填写手机号码。")] if not str(data.get("mobile") or "").strip() else e.messages
    choice("ethnicity", _("民族"), ETHNICITIES)
    choice("education", _("学历"), Education.values)
    choice("household_type", _("户籍类型"), HouseholdType.values)
    cleaned["migrant_worker"] = bool(data.get("migrant_worker"))
    text("employer", _("工作单位"), 200)

    gender = str(data.get("gender") or "").strip()
    birth = data.get("birth_date")
    if isinstance(birth, str) and birth.strip():
        try:
            birth = datetime.date.fromisoformat(birth.strip())
        except ValueError:
            errors["birth_date"] = [_("出生日期格式不正确，请按2026-01-31的格式填写。")]
            birth = None
    if gender and gender not in Gender.values:
        errors["gender"] = [_("性别的选项不正确，请重新选择。")]
    if "id_number" in cleaned:
        stated_gender, stated_birth = derived_from_id(cleaned["id_number"])
        if gender in Gender.values and gender != stated_gender:
            errors["gender"] = [_("性别与身份证号不符：身份证号第17位表示%(gender)s，请核对身份证号或性别。")
                                % {"gender": Gender(stated_gender).label}]
        if isinstance(birth, datetime.date) and birth != stated_birth:
            errors["birth_date"] = [_("出生日期与身份证号不符：身份证号显示为%(date)s出生，请核对。")
                                    % {"date": _date_text(stated_birth)}]
        if _age_on(stated_birth, timezone.localdate()) < MIN_AGE:
            errors.setdefault("id_number", []).append(
                _("根据身份证号，您未满%(n)d周岁，暂时不能加入工会。") % {"n": MIN_AGE})
        cleaned["gender"], cleaned["birth_date"] = stated_gender, stated_birth
    if not union.holds_members and not cleaned.get("employer"):
        errors["employer"] = [_("请填写您工作的单位，工会据此为您安排联合基层工会。")]
    if errors:
        raise ValidationError(errors)
    return cleaned


def open_application_of(*, user=None, worker: Worker | None = None) -> JoinApplication | None:
    """The open join application of an account or of a person, if any."""
    who = Q()
    if user is not None:
        who |= Q(case__applicant=user)
    if worker is not None:
        who |= Q(worker=worker)
    if not who:
        return None
    return (JoinApplication.objects.unscoped().filter(who, OPEN, case__case_type=joining.NAME)
            .select_related("case", "case__node", "worker").order_by("case_id").first())


WORKER_FIELDS = ("name", "mobile", "ethnicity", "education", "household_type", "migrant_worker", "employer")


def submit(*, by, union: UnionNode, data: dict) -> tuple[JoinApplication, bool]:
    """A signed-in worker applies to join ``union``; returns (application, created).

    A second application while one is open returns the open one (a double click, a form posted
    twice, a retried API call) instead of opening another. One transaction: on PostgreSQL the
    account's row is locked first, so two concurrent posts of one worker queue (SQLite's
    IMMEDIATE transaction queues all writers).
    """
    if not getattr(by, "is_authenticated", False) or not getattr(by, "is_worker", False):
        raise PermissionDenied(_("入会申请请用职工手机号登录后提交。"))
    if not is_joinable(union):
        raise ValidationError({"union": [_("该组织不受理网上入会申请，请重新选择您单位的工会。")]})
    cleaned = clean_application(data, union=union)
    try:
        with transaction.atomic():
            return _submit_locked(by=by, union=union, cleaned=cleaned)
    except IntegrityError:
        # Another account registered the same ID number at the same moment.
        raise ValidationError({"id_number": [_("该身份证号已由其他手机号登记，请联系工会核实。")]}) from None


def _submit_locked(*, by, union: UnionNode, cleaned: dict) -> tuple[JoinApplication, bool]:
    User.objects.select_for_update().filter(pk=by.pk).first()
    existing = open_application_of(user=by)
    if existing is not None:
        return existing, False

    id_hash = crypto.keyed_hash(cleaned["id_number"])
    mine = Worker.objects.unscoped().select_for_update().filter(user=by).first()
    if mine is not None and (current := active_membership(mine)) is not None:
        raise ValidationError({"__all__": [_("您已是%(union)s的在册会员，如需更换工会请申请转会。")
                                           % {"union": current.union.name}]})
    person = mine if mine is not None and mine.id_number_hash == id_hash else (
        Worker.objects.unscoped().select_for_update().filter(id_number_hash=id_hash).first())
    if person is not None and person is not mine:
        if active_membership(person) is not None:
            raise ValidationError({"id_number": [_("该身份证号已是在册会员，如需更换工会请申请转会。")]})
        if person.user_id and person.user_id != by.pk:
            raise ValidationError({"id_number": [_("该身份证号已由其他手机号登记，请联系工会核实。")]})
        if open_application_of(worker=person) is not None:
            raise ValidationError({"id_number": [_("该身份证号已有一份入会申请正在审核，请联系工会核实。")]})
        if person.name != cleaned["name"]:
            raise ValidationError({"name": [_("姓名与该身份证号的登记信息不一致，请核对；如姓名已变更，请联系工会。")]})
    if mine is not None and person is not mine:
        # The account's record carries another ID number (e.g. a mistyped earlier application).
        if Membership.objects.unscoped().filter(worker=mine).exists():
            raise ValidationError({"id_number": [_("您的账号已登记身份证号%(masked)s，与填写的不一致，请核对；"
                                                   "如登记有误，请联系工会更正。") % {"masked": mine.id_number_masked}]})
        mine.user = None
        mine.save(update_fields=["user", "updated_at"])
        record(by, AuditEntry.Action.CHANGE, mine, event="worker.account_unlinked",
               changes={"user": [by.pk, None]}, extra={"reason": "join application with another ID number"})

    if person is None:
        person = Worker(user=by)
        person.set_id_number(cleaned["id_number"])
        for name in WORKER_FIELDS:
            setattr(person, name, cleaned[name])
        person.save()
        record(by, AuditEntry.Action.CREATE, person, event="worker.registered",
               changes={"name": [None, person.name], "id_number": [None, person.id_number_masked]},
               extra={"source": "join_application"})
    else:
        changes = {name: [getattr(person, name), cleaned[name]] for name in WORKER_FIELDS
                   if getattr(person, name) != cleaned[name]}
        if person.user_id != by.pk:
            changes["user"] = [person.user_id, by.pk]
        for name in WORKER_FIELDS:
            setattr(person, name, cleaned[name])
        person.user = by
        person.gender, person.birth_date = cleaned["gender"], cleaned["birth_date"]
        person.save()
        if changes:
            record(by, AuditEntry.Action.CHANGE, person, event="worker.updated", changes=changes,
                   extra={"source": "join_application"})

    if not by.display_name:  # a new account: staff and the timeline then call the worker by name
        by.display_name = person.name
        by.save(update_fields=["display_name"])
    title = _("%(name)s申请加入%(union)s") % {"name": person.name, "union": union.display_name}
    case = workflow.open_case(joining.NAME, node=union, title=title, by=by, applicant=by,
                              applicant_name=person.name, topic="" if union.holds_members else "no_union")
    application = JoinApplication.objects.create(
        case=case, worker=person, applied_to=union, employer=cleaned["employer"],
        employer_has_union=union.holds_members)
    record(by, AuditEntry.Action.CREATE, application, node=union, event="join.submitted",
           changes={"union": [None, union.pk], "worker": [None, person.pk]})
    return application, True


# ----- approval (the case type's on_transition hook) -----

def after_transition(case: Case, transition, data: dict, by) -> None:
    if transition.name not in ("approve", "place"):
        return
    application = JoinApplication.objects.unscoped().select_related("worker").get(pk=case.pk)
    union = case.node if transition.name == "approve" else data["union"]
    worker = Worker.objects.unscoped().select_for_update().get(pk=application.worker_id)
    current = active_membership(worker)
    if current is not None:
        raise ValidationError({"__all__": [
            _("%(name)s已是%(union)s的在册会员（会员号%(number)s），不能再次入会；请选择“不予通过”并告知职工。")
            % {"name": worker.name, "union": current.union.name, "number": current.member_number}]})
    from gonghui.members.numbers import next_number

    try:
        with transaction.atomic():
            membership = enrol(worker, union, member_number=next_number(), joined_on=timezone.localdate(), by=by)
    except IntegrityError:  # became a member elsewhere at this very moment
        raise ValidationError({"__all__": [_("%(name)s刚刚已在其他工会登记为会员，不能再次入会。")
                                           % {"name": worker.name}]}) from None
    application.membership = membership
    application.save(update_fields=["membership"])
    record(by, AuditEntry.Action.CHANGE, application, node=union, event="join.approved",
           changes={"membership": [None, membership.pk]},
           extra={"union": union.pk, "member_number": membership.member_number})


# ----- reading -----

def applications_of(user, limit: int = 100) -> list[JoinApplication]:
    """A worker's own applications, newest first, with the union and (if approved) the membership."""
    return list(JoinApplication.objects.unscoped().filter(case__applicant=user, case__case_type=joining.NAME)
                .select_related("case", "case__node", "applied_to", "membership", "membership__union")
                .order_by("-case__created_at")[:limit])


def decision_note(case: Case) -> str:
    """What the union wrote to the worker on its last visible step (a rejection's reason)."""
    event = (case.events.unscoped().filter(kind="transition", visible_to_applicant=True)
             .exclude(text="").order_by("-at", "-id").first())
    return event.text if event else ""
