"""The scope rule: scoped querysets fail closed, and visible_to() keeps the user's subtrees."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404

from gonghui.accounts.models import Grant
from gonghui.accounts.tests.factories import StaffFactory, grant
from gonghui.core.scope import (
    ScopeError,
    get_visible_or_404,
    has_permission,
    paths_with_permission,
    require_permission,
    user_grants,
)
from gonghui.members.models import Membership, Worker
from gonghui.members.tests.factories import MembershipFactory
from gonghui.orgs.models import UnionNode
from gonghui.orgs.tests.factories import UnionNodeFactory


def fresh(user):
    """The user re-read, without the per-object grant cache."""
    return type(user).objects.get(pk=user.pk)


def names(qs):
    return sorted(n.name for n in qs)


# ----- fail closed -----

UNSCOPED_USES = {
    "iteration": lambda qs: list(qs),
    "iterator": lambda qs: list(qs.iterator()),
    "len": lambda qs: len(qs),
    "bool": lambda qs: bool(qs),
    "count": lambda qs: qs.count(),
    "exists": lambda qs: qs.exists(),
    "get": lambda qs: qs.get(name="东城区总工会"),
    "first": lambda qs: qs.first(),
    "update": lambda qs: qs.update(active=False),
    "delete": lambda qs: qs.delete(),
    "aggregate": lambda qs: qs.aggregate(n=Count("id")),
}


@pytest.mark.parametrize("use", list(UNSCOPED_USES), ids=list(UNSCOPED_USES))
def test_unscoped_query_raises(tree, use):
    with pytest.raises(ScopeError, match="UnionNode query ran without visible_to"):
        UNSCOPED_USES[use](UnionNode.objects.filter(depth__gte=1))
    # Nothing was changed by the refused update/delete.
    assert UnionNode.objects.unscoped().filter(active=True).count() == 5


@pytest.mark.parametrize("use", ["iteration", "count", "update", "delete"])
def test_unscoped_query_raises_on_related_scoped_models(tree, use):
    MembershipFactory(union=tree.g1)
    with pytest.raises(ScopeError):
        UNSCOPED_USES[use](Membership.objects.all()) if use != "update" else Membership.objects.update(
            status=Membership.Status.LEFT)
    assert Membership.objects.unscoped().filter(status=Membership.Status.ACTIVE).count() == 1


def test_scope_state_survives_chaining(tree):
    qs = UnionNode.objects.unscoped().filter(depth=2).exclude(name="").order_by("path")
    assert names(qs) == ["东城区总工会", "西城区总工会"]
    # ...but a fresh queryset from the manager is unscoped again.
    with pytest.raises(ScopeError):
        list(UnionNode.objects.order_by("path"))


def test_unscoped_allows_every_use(tree):
    qs = UnionNode.objects.unscoped()
    assert qs.count() == 5
    assert qs.exists()
    assert qs.get(name="东城区总工会") == tree.d1
    assert qs.aggregate(n=Count("id"))["n"] == 5
    assert qs.filter(pk=tree.g2.pk).update(short_name="西纺") == 1
    assert UnionNode.objects.unscoped().get(pk=tree.g2.pk).short_name == "西纺"


def test_related_manager_is_scoped_too(tree):
    # Reverse relations go through the scoped manager: they must be scoped explicitly.
    with pytest.raises(ScopeError):
        list(tree.d1.children.all())
    assert names(tree.d1.children.unscoped()) == ["东城机械厂工会"]


# ----- visible_to -----

def test_visible_to_keeps_the_grant_subtree(tree, staff):
    assert names(UnionNode.objects.visible_to(staff.d1_manager, "orgs.view")) == ["东城区总工会", "东城机械厂工会"]
    assert names(UnionNode.objects.visible_to(staff.d2_manager, "orgs.view")) == ["西城区总工会", "西城纺织厂工会"]
    assert names(UnionNode.objects.visible_to(staff.g1_viewer, "orgs.view")) == ["东城机械厂工会"]
    assert UnionNode.objects.visible_to(staff.city_admin, "orgs.view").count() == 5


def test_visible_to_is_per_permission(tree, staff):
    # The handler may view members at g1 but holds no orgs.change anywhere.
    assert UnionNode.objects.visible_to(staff.g1_handler, "orgs.change").count() == 0
    assert UnionNode.objects.visible_to(staff.d1_admin, "orgs.change").count() == 2


def test_visible_to_follows_the_scope_path_of_related_models(tree, staff):
    m1 = MembershipFactory(union=tree.g1)
    m2 = MembershipFactory(union=tree.g2)
    assert list(Membership.objects.visible_to(staff.d1_manager, "members.view")) == [m1]
    assert list(Membership.objects.visible_to(staff.d2_manager, "members.view")) == [m2]
    assert set(Membership.objects.visible_to(staff.city_admin, "members.view")) == {m1, m2}
    assert list(Grant.objects.visible_to(staff.d2_admin, "accounts.manage").values_list(
        "user__username", flat=True).order_by("user__username")) == ["t_d2_admin", "t_d2_manager"]


def test_a_subtree_with_a_common_string_prefix_is_not_leaked(tree):
    # Paths are fixed-width steps, so d1's path is not a prefix of any path under d2.
    assert not tree.d2.path.startswith(tree.d1.path)
    assert not tree.g2.path.startswith(tree.d1.path)


def test_superuser_sees_everything_without_grants(tree):
    root = StaffFactory(is_superuser=True)
    assert paths_with_permission(root, "orgs.view") is None
    assert UnionNode.objects.visible_to(root, "orgs.view").count() == 5
    assert UnionNode.objects.visible_to(root, "any.permission").count() == 5
    assert has_permission(root, "audit.view", tree.g2.path)


def test_inactive_superuser_is_not_everywhere(tree):
    root = StaffFactory(is_superuser=True, is_active=False)
    assert paths_with_permission(root, "orgs.view") == []
    assert UnionNode.objects.visible_to(root, "orgs.view").count() == 0


def test_user_without_grants_sees_nothing(tree):
    nobody = StaffFactory()
    qs = UnionNode.objects.visible_to(nobody, "orgs.view")
    assert qs.count() == 0
    assert list(qs) == []
    assert not qs.exists()
    assert not has_permission(nobody, "orgs.view")


def test_anonymous_user_sees_nothing(tree):
    from django.contrib.auth.models import AnonymousUser

    assert user_grants(AnonymousUser()) == []
    assert UnionNode.objects.visible_to(AnonymousUser(), "orgs.view").count() == 0


def test_grant_at_an_inactive_node_counts_for_nothing(tree):
    user = StaffFactory()
    grant(user, tree.d1, "admin")
    UnionNode.objects.unscoped().filter(pk=tree.d1.pk).update(active=False)
    assert UnionNode.objects.visible_to(user, "orgs.view").count() == 0


def test_ancestor_paths_are_deduplicated(tree):
    user = StaffFactory()
    grant(user, tree.g1, "viewer")
    grant(user, tree.d1, "viewer")
    grant(user, tree.city, "viewer")
    grant(user, tree.g2, "viewer")
    assert paths_with_permission(fresh(user), "orgs.view") == [tree.city.path]

    other = StaffFactory()
    grant(other, tree.g1, "viewer")
    grant(other, tree.d1, "manager")
    grant(other, tree.g2, "viewer")
    assert paths_with_permission(fresh(other), "orgs.view") == [tree.d1.path, tree.g2.path]
    # Overlapping grants give each row once.
    rows = list(UnionNode.objects.visible_to(fresh(other), "orgs.view"))
    assert sorted(n.name for n in rows) == ["东城区总工会", "东城机械厂工会", "西城纺织厂工会"]


def test_sibling_grants_are_both_kept(tree):
    user = StaffFactory()
    grant(user, tree.d2, "viewer")
    grant(user, tree.d1, "viewer")
    assert paths_with_permission(user, "orgs.view") == sorted([tree.d1.path, tree.d2.path])
    assert UnionNode.objects.visible_to(user, "orgs.view").count() == 4


def test_worker_with_two_memberships_is_listed_once(tree, staff):
    membership = MembershipFactory(union=tree.g1, status=Membership.Status.TRANSFERRED_OUT)
    MembershipFactory(union=tree.g1, worker=membership.worker)
    visible = list(Worker.objects.visible_to(staff.d1_manager, "members.view"))
    assert visible == [membership.worker]
    assert Worker.objects.visible_to(staff.d2_manager, "members.view").count() == 0


def test_grants_are_cached_per_user_object(tree, django_assert_num_queries):
    user = StaffFactory()
    grant(user, tree.d1, "viewer")
    with django_assert_num_queries(1):
        has_permission(user, "orgs.view")
        has_permission(user, "members.view")
        paths_with_permission(user, "orgs.view")


# ----- helpers for views -----

def test_get_visible_or_404(tree, staff):
    assert get_visible_or_404(UnionNode, staff.d1_manager, "orgs.view", pk=tree.g1.pk) == tree.g1
    with pytest.raises(Http404):
        get_visible_or_404(UnionNode, staff.d1_manager, "orgs.view", pk=tree.g2.pk)
    with pytest.raises(Http404):
        get_visible_or_404(UnionNode, staff.d1_manager, "orgs.view", pk=tree.city.pk)
    qs = UnionNode.objects.select_related("parent")
    assert get_visible_or_404(qs, staff.d2_manager, "orgs.view", pk=tree.g2.pk).parent == tree.d2


def test_require_permission(tree, staff):
    require_permission(staff.d1_admin, "orgs.change", tree.g1.path)
    with pytest.raises(PermissionDenied):
        require_permission(staff.d1_manager, "orgs.change", tree.g1.path)
    with pytest.raises(PermissionDenied):
        require_permission(staff.d1_admin, "orgs.change", tree.g2.path)
    with pytest.raises(PermissionDenied):
        require_permission(staff.d1_admin, "orgs.change", tree.city.path)


def test_has_permission_anywhere_and_at_a_path(tree, staff):
    assert has_permission(staff.g1_viewer, "orgs.view")
    assert not has_permission(staff.g1_viewer, "members.change")
    assert has_permission(staff.g1_viewer, "orgs.view", tree.g1.path)
    assert not has_permission(staff.g1_viewer, "orgs.view", tree.d1.path)


def test_new_nodes_under_a_grant_are_visible(tree, staff):
    extra = UnionNodeFactory(name="东城新厂工会", parent=tree.d1)
    assert extra in UnionNode.objects.visible_to(staff.d1_manager, "orgs.view")
    assert extra not in UnionNode.objects.visible_to(staff.d2_manager, "orgs.view")
