"""Intake of legal aid: consultations, applications, routing to the legal-aid centre, eligibility,
the documents each matter needs, the time to decide and the decision itself.

- A consultation is a request (requests app) of the "legal" category; the centre's officers (or a
  union's handlers in their own scope) answer it here with the law cited and the time spent, and
  turn it into an application with one action (the form comes prefilled).
- An application opens a workflow case of the "legal_aid" type owned by the legal-aid centre of the
  nearest federation above the worker's union that has an active one (``find_centre``).
- The centre decides within ``decision_days`` working days, ``urgent_days`` for a migrant worker's
  wage arrears in the weeks before Spring Festival (``is_urgent_arrears``).
"""

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.audit.models import AuditEntry
from gonghui.audit.services import record
from gonghui.core.scope import has_permission, paths_with_permission, subtree_q
from gonghui.core.validators import clean_mobile, clean_uscc
from gonghui.legal import eligibility
from gonghui.legal.case_type import CHANGE, DECIDE, NAME, VIEW
from gonghui.legal.models import Consultation, LegalCase, LegalCentre, LegalDocument, Matter
from gonghui.orgs.models import UnionNode
from gonghui.workflow import services as workflow

K = UnionNode.Kind
FEDERATION_KINDS = (K.DISTRICT_FEDERATION, K.CITY_FEDERATION, K.PROVINCE_FEDERATION)
CONSULTATION_CATEGORY = "legal"
D = LegalDocument.Kind
MAX_FACTS = 5000
MAX_AMOUNT = Decimal("99999999.99")
MAX_WORKERS = 5000
MAX_UPLOADS = 12
EVIDENCE = (D.CONTRACT, D.PAY_RECORDS, D.ATTENDANCE, D.CHATS)

# The documents an application must carry, per matter: each group is "at least one of these kinds".
REQUIRED_DOCUMENTS: dict[str, tuple[tuple[str, ...], ...]] = {
    Matter.WAGES: ((D.CONTRACT, D.PAY_RECORDS, D.ATTENDANCE), (D.ID_CARD,)),
    Matter.LABOUR_CONTRACT: ((D.CONTRACT, D.PAY_RECORDS, D.CHATS), (D.ID_CARD,)),
    Matter.WORK_INJURY: ((D.CONTRACT, D.PAY_RECORDS, D.ATTENDANCE), (D.ID_CARD,)),
    Matter.SOCIAL_INSURANCE: ((D.CONTRACT, D.PAY_RECORDS), (D.ID_CARD,)),
    Matter.HOURS_LEAVE: ((D.ATTENDANCE, D.PAY_RECORDS, D.CHATS), (D.ID_CARD,)),
    Matter.DISMISSAL: ((D.CONTRACT, D.PAY_RECORDS, D.CHATS), (D.ID_CARD,)),
    Matter.OTHER: ((D.ID_CARD,),),
}
# Kinds an applicant may upload with the application (the rest come later, from the case).
APPLICATION_KINDS = (D.CONTRACT, D.PAY_RECORDS, D.ATTENDANCE, D.CHATS, D.ID_CARD, D.MEMBER_CARD, D.HARDSHIP_PROOF,
                     D.OTHER)


# ----- routing -----

def federation_of(node: UnionNode) -> UnionNode:
    """The nearest federation at or above ``node`` (the root when there is none)."""
    chain = [node, *reversed(list(node.ancestors()))]
    return next((n for n in chain if n.kind in FEDERATION_KINDS), chain[-1])


def district_of(node: UnionNode | None) -> UnionNode | None:
    if node is None:
        return None
    from gonghui.requests.services import district_of as request_district

    return request_district(node)


def find_centre(node: UnionNode | None) -> LegalCentre | None:
    """The active legal-aid centre of the nearest federation at or above ``node`` that has one."""
    if node is None:
        return None
    chain = [node, *reversed(list(node.ancestors()))]
    centres = {c.federation_id: c for c in LegalCentre.objects.unscoped().select_related("node", "federation")
               .filter(federation__in=chain, active=True, node__active=True)}
    return next((centres[n.pk] for n in chain if n.pk in centres), None)


def centre_of_case(case) -> LegalCentre | None:
    return LegalCentre.objects.unscoped().filter(node_id=case.node_id).first()


