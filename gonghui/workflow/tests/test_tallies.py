"""The kept per-subtree counts always equal a live count, whatever happened to the cases."""

from collections import Counter

from django.db.models import Count

from gonghui.workflow import services, tallies
from gonghui.workflow.models import Case, CaseTally


def live_counts(paths, case_type="test_case"):
    rows = Case.objects.unscoped().filter(case_type=case_type).values("node_path", "state").annotate(n=Count("pk"))
    total: Counter = Counter()
    for row in rows:
        if paths is None or any(row["node_path"].startswith(p) for p in paths):
            total[row["state"]] += row["n"]
    return {k: v for k, v in total.items() if v}


def test_counts_follow_opening_transitions_and_transfers(make_case, tree, staff, applicant):
    a = make_case()
    b = make_case()
    c = make_case(node=tree.g2)
    services.perform_transition(a, "accept", by=staff.g1_handler, version=1)
    services.perform_transition(b, "transfer", by=staff.g1_handler, version=1, data={"node": tree.d1.pk, "note": "x"})
    services.perform_transition(c, "withdraw", by=applicant, version=1)
    for paths in (None, [tree.city.path], [tree.d1.path], [tree.g1.path], [tree.d2.path], [tree.g1.path, tree.d2.path]):
        assert tallies.counts(paths, "test_case") == live_counts(paths), paths
    assert tallies.counts([tree.d1.path], "test_case") == {"handling": 1, "submitted": 1}
    assert tallies.counts([tree.g1.path], "test_case") == {"handling": 1}


def test_rebuild_recounts_after_bulk_loads(make_case, tree):
    make_case()
    make_case(node=tree.g2)
    Case.objects.unscoped().filter(node=tree.g2).update(state="closed")  # a bulk change the hooks miss
    assert tallies.counts([tree.d2.path], "test_case") == {"submitted": 1}
    tallies.rebuild()
    assert tallies.counts([tree.d2.path], "test_case") == {"closed": 1}
    assert tallies.counts(None, "test_case") == live_counts(None)
    assert CaseTally.objects.filter(node_path=tree.city.path, case_type="test_case").count() == 2


def test_deleting_a_case_takes_it_out_of_the_counts(make_case, tree):
    case = make_case()
    case.delete()
    assert tallies.counts([tree.city.path], "test_case") == {}
