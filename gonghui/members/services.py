"""Workers and memberships: registering, enrolling, editing, status changes, and finding members.

Every write is one atomic function taking the acting user as ``by`` and writing its audit entry.
Transfers (转会) are a case type of their own: see members/transfers.py.
"""

import datetime
import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Substr
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.audit.models import AuditEntry
from gonghui.audit.services import record
from gonghui.core import crypto
from gonghui.core.scope import require_permission, subtree_expression_q, subtree_q
from gonghui.core.validators import clean_id_number, clean_mobile
from gonghui.members import numbers
from gonghui.members.models import (
    ETHNICITIES,
    Education,
    Gender,
    HouseholdType,
    Membership,
    MembershipChange,
    Worker,
)
from gonghui.members.pinyin import SURNAME_READINGS, name_keys

# The 56 ethnic groups of China (GB 3304), in the standard order.

# Profile fields a form or the API may set beside name, ID number and mobile.
PROFILE_FIELDS = ("ethnicity", "education", "household_type", "migrant_worker", "employer")


def find_worker_by_id_number(id_number: str) -> Worker | None:
    """Exact look-up through the keyed hash; nothing is decrypted."""
    return Worker.objects.unscoped().filter(id_number_hash=crypto.keyed_hash(clean_id_number(id_number))).first()


def id_facts(normalised: str) -> tuple[str, datetime.date | None]:
    """(gender code, birth date) that an 18-digit ID number states (GB 11643)."""
    gender = Gender.MALE if int(normalised[16]) % 2 else Gender.FEMALE
    try:
        born = datetime.date(int(normalised[6:10]), int(normalised[10:12]), int(normalised[12:14]))
    except ValueError:
        born = None
    return gender, born


def _check_against_id(normalised: str, gender: str, birth_date, errors: dict) -> None:
    """A gender or birth date typed on a form must be what the ID number says."""
    id_gender, id_birth = id_facts(normalised)
    if gender and gender != id_gender:
        errors["gender"] = [_("性别与身份证号不符：身份证号第17位表示%(gender)s，请核对。")
                            % {"gender": Gender(id_gender).label}]
    if birth_date and id_birth and birth_date != id_birth:
        errors["birth_date"] = [_("出生日期与身份证号不符：身份证号中的出生日期是%(date)s，请核对。")
                                % {"date": f"{id_birth.year}年{id_birth.month}月{id_birth.day}日"}]


def _clean_profile(data: dict, errors: dict) -> dict:
    """Ethnicity, education, household type, migrant flag and employer, checked; unknown keys ignored."""
    cleaned = {}
    if "ethnicity" in data:
        value = (data["ethnicity"] or "").strip()
        if value and value not in ETHNICITIES:
            errors["ethnicity"] = [_("民族请从56个民族中选择，例如“汉族”。")]
        cleaned["ethnicity"] = value
    if "education" in data:
        value = data["education"] or ""
        if value and value not in Education.values:
            errors["education"] = [_("学历的选项不正确。")]
        cleaned["education"] = value
    if "household_type" in data:
        value = data["household_type"] or ""
        if value and value not in HouseholdType.values:
            errors["household_type"] = [_("户籍类型请选择城镇或农村。")]
        cleaned["household_type"] = value
    if "migrant_worker" in data:
        cleaned["migrant_worker"] = bool(data["migrant_worker"])
    if "employer" in data:
        value = (data["employer"] or "").strip()
        if len(value) > 200:
            errors["employer"] = [_("工作单位最多200字。")]
        cleaned["employer"] = value
    return cleaned


def clean_person(*, name: str, id_number: str, mobile: str, gender: str = "", birth_date=None,
                  profile: dict | None = None) -> tuple[dict, dict]:
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("请填写姓名。")]
    elif len(name) > 60:
        errors["name"] = [_("姓名最多60字。")]
    try:
        id_number = clean_id_number(id_number)
    except ValidationError as e:
        errors["id_number"] = e.messages
    else:
        _check_against_id(id_number, gender, birth_date, errors)
    mobile = (mobile or "").strip()
    if mobile:
        try:
            mobile = clean_mobile(mobile)
        except ValidationError as e:
            errors["mobile"] = e.messages
    cleaned = {"name": name, "id_number": id_number, "mobile": mobile}
    cleaned.update(_clean_profile(profile or {}, errors))
    return cleaned, errors


