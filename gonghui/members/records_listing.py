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

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from gonghui.core.scope import paths_with_permission, subtree_q
from gonghui.members import services
from gonghui.members.models import Membership
from gonghui.orgs.models import UnionNode

# A subtree with at least this many memberships is "large" (see above).
LARGE = 20_000
COUNT_CAP = 100_000
SEARCH_COUNT_CAP = 1_000
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
    count_cap: int | None
    large: bool


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


def plan(user, permission: str, params) -> Plan:
    sort = params.get("sort") or ""
    if sort not in services.SORTS:
        sort = ""
    kind = search_kind(params.get("q") or "")
    union = _chosen_union(params)
    paths = paths_with_permission(user, permission)
    if union is not None:
        if paths is None or any(union.path.startswith(p) for p in paths):
            paths = [union.path]
        elif any(p.startswith(union.path) for p in paths):
            pass  # a node above the user's grants: the scope itself is the narrower
        else:
            paths = []
    exact = kind in ("id", "mobile", "number")
    large = bool(paths is None or paths) and not exact and subtree_at_least(paths, LARGE)
    # The default order walks (node_path, sort_name) whatever the size: keep the path range usable.
    by_index = large and (sort != "" or kind in ("initials", "pinyin", "name"))
    qs = Membership.objects.visible_to(user, permission, large=by_index)
    qs = services.filter_members(qs, params, large=by_index)
    qs = services.order_members(qs, sort)
    searched = bool(kind) or any(params.get(f) for f in services.FLAG_FILTERS)
    return Plan(queryset=qs, count_cap=SEARCH_COUNT_CAP if searched else COUNT_CAP, large=by_index)


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
