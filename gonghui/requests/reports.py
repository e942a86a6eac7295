"""Request figures: counts by category, union and month; closed on time; time to close; satisfaction.

Everything is counted from the rows the reader may see (``visible_to(user, "requests.view")``).
Satisfaction counts only ratings the worker gave: an invitation left unanswered is "not rated",
never "satisfied".
"""

import datetime
import io
from dataclasses import dataclass, field

from django.db.models import BooleanField, Count, ExpressionWrapper, Q
from django.db.models.functions import Substr, TruncMonth
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from gonghui.core.scope import paths_with_permission
from gonghui.core.spreadsheet import WORKBOOK_OPTIONS, safe_cell
from gonghui.orgs.models import STEP_LEN, UnionNode
from gonghui.requests.models import Request


@dataclass
class Report:
    start: datetime.date
    end: datetime.date
    total: int = 0
    closed: int = 0
    closed_on_time: int = 0
    open: int = 0
    overdue: int = 0
    urgent: int = 0
    avg_days_to_close: float | None = None
    invited: int = 0
    rated: int = 0
    not_rated: int = 0
    satisfied: int = 0
    avg_rating: float | None = None
    by_category: list = field(default_factory=list)  # (id, label, count)
    by_union: list = field(default_factory=list)  # (node id, name, count)
    by_month: list = field(default_factory=list)  # ("2026-01", count)
    by_kind: list = field(default_factory=list)
    by_channel: list = field(default_factory=list)

    @property
    def on_time_rate(self):
        return round(100 * self.closed_on_time / self.closed, 1) if self.closed else None

    @property
    def satisfaction_rate(self):
        return round(100 * self.satisfied / self.rated, 1) if self.rated else None