@transaction.atomic
def register_worker(*, name: str, id_number: str, mobile: str = "", gender: str = "", birth_date=None,
                    by, **profile) -> Worker:
    """A new person in the register. Gender and birth date come from the ID number; when the caller
    also states them (a form, an import), they must agree with it."""
    cleaned, errors = clean_person(name=name, id_number=id_number, mobile=mobile, gender=gender,
                                    birth_date=birth_date, profile=profile)
    if not errors and Worker.objects.unscoped().filter(
            id_number_hash=crypto.keyed_hash(cleaned["id_number"])).exists():
        errors["id_number"] = [_("该身份证号已登记。")]
    if errors:
        raise ValidationError(errors)
    worker = Worker(name=cleaned["name"], mobile=cleaned["mobile"],
                    **{k: v for k, v in cleaned.items() if k in PROFILE_FIELDS})
    worker.set_id_number(cleaned["id_number"])
    try:
        with transaction.atomic():
            worker.save()
    except IntegrityError:  # the same number registered a moment ago by someone else
        raise ValidationError({"id_number": [_("该身份证号已登记。")]}) from None
    record(by, AuditEntry.Action.CREATE, worker, event="worker.registered",
           changes={"name": [None, worker.name], "id_number": [None, worker.id_number_masked]})
    return worker


ALREADY_ACTIVE = _("该职工已是其他基层工会的在册会员：同一身份证号在全市只能有一个在册会籍。"
                   "如需加入本工会，请办理转会（由职工在网上工会申请，或由原工会发起）。")


def _already_active_message(worker: Worker, union) -> str:
    current = active_membership(worker)
    if current is not None and current.union_id == union.pk:
        return _("该职工已是本工会的在册会员（会员号%(number)s），无需重复登记。") % {"number": current.member_number}
    return str(ALREADY_ACTIVE)


@transaction.atomic
def enrol(worker: Worker, union, *, member_number: str | None = None, joined_on=None, by) -> Membership:
    """Make ``worker`` a member of ``union``; a member number is allocated when none is given."""
    if not union.holds_members:
        raise ValidationError({"union": [_("会员只能加入基层工会或联合基层工会。")]})
    if not union.active:
        raise ValidationError({"union": [_("该工会已停用，不能接收会员。")]})
    if Membership.objects.unscoped().filter(worker=worker, status=Membership.Status.ACTIVE).exists():
        raise ValidationError({"worker": [_("该职工已是会员，请办理转会。")]})
    joined_on = joined_on or timezone.localdate()
    if joined_on > timezone.localdate():
        raise ValidationError({"joined_on": [_("入会日期不能晚于今天。")]})
    member_number = member_number or numbers.next_number()
    membership = Membership(worker=worker, union=union, member_number=member_number, joined_on=joined_on,
                            node_path=union.path, sort_name=worker.name_pinyin)
    try:
        with transaction.atomic():  # the constraint decides between two concurrent enrolments
            membership.save()
    except IntegrityError:
        if Membership.objects.unscoped().filter(member_number=member_number).exists():
            raise ValidationError({"member_number": [_("会员号%(number)s已被使用。") % {"number": member_number}]}) \
                from None
        raise ValidationError({"worker": [_("该职工已是会员，请办理转会。")]}) from None
    record(by, AuditEntry.Action.CREATE, membership, event="membership.created",
           changes={"union": [None, union.pk], "member_number": [None, member_number]})
    return membership


