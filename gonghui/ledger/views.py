"""The console's ledger list (服务台账): the services delivered in the reader's subtree."""

from gonghui.core.views import ScopedListView
from gonghui.ledger import filters, kinds
from gonghui.ledger.models import ServiceRecord
from gonghui.orgs.models import UnionNode


class ServiceListView(ScopedListView):
    model = ServiceRecord
    permission = filters.PERMISSION
    template_name = "ledger/list.html"
    partial_template_name = "ledger/_table.html"
    filter_names = filters.FILTER_NAMES

    def get_queryset(self):
        chosen = filters.ServiceFilters.from_params(self.request.GET)
        return filters.apply(self.base_queryset(), chosen, user=self.request.user)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["kinds"] = kinds.choices()
        ctx["unions"] = (UnionNode.objects.visible_to(self.request.user, self.permission).filter(active=True)
                         .exclude(kind=UnionNode.Kind.DEPARTMENT).only("pk", "name", "depth")
                         .order_by("path")[:300])
        ctx["filtered"] = any(ctx["filters"].values())
        return ctx
