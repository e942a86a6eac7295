"""How the member list reads its rows at city scale (2,000,000 memberships): the query plan.

The page, its HTMX table, the export and the API all call ``plan(user, permission, params)``; it
returns the scoped, filtered and ordered queryset and how far to count.

- A district holds hundreds of thousands of memberships. Its first page in the default order
  (union by union, then by pinyin) is read straight from the index (node_path, sort_name); in
  pinyin or join-date order, from the index of that order, checking each row's path instead of
  reading the whole subtree and sorting it (``large``: core.scope.subtree_expression_q). A small
  subtree (a grassroots union) is read through its path and sorted.
- A search narrows the rows first: an ID number through the keyed hash, a mobile or member number
  exactly, a name through its pinyin prefix on the membership's own sort_name index.
- Totals are counted exactly up to ``COUNT_CAP`` rows (a search up to ``SEARCH_COUNT_CAP``);
  beyond that the page says "more than …" (a precise head count is a report, not a list).

Measured in bench/members_search.py.
"""

from dataclasses import dataclass

from django.db import connection
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from gonghui.core.scope import paths_with_permission, subtree_q
from gonghui.members import services
from gonghui.members.models import Membership
from gonghui.orgs.models import UnionNode

# A subtree with at least this many memberships is "large" (see above).
LARGE = 20_000
COUNT_CAP = 100_000
SEARCH_COUNT_CAP = 500
# The union filter's choices: organising nodes (federations, towns) always; the member-holding
# unions too while there are at most this many of them in the scope.
MAX_UNION_CHOICES = 300

SORT_LABELS = [
    ("", _("按工会")), ("pinyin", _("姓名拼音 A→Z")), ("-pinyin", _("姓名拼音 Z→A")),
    ("-joined", _("入会日期 新→旧")), ("joined", _("入会日期 旧→新")),
]


@dataclass
class Plan:
    queryset: QuerySet
    # The same rows for counting: no order, and read through the path index unless another index
    # narrows them better (initials: the worker's index).
    count_queryset: QuerySet
    count_cap: int | None
    large: bool
    # Count by reading the first count_cap + 1 ids in the page's own order: one query for the count
    # and every page, where the page's walk finds them fastest (_count_in_order).
    count_in_order: bool = False


class IdPage:
    """The plan's rows as a lazily sliced sequence for the paginator (and the API).

    A slice first reads only the ids, in the plan's order, from the membership table (joining the
    worker only when a filter needs it), then those rows with their worker and union by id. Joined
    in one query, SQLite may start from the small union table and sort a whole district; the ids
    alone follow the plan's index."""

    ordered = True
    model = Membership

    def __init__(self, queryset):
        self.queryset = queryset
        self._ids: list[int] | None = None

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def ids_up_to(self, n: int) -> list[int]:
        """The first ``n`` ids in order, read once: a search's count and its pages from one query."""
        if self._ids is None:
            self._ids = list(self.queryset.values_list("pk", flat=True)[:n])
        return self._ids

    def __getitem__(self, item):
        if not isinstance(item, slice):
            return self[item:item + 1][0]
        if self._ids is not None and item.stop is not None and item.stop <= len(self._ids):
            ids = self._ids[item]
        else:
            ids = list(self.queryset.values_list("pk", flat=True)[item])
        rows = Membership.objects.unscoped().select_related("worker", "union").in_bulk(ids)
        return [rows[pk] for pk in ids if pk in rows]


def _chosen_union(params) -> UnionNode | None:
    value = str(params.get("union") or "")
    if not value.isdigit():
        return None
    return UnionNode.objects.unscoped().filter(pk=int(value)).only("pk", "path").first()


def subtree_at_least(paths: list[str] | None, n: int) -> bool:
    """Whether the subtrees under ``paths`` (None: the whole tree) hold at least ``n`` memberships,
    reading at most ``n`` index entries."""
    if paths is None:
        paths = [""]
    seen = 0
    for path in paths:
        qs = Membership.objects.unscoped()
        if path:
            qs = qs.filter(subtree_q("node_path", path))
        seen += qs.order_by().values("pk")[: n - seen].count()
        if seen >= n:
            return True
    return False


def search_kind(text: str) -> str:
    """What the search box was read as: id, mobile, number, name, pinyin, initials (or "")."""
    return services.parse_search(text)[0]


def _rows(user, permission: str, params, *, path_indexed: bool, search_indexed: bool, letter_indexed: bool = False,
          name_indexed: bool = False):
    qs = Membership.objects.visible_to(user, permission, large=not path_indexed)
    return services.filter_members(qs, params, large=not path_indexed, search_indexed=search_indexed,
                                   letter_indexed=letter_indexed, name_indexed=name_indexed)