@transaction.atomic
def register_and_enrol(*, union, joined_on=None, by, **person) -> Membership:
    """The console's "register a member": a new person, or a former member coming back, enrolled in
    ``union``. A person who is an active member anywhere in the tree is refused with a clear reason."""
    require_permission(by, "members.change", union.path)
    try:
        normalised = clean_id_number(person.get("id_number", ""))
    except ValidationError:
        normalised = None
    existing = Worker.objects.unscoped().filter(id_number_hash=crypto.keyed_hash(normalised)).first() \
        if normalised else None
    if existing is None:
        cleaned, errors = clean_person(
            name=person.get("name", ""), id_number=person.get("id_number", ""), mobile=person.get("mobile", ""),
            gender=person.get("gender", ""), birth_date=person.get("birth_date"),
            profile={k: person[k] for k in PROFILE_FIELDS if k in person})
        _check_joined_on(joined_on, cleaned, errors)
        if not union.holds_members:
            errors["union"] = [_("会员只能加入基层工会或联合基层工会。")]
        if errors:
            raise ValidationError(errors)
        worker = register_worker(by=by, **{k: person.get(k, "") for k in ("name", "id_number", "mobile")},
                                 **{k: person[k] for k in PROFILE_FIELDS if k in person})
    else:
        if Membership.objects.unscoped().filter(worker=existing, status=Membership.Status.ACTIVE).exists():
            raise ValidationError({"id_number": [_already_active_message(existing, union)]})
        # A former member (left, transferred out) joins again: their profile is brought up to date.
        update = {k: person[k] for k in ("name", "mobile", *PROFILE_FIELDS) if k in person}
        update.update({k: person[k] for k in ("gender", "birth_date") if person.get(k)})
        errors: dict = {}
        _check_joined_on(joined_on, {"id_number": normalised}, errors)
        if errors:
            raise ValidationError(errors)
        worker = update_worker(existing, by=by, node=union, **update)
    try:
        return enrol(worker, union, joined_on=joined_on, by=by)
    except ValidationError as e:
        if "worker" in e.message_dict:
            raise ValidationError({"id_number": [_already_active_message(worker, union)]}) from None
        raise


def _check_joined_on(joined_on, cleaned: dict, errors: dict) -> None:
    if joined_on is None:
        return
    if joined_on > timezone.localdate():
        errors["joined_on"] = [_("入会日期不能晚于今天。")]
    elif cleaned.get("id_number") and "id_number" not in errors:
        _gender, born = id_facts(cleaned["id_number"])
        if born and joined_on < born:
            errors["joined_on"] = [_("入会日期早于出生日期，请核对。")]


EDITABLE = ("name", "mobile", *PROFILE_FIELDS)


@transaction.atomic
def update_worker(worker: Worker, *, by, node=None, id_number: str | None = None, gender: str = "",
                  birth_date=None, **fields) -> Worker:
    """Change a person's profile. A new name re-derives the pinyin keys and the copies of them on every
    membership (the lists sort on Membership.sort_name). ``node`` is where the change is audited."""
    worker = Worker.objects.unscoped().select_for_update().get(pk=worker.pk)
    errors: dict[str, list[str]] = {}
    changes: dict[str, list] = {}
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    new = dict(fields)
    if "name" in new:
        new["name"] = (new["name"] or "").strip()
        if not new["name"]:
            errors["name"] = [_("请填写姓名。")]
        elif len(new["name"]) > 60:
            errors["name"] = [_("姓名最多60字。")]
    if new.get("mobile"):
        try:
            new["mobile"] = clean_mobile(new["mobile"])
        except ValidationError as e:
            errors["mobile"] = e.messages
    elif "mobile" in new:
        new["mobile"] = ""
    new.update(_clean_profile({k: v for k, v in new.items() if k in PROFILE_FIELDS}, errors))
    normalised = None
    if id_number:
        try:
            normalised = clean_id_number(id_number)
        except ValidationError as e:
            errors["id_number"] = e.messages
        else:
            if crypto.keyed_hash(normalised) != worker.id_number_hash and Worker.objects.unscoped().filter(
                    id_number_hash=crypto.keyed_hash(normalised)).exists():
                errors["id_number"] = [_("该身份证号已登记为另一位职工，请核对。")]
    if gender or birth_date:
        _check_against_id(normalised or worker.full_id_number(), gender, birth_date, errors)
    if errors:
        raise ValidationError(errors)
    for name, value in new.items():
        if getattr(worker, name) != value:
            changes[name] = [getattr(worker, name), value]
            setattr(worker, name, value)
    if normalised and crypto.keyed_hash(normalised) != worker.id_number_hash:
        old_masked = worker.id_number_masked
        worker.set_id_number(normalised)
        changes["id_number"] = [old_masked, worker.id_number_masked]
        changes["gender"], changes["birth_date"] = [None, worker.gender], [None, str(worker.birth_date)]
    if not changes:
        return worker
    worker.save()
    if "name" in changes:
        Membership.objects.unscoped().filter(worker=worker).update(sort_name=worker.name_pinyin)
    if node is None:
        current = active_membership(worker) or latest_membership(worker)
        node = current.union if current else None
    record(by, AuditEntry.Action.CHANGE, worker, node=node, event="worker.changed", changes=changes)
    return worker


