"""The reports part's API under /api/v1/legal/: the wage-arrears board and the figures (the same data
as the pages, in the caller's scope; staff with legal.view only — partners and workers get 403)."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from ninja import Router, Schema

from gonghui.core.scope import has_permission
from gonghui.legal import board as board_rules
from gonghui.legal import views_reports as pages

router = Router()


def _require_view(request) -> None:
    if not has_permission(request.user, pages.VIEW):
        raise PermissionDenied


class GroupOut(Schema):
    cases: int
    workers: int
    claimed: Decimal
    recovered: Decimal
    oldest: datetime.date | None
    days_open: int
    flagged: int


class BoardTotalOut(GroupOut):
    employers: int
    patterns: int


class BoardDistrictOut(GroupOut):
    id: int | None
    name: str
    employers: int


class BoardEmployerOut(GroupOut):
    key: str
    name: str
    uscc: str
    pattern: bool
    history: int
    districts: list[str]


class BoardCaseOut(Schema):
    id: int
    number: str
    applicant_name: str
    is_migrant: bool
    opponent_name: str
    opponent_uscc: str
    district: str
    workers_involved: int
    amount_claimed: Decimal
    submitted_on: datetime.date
    days_open: int
    flagged: bool
    state: str
    lawyer: str


class BoardOut(Schema):
    today: datetime.date
    festival: datetime.date | None
    days_to_festival: int | None
    in_window: bool
    total: BoardTotalOut
    districts: list[BoardDistrictOut]
    employers: list[BoardEmployerOut]
    employers_more: int
    cases: list[BoardCaseOut]
    cases_total: int


@router.get("/arrears", response=BoardOut, summary="欠薪案件看板：按用人单位和区（县）汇总，春节前标记，多案单位")
def arrears_board(request, district: int | None = None, employer: str = "", limit: int = 50, offset: int = 0):
    _require_view(request)
    day = pages.today()
    cases = pages.scoped_cases(request.user)
    data = board_rules.board(cases, day, district_id=district)
    listed = board_rules.case_page_source(cases, day, data, district_id=district, employer=employer[:220])
    limit = min(max(limit, 1), 200)
    offset = max(offset, 0)
    rows = [{
        "id": c.pk, "number": c.case.number, "applicant_name": c.applicant_name, "is_migrant": c.is_migrant,
        "opponent_name": c.opponent_name, "opponent_uscc": c.opponent_uscc,
        "district": c.district.name if c.district_id else "", "workers_involved": c.workers_involved,
        "amount_claimed": c.amount_claimed, "submitted_on": c.submitted_on,
        "days_open": (day - c.submitted_on).days, "flagged": bool(c.flagged), "state": c.case.state,
        "lawyer": c.lawyer.name if c.lawyer_id else "",
    } for c in listed[offset:offset + limit]]
    data.pop("employer_names")
    return {**data, "cases": rows, "cases_total": listed.count()}


class FigureRow(Schema):
    applications: int
    claimed: Decimal
    involved: int
    approved: int
    closed: int
    covered: int
    awarded: Decimal
    recovered: Decimal


class FigureTotal(FigureRow):
    consultations: int


class MatterRow(FigureRow):
    key: str
    name: str


class UnitRow(FigureRow):
    id: int | None
    name: str


class MonthRow(FigureRow):
    month: int
    label: str
    consultations: int


class LawyerRow(Schema):
    id: int | None
    name: str
    firm: str
    open: int
    closed: int
    covered: int
    recovered: Decimal
    rating: float | None
    rated: int


class FiguresOut(Schema):
    year: int
    district_id: int | None
    district_name: str
    unit: str
    total: FigureTotal
    by_matter: list[MatterRow]
    by_unit: list[UnitRow]
    by_month: list[MonthRow]
    by_lawyer: list[LawyerRow]


@router.get("/figures", response=FiguresOut, summary="援助统计：咨询、申请、受理、结案、受益职工、金额（按事项、工会、月份、律师）")
def figures_json(request, year: int | None = None, district: int | None = None):
    _require_view(request)
    data = pages.figures_for(request.user, year, district)
    node = data.pop("district")
    return {**data, "district_id": node.pk if node else None, "district_name": node.name if node else ""}