def district_choices():
    """Where a worker without a union applies: the district federations (as for requests)."""
    return UnionNode.objects.unscoped().filter(kind=K.DISTRICT_FEDERATION, active=True).order_by("path")


# ----- Spring Festival and the time to decide -----

# Lunar New Year's Day, for years the chinese-calendar package has no schedule of yet.
LUNAR_NEW_YEAR = {
    2024: datetime.date(2024, 2, 10), 2025: datetime.date(2025, 1, 29), 2026: datetime.date(2026, 2, 17),
    2027: datetime.date(2027, 2, 6), 2028: datetime.date(2028, 1, 26), 2029: datetime.date(2029, 2, 13),
    2030: datetime.date(2030, 2, 3), 2031: datetime.date(2031, 1, 23), 2032: datetime.date(2032, 2, 11),
    2033: datetime.date(2033, 1, 31), 2034: datetime.date(2034, 2, 19), 2035: datetime.date(2035, 2, 8),
}
# The winter drive against wage arrears (根治欠薪冬季专项行动) runs from mid-November to the holiday.
WINDOW_START = (11, 15)


def spring_festival(year: int) -> datetime.date | None:
    """The first day of the Spring Festival holiday of ``year``.

    The State Council's schedule from the chinese-calendar package when it has the year; else the
    admins' holiday overrides noted "春节"; else the eve of Lunar New Year (除夕) from the table."""
    import chinese_calendar

    from gonghui.workflow.models import HolidayOverride

    day = datetime.date(year, 1, 10)
    try:
        while day < datetime.date(year, 3, 10):
            on_holiday, name = chinese_calendar.get_holiday_detail(day)
            if on_holiday and name == chinese_calendar.Holiday.spring_festival.value:
                return day
            day += datetime.timedelta(days=1)
    except NotImplementedError:
        pass
    override = (HolidayOverride.objects.filter(day__year=year, day__month__lte=3, is_working_day=False,
                                               note__contains="春节").order_by("day").first())
    if override is not None:
        return override.day
    lunar = LUNAR_NEW_YEAR.get(year)
    return lunar - datetime.timedelta(days=1) if lunar else None


def next_spring_festival(day: datetime.date) -> datetime.date | None:
    """The start of the first Spring Festival holiday on or after ``day``."""
    for year in (day.year, day.year + 1):
        start = spring_festival(year)
        if start is not None and start >= day:
            return start
    return None


def in_arrears_window(day: datetime.date) -> bool:
    """Whether ``day`` falls in the pre-Spring-Festival drive (15 November to the holiday's start)."""
    start = next_spring_festival(day)
    if start is None:
        return False
    return day >= datetime.date(start.year - 1, *WINDOW_START) and day < start


def is_urgent_arrears(matter: str, is_migrant: bool, day: datetime.date) -> bool:
    return matter == Matter.WAGES and bool(is_migrant) and in_arrears_window(day)


def decision_days(case) -> int:
    """Working days the centre has to decide ``case`` (a workflow Case): urgent arrears are faster."""
    centre = centre_of_case(case)
    if centre is None:
        return 2 if case.urgent else 5
    return centre.urgent_days if case.urgent else centre.decision_days


# ----- documents -----

def missing_documents(matter: str, kinds, *, needs_hardship_proof: bool = False) -> list[str]:
    """Sentences naming what ``matter`` still needs given the document ``kinds`` provided."""
    have = set(kinds)
    missing = []
    for group in REQUIRED_DOCUMENTS.get(matter, ()):
        if not have & set(group):
            labels = [str(D(k).label) for k in group]
            missing.append(labels[0] if len(labels) == 1 else _("%(kinds)s（至少一项）") % {"kinds": "、".join(labels)})
    if needs_hardship_proof and D.HARDSHIP_PROOF not in have:
        missing.append(str(D.HARDSHIP_PROOF.label))
    return missing


def required_documents_text(matter: str) -> str:
    groups = []
    for group in REQUIRED_DOCUMENTS.get(matter, ()):
        labels = [str(D(k).label) for k in group]
        groups.append(labels[0] if len(labels) == 1 else _("%(kinds)s至少一项") % {"kinds": "、".join(labels)})
    return "；".join(groups)


# ----- the applicant's facts -----

