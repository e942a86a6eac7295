from django.http import Http404

from gonghui.workflow.models import Case
from gonghui.workflow.services import may_view


def get_case_or_404(user, pk) -> Case:
    """The case if ``user`` applied for it or may see its type inside its owning subtree; else 404.

    Case types have different view permissions, so the row is fetched by id (unscoped) and the
    one access rule decides; "missing" and "not yours" answer the same.
    """
    case = Case.objects.unscoped().select_related("node", "assignee", "applicant", "supervising_node") \
        .filter(pk=pk).first()
    if case is None or not may_view(case, user):
        raise Http404
    return case
