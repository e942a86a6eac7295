"""Figures of hardship assistance per union and year (统计): registered, new, exited, the exit rate,
aid by kind and fund, Golden Autumn students and Send Warmth coverage — with a drill-down from the
city to a district, a union and its households.

The exit rate (解困脱困率) = households exited during the year ÷ (households registered at the start
of the year + households newly registered during it). Every count comes from dates, never from the
current status, so a past year's figure does not change: a file's current registration period is
``registered_on`` … ``exited_on``/``closed_on`` on the file, and each earlier period of a file that
was reopened (防返困) is kept on its Exit row (``registered_on`` … ``ended_on``, ``reopened_on`` set).
A household counts once per figure: one that was registered at the start of the year is not also
"new" when it was reopened during it.

The functions take querysets the caller has already scoped (``visible_to``), so the scope rule stays
in one place. Money is Decimal.
"""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import Substr

from gonghui.core.scope import subtree_q

METRICS = ("start", "new", "exited", "closed", "end")


def year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def exit_rate(exited: int, start: int, new: int) -> Decimal | None:
    """Per cent, one decimal; None when nobody was registered during the year (no denominator)."""
    base = start + new
    if base <= 0:
        return None
    return (Decimal(exited) * 100 / base).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class Counts:
    start: int = 0
    new: int = 0
    exited: int = 0
    closed: int = 0
    end: int = 0

    @property
    def base(self) -> int:
        return self.start + self.new

    @property
    def rate(self) -> Decimal | None:
        return exit_rate(self.exited, self.start, self.new)

    def add(self, other: "Counts", sign: int = 1) -> None:
        for m in METRICS:
            setattr(self, m, getattr(self, m) + sign * getattr(other, m))

    def as_dict(self) -> dict:
        return {m: getattr(self, m) for m in METRICS} | {"rate": self.rate}


def period_flags(periods, year: int) -> Counts:
    """One household's figures in ``year`` from its registration periods —
    ``(registered_on, ended_on or None, "exit" | "close" | None)`` each — as 0/1 counts."""
    y0, y1 = year_bounds(year)
    c = Counts()
    for registered_on, ended_on, kind in periods:
        if registered_on is None:
            continue
        if registered_on < y0 and (ended_on is None or ended_on >= y0):
            c.start = 1
        if y0 <= registered_on <= y1:
            c.new = 1
        if ended_on is not None and y0 <= ended_on <= y1:
            if kind == "exit":
                c.exited = 1
            elif kind == "close":
                c.closed = 1
        if registered_on <= y1 and (ended_on is None or ended_on > y1):
            c.end = 1
    if c.start:
        c.new = 0
    return c


def _current_period(file_row: dict):
    """The file's current period as (registered_on, ended_on, kind)."""
    if file_row["exited_on"]:
        return file_row["registered_on"], file_row["exited_on"], "exit"
    if file_row["closed_on"]:
        return file_row["registered_on"], file_row["closed_on"], "close"
    return file_row["registered_on"], None, None


def _count_q(year: int) -> dict:
    """Conditional counts over the files' current periods (one row per file)."""
    y0, y1 = year_bounds(year)
    open_at_y0 = (Q(exited_on__isnull=True) | Q(exited_on__gte=y0)) & (Q(closed_on__isnull=True) | Q(closed_on__gte=y0))
    open_after_y1 = (Q(exited_on__isnull=True) | Q(exited_on__gt=y1)) & (Q(closed_on__isnull=True) | Q(closed_on__gt=y1))
    return {
        "start": Count("pk", filter=Q(registered_on__lt=y0) & open_at_y0),
        "new": Count("pk", filter=Q(registered_on__gte=y0, registered_on__lte=y1)),
        "exited": Count("pk", filter=Q(exited_on__gte=y0, exited_on__lte=y1)),
        "closed": Count("pk", filter=Q(closed_on__gte=y0, closed_on__lte=y1)),
        "end": Count("pk", filter=Q(registered_on__lte=y1) & open_after_y1),
    }


def in_year_q(year: int) -> Q:
    """Files whose current period touches the year (registered at some time during it)."""
    y0, y1 = year_bounds(year)
    return (Q(registered_on__isnull=False, registered_on__lte=y1)
            & (Q(exited_on__isnull=True) | Q(exited_on__gte=y0)) & (Q(closed_on__isnull=True) | Q(closed_on__gte=y0)))


