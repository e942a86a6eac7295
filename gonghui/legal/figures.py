"""Figures of legal aid for a year (援助统计): consultations answered, applications, applications
approved, cases closed, workers covered, amounts claimed, awarded and recovered — by matter, by union
(district, or the unions of one district), by month and by lawyer; exported as .xlsx.

Each figure is counted by its own date, so a past year's figures do not change: applications by
``submitted_on`` (with the amount claimed and the workers involved), approvals by ``decided_on`` (the
decisions that were not refusals), closings by ``closed_on`` (with the workers covered and the amounts
awarded and recovered), consultations by ``answered_at``. Four GROUP BYs over one year's rows, folded
here. The functions take querysets the caller has already scoped.
"""

import datetime
import io
from dataclasses import dataclass, fields
from decimal import Decimal

from django.db.models import Avg, Count, Func, IntegerField, Q, Sum
from django.db.models.functions import ExtractMonth
from django.utils import timezone
from django.utils.translation import gettext as _

VIEW = "legal.view"
REJECTED = "rejected"


class Month(Func):
    """The month of a date column, computed by the database itself: SQLite keeps dates as ISO text,
    so the month is characters 6–7 (Django's ExtractMonth calls a Python function for every row)."""

    template = "CAST(EXTRACT(MONTH FROM %(expressions)s) AS INTEGER)"
    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, template="CAST(SUBSTR(%(expressions)s, 6, 2) AS INTEGER)", **extra)


class Year(Func):
    """The year of a date column, computed by the database (see Month)."""

    template = "CAST(EXTRACT(YEAR FROM %(expressions)s) AS INTEGER)"
    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, template="CAST(SUBSTR(%(expressions)s, 1, 4) AS INTEGER)", **extra)


@dataclass
class Row:
    applications: int = 0
    claimed: Decimal = Decimal("0")
    involved: int = 0
    approved: int = 0
    closed: int = 0
    covered: int = 0
    awarded: Decimal = Decimal("0")
    recovered: Decimal = Decimal("0")

    def as_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}


FIELDS = [f.name for f in fields(Row)]
MONEY_FIELDS = {"claimed", "awarded", "recovered"}


def _row(values: list) -> Row:
    return Row(*(Decimal(v) if name in MONEY_FIELDS else v for name, v in zip(FIELDS, values, strict=True)))


def year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def _in_year(name: str, year: int) -> Q:
    y0, y1 = year_bounds(year)
    return Q(**{f"{name}__gte": y0, f"{name}__lte": y1})


def _fold_into(acc: dict, rows, *targets) -> None:
    """Add ``rows`` of (matter, unit, month, *values) into ``acc`` at the FIELDS named ``targets``."""
    idx = [FIELDS.index(t) for t in targets]
    for matter, key, month, *values in rows:
        a = acc.get((matter, key, month))
        if a is None:
            a = acc[(matter, key, month)] = [0] * len(FIELDS)
        for i, v in zip(idx, values, strict=True):
            if v:
                a[i] += v