def _months(start: datetime.date, end: datetime.date) -> list[str]:
    months, y, m = [], start.year, start.month
    while (y, m) <= (end.year, end.month):
        months.append(f"{y}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def parse_day(value) -> datetime.date | None:
    """A date from a query string; None when empty, malformed or impossible (2026-13-45)."""
    try:
        return parse_date(value or "")
    except ValueError:  # well-formed but not a real date: parse_date raises instead of returning None
        return None


def period(params) -> tuple[datetime.date, datetime.date]:
    """The chosen dates, or the last twelve months (this month included)."""
    today = timezone.localdate()
    end = parse_day(params.get("end")) or today
    start = parse_day(params.get("start"))
    if start is None:
        y, m = end.year, end.month - 11
        if m <= 0:
            y, m = y - 1, m + 12
        start = datetime.date(y, m, 1)
    if start > end:
        start, end = end, start
    return start, end


def _union_level(user) -> tuple[int, list[str]]:
    """Group by the children of the reader's union (or by their unions when they hold several)."""
    paths = paths_with_permission(user, "requests.view")
    if paths is None:
        return STEP_LEN * 2, []
    if len(paths) == 1:
        return len(paths[0]) + STEP_LEN, paths
    return min(len(p) for p in paths), paths


def build(user, params) -> Report:
    start, end = period(params)
    qs = Request.objects.visible_to(user, "requests.view").filter(
        case__created_at__date__gte=start, case__created_at__date__lte=end)
    report = Report(start=start, end=end)
    now = timezone.now()

    invited = ExpressionWrapper(Q(rating_invited_at__isnull=False), output_field=BooleanField())
    for row in qs.annotate(invited=invited).values("case__is_open", "case__urgent", "on_time", "rating", "invited") \
            .annotate(n=Count("pk")).order_by():
        n = row["n"]
        report.total += n
        report.urgent += n if row["case__urgent"] else 0
        if row["case__is_open"]:
            report.open += n
        else:
            report.closed += n
            report.closed_on_time += n if row["on_time"] else 0
        if row["invited"]:
            report.invited += n
            if row["rating"] is None:
                report.not_rated += n
        if row["rating"] is not None:
            report.rated += n
            report.satisfied += n if row["rating"] >= 4 else 0
    report.overdue = qs.filter(case__is_open=True, case__due_at__lt=now).count()

    durations = list(qs.filter(case__is_open=False, closed_at__isnull=False)
                     .values_list("case__created_at", "closed_at"))
    if durations:
        seconds = sum((closed - created).total_seconds() for created, closed in durations)
        report.avg_days_to_close = round(seconds / len(durations) / 86400, 1)
    ratings = list(qs.filter(rating__isnull=False).values_list("rating", flat=True))
    if ratings:
        report.avg_rating = round(sum(ratings) / len(ratings), 2)

    report.by_category = [(r["category_id"], _(r["category__name"]), r["n"]) for r in
                          qs.values("category_id", "category__name", "category__order")
                          .annotate(n=Count("pk")).order_by("category__order", "category_id")]
    report.by_kind = [(k, str(Request.Kind(k).label), n) for k, n in
                      qs.values_list("kind").annotate(n=Count("pk")).order_by("kind")]
    report.by_channel = [(c, str(Request.Channel(c).label), n) for c, n in
                         qs.values_list("channel").annotate(n=Count("pk")).order_by("channel")]

    length, roots = _union_level(user)
    unions = dict(qs.annotate(prefix=Substr("case__node_path", 1, length)).values_list("prefix")
                  .annotate(n=Count("pk")).order_by())
    nodes = {n.path: n for n in UnionNode.objects.unscoped().filter(path__in=list(unions))}
    report.by_union = sorted(
        [(nodes[p].pk if p in nodes else None,
          (nodes[p].short_name or nodes[p].name) + ("" if len(p) == length else _("（本级）")) if p in nodes else p, n)
         for p, n in unions.items()], key=lambda row: -row[2])

    per_month = {}
    for month, n in qs.annotate(m=TruncMonth("case__created_at")).values_list("m").annotate(n=Count("pk")) \
            .order_by():
        key = f"{timezone.localtime(month) if timezone.is_aware(month) else month:%Y-%m}" \
            if isinstance(month, datetime.datetime) else f"{month:%Y-%m}"
        per_month[key] = per_month.get(key, 0) + n
    report.by_month = [(m, per_month.get(m, 0)) for m in _months(start, end)]
    return report


def chart_data(report: Report) -> dict:
    return {
        "category": {"labels": [r[1] for r in report.by_category], "values": [r[2] for r in report.by_category],
                     "ids": [r[0] for r in report.by_category]},
        "union": {"labels": [r[1] for r in report.by_union], "values": [r[2] for r in report.by_union],
                  "ids": [r[0] for r in report.by_union]},
        "month": {"labels": [r[0] for r in report.by_month], "values": [r[1] for r in report.by_month]},
    }


def to_xlsx(report: Report) -> bytes:
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, WORKBOOK_OPTIONS)
    bold = book.add_format({"bold": True})

    def sheet(name, header, rows):
        ws = book.add_worksheet(name)
        ws.write_row(0, 0, header, bold)
        for i, row in enumerate(rows, start=1):
            ws.write_row(i, 0, [safe_cell(v) for v in row])
        ws.set_column(0, 0, 28)
        ws.set_column(1, len(header), 14)

    def pct(v):
        return "" if v is None else f"{v}%"

    sheet(_("概况"), [_("指标"), _("数值")], [
        (_("统计期间"), f"{report.start:%Y-%m-%d} — {report.end:%Y-%m-%d}"),
        (_("诉求总数"), report.total), (_("已办结"), report.closed), (_("按时办结"), report.closed_on_time),
        (_("按时办结率"), pct(report.on_time_rate)), (_("办理中"), report.open), (_("超期未办结"), report.overdue),
        (_("农民工欠薪（加急）"), report.urgent),
        (_("平均办结天数"), "" if report.avg_days_to_close is None else report.avg_days_to_close),
        (_("邀请评价"), report.invited), (_("已评价"), report.rated), (_("未评价"), report.not_rated),
        (_("满意（4–5分）"), report.satisfied), (_("满意率（占已评价）"), pct(report.satisfaction_rate)),
        (_("平均评分"), "" if report.avg_rating is None else report.avg_rating),
    ])
    sheet(_("按类别"), [_("类别"), _("件数")], [(r[1], r[2]) for r in report.by_category])
    sheet(_("按工会"), [_("工会"), _("件数")], [(r[1], r[2]) for r in report.by_union])
    sheet(_("按月份"), [_("月份"), _("件数")], report.by_month)
    sheet(_("按类型"), [_("类型"), _("件数")], [(r[1], r[2]) for r in report.by_kind])
    sheet(_("按渠道"), [_("渠道"), _("件数")], [(r[1], r[2]) for r in report.by_channel])
    book.close()
    return out.getvalue()