@transaction.atomic
def update_membership(membership: Membership, *, joined_on, by) -> Membership:
    require_permission(by, "members.change", membership.node_path)
    membership = Membership.objects.unscoped().select_for_update().select_related("worker").get(pk=membership.pk)
    if joined_on > timezone.localdate():
        raise ValidationError({"joined_on": [_("入会日期不能晚于今天。")]})
    if membership.worker.birth_date and joined_on < membership.worker.birth_date:
        raise ValidationError({"joined_on": [_("入会日期早于出生日期，请核对。")]})
    if joined_on != membership.joined_on:
        record(by, AuditEntry.Action.CHANGE, membership, event="membership.changed",
               changes={"joined_on": [membership.joined_on.isoformat(), joined_on.isoformat()]})
        membership.joined_on = joined_on
        membership.save(update_fields=["joined_on"])
    return membership


def reveal_id_number(worker: Worker, *, by, node) -> str:
    """The full ID number for a role allowed to see it; every view is audited."""
    require_permission(by, "members.view_full_id", node.path)
    record(by, AuditEntry.Action.VIEW_PERSONAL, worker, node=node, event="worker.id_number_viewed")
    return worker.full_id_number()


def active_membership(worker: Worker) -> Membership | None:
    return (
        Membership.objects.unscoped()
        .select_related("union")
        .filter(worker=worker, status=Membership.Status.ACTIVE)
        .first()
    )


def latest_membership(worker: Worker) -> Membership | None:
    return (Membership.objects.unscoped().select_related("union").filter(worker=worker)
            .order_by("-created_at", "-pk").first())


# ----- status changes (retirement keeps membership; leaving and death end it) -----

# kind -> (new status, history kind, the statuses it may follow)
STATUS_CHANGES = {
    "retire": (Membership.Status.RETIRED_RETAINED, MembershipChange.Kind.RETAINED, (Membership.Status.ACTIVE,)),
    "leave": (Membership.Status.LEFT, MembershipChange.Kind.LEFT,
              (Membership.Status.ACTIVE, Membership.Status.RETIRED_RETAINED)),
    "death": (Membership.Status.DECEASED, MembershipChange.Kind.DECEASED,
              (Membership.Status.ACTIVE, Membership.Status.RETIRED_RETAINED)),
    "restore": (Membership.Status.ACTIVE, MembershipChange.Kind.RESTORED,
                (Membership.Status.LEFT, Membership.Status.RETIRED_RETAINED)),
}
STATUS_CHANGE_LABELS = {
    "retire": _("退休（保留会籍）"), "leave": _("退会"), "death": _("去世"), "restore": _("恢复在册"),
}
# A reason is asked for where the record would otherwise not say why.
REASON_REQUIRED = ("leave", "restore")


def status_change_choices(membership: Membership) -> list[tuple[str, str]]:
    return [(kind, str(STATUS_CHANGE_LABELS[kind])) for kind, (_s, _k, sources) in STATUS_CHANGES.items()
            if membership.status in sources]