def _from_cases(cases, year: int, unit: str) -> tuple[dict, dict]:
    """The year's figures counted from the cases: {(matter, unit, month): [FIELDS…]} and the lawyers'
    closings {lawyer_id: {closed, covered, recovered, avg_rating, rated}}. Four GROUP BYs folded by
    (matter, unit, month) — they mostly share their keys — then spread by the caller."""
    acc: dict[tuple, list] = {}
    base = cases.order_by()
    _fold_into(acc, base.filter(_in_year("submitted_on", year)).annotate(month=Month("submitted_on"))
               .values("matter", unit, "month")
               .annotate(n=Count("pk"), claimed=Sum("amount_claimed"), involved=Sum("workers_involved"))
               .values_list("matter", unit, "month", "n", "claimed", "involved"),
               "applications", "claimed", "involved")
    # Approvals = the year's decisions (one index, no join) less its refusals, which are few and
    # found from the workflow's (type, state, closing time) index.
    _fold_into(acc, base.filter(_in_year("decided_on", year)).annotate(month=Month("decided_on"))
               .values("matter", unit, "month").annotate(n=Count("pk")).values_list("matter", unit, "month", "n"),
               "approved")
    y0, y1 = year_bounds(year)
    margin = datetime.timedelta(days=2)
    _fold_into(acc, base.filter(
        _in_year("decided_on", year), case__case_type="legal_aid", case__state=REJECTED,
        case__closed_at__gte=timezone.make_aware(datetime.datetime.combine(y0 - margin, datetime.time())),
        case__closed_at__lt=timezone.make_aware(datetime.datetime.combine(y1 + margin, datetime.time())))
               .annotate(month=Month("decided_on")).values("matter", unit, "month").annotate(n=-Count("pk"))
               .values_list("matter", unit, "month", "n"),
               "approved")
    _fold_into(acc, base.filter(_in_year("closed_on", year)).annotate(month=Month("closed_on"))
               .values("matter", unit, "month")
               .annotate(n=Count("pk"), covered=Sum("workers_covered"), awarded=Sum("amount_awarded"),
                         recovered=Sum("amount_recovered"))
               .values_list("matter", unit, "month", "n", "covered", "awarded", "recovered"),
               "closed", "covered", "awarded", "recovered")
    lawyers = {r["lawyer_id"]: r for r in base.filter(_in_year("closed_on", year), lawyer__isnull=False)
               .values("lawyer_id").annotate(closed=Count("pk"), covered=Sum("workers_covered"),
                                             recovered=Sum("amount_recovered"), avg_rating=Avg("rating"),
                                             rated=Count("rating"))}
    return acc, lawyers


def _from_tallies(tallies, year: int) -> tuple[list, dict, dict, dict, dict]:
    """The same as _spread(_from_cases(…)) by district, read from the year's LegalTally rows
    (tally.py): each breakdown is one GROUP BY over a few thousand rows, so nothing is folded here."""
    from gonghui.legal.models import LegalTally

    year_rows = tallies.filter(year=year).order_by()
    sums = {"n": Sum("count"), "refused": Sum("refused"), "workers": Sum("workers"), "claimed": Sum("claimed"),
            "awarded": Sum("awarded"), "recovered": Sum("recovered")}
    spread = []
    for dimension in ("matter", "district_key", "month"):
        out: dict = {}
        for r in (year_rows.exclude(kind=LegalTally.Kind.LAWYER).values("kind", dimension).annotate(**sums)):
            key = r[dimension] if dimension != "district_key" else (r[dimension] or None)
            a = out.setdefault(key, [0] * len(FIELDS))
            if r["kind"] == LegalTally.Kind.SUBMITTED:
                values = {"applications": r["n"], "claimed": r["claimed"], "involved": r["workers"]}
            elif r["kind"] == LegalTally.Kind.DECIDED:
                values = {"approved": r["n"] - r["refused"]}
            else:
                values = {"closed": r["n"], "covered": r["workers"], "awarded": r["awarded"],
                          "recovered": r["recovered"]}
            for name, v in values.items():
                a[FIELDS.index(name)] += v or 0
        spread.append(out)
    by_matter, by_unit, by_month = spread
    total = [sum(column) for column in zip(*by_month.values(), strict=True)] if by_month else [0] * len(FIELDS)
    lawyers = {}
    for r in (year_rows.filter(kind=LegalTally.Kind.LAWYER).values("lawyer_key")
              .annotate(closed=Sum("count"), covered=Sum("workers"), recovered=Sum("recovered"),
                        rating_sum=Sum("rating_sum"), rated=Sum("rated"))):
        r["avg_rating"] = r.pop("rating_sum") / r["rated"] if r["rated"] else None
        lawyers[r.pop("lawyer_key")] = r
    return total, by_matter, by_unit, by_month, lawyers