def _registered_hardship(worker) -> bool:
    if worker is None:
        return False
    from gonghui.hardship.models import HardshipFile

    return HardshipFile.objects.unscoped().filter(worker=worker, status=HardshipFile.Status.REGISTERED).exists()


def _membership(worker):
    if worker is None:
        return None
    from gonghui.members.services import active_membership

    return active_membership(worker)


def facts_for(worker, data: dict) -> dict:
    """The applicant's facts: membership and a registered hardship file from the records when the
    worker is known (not what they tick), the rest as declared."""
    flags = {key: bool(data.get(key)) for key in eligibility.FACTS}
    if worker is not None:
        flags["is_member"] = _membership(worker) is not None
        flags["is_migrant"] = flags["is_migrant"] or worker.migrant_worker
        if worker.gender == "F":
            flags["is_woman"] = True
        if _registered_hardship(worker):
            flags["in_hardship"] = True
    flags["matter"] = data.get("matter") or ""
    try:
        flags["workers_involved"] = int(data.get("workers_involved") or 1)
    except (TypeError, ValueError):
        flags["workers_involved"] = 1
    return flags


def check_eligibility(worker, data: dict, *, union: UnionNode | None = None, district: UnionNode | None = None):
    """(rule or None, sentence) for an application being filled in (the live check on the form)."""
    membership = _membership(worker)
    node = membership.union if membership is not None else (union or district)
    centre = find_centre(node)
    return eligibility.evaluate(facts_for(worker, data), centre.federation if centre else None)


# ----- cleaning an application -----

def _phone(value: str) -> str:
    value = (value or "").strip().replace(" ", "")
    if not value:
        raise ValidationError(_("请填写联系电话，法律援助中心会电话联系您。"))
    if re.fullmatch(r"1\d{10}", value):
        return clean_mobile(value)
    if not re.fullmatch(r"0\d{2,3}-?\d{7,8}", value):
        raise ValidationError(_("请输入11位手机号码，或带区号的固定电话（如0571-87654321）。"))
    return value


def _amount(value) -> Decimal:
    if value in (None, ""):
        return Decimal("0")
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        raise ValidationError(_("请求金额应为数字，例如 12000 或 12000.50。")) from None
    if not amount.is_finite():
        raise ValidationError(_("请求金额应为数字，例如 12000 或 12000.50。"))
    if amount < 0:
        raise ValidationError(_("请求金额不能是负数；没有具体金额的请填0。"))
    if amount > MAX_AMOUNT:
        raise ValidationError(_("请求金额过大，请核对（单位为元）。"))
    return amount.quantize(Decimal("0.01"))


def clean_application(data: dict, *, worker=None) -> dict:
    """The application's fields cleaned, or a ValidationError keyed by field (Chinese sentences)."""
    errors: dict[str, list[str]] = {}
    cleaned: dict = {}

    def check(name, func):
        try:
            cleaned[name] = func()
        except ValidationError as e:
            errors[name] = e.messages

    name = (data.get("applicant_name") or (worker.name if worker else "") or "").strip()
    if not name:
        errors["applicant_name"] = [_("请填写申请人姓名。")]
    cleaned["applicant_name"] = name[:60]
    check("applicant_phone", lambda: _phone(data.get("applicant_phone") or (worker.mobile if worker else "")))
    opponent = (data.get("opponent_name") or "").strip()
    if not opponent:
        errors["opponent_name"] = [_("请填写对方（用人单位）的名称。")]
    cleaned["opponent_name"] = opponent[:200]
    uscc = (data.get("opponent_uscc") or "").strip()
    check("opponent_uscc", lambda: clean_uscc(uscc) if uscc else "")
    cleaned["opponent_address"] = (data.get("opponent_address") or "").strip()[:300]
    matter = data.get("matter") or ""
    if matter not in Matter.values:
        errors["matter"] = [_("请选择争议事项。")]
    cleaned["matter"] = matter
    facts = (data.get("facts") or "").strip()
    if len(facts) < 10:
        errors["facts"] = [_("请写明发生了什么（至少10个字），例如在哪里工作、被拖欠了几个月工资、讨要的经过。")]
    elif len(facts) > MAX_FACTS:
        errors["facts"] = [_("事实和理由最多5000字，详细情况可以作为材料上传。")]
    cleaned["facts"] = facts
    check("amount_claimed", lambda: _amount(data.get("amount_claimed")))
    raw_workers = data.get("workers_involved")
    try:
        workers = int(raw_workers) if raw_workers not in (None, "") else 1
    except (TypeError, ValueError):
        errors["workers_involved"] = [_("涉及职工人数应为整数。")]
    else:
        if workers < 1:
            errors["workers_involved"] = [_("涉及职工人数至少为1（申请人本人）。")]
        elif workers > MAX_WORKERS:
            errors["workers_involved"] = [_("涉及职工人数过多，请核对；超过5000人的请分批申请。")]
        cleaned["workers_involved"] = workers
    for key in eligibility.FACTS:
        cleaned[key] = bool(data.get(key))
    if errors:
        raise ValidationError(errors)
    return cleaned