@transaction.atomic
def change_status(membership: Membership, kind: str, *, on=None, reason: str = "", by) -> Membership:
    """Retire (保留会籍), leave, record a death, or restore a membership; history and audit written."""
    from gonghui.members.transfers import open_transfer_of

    require_permission(by, "members.change", membership.node_path)
    membership = Membership.objects.unscoped().select_for_update().select_related("worker", "union") \
        .get(pk=membership.pk)
    if kind not in STATUS_CHANGES:
        raise ValidationError({"kind": [_("请选择变更类型。")]})
    status, history_kind, sources = STATUS_CHANGES[kind]
    reason = (reason or "").strip()
    on = on or timezone.localdate()
    errors: dict[str, list[str]] = {}
    if membership.status not in sources:
        errors["kind"] = [_("会籍状态为“%(status)s”时不能办理“%(action)s”。")
                          % {"status": membership.status_label, "action": STATUS_CHANGE_LABELS[kind]}]
    if on > timezone.localdate():
        errors["on"] = [_("变更日期不能晚于今天。")]
    elif on < membership.joined_on:
        errors["on"] = [_("变更日期不能早于入会日期（%(date)s）。") % {"date": membership.joined_on.isoformat()}]
    if kind in REASON_REQUIRED and not reason:
        errors["reason"] = [_("请填写变更原因。")]
    if len(reason) > 200:
        errors["reason"] = [_("变更原因最多200字。")]
    pending = open_transfer_of(membership)
    if pending is not None:
        errors["kind"] = [_("该会员有正在办理的转会（%(number)s），请先办结或撤回转会。") % {"number": pending.case.number}]
    if kind == "restore" and Membership.objects.unscoped().filter(
            worker=membership.worker, status=Membership.Status.ACTIVE).exclude(pk=membership.pk).exists():
        errors["kind"] = [_("该职工在其他工会已有在册会籍，不能恢复。")]
    if errors:
        raise ValidationError(errors)
    old = membership.status
    membership.status, membership.status_changed_on, membership.status_reason = status, on, reason
    try:
        with transaction.atomic():
            membership.save(update_fields=["status", "status_changed_on", "status_reason"])
    except IntegrityError:
        raise ValidationError({"kind": [_("该职工在其他工会已有在册会籍，不能恢复。")]}) from None
    MembershipChange.objects.create(membership=membership, kind=history_kind, on=on, reason=reason,
                                    node_path=membership.node_path, by=_person(by))
    record(by, AuditEntry.Action.CHANGE, membership, event=f"membership.{kind}",
           changes={"status": [old, status], "status_changed_on": [None, on.isoformat()]},
           extra={"reason": reason} if reason else None)
    return membership


def _person(user):
    return user if user is not None and getattr(user, "is_authenticated", False) else None


# ----- finding members: one filter set for the page, its HTMX table, the export and the API -----

# Beyond the last character of any name: a prefix range "p <= x < p + END" (byte order: SQLite's
# BINARY collation, PostgreSQL's "C" collation of these columns, migration records_0001).
PREFIX_END = "\U0010ffff"
ID_LIKE = re.compile(r"^\d{17}[\dXx]$")
MOBILE_LIKE = re.compile(r"^1\d{10}$")
LETTERS = re.compile(r"^[a-z]+$")
VOWELS = set("aeiouv")
COMPOUND_SURNAMES = [s for s in SURNAME_READINGS if len(s) > 1]

SORTS = {
    # name: ordering (pk last keeps pages stable)
    "": ("node_path", "sort_name", "pk"),  # union by union, then by pinyin
    "pinyin": ("sort_name", "pk"),
    "-pinyin": ("-sort_name", "-pk"),
    "joined": ("joined_on", "pk"),
    "-joined": ("-joined_on", "-pk"),
}
FLAG_FILTERS = ("migrant", "household", "gender", "education")
FILTER_NAMES = ("q", "status", "union", *FLAG_FILTERS, "sort")


def prefix_q(field: str, prefix: str, *, indexed: bool = True) -> Q:
    """Rows whose ``field`` starts with ``prefix``: an index range on both databases, or (``indexed``
    False) the same rows written so that no index is used, when another index should drive."""
    if indexed:
        return Q(**{f"{field}__gte": prefix, f"{field}__lt": prefix + PREFIX_END})
    return Q(Exact(Substr(F(field), 1, len(prefix)), Value(prefix)))


