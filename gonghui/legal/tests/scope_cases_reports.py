"""The reports part's routes for the shared scope test: each makes its row in district 2 (union g2,
owned by the legal-aid centre under district 2's federation). Also the small helpers the reports
tests share (a lawyer on the roster and an assignment with its letter number)."""

import itertools

from django.utils import timezone

from gonghui.core.tests.scopecases import ScopeCase

_seq = itertools.count(1)


def make_lawyer(legal_case, *, user=None, name="李明", firm_name="江海明理律师事务所"):
    from gonghui.legal.models import LawFirm, Lawyer

    node = legal_case.case.node
    firm = LawFirm.objects.create(name=firm_name, node=node) if firm_name else None
    return Lawyer.objects.create(user=user, name=name, firm=firm, licence_no="13201201010123456", phone="13912345678",
                                 node=node, capacity=10)


def assign(legal_case, lawyer=None, *, by=None):
    """An active assignment of ``legal_case`` (made directly; the cases part's service does it in
    the product), with the lawyer set on the case."""
    from gonghui.legal.models import Assignment

    lawyer = lawyer or make_lawyer(legal_case)
    today = timezone.localdate()
    seq = next(_seq) + 9000
    row = Assignment.objects.create(legal_case=legal_case, lawyer=lawyer, year=today.year, seq=seq,
                                    number=f"江工法援委〔{today.year}〕第{seq:04d}号", issued_on=today, issued_by=by)
    legal_case.lawyer = lawyer
    legal_case.save(update_fields=["lawyer"])
    return row


def _open_case(env):
    from gonghui.legal.tests.factories import make_legal_case

    return make_legal_case(env.tree.g2, state="approved", urgent=True, opponent_name="西城宏达建筑劳务有限公司")


def _assigned(env):
    from gonghui.legal.tests.factories import make_legal_case

    legal_case = make_legal_case(env.tree.g2, state="in_progress", documents=True)
    assign(legal_case)
    return legal_case


def _closed(env):
    from decimal import Decimal

    from gonghui.legal.tests.factories import make_legal_case, set_state

    legal_case = make_legal_case(env.tree.g2, state="in_progress")
    assign(legal_case)
    legal_case.outcome = "settled"
    legal_case.amount_awarded = Decimal("12000")
    legal_case.amount_recovered = Decimal("10000")
    legal_case.workers_covered = 1
    legal_case.save()
    return set_state(legal_case, "closed")


def _number(obj):
    return obj.case.number


def _district_name(obj):
    return obj.district.name


def _json_district_name(obj):
    return f'"name": "{obj.district.name}"'


def _none(obj):
    return {}


CASES = [
    ScopeCase("legal:arrears", _open_case, kind="list", kwargs=_none, marker=_number),
    ScopeCase("legal:figures", _open_case, kind="list", kwargs=_none, marker=_district_name),
    # The export names its district: another district's is 404 (and nothing is audited).
    ScopeCase("legal:figures_export", _open_case, kind="read", kwargs=_none,
              data=lambda obj: {"district": obj.district_id}),
    ScopeCase("legal:application_pdf", _open_case, kind="read"),
    ScopeCase("legal:letter_pdf", _assigned, kind="read"),
    ScopeCase("legal:closing_pdf", _closed, kind="read"),
    ScopeCase("GET /api/v1/legal/arrears", _open_case, kind="list", kwargs=_none, marker=_number),
    ScopeCase("GET /api/v1/legal/figures", _open_case, kind="list", kwargs=_none, marker=_json_district_name),
]
EXEMPT = {}
