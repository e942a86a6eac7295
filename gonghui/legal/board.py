"""The wage-arrears board (欠薪案件看板): the open legal-aid cases about unpaid wages, by employer and
by district — cases, workers and amounts involved, how long they have been open — with a flag for
cases close to the Spring Festival, and employers with several cases shown as a pattern.

"Open" = the workflow case is open (submitted, approved or in progress) and not closed. The functions
take a queryset the caller has already scoped (``visible_to`` / ``access.cases_for``), so the scope
rule stays in one place. The board reads one GROUP BY over the open wage cases (index
``legal_fig_closed``: closed_on IS NULL, matter) and folds the groups into employers here.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Min, Q, Sum

# An employer with this many open wage cases (or more) is shown as a pattern.
PATTERN_CASES = 2
# How far back the closed wage cases of an employer on the board are counted beside the open ones.
HISTORY_YEARS = 3
EMPLOYERS_SHOWN = 50


def next_spring_festival(today: datetime.date) -> datetime.date | None:
    """The start of the next Spring Festival holiday (the intake part's calendar)."""
    from gonghui.legal.services_intake import next_spring_festival as upcoming

    return upcoming(today)


def in_festival_window(today: datetime.date) -> bool:
    """Whether ``today`` is in the pre-Spring-Festival drive against wage arrears (15 November to the
    holiday), as the intake part decides urgent arrears."""
    from gonghui.legal.services_intake import in_arrears_window

    return in_arrears_window(today)


def flag_q(today: datetime.date) -> Q:
    """Cases flagged "春节前": marked urgent arrears when submitted, and — during the drive before the
    festival — every migrant worker's open wage case."""
    q = Q(urgent_arrears=True)
    if in_festival_window(today):
        q |= Q(is_migrant=True)
    return q


def open_wage_cases(cases):
    from gonghui.legal.models import Matter

    return cases.filter(matter=Matter.WAGES, closed_on__isnull=True, case__is_open=True)


def employer_key(uscc: str, name: str) -> str:
    """An employer is its USCC when given, else its name (spaces and case ignored)."""
    return (uscc or "").strip().upper() or "name:" + "".join((name or "").split()).lower()


@dataclass
class Group:
    key: str = ""
    name: str = ""
    uscc: str = ""
    cases: int = 0
    workers: int = 0
    claimed: Decimal = Decimal("0")
    recovered: Decimal = Decimal("0")
    oldest: datetime.date | None = None
    flagged: int = 0
    districts: set = field(default_factory=set)
    employers: set = field(default_factory=set)  # for a district: the employer keys in it
    history: int = 0  # the employer's wage cases (open or closed) in the last HISTORY_YEARS years
    days_open: int = 0
    pattern: bool = False

    def add(self, row: dict) -> None:
        self.cases += row["n"]
        self.workers += row["workers"] or 0
        self.claimed += row["claimed"] or Decimal("0")
        self.recovered += row["recovered"] or Decimal("0")
        self.flagged += row["flagged"]
        if row["oldest"] is not None and (self.oldest is None or row["oldest"] < self.oldest):
            self.oldest = row["oldest"]
        if row["district_id"] is not None:
            self.districts.add(row["district_id"])

    def as_dict(self) -> dict:
        return {"cases": self.cases, "workers": self.workers, "claimed": self.claimed, "recovered": self.recovered,
                "oldest": self.oldest, "days_open": self.days_open, "flagged": self.flagged}


def board(cases, today: datetime.date, *, district_id: int | None = None, employer: str = "") -> dict:
    """The board over ``cases`` (LegalCase rows, scoped). ``district_id`` narrows to one district;
    ``employer`` (an employer_key) narrows the case list to one employer."""
    from gonghui.orgs.models import UnionNode

    base = open_wage_cases(cases)
    if district_id:
        base = base.filter(district_id=district_id)
    rows = list(base.order_by().values("opponent_uscc", "opponent_name", "district_id").annotate(
        n=Count("pk"), workers=Sum("workers_involved"), claimed=Sum("amount_claimed"),
        recovered=Sum("amount_recovered"), oldest=Min("submitted_on"), flagged=Count("pk", filter=flag_q(today))))

    total = Group()
    employers: dict[str, Group] = {}
    districts: dict[int | None, Group] = {}
    for row in rows:
        total.add(row)
        key = employer_key(row["opponent_uscc"], row["opponent_name"])
        emp = employers.get(key)
        if emp is None:
            emp = employers[key] = Group(key=key, name=row["opponent_name"], uscc=row["opponent_uscc"] or "")
        elif row["opponent_uscc"] and not emp.uscc:
            emp.uscc = row["opponent_uscc"]
        emp.add(row)
        dist = districts.get(row["district_id"])
        if dist is None:
            dist = districts[row["district_id"]] = Group(key=str(row["district_id"] or ""))
        dist.add(row)
        dist.employers.add(key)
    for group in (total, *employers.values(), *districts.values()):
        group.days_open = (today - group.oldest).days if group.oldest else 0
    for emp in employers.values():
        emp.pattern = emp.cases >= PATTERN_CASES

    ranked = sorted(employers.values(), key=lambda e: (-e.cases, -e.claimed, -e.days_open, e.name))
    shown = ranked[:EMPLOYERS_SHOWN]
    _add_history(cases, shown, today)
    node_ids = {d for d in districts if d} | {d for e in shown for d in e.districts}
    names = dict(UnionNode.objects.unscoped().filter(pk__in=node_ids).values_list("pk", "name"))
    district_rows = sorted(
        ({"id": d, "name": names.get(d, "") if d else "", "employers": len(g.employers), **g.as_dict()}
         for d, g in districts.items()),
        key=lambda r: (-r["cases"], r["name"]))
    employer_rows = [{"key": e.key, "name": e.name, "uscc": e.uscc, "pattern": e.pattern, "history": e.history,
                      "districts": [names.get(d, "") for d in sorted(e.districts)], **e.as_dict()} for e in shown]
    festival = next_spring_festival(today)
    return {
        "today": today,
        "festival": festival,
        "days_to_festival": (festival - today).days if festival else None,
        "in_window": in_festival_window(today),
        "total": {**total.as_dict(), "employers": len(employers),
                  "patterns": sum(1 for e in employers.values() if e.pattern)},
        "districts": district_rows,
        "employers": employer_rows,
        "employers_more": max(len(ranked) - len(shown), 0),
        "employer_names": {e.key: e.name for e in ranked},
    }


def _add_history(cases, employers: list[Group], today: datetime.date) -> None:
    """Each shown employer's wage cases in the last HISTORY_YEARS years, open or closed (one query,
    through the USCC and opponent-name indexes)."""
    from gonghui.legal.models import Matter

    if not employers:
        return
    usccs = [e.uscc for e in employers if e.uscc]
    names = [e.name for e in employers if not e.uscc]
    since = today.replace(year=today.year - HISTORY_YEARS) if not (today.month == 2 and today.day == 29) \
        else today - datetime.timedelta(days=365 * HISTORY_YEARS)
    q = Q()
    if usccs:
        q |= Q(opponent_uscc__in=usccs)
    if names:
        q |= Q(opponent_name__in=names, opponent_uscc="")
    by_key: dict[str, int] = {}
    for uscc, name, n in (cases.filter(q, matter=Matter.WAGES, submitted_on__gte=since).order_by()
                          .values("opponent_uscc", "opponent_name").annotate(n=Count("pk"))
                          .values_list("opponent_uscc", "opponent_name", "n")):
        key = employer_key(uscc, name)
        by_key[key] = by_key.get(key, 0) + n
    for e in employers:
        e.history = by_key.get(e.key, e.cases)
        if e.history >= PATTERN_CASES + 1:
            e.pattern = True


def case_list(cases, today: datetime.date, *, district_id: int | None = None, employer: str = ""):
    """The open wage cases behind the board (flagged first, then the longest open), annotated with
    ``flagged`` (0/1)."""
    qs = open_wage_cases(cases)
    if district_id:
        qs = qs.filter(district_id=district_id)
    if employer:
        if employer.startswith("name:"):
            qs = qs.filter(opponent_uscc="", opponent_name__in=_names_for(cases, employer))
        else:
            qs = qs.filter(opponent_uscc=employer)
    return _shown(qs, today).order_by("-flagged", "submitted_on", "pk")


def _shown(qs, today: datetime.date):
    """``qs`` with the ``flagged`` mark (0/1) and what a row of the list shows."""
    from django.db.models import Case, IntegerField, Value, When

    return (qs.annotate(flagged=Case(When(flag_q(today), then=Value(1)), default=Value(0),
                                     output_field=IntegerField()))
            .select_related("case", "district", "lawyer"))


class CaseList:
    """The board's case list as Paginator needs it (count and slices), cheaper than the queryset: the
    count is the board's own total when it is known (no employer chosen), and a page is read in two
    steps — the page's ids in the list's order (narrow rows, from the board's index), then those
    rows with what they show."""

    def __init__(self, qs, today: datetime.date, count: int | None = None):
        self.qs = qs
        self.today = today
        self._count = count

    def count(self) -> int:
        if self._count is None:
            self._count = self.qs.count()
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, page: slice) -> list:
        from gonghui.legal.models import LegalCase

        ids = list(self.qs.values_list("pk", flat=True)[page])
        # The ids come from the scoped list: their rows are read by primary key alone.
        rows = {c.pk: c for c in _shown(LegalCase.objects.unscoped().filter(pk__in=ids), self.today)}
        return [rows[pk] for pk in ids if pk in rows]


def case_page_source(cases, today: datetime.date, data: dict, *, district_id: int | None = None,
                     employer: str = "") -> CaseList:
    """The case list behind ``data`` (the board() just computed with the same district)."""
    qs = case_list(cases, today, district_id=district_id, employer=employer)
    return CaseList(qs, today, None if employer else data["total"]["cases"])


def _names_for(cases, key: str) -> list[str]:
    """The spellings of an employer name key among the open wage cases (spaces and case ignored)."""
    wanted = key[len("name:"):]
    names = set(open_wage_cases(cases).filter(opponent_uscc="").order_by().values_list("opponent_name", flat=True)
                .distinct())
    return [n for n in names if "".join(n.split()).lower() == wanted]