def _check_uploads(uploads, matter: str, needs_hardship_proof: bool) -> None:
    errors = []
    if len(uploads) > MAX_UPLOADS:
        raise ValidationError({"documents": [_("一次最多上传12个文件，其余材料可以在申请提交后补充。")]})
    for kind, upload in uploads:
        if kind not in APPLICATION_KINDS:
            raise ValidationError({"documents": [_("材料类别不正确。")]})
        try:
            workflow.check_upload(upload)
        except ValidationError as e:
            messages = e.message_dict.get("file", e.messages) if hasattr(e, "error_dict") else e.messages
            errors.append(_("%(kind)s“%(name)s”：%(problem)s") % {
                "kind": D(kind).label, "name": upload.name, "problem": "".join(messages)})
    if errors:
        raise ValidationError({"documents": errors})
    missing = missing_documents(matter, [k for k, _u in uploads], needs_hardship_proof=needs_hardship_proof)
    if missing:
        raise ValidationError({"documents": [
            _("“%(matter)s”的申请需要上传：%(missing)s。请拍照上传后再提交。") % {
                "matter": Matter(matter).label, "missing": "；".join(missing)}]})


# ----- applying -----

def _duplicate(worker, phone: str, matter: str, opponent: str):
    who = Q(worker=worker) if worker is not None else Q(worker__isnull=True, applicant_phone=phone)
    return (LegalCase.objects.unscoped().select_related("case")
            .filter(who, matter=matter, opponent_name=opponent, case__is_open=True).first())


@transaction.atomic
def submit_application(*, by, data: dict, uploads=(), worker=None, district: UnionNode | None = None,
                       consultation: Consultation | None = None) -> LegalCase:
    """Open a legal-aid application.

    ``by`` is the worker on the portal (``worker`` must be theirs) or an officer of the centre
    applying for a worker (``worker`` optional: a walk-in without records). ``uploads`` is a list of
    (document kind, workflow.Upload). ``district``: where a worker without a union works.
    """
    uploads = list(uploads)
    staff = not getattr(by, "is_worker", False)
    if not staff and (worker is None or worker.user_id != by.pk):
        raise PermissionDenied
    cleaned = clean_application(data, worker=worker)
    membership = _membership(worker)
    union = membership.union if membership is not None else None
    if union is None and district is None and consultation is not None:
        district = district_of(consultation.request.case.node)
    node = union or district
    if node is None:
        raise ValidationError({"district": [_("请选择您工作所在的区（县），由当地总工会的法律援助中心受理。")]})
    centre = find_centre(node)
    if centre is None:
        raise ValidationError({"district": [_("%(node)s及其上级总工会尚未设立法律援助中心，请向当地总工会咨询。")
                                            % {"node": node.name}]})
    if staff and not has_permission(by, CHANGE, centre.node.path):
        raise ValidationError({"__all__": [_("该申请应由%(centre)s受理，不在您的管辖范围内。") % {"centre": centre.node.name}]})
    facts = facts_for(worker, cleaned)
    needs_proof = cleaned["in_hardship"] and not _registered_hardship(worker)
    _check_uploads(uploads, cleaned["matter"], needs_proof)
    duplicate = _duplicate(worker, cleaned["applicant_phone"], cleaned["matter"], cleaned["opponent_name"])
    if duplicate is not None:
        raise ValidationError({"__all__": [_("已有一件针对%(opponent)s的同类申请（%(number)s）正在办理，不需要重复申请；"
                                             "如有新情况，请在该申请中留言或补充材料。")
                                           % {"opponent": duplicate.opponent_name, "number": duplicate.case.number}]})
    rule, note = eligibility.evaluate(facts, centre.federation)
    today = timezone.localdate()
    urgent = is_urgent_arrears(cleaned["matter"], facts["is_migrant"], today)
    matter_label = Matter(cleaned["matter"]).label
    title = _("%(name)s诉%(opponent)s（%(matter)s）") % {
        "name": cleaned["applicant_name"], "opponent": cleaned["opponent_name"], "matter": matter_label}
    if cleaned["workers_involved"] > 1:
        title += _("，%(n)s人") % {"n": cleaned["workers_involved"]}
    applicant = worker.user if worker is not None and worker.user_id else None
    case = workflow.open_case(NAME, node=centre.node, title=title, by=by, applicant=applicant,
                              applicant_name=cleaned["applicant_name"], urgent=urgent, text=cleaned["facts"],
                              topic=cleaned["matter"])
    legal_case = LegalCase.objects.create(
        case=case, worker=worker, union=union, district=district_of(union) if union else district_of(node),
        consultation=consultation, eligibility_rule=rule.code if rule else "", eligibility_note=note[:500],
        urgent_arrears=urgent, submitted_on=today, created_by=by if getattr(by, "is_authenticated", False) else None,
        **{k: v for k, v in cleaned.items() if k not in eligibility.FACTS},
        **{k: facts[k] for k in eligibility.FACTS},
    )
    for kind, upload in uploads:
        attachment = workflow.add_attachment(case, upload, by=by)
        LegalDocument.objects.create(legal_case=legal_case, kind=kind, attachment=attachment,
                                     uploaded_by=by if getattr(by, "is_authenticated", False) else None)
    record(by, AuditEntry.Action.CREATE, legal_case, node=centre.node, event="legal.applied",
           changes={"matter": [None, legal_case.matter], "amount_claimed": [None, str(legal_case.amount_claimed)]},
           extra={"rule": legal_case.eligibility_rule, "urgent": urgent, "staff": staff,
                  "consultation": consultation.pk if consultation else None})
    return legal_case


