"""Factories shared by the legal app's tests (all three parts).

``make_centre(tree.d2)`` registers a legal-aid centre (a service-centre node) under a federation.
``make_legal_case(tree.g2)`` makes a wage-arrears application of a migrant member of ``g2``, owned by
the centre that serves ``g2`` (made under g2's district federation when none exists), in state
``submitted``; pass ``state="approved" | "in_progress" | "closed" | "rejected" | "withdrawn"`` to put
it further along (the state is set directly, not through the transitions: assign/close belong to
the cases part). ``documents=True`` adds the documents the matter requires. Any LegalCase field may
be passed as a keyword.
"""

import datetime
import itertools
from decimal import Decimal

from django.utils import timezone

from gonghui.legal.models import LegalCase, LegalCentre, LegalDocument
from gonghui.members.models import Membership
from gonghui.members.tests.factories import WorkerFactory
from gonghui.orgs.models import UnionNode
from gonghui.orgs.tests.factories import UnionNodeFactory

_seq = itertools.count(1)

# A tiny valid PNG (the engine checks that the bytes match the extension).
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
       b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
# A valid USCC (check digit right) and one with a bad check digit.
GOOD_USCC = "91350100M000100Y43"
BAD_USCC = "91350100M000100Y44"


def upload(name: str = "证据.png"):
    from gonghui.workflow.services import Upload

    return Upload(name, PNG)


def federation_of(node: UnionNode) -> UnionNode:
    """The nearest federation at or above ``node``."""
    federations = (UnionNode.Kind.DISTRICT_FEDERATION, UnionNode.Kind.CITY_FEDERATION,
                   UnionNode.Kind.PROVINCE_FEDERATION)
    chain = [node, *reversed(list(node.ancestors()))]
    return next((n for n in chain if n.kind in federations), chain[-1])


def make_centre(federation: UnionNode, *, name: str = "", decision_days: int = 5, urgent_days: int = 2,
                active: bool = True) -> LegalCentre:
    """A legal-aid centre under ``federation`` (returns the existing one's row if it has one)."""
    existing = LegalCentre.objects.unscoped().filter(federation=federation).select_related("node").first()
    if existing is not None:
        return existing
    node = UnionNodeFactory(name=name or f"{federation.name}法律援助中心", kind=UnionNode.Kind.SERVICE_CENTRE,
                            parent=federation)
    return LegalCentre.objects.create(node=node, federation=federation, decision_days=decision_days,
                                      urgent_days=urgent_days, active=active)


def make_member(union: UnionNode, *, user=None, migrant: bool = True, **worker_fields):
    """A worker who is an active member of ``union`` (with a portal account when ``user`` given)."""
    worker = WorkerFactory(migrant_worker=migrant, user=user, **worker_fields)
    Membership.objects.create(worker=worker, union=union, member_number=f"LM{next(_seq):08d}",
                              joined_on=datetime.date(2020, 1, 1))
    return worker


def make_legal_case(union: UnionNode | None = None, *, centre: LegalCentre | None = None, state: str = "submitted",
                    worker=None, user=None, by=None, documents: bool = False, matter: str = "wages",
                    urgent: bool = False, **fields) -> LegalCase:
    """A legal-aid case of a worker of ``union`` (default: a new migrant member), owned by ``centre``
    (default: the centre of union's federation, made when missing)."""
    from gonghui.legal.case_type import NAME
    from gonghui.requests.services import district_of
    from gonghui.workflow import services as workflow

    if union is None and worker is None and centre is None:
        raise ValueError("make_legal_case needs a union, a worker or a centre")
    if worker is None and union is not None:
        worker = make_member(union, user=user)
    if centre is None:
        centre = make_centre(federation_of(union))
    district = district_of(union) if union is not None else None
    name = fields.pop("applicant_name", None) or (worker.name if worker else f"申请人{next(_seq)}")
    opponent = fields.pop("opponent_name", None) or f"江海建筑劳务有限公司{next(_seq)}"
    case = workflow.open_case(NAME, node=centre.node, title=f"{name}的法律援助申请", by=by,
                              applicant=worker.user if worker and worker.user_id else None, applicant_name=name,
                              urgent=urgent, text=fields.get("facts", "拖欠工资三个月未付。"), topic=matter)
    values = {
        "case": case, "worker": worker, "applicant_name": name,
        "applicant_phone": (worker.mobile if worker else "13700000000"),
        "union": union, "district": district, "is_member": worker is not None and union is not None,
        "is_migrant": True, "opponent_name": opponent, "matter": matter,
        "facts": "拖欠工资三个月未付，多次讨要未果。", "amount_claimed": Decimal("12000.00"), "workers_involved": 1,
        "eligibility_rule": "migrant_arrears" if matter == "wages" else "",
        "eligibility_note": "符合法律援助条件“农民工追讨欠薪”。" if matter == "wages" else "",
        "urgent_arrears": urgent, "submitted_on": timezone.localdate(), "created_by": by,
    }
    values.update(fields)
    legal_case = LegalCase.objects.create(**values)
    if documents:
        from gonghui.legal.services_intake import REQUIRED_DOCUMENTS

        for group in REQUIRED_DOCUMENTS.get(matter, ()):
            attachment = workflow.add_attachment(case, upload(f"{group[0]}.png"), by=by) if by else _attach(case)
            LegalDocument.objects.create(legal_case=legal_case, kind=group[0], attachment=attachment, uploaded_by=by)
    if state != "submitted":
        set_state(legal_case, state)
    return legal_case


def _attach(case):
    import hashlib

    from django.core.files.base import ContentFile

    from gonghui.workflow.models import CaseAttachment

    attachment = CaseAttachment(case=case, name="证据.png", extension=".png", content_type="image/png",
                                size=len(PNG), sha256=hashlib.sha256(PNG).hexdigest())
    attachment.file.save("upload", ContentFile(PNG), save=False)
    attachment.save()
    return attachment


def set_state(legal_case: LegalCase, state: str) -> LegalCase:
    """Move the case to ``state`` directly (dates filled in the way the transitions would)."""
    case = legal_case.case
    today = timezone.localdate()
    case.state = state
    terminal = case.type.state(state).terminal
    case.is_open = not terminal
    case.closed_at = timezone.now() if terminal else None
    case.due_at = case.warn_at = None
    case.version += 1
    case.save()
    if state in ("approved", "in_progress", "closed", "rejected") and legal_case.decided_on is None:
        legal_case.decided_on = today
    if state == "closed" and legal_case.closed_on is None:
        legal_case.closed_on = today
    legal_case.save()
    return legal_case