FLAG_Q = {
    "start": lambda y: Q(registered_on__lt=year_bounds(y)[0]) & in_year_q(y),
    "new": lambda y: Q(registered_on__gte=year_bounds(y)[0], registered_on__lte=year_bounds(y)[1]),
    "exited": lambda y: Q(exited_on__gte=year_bounds(y)[0], exited_on__lte=year_bounds(y)[1]),
    "closed": lambda y: Q(closed_on__gte=year_bounds(y)[0], closed_on__lte=year_bounds(y)[1]),
    "end": lambda y: Q(registered_on__lte=year_bounds(y)[1]) & (Q(exited_on__isnull=True) | Q(exited_on__gt=year_bounds(y)[1]))
    & (Q(closed_on__isnull=True) | Q(closed_on__gt=year_bounds(y)[1])),
}


def registration_counts(files, exits, year: int, node_path: str) -> dict[str, Counts]:
    """Counts per child of the node at ``node_path`` (key: the child's path; the node's own files
    under its own path), and ``""`` for the node's total.

    ``files``: HardshipFile rows (scoped); ``exits``: Exit rows (scoped), for the reopened files'
    earlier periods."""
    key_len = len(node_path) + 4
    in_node = subtree_q("node_path", node_path)
    y0, y1 = year_bounds(year)
    result: dict[str, Counts] = {}
    # Grouped by the path itself (the index's order: no sort), then folded into the children here.
    sums: dict[str, list[int]] = {}
    for path, *values in (files.filter(in_node, registered_on__isnull=False, registered_on__lte=y1).order_by()
                          .values("node_path").annotate(**_count_q(year)).values_list("node_path", *METRICS)):
        acc = sums.setdefault(path[:key_len], [0] * len(METRICS))
        for i, v in enumerate(values):
            acc[i] += v
    for key, acc in sums.items():
        result[key] = Counts(*acc)
    # Reopened files: their earlier periods overlapping the year, merged per household.
    past = list(exits.filter(in_node, reopened_on__isnull=False, registered_on__lte=y1, ended_on__gte=y0)
                .order_by().values("file_id", "registered_on", "ended_on", "kind"))
    if past:
        periods: dict[int, list] = {}
        for p in past:
            periods.setdefault(p["file_id"], []).append((p["registered_on"], p["ended_on"], p["kind"]))
        for f in (files.filter(pk__in=periods).order_by()
                  .values("pk", "node_path", "registered_on", "exited_on", "closed_on")):
            key = f["node_path"][:key_len]
            current = period_flags([_current_period(f)], year)
            combined = period_flags([*periods[f["pk"]], _current_period(f)], year)
            counts = result.setdefault(key, Counts())
            counts.add(current, -1)
            counts.add(combined)
    total = Counts()
    for counts in result.values():
        total.add(counts)
    result[""] = total
    return result


@dataclass
class AidFigures:
    total_amount: Decimal = Decimal("0")
    total_count: int = 0
    by_key: dict = field(default_factory=dict)   # child path -> [amount, count]
    by_kind_source: dict = field(default_factory=dict)  # (kind, fund source) -> [amount, count]


def _aid_from_rows(rows, sources: dict) -> AidFigures:
    figures = AidFigures()
    for row in rows:
        amount = row["amount"] or Decimal("0")
        figures.total_amount += amount
        figures.total_count += row["n"]
        by_key = figures.by_key.setdefault(row["key"], [Decimal("0"), 0])
        by_key[0] += amount
        by_key[1] += row["n"]
        pair = figures.by_kind_source.setdefault((row["kind"], sources.get(row["fund"], "")), [Decimal("0"), 0])
        pair[0] += amount
        pair[1] += row["n"]
    return figures


def _sources(model, fund_ids) -> dict:
    fund_model = model._meta.get_field("fund").related_model
    return dict(fund_model.objects.unscoped().filter(pk__in=fund_ids).values_list("pk", "source"))