def _spread(acc: dict) -> tuple[list, dict, dict, dict]:
    """{(matter, unit, month): [FIELDS…]} added up into the total and the three breakdowns."""
    total = [0] * len(FIELDS)
    by_matter: dict[str, list] = {}
    by_unit: dict[int | None, list] = {}
    by_month: dict[int, list] = {}
    for (matter, key, month), a in acc.items():
        for target in (total, by_matter.setdefault(matter, [0] * len(FIELDS)),
                       by_unit.setdefault(key, [0] * len(FIELDS)), by_month.setdefault(month, [0] * len(FIELDS))):
            for i, v in enumerate(a):
                target[i] += v
    return total, by_matter, by_unit, by_month


def report(cases, consultations, year: int, *, district=None, tallies=None) -> dict:
    """Everything the page, the API and the export show. ``cases``: LegalCase rows, ``consultations``:
    Consultation rows, ``tallies``: LegalTally rows (all scoped). With ``district`` (a UnionNode) the
    figures are that district's and the union rows are its unions, counted from its cases; otherwise
    the union rows are the districts, read from the tallies when given (else counted from the cases:
    both ways give the same figures, which the tests hold)."""
    from gonghui.legal.models import Lawyer, Matter
    from gonghui.orgs.models import UnionNode

    if district is not None:
        cases = cases.filter(district=district)
    if district is None and tallies is not None:
        total, matters, units, months, lawyers = _from_tallies(tallies, year)
    else:
        acc, lawyers = _from_cases(cases, year, "union_id" if district is not None else "district_id")
        total, matters, units, months = _spread(acc)
    # Every matter and month shown, even with nothing.
    by_matter = {m: matters.get(m, [0] * len(FIELDS)) for m in Matter.values} | matters
    by_month = {m: months.get(m, [0] * len(FIELDS)) for m in range(1, 13)}
    by_unit = units
    total, by_matter, by_unit, by_month = (
        _row(total), {k: _row(v) for k, v in by_matter.items()}, {k: _row(v) for k, v in by_unit.items()},
        {k: _row(v) for k, v in by_month.items()})

    base = cases.order_by()
    # Open cases are never closed (no step reopens one): closed_on IS NULL narrows them by index.
    for r in (base.filter(closed_on__isnull=True, case__is_open=True, lawyer__isnull=False).values("lawyer_id")
              .annotate(n=Count("pk"))):
        lawyers.setdefault(r["lawyer_id"], {"lawyer_id": r["lawyer_id"], "closed": 0, "covered": 0,
                                            "recovered": Decimal("0"), "avg_rating": None, "rated": 0})["open"] = r["n"]
    lawyer_names = {pk: (name, firm or "") for pk, name, firm in Lawyer.objects.unscoped()
                    .filter(pk__in=[k for k in lawyers if k]).values_list("pk", "name", "firm__name")}
    lawyer_rows = sorted(
        ({"id": pk, "name": lawyer_names.get(pk, ("", ""))[0], "firm": lawyer_names.get(pk, ("", ""))[1],
          "closed": r["closed"], "covered": r["covered"] or 0, "recovered": r["recovered"] or Decimal("0"),
          "rating": round(r["avg_rating"], 1) if r["avg_rating"] is not None else None, "rated": r["rated"],
          "open": r.get("open", 0)} for pk, r in lawyers.items()),
        key=lambda r: (-r["closed"], -r["open"], r["name"]))

    start = timezone.make_aware(datetime.datetime(year, 1, 1))
    end = timezone.make_aware(datetime.datetime(year + 1, 1, 1))
    consult = {r["month"]: r["n"] for r in consultations.filter(answered_at__gte=start, answered_at__lt=end)
               .order_by().annotate(month=ExtractMonth("answered_at")).values("month").annotate(n=Count("pk"))}

    matter_labels = dict(Matter.choices)
    names = dict(UnionNode.objects.unscoped().filter(pk__in=[k for k in by_unit if k]).values_list("pk", "name"))
    unit_rows = sorted(({"id": k, "name": names.get(k, "") if k else _("未填工会"), **v.as_dict()}
                        for k, v in by_unit.items()), key=lambda r: (-r["applications"], -r["closed"], r["name"]))
    return {
        "year": year, "district": district, "unit": "union" if district is not None else "district",
        "total": total.as_dict() | {"consultations": sum(consult.values())},
        "by_matter": [{"key": k, "name": str(matter_labels.get(k, k)), **v.as_dict()} for k, v in by_matter.items()],
        "by_unit": unit_rows,
        "by_month": [{"month": m, "label": f"{year}-{m:02d}", "consultations": consult.get(m, 0), **v.as_dict()}
                     for m, v in by_month.items()],
        "by_lawyer": lawyer_rows,
    }


