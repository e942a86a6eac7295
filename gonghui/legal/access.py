"""Who may open a legal case (the one rule for the pages and the API of every part).

- staff with ``legal.view`` (``legal.change`` when ``change=True``) at the case's node or above;
- a partner lawyer only while they hold an active Assignment of the case (read and change: they
  add progress notes, documents, stages, hearings and recoveries);
- the applicant (the worker's account) only for their own case, and only to read.

Everything else answers 404 — "missing" and "not yours" look the same.
"""

from django.db.models import Q
from django.http import Http404

from gonghui.core.scope import has_permission


def _is_partner(user) -> bool:
    from gonghui.accounts.models import User

    return getattr(user, "is_authenticated", False) and getattr(user, "kind", "") == User.Kind.PARTNER


def lawyer_of(user):
    """The active roster Lawyer row of a partner account, or None."""
    if not _is_partner(user):
        return None
    from gonghui.legal.models import Lawyer

    cached = getattr(user, "_gonghui_lawyer", False)
    if cached is False:
        cached = Lawyer.objects.unscoped().filter(user=user, active=True).first()
        user._gonghui_lawyer = cached
    return cached


def is_assigned_lawyer(user, legal_case) -> bool:
    """Whether ``user`` is a partner lawyer holding an active assignment of ``legal_case``."""
    if not _is_partner(user):
        return False
    from gonghui.legal.models import Assignment

    return Assignment.objects.unscoped().filter(
        legal_case_id=legal_case.pk, lawyer__user=user, lawyer__active=True, active=True
    ).exists()


def is_applicant(user, legal_case) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    case = legal_case.case
    if case.applicant_id is not None and case.applicant_id == user.pk:
        return True
    worker = getattr(legal_case, "worker", None)
    return worker is not None and worker.user_id is not None and worker.user_id == user.pk


def may_view(user, legal_case) -> bool:
    return (has_permission(user, "legal.view", legal_case.node_path)
            or is_assigned_lawyer(user, legal_case)
            or is_applicant(user, legal_case))


def may_change(user, legal_case) -> bool:
    return has_permission(user, "legal.change", legal_case.node_path) or is_assigned_lawyer(user, legal_case)


def get_legal_case_or_404(user, pk, *, change: bool = False):
    """The LegalCase ``pk`` if ``user`` may open it (see the module's rule), else Http404."""
    from gonghui.legal.models import LegalCase

    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    legal_case = (LegalCase.objects.unscoped()
                  .select_related("case", "case__node", "case__applicant", "worker", "lawyer")
                  .filter(pk=pk).first())
    if legal_case is None:
        raise Http404
    allowed = may_change(user, legal_case) if change else may_view(user, legal_case)
    if not allowed:
        raise Http404
    return legal_case


def cases_for(user):
    """The LegalCase rows ``user`` may see: staff by scope (legal.view), a partner lawyer only the
    cases they hold an active assignment of, a worker their own applications."""
    from gonghui.legal.models import LegalCase

    if not getattr(user, "is_authenticated", False):
        return LegalCase.objects.unscoped().none()
    if _is_partner(user):
        return LegalCase.objects.unscoped().filter(
            assignments__lawyer__user=user, assignments__lawyer__active=True, assignments__active=True
        ).distinct()
    from gonghui.accounts.models import User

    if getattr(user, "kind", "") == User.Kind.WORKER and not user.is_superuser:
        return LegalCase.objects.unscoped().filter(Q(case__applicant=user) | Q(worker__user=user))
    return LegalCase.objects.visible_to(user, "legal.view")