@transaction.atomic
def add_document(legal_case: LegalCase, kind: str, upload, *, by, stage=None) -> LegalDocument:
    """Add a document to a case (the applicant, the centre's officers or the assigned lawyer)."""
    from gonghui.legal import access

    if not (access.may_change(by, legal_case) or access.is_applicant(by, legal_case)):
        raise PermissionDenied
    if kind not in D.values:
        raise ValidationError({"kind": [_("请选择材料类别。")]})
    workflow.check_upload(upload)
    case = legal_case.case
    # The engine's attachment service checks its own view permission; lawyers and the applicant
    # reach here through the legal app's access rule instead.
    attachment = workflow.add_attachment(case, upload, by=by) if workflow.may_view(case, by) else None
    if attachment is None:
        import hashlib
        from pathlib import Path

        from django.core.files.base import ContentFile

        from gonghui.workflow.models import CaseAttachment, CaseEvent

        extension, content_type = workflow.check_upload(upload)
        attachment = CaseAttachment(case=case, name=Path(upload.name).name[:200], extension=extension,
                                    content_type=content_type, size=len(upload.content),
                                    sha256=hashlib.sha256(upload.content).hexdigest(), uploaded_by=by)
        attachment.file.save("upload", ContentFile(upload.content), save=False)
        attachment.save()
        CaseEvent.objects.create(case=case, actor=by, actor_name=str(by), kind=CaseEvent.Kind.ATTACHMENT,
                                 text=attachment.name, data={"attachment": attachment.pk})
    document = LegalDocument.objects.create(legal_case=legal_case, kind=kind, attachment=attachment,
                                            stage=stage, uploaded_by=by)
    record(by, AuditEntry.Action.CREATE, document, node=case.node, event="legal.document_added",
           extra={"case": case.pk, "kind": kind})
    return document


def documents_by_kind(legal_case: LegalCase) -> dict[str, list[LegalDocument]]:
    result: dict[str, list[LegalDocument]] = {}
    for doc in LegalDocument.objects.unscoped().select_related("attachment").filter(legal_case=legal_case):
        result.setdefault(doc.kind, []).append(doc)
    return result


# ----- the decision (the case type's hook for approve / reject / withdraw) -----