def chart(data: dict) -> dict:
    """The series the page's ECharts draw."""
    return {
        "months": [r["label"][5:] for r in data["by_month"]],
        "consultations": [r["consultations"] for r in data["by_month"]],
        "applications": [r["applications"] for r in data["by_month"]],
        "approved": [r["approved"] for r in data["by_month"]],
        "closed": [r["closed"] for r in data["by_month"]],
        "recovered": [float(r["recovered"]) for r in data["by_month"]],
        "matters": [r["name"] for r in data["by_matter"]],
        "matter_applications": [r["applications"] for r in data["by_matter"]],
        "matter_claimed": [float(r["claimed"]) for r in data["by_matter"]],
        "matter_recovered": [float(r["recovered"]) for r in data["by_matter"]],
    }


def to_xlsx(data: dict) -> bytes:
    import xlsxwriter

    from gonghui.core.spreadsheet import WORKBOOK_OPTIONS, safe_cell

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, WORKBOOK_OPTIONS)
    bold = book.add_format({"bold": True})
    money = book.add_format({"num_format": "#,##0.00"})
    money_cols = {"claimed", "awarded", "recovered"}
    metric_cols = ("applications", "claimed", "involved", "approved", "closed", "covered", "awarded", "recovered")
    metric_head = [_("申请件数"), _("请求金额（元）"), _("涉及职工"), _("受理件数"), _("结案件数"), _("受益职工"),
                   _("裁判/调解金额（元）"), _("追回金额（元）")]

    def sheet(name, first_head, rows, first, cols=metric_cols, head=metric_head):
        ws = book.add_worksheet(name)
        ws.write_row(0, 0, [first_head, *head], bold)
        for i, row in enumerate(rows, start=1):
            ws.write(i, 0, safe_cell(str(row[first])))
            for j, col in enumerate(cols, start=1):
                value = row[col]
                if value is None:
                    ws.write_blank(i, j, None)
                elif col in money_cols:
                    ws.write_number(i, j, float(value), money)
                else:
                    ws.write_number(i, j, value)
        ws.set_column(0, 0, 30)
        ws.set_column(1, len(cols), 14)

    t = data["total"]
    ws = book.add_worksheet(_("概况"))
    ws.write_row(0, 0, [_("指标"), _("数值")], bold)
    summary = [(_("年度"), str(data["year"])), (_("范围"), data["district"].name if data["district"] else _("全部")),
               (_("法律咨询"), t["consultations"]), *zip(metric_head, (t[c] for c in metric_cols), strict=True)]
    for i, (label, value) in enumerate(summary, start=1):
        ws.write(i, 0, label)
        if isinstance(value, Decimal):
            ws.write_number(i, 1, float(value), money)
        else:
            ws.write(i, 1, value)
    ws.set_column(0, 0, 24)
    ws.set_column(1, 1, 18)
    sheet(_("按争议事项"), _("争议事项"), data["by_matter"], "name")
    sheet(_("按工会") if data["unit"] == "union" else _("按区（县）"), _("工会"), data["by_unit"], "name")
    sheet(_("按月份"), _("月份"), data["by_month"], "label", cols=("consultations", *metric_cols),
          head=[_("法律咨询"), *metric_head])
    lawyer_rows = [{**r, "name": f"{r['name']}（{r['firm']}）" if r["firm"] else r["name"]} for r in data["by_lawyer"]]
    sheet(_("按律师"), _("律师"), lawyer_rows, "name", cols=("open", "closed", "covered", "recovered", "rating"),
          head=[_("在办件数"), _("结案件数"), _("受益职工"), _("追回金额（元）"), _("平均评价")])
    book.close()
    return out.getvalue()