def aid_figures(payments, year: int, node_path: str, paid_status: str = "paid") -> AidFigures:
    """Aid paid during the year, summed from the aid payments (scoped): per child of the node, and
    by kind and fund source (grouped by fund id: the few funds' sources are read after, so the big
    table is not joined). The page reads the same from the tallies (aid_figures_from_tallies)."""
    key_len = len(node_path) + 4
    y0, y1 = year_bounds(year)
    rows = list(payments.filter(subtree_q("node_path", node_path), status=paid_status, paid_on__gte=y0, paid_on__lte=y1)
                .order_by().annotate(key=Substr("node_path", 1, key_len))
                .values("key", "kind", "fund").annotate(amount=Sum("amount"), n=Count("pk")))
    return _aid_from_rows(rows, _sources(payments.model, {r["fund"] for r in rows}))


def aid_figures_from_tallies(tallies, year: int, node_path: str) -> AidFigures:
    """The same figures from the AidTally rows (scoped), in two GROUP BYs that read the covering index
    alone: per path (in index order, folded into the children here) and per kind and fund."""
    key_len = len(node_path) + 4
    rows = tallies.filter(subtree_q("node_path", node_path), year=year).order_by()
    figures = AidFigures()
    for path, amount, n in (rows.values("node_path").annotate(amount=Sum("amount"), n=Sum("count"))
                            .values_list("node_path", "amount", "n")):
        if n:
            by_key = figures.by_key.setdefault(path[:key_len], [Decimal("0"), 0])
            by_key[0] += amount
            by_key[1] += n
    figures.total_amount = sum((v[0] for v in figures.by_key.values()), Decimal("0"))
    figures.total_count = sum(v[1] for v in figures.by_key.values())
    pairs = [r for r in rows.values("kind", "fund").annotate(amount=Sum("amount"), n=Sum("count")) if r["n"]]
    sources = _sources(tallies.model, {r["fund"] for r in pairs})
    for row in pairs:
        pair = figures.by_kind_source.setdefault((row["kind"], sources.get(row["fund"], "")), [Decimal("0"), 0])
        pair[0] += row["amount"]
        pair[1] += row["n"]
    return figures


def golden_autumn_figures(applications, year: int, node_path: str) -> dict:
    """Golden Autumn grants paid for the year (scoped): students and amounts, per
    level and per child of the node."""
    key_len = len(node_path) + 4
    rows = (applications.filter(subtree_q("case__node_path", node_path), year=year, paid_on__isnull=False)
            .order_by().annotate(key=Substr("case__node_path", 1, key_len)).values("key", "level")
            .annotate(amount=Sum("amount"), n=Count("pk")))
    result = {"students": 0, "amount": Decimal("0"), "by_level": {}, "by_key": {}}
    for row in rows:
        amount = row["amount"] or Decimal("0")
        result["students"] += row["n"]
        result["amount"] += amount
        level = result["by_level"].setdefault(row["level"], [0, Decimal("0")])
        level[0] += row["n"]
        level[1] += amount
        key = result["by_key"].setdefault(row["key"], [0, Decimal("0")])
        key[0] += row["n"]
        key[1] += amount
    return result


def warmth_figures(targets, year: int, node_path: str) -> dict:
    """Send Warmth coverage in campaigns starting in the year (scoped): households on
    the visit lists, visited, and the value delivered."""
    key_len = len(node_path) + 4
    rows = (targets.filter(subtree_q("node_path", node_path), campaign__starts_on__year=year)
            .order_by().annotate(key=Substr("node_path", 1, key_len)).values("key")
            .annotate(listed=Count("pk"), visited=Count("visit"), value=Sum("visit__value")))
    result = {"listed": 0, "visited": 0, "value": Decimal("0"), "by_key": {}}
    for row in rows:
        result["listed"] += row["listed"]
        result["visited"] += row["visited"]
        result["value"] += row["value"] or Decimal("0")
        result["by_key"][row["key"]] = [row["listed"], row["visited"], row["value"] or Decimal("0")]
    result["coverage"] = (Decimal(result["visited"]) * 100 / result["listed"]).quantize(Decimal("0.1")) \
        if result["listed"] else None
    return result


