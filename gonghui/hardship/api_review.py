"""The review part over the API (``/api/v1/hardship/…``): reviews and follow-ups due, the yearly
review, monthly incomes and the exit rule, exit or closure, follow-ups, reopening, and the figures.
Scoped like the pages: out of scope 404, without hardship.change 403; errors in Chinese."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext_lazy
from ninja import Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from gonghui.core.scope import get_visible_or_404, require_permission
from gonghui.hardship import figures
from gonghui.hardship import services_review as services
from gonghui.hardship.models import Exit, FollowUp, HardshipFile, Review
from gonghui.hardship.services_review import CHANGE, VIEW
from gonghui.orgs.models import UnionNode

router = Router(tags=["hardship"])


class DueFileOut(Schema):
    id: int
    number: str
    worker_name: str
    union_id: int
    union_name: str
    category: str
    next_review_due: datetime.date | None


class FollowUpOut(Schema):
    id: int
    file_id: int
    file_number: str
    months: int
    due_on: datetime.date
    done_on: datetime.date | None
    finding: str
    notes: str
    by: str
    cancelled: bool


class ReviewIn(Schema):
    situation: str
    decision: str = "keep"  # keep | exit | close
    reason: str = ""        # for exit or close: the reason code
    note: str = ""
    reviewed_on: datetime.date | None = None


class ReviewOut(Schema):
    id: int
    file_id: int
    reviewed_on: datetime.date
    outcome: str
    outcome_label: str
    category_before: str
    category_after: str
    assessment_id: int | None
    next_review_due: datetime.date | None
    file_status: str


class IncomeIn(Schema):
    month: str  # "2026-10"
    household_income: Decimal
    household_size: int | None = None
    note: str = ""


class RuleMonthOut(Schema):
    month: datetime.date
    per_capita: Decimal
    standard: Decimal
    above: bool


class ExitRuleOut(Schema):
    holds: bool
    needed: int
    run: int
    message: str
    months: list[RuleMonthOut]


class EndIn(Schema):
    reason: str  # income | safety_net (解困脱困) or retired | moved | deceased | misidentified (注销)
    note: str = ""
    on: datetime.date | None = None


class ExitOut(Schema):
    id: int
    file_id: int
    kind: str
    reason: str
    reason_label: str
    registered_on: datetime.date | None
    ended_on: datetime.date
    reopened_on: datetime.date | None
    followups: list[FollowUpOut]
    file_status: str


class ReopenIn(Schema):
    situation: str
    on: datetime.date | None = None


class FollowUpIn(Schema):
    finding: str  # stable | at_risk | returned
    notes: str
    done_on: datetime.date | None = None


class CountsOut(Schema):
    start: int
    new: int
    exited: int
    closed: int
    end: int
    rate: Decimal | None


class UnitOut(Schema):
    node_id: int | None
    name: str
    own: bool
    counts: CountsOut
    aid_amount: Decimal
    aid_count: int


class AidRowOut(Schema):
    kind: str
    kind_label: str
    source: str
    source_label: str
    amount: Decimal
    count: int


class FiguresOut(Schema):
    node_id: int
    node_name: str
    year: int
    definition: str
    total: CountsOut
    units: list[UnitOut]
    aid: list[AidRowOut]
    aid_total: Decimal
    golden_autumn_students: int | None
    golden_autumn_amount: Decimal | None
    warmth_listed: int | None
    warmth_visited: int | None
    warmth_coverage: Decimal | None


def _file_for_change(request, file_id: int) -> HardshipFile:
    file = get_visible_or_404(HardshipFile.objects.select_related("union", "worker"), request.user, VIEW, pk=file_id)
    require_permission(request.user, CHANGE, file.node_path)
    return file


def _followup_out(f: FollowUp, number: str = "") -> dict:
    return {"id": f.pk, "file_id": f.file_id, "file_number": number or f.file.number, "months": f.months,
            "due_on": f.due_on, "done_on": f.done_on, "finding": f.finding, "notes": f.notes,
            "by": str(f.by) if f.by_id else "", "cancelled": f.cancelled}


def _exit_out(e: Exit, file: HardshipFile) -> dict:
    followups = FollowUp.objects.unscoped().filter(exit=e).select_related("by")
    return {"id": e.pk, "file_id": file.pk, "kind": e.kind, "reason": e.reason, "reason_label": e.get_reason_display(),
            "registered_on": e.registered_on, "ended_on": e.ended_on, "reopened_on": e.reopened_on,
            "followups": [_followup_out(f, file.number) for f in followups], "file_status": file.status}


def _within(within: int) -> int:
    return max(0, min(within, 366))


@router.get("/reviews/due", response=list[DueFileOut], summary="到期（含超期）待年度复核的档案")
@paginate(LimitOffsetPagination)
def reviews_due(request, within: int = 30):
    qs = services.reviews_due(HardshipFile.objects.visible_to(request.user, VIEW), within_days=_within(within))
    return [{"id": f.pk, "number": f.number, "worker_name": f.worker.name, "union_id": f.union_id,
             "union_name": f.union.display_name, "category": f.category, "next_review_due": f.next_review_due}
            for f in qs.select_related("worker", "union")[:1000]]


@router.get("/followups/due", response=list[FollowUpOut], summary="到期（含超期）待回访的脱困家庭")
@paginate(LimitOffsetPagination)
def followups_due(request, within: int = 30):
    qs = services.followups_due(FollowUp.objects.visible_to(request.user, VIEW), within_days=_within(within))
    return [_followup_out(f) for f in qs.select_related("file", "by")[:1000]]


@router.post("/files/{int:file_id}/review", response={201: ReviewOut}, summary="年度复核：记录现状、重新认定并作出结论")
def review_file(request, file_id: int, payload: ReviewIn):
    file = _file_for_change(request, file_id)
    review = services.review_file(file, situation=payload.situation, decision=payload.decision,
                                  reason=payload.reason, note=payload.note, on=payload.reviewed_on, by=request.user)
    file.refresh_from_db()
    return Status(201, _review_out(review, file))


def _review_out(r: Review, file: HardshipFile) -> dict:
    return {"id": r.pk, "file_id": file.pk, "reviewed_on": r.reviewed_on, "outcome": r.outcome,
            "outcome_label": r.get_outcome_display(), "category_before": r.category_before,
            "category_after": r.category_after, "assessment_id": r.assessment_id,
            "next_review_due": file.next_review_due, "file_status": file.status}


@router.post("/files/{int:file_id}/incomes", response={201: ExitRuleOut}, summary="登记一个月的家庭收入（返回脱困条件核对）")
def record_income(request, file_id: int, payload: IncomeIn):
    file = _file_for_change(request, file_id)
    services.record_monthly_income(file, month=payload.month, household_income=payload.household_income,
                                   household_size=payload.household_size, note=payload.note, by=request.user)
    return Status(201, _rule_out(services.exit_rule(file)))


@router.get("/files/{int:file_id}/exit-rule", response=ExitRuleOut, summary="脱困条件核对（连续月份人均收入与低保标准）")
def exit_rule(request, file_id: int):
    file = get_visible_or_404(HardshipFile.objects.select_related("union"), request.user, VIEW, pk=file_id)
    return _rule_out(services.exit_rule(file))


def _rule_out(rule) -> dict:
    return {"holds": rule.holds, "needed": rule.needed, "run": rule.run, "message": rule.message,
            "months": rule.months}


@router.post("/files/{int:file_id}/exit", response={201: ExitOut}, summary="解困脱困或注销（按原因）")
def end_file(request, file_id: int, payload: EndIn):
    file = _file_for_change(request, file_id)
    if payload.reason in Exit.CLOSE_REASONS:
        row = services.close_file(file, reason=payload.reason, note=payload.note, on=payload.on, by=request.user)
    else:
        row = services.exit_file(file, reason=payload.reason, note=payload.note, on=payload.on, by=request.user)
    file.refresh_from_db()
    return Status(201, _exit_out(row, file))


@router.post("/files/{int:file_id}/reopen", response=ExitOut, summary="返困：恢复在档并重新认定（防返困）")
def reopen_file(request, file_id: int, payload: ReopenIn):
    file = _file_for_change(request, file_id)
    row = services.reopen_file(file, situation=payload.situation, on=payload.on, by=request.user)
    file.refresh_from_db()
    if row is None:
        row = Exit.objects.unscoped().filter(file=file).order_by("-pk").first()
    return _exit_out(row, file)


@router.post("/followups/{int:followup_id}", response=FollowUpOut, summary="登记脱困回访")
def record_followup(request, followup_id: int, payload: FollowUpIn):
    followup = get_visible_or_404(FollowUp.objects.select_related("file"), request.user, VIEW, pk=followup_id)
    require_permission(request.user, CHANGE, followup.file.node_path)
    followup = services.record_followup(followup, finding=payload.finding, notes=payload.notes, on=payload.done_on,
                                        by=request.user)
    return _followup_out(followup)


DEFINITION = gettext_lazy("解困脱困率 = 本年解困脱困的家庭数 ÷（年初在档的家庭数 + 本年新建档的家庭数）；"
                          "按建档、脱困、注销日期计算，注销（退休、调离、死亡、认定错误）不计为脱困。")


@router.get("/figures", response=FiguresOut, summary="统计：在档、新增、脱困、脱困率、救助、金秋助学、送温暖（逐级下钻）")
def figures_json(request, node_id: int | None = None, year: int | None = None):
    this_year = timezone.localdate().year
    year = min(max(year or this_year, 2000), this_year)
    if node_id is not None:
        node = get_visible_or_404(UnionNode, request.user, VIEW, pk=node_id)
    else:
        node = figures.top_node(request.user)
        if node is None:
            raise PermissionDenied
    data = figures.report(request.user, node, year)
    golden, warmth = data["golden"] or {}, data["warmth"] or {}
    return {
        "node_id": node.pk, "node_name": node.display_name, "year": year, "definition": str(DEFINITION),
        "total": data["total"].as_dict(),
        "units": [{"node_id": r["id"], "name": r["name"], "own": r["own"], "counts": r["counts"].as_dict(),
                   "aid_amount": r["aid_amount"], "aid_count": r["aid_count"]} for r in data["rows"]],
        "aid": data["aid_rows"], "aid_total": data["aid"].total_amount,
        "golden_autumn_students": golden.get("students"), "golden_autumn_amount": golden.get("amount"),
        "warmth_listed": warmth.get("listed"), "warmth_visited": warmth.get("visited"),
        "warmth_coverage": warmth.get("coverage"),
    }