def parse_search(text: str, *, indexed: bool = True, letter_indexed: bool = False,
                 name_indexed: bool = False) -> tuple[str, Q | None]:
    """What the one search box means, from the shape of the text: (kind, condition).

    An ID number ("id": exact, through the keyed hash — nothing is decrypted), a mobile number
    ("mobile", exact), a member number ("number", exact), Chinese ("name": a name prefix), letters
    with a vowel ("pinyin": a pinyin prefix, "zhangs"), letters without ("initials": "zs" finds 张三).
    ``indexed`` False writes the prefix conditions so that the path index drives (a small subtree).
    Initials also fix the first letter of the pinyin: ``letter_indexed`` lets that range of the
    membership's sort_name index drive (initials in pinyin order). A Chinese prefix is checked on
    the worker's name as an index range only with ``name_indexed`` (PostgreSQL, whose statistics
    then estimate it well); otherwise the pinyin prefix of the membership's sort_name narrows."""
    text = (text or "").strip()
    if not text:
        return "", None
    compact = re.sub(r"[\s-]", "", text)
    if ID_LIKE.match(compact):
        return "id", Q(worker__id_number_hash=crypto.keyed_hash(compact.upper()))
    if MOBILE_LIKE.match(compact):
        return "mobile", Q(worker__mobile=compact)
    lower = compact.lower()
    if LETTERS.match(lower):
        if VOWELS & set(lower):
            return "pinyin", prefix_q("sort_name", lower, indexed=indexed)
        return "initials", (prefix_q("worker__name_initials", lower, indexed=indexed)
                            & prefix_q("sort_name", lower[0], indexed=letter_indexed))
    if any(ch.isdigit() for ch in compact) and compact.isascii():
        return "number", Q(member_number__in={compact, compact.upper()})
    q = prefix_q("worker__name", text, indexed=name_indexed)
    # The name's pinyin is a prefix of the copy the membership carries: the same rows, read from the
    # membership's own indexes (see records_listing). Compound surnames (万俟) read differently from
    # their first character alone, so those keep to the name.
    keys = "" if any(s.startswith(text[:1]) for s in COMPOUND_SURNAMES) else name_keys(text)[0]
    if keys:
        q &= prefix_q("sort_name", keys, indexed=indexed)
    elif indexed:
        q = prefix_q("worker__name", text)
    return "name", q


def search_q(text: str) -> Q | None:
    return parse_search(text)[1]


def filter_members(qs, params, *, large: bool = False, search_indexed: bool = True, letter_indexed: bool = False,
                   name_indexed: bool = False):
    """``qs`` (memberships, already scoped) narrowed by the list's filters in ``params`` (a QueryDict
    or dict). Unknown values are ignored, so a bad link shows the unfiltered list. ``large``: the
    path is checked per row, not read through its index (core.scope.subtree_expression_q);
    ``search_indexed``: whether the search's own index may drive (see records_listing)."""
    get = params.get
    status = get("status") or ""
    if status == "current":
        qs = qs.filter(status__in=Membership.CURRENT)
    elif status in Membership.Status.values:
        qs = qs.filter(status=status)
    union = str(get("union") or "")
    if union.isdigit():
        from gonghui.orgs.models import UnionNode

        node = UnionNode.objects.unscoped().filter(pk=int(union)).only("path").first()
        make_q = subtree_expression_q if large else subtree_q
        qs = qs.filter(make_q("node_path", node.path)) if node else qs.none()
    migrant = str(get("migrant") or "")
    if migrant in ("1", "0", "true", "false", "True", "False"):
        qs = qs.filter(worker__migrant_worker=migrant.lower() in ("1", "true"))
    if (get("household") or "") in HouseholdType.values:
        qs = qs.filter(worker__household_type=get("household"))
    if (get("gender") or "") in Gender.values:
        qs = qs.filter(worker__gender=get("gender"))
    if (get("education") or "") in Education.values:
        qs = qs.filter(worker__education=get("education"))
    _kind, q = parse_search(get("q") or "", indexed=search_indexed, letter_indexed=letter_indexed,
                            name_indexed=name_indexed)
    if q is not None:
        qs = qs.filter(q)
    return qs


def order_members(qs, sort: str):
    return qs.order_by(*SORTS.get(sort or "", SORTS[""]))