def after_decision(case, name: str, data: dict, by) -> None:
    legal_case = LegalCase.objects.unscoped().select_related("district").get(case=case)
    note = (data.get("note") or "").strip()
    today = timezone.localdate()
    fields = []
    if name == "approve":
        centre = centre_of_case(case)
        rule, sentence = eligibility.evaluate(eligibility.facts_of(legal_case), centre.federation if centre else None)
        if rule is None and not note:
            raise ValidationError({"note": [_("该申请不符合本会的法律援助条件（%(why)s）。如仍予援助，请在审查意见中写明理由。")
                                            % {"why": sentence}]})
        legal_case.eligibility_rule = rule.code if rule else ""
        legal_case.eligibility_note = (sentence if rule else _("经审查特别给予援助：%(note)s") % {"note": note})[:500]
        legal_case.decided_on = today
        legal_case.decision_note = note
        fields = ["eligibility_rule", "eligibility_note", "decided_on", "decision_note"]
    elif name == "reject":
        legal_case.decided_on = today
        legal_case.decision_note = note
        fields = ["decided_on", "decision_note"]
    elif name == "withdraw":
        legal_case.decision_note = note or legal_case.decision_note
        fields = ["decision_note"]
    if fields:
        legal_case.save(update_fields=fields)


def decide(legal_case: LegalCase, name: str, *, by, version: int, note: str = "") -> LegalCase:
    """approve / reject / withdraw through the engine (the console and the API call this)."""
    if name not in ("approve", "reject", "withdraw"):
        raise ValidationError(_("没有这个操作。"))
    workflow.perform_transition(legal_case.case, name, by=by, version=version, data={"note": note})
    legal_case.refresh_from_db()
    return legal_case


# ----- consultations -----

def _served_paths(user, permission: str) -> list[str] | None:
    """Paths the user reaches for consultations: their own scope plus the federations served by
    the legal-aid centres where they hold ``permission`` (None: everywhere)."""
    paths = paths_with_permission(user, permission)
    if paths is None:
        return None
    served = list(paths)
    if paths:
        q = Q()
        for path in paths:
            q |= subtree_q("node__path", path)
        served += list(LegalCentre.objects.unscoped().filter(q, active=True).values_list("federation__path", flat=True))
    return served


def consultations_for(user, permission: str = VIEW):
    """Requests of the legal-consultation category the user may see and answer."""
    from gonghui.requests.models import Request

    qs = Request.objects.unscoped().filter(category__code=CONSULTATION_CATEGORY)
    paths = _served_paths(user, permission)
    if paths is None:
        return qs
    if not paths:
        return qs.none()
    q = Q()
    for path in paths:
        q |= subtree_q("case__node_path", path)
    return qs.filter(q)


def get_consultation_request_or_404(user, pk, *, change: bool = False):
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    found = (consultations_for(user, CHANGE if change else VIEW).select_related("case", "case__node", "worker", "category")
             .filter(pk=pk).first())
    if found is None:
        raise Http404
    return found


def find_worker(query: str, *, by):
    """A worker found by mobile or ID number for an application the officer registers: in the
    officer's own members scope, or a member of a union the officer's centre serves, or a
    registered worker without a union (a walk-in)."""
    from gonghui.core import crypto
    from gonghui.core.validators import clean_id_number
    from gonghui.members.models import Membership, Worker
    from gonghui.requests.services import find_worker as find_in_scope

    query = (query or "").strip()
    if not query:
        return None
    found = find_in_scope(query, by=by)
    if found is not None:
        return found
    qs = Worker.objects.unscoped()
    if len(query) == 11 and query.isdigit():
        candidate = qs.filter(mobile=query).first()
    else:
        try:
            candidate = qs.filter(id_number_hash=crypto.keyed_hash(clean_id_number(query))).first()
        except ValidationError:
            return None
    if candidate is None:
        return None
    paths = _served_paths(by, CHANGE)
    membership = Membership.objects.unscoped().filter(worker=candidate, status=Membership.Status.ACTIVE).first()
    if membership is None:
        return candidate if paths is None or paths else None
    if paths is None or any(membership.node_path.startswith(p) for p in paths):
        return candidate
    return None


def consultation_of(request_obj) -> Consultation | None:
    return Consultation.objects.unscoped().filter(request=request_obj).first()


