from django.db.models import Q
from django.shortcuts import render
from django.views import View

from gonghui.core.scope import get_visible_or_404, has_permission
from gonghui.core.views import ScopedDetailView, ScopedListView, StaffRequiredMixin
from gonghui.members import services
from gonghui.members.models import Membership


class MemberListView(ScopedListView):
    model = Membership
    permission = "members.view"
    template_name = "members/list.html"
    filter_names = ("q", "status")
    partial_template_name = "members/_table.html"

    def get_queryset(self):
        qs = self.base_queryset().select_related("worker", "union")
        status = self.request.GET.get("status")
        if status in Membership.Status.values:
            qs = qs.filter(status=status)
        q = self.request.GET.get("q", "").strip()
        if q:
            qs = qs.filter(Q(worker__name__contains=q) | Q(member_number=q) | Q(worker__mobile=q))
        return qs.order_by("union__path", "member_number")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["statuses"] = Membership.Status.choices
        return ctx


class MemberDetailView(ScopedDetailView):
    model = Membership
    permission = "members.view"
    template_name = "members/detail.html"
    context_object_name = "membership"

    def get_queryset(self):
        return self.base_queryset().select_related("worker", "union")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        # The template offers "show the full ID number" only to a role that may see it here.
        ctx["can_reveal_id"] = has_permission(self.request.user, "members.view_full_id", self.object.union.path)
        return ctx


class RevealIdNumberView(StaffRequiredMixin, View):
    """POST only: shows the full ID number once, to a role allowed to see it, and audits it."""

    def post(self, request, pk):
        membership = get_visible_or_404(Membership.objects.select_related("worker", "union"),
                                        request.user, "members.view", pk=pk)
        full = services.reveal_id_number(membership.worker, by=request.user, node=membership.union)
        return render(request, "members/_id_number.html", {"id_number": full})
