from django.shortcuts import render
from django.views import View

from gonghui.accounts import roles
from gonghui.accounts.models import Grant
from gonghui.core.scope import has_permission
from gonghui.core.views import StaffRequiredMixin
from gonghui.members.models import Membership
from gonghui.orgs.models import UnionNode


class HomeView(StaffRequiredMixin, View):
    """The staff console's first page: where the user acts and what is in their part of the tree."""

    def get(self, request):
        user = request.user
        grants = Grant.objects.unscoped().filter(user=user).select_related("node").order_by("node__path")
        figures = []
        if has_permission(user, "orgs.view"):
            nodes = UnionNode.objects.visible_to(user, "orgs.view")
            figures.append(("orgs", nodes.filter(kind__in=UnionNode.MEMBER_KINDS).count()))
        if has_permission(user, "members.view"):
            figures.append(("members", Membership.objects.visible_to(user, "members.view").filter(
                status=Membership.Status.ACTIVE).count()))
        return render(request, "console/home.html", {
            "grants": [(g, roles.ROLES.get(g.role)) for g in grants],
            "figures": figures,
        })