@transaction.atomic
def answer_consultation(request_obj, *, by, answer: str, law_cited: str = "", minutes_spent=0) -> Consultation:
    """Record (or correct) the legal answer to a consultation; the worker sees it on the request."""
    from gonghui.workflow.models import CaseEvent

    if consultations_for(by, CHANGE).filter(pk=request_obj.pk).first() is None:
        raise PermissionDenied
    errors = {}
    answer = (answer or "").strip()
    if len(answer) < 5:
        errors["answer"] = [_("请写下解答意见（至少5个字）。")]
    elif len(answer) > 5000:
        errors["answer"] = [_("解答意见最多5000字。")]
    law_cited = (law_cited or "").strip()
    if len(law_cited) > 500:
        errors["law_cited"] = [_("法律依据最多500字，请写法律名称和条款，例如《劳动合同法》第三十条。")]
    try:
        minutes = int(minutes_spent or 0)
    except (TypeError, ValueError):
        errors["minutes_spent"] = [_("用时应为整数（分钟）。")]
    else:
        if minutes < 0 or minutes > 600:
            errors["minutes_spent"] = [_("用时应在0到600分钟之间。")]
    if errors:
        raise ValidationError(errors)
    consultation = consultation_of(request_obj) or Consultation(request=request_obj)
    first = consultation.answered_at is None
    consultation.answer, consultation.law_cited, consultation.minutes_spent = answer, law_cited, minutes
    consultation.answered_by = by
    consultation.answered_at = timezone.now()
    consultation.node_path = request_obj.case.node_path
    consultation.save()
    text = answer + (_("\n法律依据：%(law)s") % {"law": law_cited} if law_cited else "")
    CaseEvent.objects.create(case=request_obj.case, actor=by, actor_name=str(by), kind=CaseEvent.Kind.COMMENT,
                             text=_("法律咨询解答：%(text)s") % {"text": text}, visible_to_applicant=True)
    record(by, AuditEntry.Action.CREATE if first else AuditEntry.Action.CHANGE, consultation,
           node=request_obj.case.node, event="legal.consultation_answered",
           extra={"request": request_obj.pk, "minutes": minutes})
    return consultation


@transaction.atomic
def log_consultation(*, by, centre: LegalCentre, name: str, phone: str, question: str, channel: str,
                     worker=None, migrant_worker: bool = False):
    """A walk-in or phone consultation at a legal-aid station: a request of the legal category owned
    by the centre, with the worker linked when known."""
    from gonghui.requests.models import Category, Request
    from gonghui.requests.services import submit_request

    if not has_permission(by, CHANGE, centre.node.path):
        raise PermissionDenied
    if channel not in (Request.Channel.PHONE, Request.Channel.VISIT, Request.Channel.LETTER):
        raise ValidationError({"channel": [_("请选择来电、来访或来信。")]})
    errors = {}
    if not (name or "").strip() and worker is None:
        errors["name"] = [_("请填写咨询人姓名。")]
    try:
        phone = _phone(phone or (worker.mobile if worker else ""))
    except ValidationError as e:
        errors["phone"] = e.messages
    if errors:
        raise ValidationError(errors)
    category = Category.objects.filter(code=CONSULTATION_CATEGORY).first()
    if category is None:
        from gonghui.requests.categories import ensure_seeded

        ensure_seeded()
        category = Category.objects.get(code=CONSULTATION_CATEGORY)
    # Logged into the centre itself (the centre's officers hold requests.handle there).
    req = submit_request(by=by, category=category, kind=Request.Kind.CONSULTATION, description=question,
                         channel=channel, worker=None, contact_name=(name or (worker.name if worker else "")).strip(),
                         contact_phone=phone, migrant_worker=migrant_worker, chosen_node=centre.node)
    if worker is not None:
        Request.objects.unscoped().filter(pk=req.pk).update(worker=worker)
        req.worker = worker
    return req


def application_initial(request_obj) -> dict:
    """The application form prefilled from a consultation (转为法律援助申请)."""
    worker = request_obj.worker
    wages = request_obj.category.code == "wages" or request_obj.migrant_wage_arrears
    return {
        "applicant_name": request_obj.contact_name or (worker.name if worker else request_obj.case.applicant_name),
        "applicant_phone": request_obj.contact_phone or (worker.mobile if worker else ""),
        "facts": request_obj.description,
        "matter": Matter.WAGES if wages or "欠薪" in request_obj.description or "工资" in request_obj.description
        else Matter.OTHER,
        "is_migrant": bool(request_obj.migrant_worker or (worker and worker.migrant_worker)),
        "workers_involved": 1,
    }