def flag_q(files, exits, year: int, flag: str, node_path: str) -> Q:
    """The files behind one figure (``start``, ``new``, ``exited``, ``closed``, ``end``; or ``all``:
    every file registered at some time during the year), counted exactly as registration_counts
    counts them — reopened files by all their periods."""
    y0, y1 = year_bounds(year)
    in_node = subtree_q("node_path", node_path)
    reopened = {}
    for p in (exits.filter(in_node, reopened_on__isnull=False, registered_on__lte=y1, ended_on__gte=y0)
              .order_by().values("file_id", "registered_on", "ended_on", "kind")):
        reopened.setdefault(p["file_id"], []).append((p["registered_on"], p["ended_on"], p["kind"]))
    base = in_year_q(year) if flag == "all" else FLAG_Q[flag](year)
    if not reopened:
        return base
    chosen = []
    for f in files.filter(pk__in=reopened).order_by().values("pk", "registered_on", "exited_on", "closed_on"):
        flags = period_flags([*reopened[f["pk"]], _current_period(f)], year)
        if flag == "all" or getattr(flags, flag):
            chosen.append(f["pk"])
    return (base & ~Q(pk__in=list(reopened))) | Q(pk__in=chosen)


# ----- the page's and the API's report (scoped by the user) -----

VIEW = "hardship.view"


def top_node(user):
    """The highest node where the user holds hardship.view (the root for a superuser)."""
    from gonghui.core.scope import paths_with_permission
    from gonghui.orgs.models import UnionNode

    paths = paths_with_permission(user, VIEW)
    qs = UnionNode.objects.unscoped()
    if paths is None:
        return qs.order_by("depth", "path").first()
    if not paths:
        return None
    return qs.filter(path=min(paths, key=len)).first()


def report(user, node, year: int) -> dict:
    """Everything the figures page shows for ``node`` and ``year``, in the user's scope."""
    from gonghui.hardship.models import AidKind, AidTally, Exit, Fund, HardshipFile
    from gonghui.orgs.models import UnionNode

    files = HardshipFile.objects.visible_to(user, VIEW)
    exits = Exit.objects.visible_to(user, VIEW)
    counts = registration_counts(files, exits, year, node.path)
    aid = aid_figures_from_tallies(AidTally.objects.visible_to(user, VIEW), year, node.path)
    golden = _optional(lambda: golden_autumn_figures(_model("GoldenAutumnApplication").objects.visible_to(user, VIEW),
                                                     year, node.path))
    warmth = _optional(lambda: warmth_figures(_model("WarmthTarget").objects.visible_to(user, VIEW), year, node.path))
    keys = {k for k in counts if k} | set(aid.by_key) | set((golden or {}).get("by_key", {})) | \
        set((warmth or {}).get("by_key", {}))
    names = {n.path: n for n in UnionNode.objects.unscoped().filter(path__in=keys)}
    rows = []
    for key in sorted(keys):
        child = names.get(key)
        c = counts.get(key, Counts())
        rows.append({
            "key": key, "node": child, "own": key == node.path,
            "name": child.display_name if child else key, "id": child.pk if child else None,
            "counts": c, "aid_amount": aid.by_key.get(key, [Decimal("0"), 0])[0],
            "aid_count": aid.by_key.get(key, [Decimal("0"), 0])[1],
            "golden": (golden or {}).get("by_key", {}).get(key, [0, Decimal("0")]),
            "warmth": (warmth or {}).get("by_key", {}).get(key, [0, 0, Decimal("0")]),
        })
    kind_labels = dict(AidKind.choices)
    source_labels = dict(Fund.Source.choices)
    aid_rows = [{"kind": kind, "kind_label": str(kind_labels.get(kind, kind)), "source": source,
                 "source_label": str(source_labels.get(source, source or "")), "amount": v[0], "count": v[1]}
                for (kind, source), v in sorted(aid.by_kind_source.items())]
    return {"node": node, "year": year, "total": counts[""], "rows": rows, "aid": aid, "aid_rows": aid_rows,
            "golden": golden, "warmth": warmth, "leaf": not any(not r["own"] for r in rows)}


def _model(name: str):
    from django.apps import apps

    return apps.get_model("hardship", name)


def _optional(compute):
    """A figure from another part's models, or None when that part has no such model."""
    try:
        return compute()
    except LookupError:
        return None