def plan(user, permission: str, params) -> Plan:
    """Which index reads the rows, for the page and for its count (SQLite; on PostgreSQL the
    planner chooses among all of them, which its statistics let it do well).

    ============================  ==========================================  ==========================
    subtree, search               page                                        count (capped)
    ============================  ==========================================  ==========================
    any, exact (ID, mobile, no.)  the exact index                             the same
    small (< LARGE rows)          the path index; search checked per row      the same
    large, no search              default order: (node_path, sort_name);      the path index
                                  pinyin / join date: that order's index,
                                  path checked in it
    large, name or pinyin         default order: (node_path, sort_name),      (sort_name, node_path)
                                  pinyin prefix checked in the index;
                                  otherwise (sort_name, node_path)
    large, initials               default order: the worker's initials index  the worker's initials
                                  (exact initials first), then (worker,       index, then (worker,
                                  node_path, sort_name); pinyin order: the    node_path, sort_name)
                                  sort_name range of the first letter
    ============================  ==========================================  ==========================
    """
    sort = params.get("sort") or ""
    if sort not in services.SORTS:
        sort = ""
    kind = search_kind(params.get("q") or "")
    union = _chosen_union(params)
    paths = paths_with_permission(user, permission)
    if union is not None:
        if paths is None or any(union.path.startswith(p) for p in paths):
            paths = [union.path]
        elif not any(p.startswith(union.path) for p in paths):
            paths = []  # outside the user's scope: the scoped queryset finds nothing anyway
    exact = kind in ("id", "mobile", "number")
    large = not exact and (paths is None or bool(paths)) and subtree_at_least(paths, LARGE)
    initials_order = large and kind == "initials" and sort == ""
    if connection.vendor != "sqlite":
        # PostgreSQL estimates index ranges from its statistics and plans well with all of them
        # usable; only the initials' first letter is left out unless it drives the initials order.
        page = {"path_indexed": True, "search_indexed": True, "letter_indexed": initials_order,
                "name_indexed": True}
        count = {"path_indexed": True, "search_indexed": True, "name_indexed": True}
    elif exact or not large:
        page = count = {"path_indexed": True, "search_indexed": exact}
    elif kind == "initials":
        in_pinyin = sort in ("pinyin", "-pinyin")
        page = {"path_indexed": False, "search_indexed": not in_pinyin, "letter_indexed": in_pinyin}
        count = {"path_indexed": False, "search_indexed": True}
    elif kind in ("name", "pinyin"):
        page = {"path_indexed": sort == "", "search_indexed": sort != ""}
        count = {"path_indexed": False, "search_indexed": True}
    else:
        page = {"path_indexed": sort == "", "search_indexed": True}
        count = {"path_indexed": True, "search_indexed": True}
    qs = services.order_members(_rows(user, permission, params, **page), sort)
    if initials_order:
        # In the initials index's own order: "zs" (张三) before "zsf" (张三丰), no sort of the matches.
        qs = qs.order_by("worker__name_initials", "worker_id", "pk")
    count_qs = _rows(user, permission, params, **count)
    searched = bool(kind) or any(params.get(f) for f in services.FLAG_FILTERS)
    return Plan(queryset=qs, count_queryset=count_qs, count_cap=SEARCH_COUNT_CAP if searched else COUNT_CAP,
                large=large, count_in_order=_count_in_order(kind, initials_order))


def _count_in_order(kind: str, initials_order: bool) -> bool:
    """Whether a search counts by reading its first ids in the page's order (see Plan)."""
    if connection.vendor == "sqlite":
        return initials_order  # the initials index walk serves both
    return kind in ("name", "pinyin")  # the ordered walk beats PostgreSQL's bitmap count there


def union_choices(user, permission: str) -> list[UnionNode]:
    """Nodes for the list's union filter, in tree order, limited to the user's scope."""
    visible = (UnionNode.objects.visible_to(user, permission).filter(active=True)
               .exclude(kind__in=(UnionNode.Kind.DEPARTMENT, UnionNode.Kind.SERVICE_CENTRE)))
    members = visible.filter(kind__in=UnionNode.MEMBER_KINDS)
    if members.order_by()[: MAX_UNION_CHOICES + 1].count() > MAX_UNION_CHOICES:
        visible = visible.exclude(kind__in=UnionNode.MEMBER_KINDS)
    nodes = list(visible.only("pk", "name", "depth", "kind").order_by("path")[:MAX_UNION_CHOICES * 2])
    top = min((n.depth for n in nodes), default=0)
    for n in nodes:
        n.indent = range(n.depth - top)
    return nodes