# ----- centres and rules -----

def require_decider(by, node: UnionNode) -> None:
    if not has_permission(by, DECIDE, node.path):
        raise PermissionDenied


@transaction.atomic
def set_centre(node: UnionNode, *, by, decision_days: int, urgent_days: int, active: bool = True) -> LegalCentre:
    """Register (or change) a service-centre node as the legal-aid centre of its parent federation."""
    require_decider(by, node)
    if node.kind != K.SERVICE_CENTRE or node.parent is None or node.parent.kind not in FEDERATION_KINDS:
        raise ValidationError(_("法律援助中心应是总工会下设的服务中心。"))
    errors = {}
    for field, value in (("decision_days", decision_days), ("urgent_days", urgent_days)):
        if not isinstance(value, int) or not 1 <= value <= 30:
            errors[field] = [_("时限应为1到30个工作日。")]
    if not errors and urgent_days > decision_days:
        errors["urgent_days"] = [_("春节前欠薪急案的时限不能长于一般时限。")]
    if errors:
        raise ValidationError(errors)
    other = LegalCentre.objects.unscoped().filter(federation=node.parent, active=True).exclude(node=node).first()
    if active and other is not None:
        raise ValidationError(_("%(federation)s已有法律援助中心（%(centre)s）。") % {
            "federation": node.parent.name, "centre": other.node.name})
    centre, created = LegalCentre.objects.unscoped().update_or_create(
        node=node, defaults={"federation": node.parent, "decision_days": decision_days, "urgent_days": urgent_days,
                             "active": active})
    record(by, AuditEntry.Action.CREATE if created else AuditEntry.Action.CHANGE, centre, node=node,
           event="legal.centre_set", changes={"decision_days": [None, decision_days], "urgent_days": [None, urgent_days]})
    return centre


@transaction.atomic
def save_rule(federation: UnionNode, *, by, code: str, label: str, conditions: dict, order: int = 100,
              active: bool = True, rule=None):
    """Add or change one of a federation's eligibility rules (its rules replace the defaults)."""
    from gonghui.legal.models import EligibilityRule

    require_decider(by, federation)
    if federation.kind not in FEDERATION_KINDS:
        raise ValidationError(_("援助条件由总工会制定。"))
    errors = {}
    code = (code or "").strip()
    if not re.fullmatch(r"[a-z0-9_-]{1,40}", code):
        errors["code"] = [_("代码只能用小写字母、数字、下划线，最多40个字符，例如 migrant_arrears。")]
    label = (label or "").strip()
    if not label:
        errors["label"] = [_("请填写条件名称，例如“农民工追讨欠薪”。")]
    try:
        conditions = eligibility.check_conditions(conditions)
    except ValueError as e:
        errors["conditions"] = [str(e)]
    clash = EligibilityRule.objects.unscoped().filter(federation=federation, code=code)
    if rule is not None:
        clash = clash.exclude(pk=rule.pk)
    if code and clash.exists():
        errors["code"] = [_("本会已有代码为%(code)s的条件。") % {"code": code}]
    if errors:
        raise ValidationError(errors)
    rule = rule or EligibilityRule(federation=federation)
    created = rule.pk is None
    rule.code, rule.label, rule.conditions, rule.order, rule.active = code, label[:200], conditions, order, active
    rule.save()
    record(by, AuditEntry.Action.CREATE if created else AuditEntry.Action.CHANGE, rule, node=federation,
           event="legal.rule_saved", changes={"conditions": [None, conditions], "active": [None, active]})
    return rule


@transaction.atomic
def copy_default_rules(federation: UnionNode, *, by) -> int:
    """Start a federation's own rules from the defaults (then edit them)."""
    from gonghui.legal.models import EligibilityRule

    require_decider(by, federation)
    if EligibilityRule.objects.unscoped().filter(federation=federation).exists():
        raise ValidationError(_("本会已有自己的援助条件。"))
    for rule in eligibility.DEFAULT_RULES:
        save_rule(federation, by=by, code=rule.code, label=str(rule.label), conditions=dict(rule.conditions),
                  order=rule.order)
    return len(eligibility.DEFAULT_RULES)
