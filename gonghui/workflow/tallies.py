"""Counts of cases per state for every node's whole subtree, kept as cases change.

A district's inbox shows how many requests are in each state among hundreds of thousands;
counting them live takes a scan of the subtree. Instead every save of a case that changes its
type, state or owning node moves one count along the chain of nodes above it (at most the depth
of the tree, in a fixed order so concurrent writers never deadlock). Bulk loads call
``rebuild()``; a test compares the kept counts with a live count.
"""

from collections import Counter

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Sum
from django.db.models.functions import Length

from gonghui.orgs.models import STEP_LEN

Key = tuple[str, str, str]  # (case_type, state, node_path)


def _chain(path: str) -> list[str]:
    return [path[:i] for i in range(STEP_LEN, len(path) + 1, STEP_LEN)]


def _bump(node_path: str, case_type: str, state: str, delta: int) -> None:
    from gonghui.workflow.models import CaseTally

    rows = CaseTally.objects.filter(node_path=node_path, case_type=case_type, state=state)
    if rows.update(count=F("count") + delta):
        return
    try:
        with transaction.atomic():
            CaseTally.objects.create(node_path=node_path, case_type=case_type, state=state, count=delta)
    except IntegrityError:  # another writer created it meanwhile
        rows.update(count=F("count") + delta)


def move(before: Key | None, after: Key | None) -> None:
    """One case went from ``before`` to ``after`` (None: created or deleted)."""
    deltas: Counter = Counter()
    if before:
        for path in _chain(before[2]):
            deltas[(path, before[0], before[1])] -= 1
    if after:
        for path in _chain(after[2]):
            deltas[(path, after[0], after[1])] += 1
    for key in sorted(k for k, v in deltas.items() if v):
        _bump(*key, deltas[key])


def counts(paths: list[str] | None, case_type: str) -> dict[str, int]:
    """Cases of ``case_type`` per state in the subtrees at ``paths`` (None: the whole tree).

    ``paths`` must not overlap (``core.scope.paths_with_permission`` guarantees it)."""
    from gonghui.workflow.models import CaseTally

    rows = CaseTally.objects.filter(case_type=case_type)
    if paths is None:  # everywhere: the roots' counts
        rows = rows.alias(path_length=Length("node_path")).filter(path_length=STEP_LEN)
    else:
        rows = rows.filter(node_path__in=paths)
    return {r["state"]: r["n"] for r in rows.values("state").annotate(n=Sum("count")).order_by() if r["n"]}


@transaction.atomic
def rebuild() -> int:
    """Recount everything from the cases (after bulk loads); returns the number of tally rows."""
    from gonghui.workflow.models import Case, CaseTally

    totals: Counter = Counter()
    own = (Case.objects.unscoped().values("node_path", "case_type", "state").annotate(n=Count("pk"))
           .order_by())
    for row in own:
        for path in _chain(row["node_path"]):
            totals[(path, row["case_type"], row["state"])] += row["n"]
    CaseTally.objects.all().delete()
    CaseTally.objects.bulk_create(
        [CaseTally(node_path=p, case_type=t, state=s, count=n) for (p, t, s), n in totals.items()],
        batch_size=2000)
    return len(totals)
