from datetime import datetime

from django.db.models import Q

from gonghui.audit.models import AuditEntry
from gonghui.core.views import ScopedListView


def _date(value: str):
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except (TypeError, ValueError):
        return None


class AuditListView(ScopedListView):
    model = AuditEntry
    permission = "audit.view"
    template_name = "audit/list.html"
    filter_names = ("user", "object", "start", "end")
    partial_template_name = "audit/_table.html"

    def get_queryset(self):
        qs = self.base_queryset().select_related("node")
        params = self.request.GET
        if params.get("user"):
            who = params["user"].strip()
            qs = qs.filter(Q(actor_name__contains=who) | Q(actor__username__contains=who))
        if params.get("object"):
            term = params["object"].strip()
            qs = qs.filter(Q(object_repr__contains=term) | Q(object_type__contains=term) | Q(object_id=term)
                           | Q(event__contains=term))
        if start := _date(params.get("start")):
            qs = qs.filter(at__date__gte=start)
        if end := _date(params.get("end")):
            qs = qs.filter(at__date__lte=end)
        return qs.order_by("-at", "-id")

