"""Factories of the cases part's tests: roster rows, partner accounts, assigned cases."""

import itertools

from gonghui.accounts.models import User
from gonghui.accounts.tests.factories import PASSWORD, StaffFactory, grant
from gonghui.legal.models import LawFirm, Lawyer, LegalCentre
from gonghui.legal.tests.factories import GOOD_USCC, make_centre, make_legal_case, upload  # noqa: F401

_seq = itertools.count(1)


def make_partner(username: str = "") -> User:
    user = User(username=username or f"lawyer_t{next(_seq)}", kind=User.Kind.PARTNER,
                display_name=f"律师{next(_seq)}")
    user.set_password(PASSWORD)
    user.save()
    return user


def make_firm(node, *, name: str = "") -> LawFirm:
    return LawFirm.objects.create(node=node, name=name or f"江海律师事务所{next(_seq)}", contact="张主任")


def make_lawyer(node, *, name: str = "", user=None, account: bool = False, capacity: int = 5, conflicts=(),
                matters=(), firm=None, active: bool = True) -> Lawyer:
    """A lawyer on the roster of ``node`` (a centre's node); ``account=True`` gives them a partner login."""
    if account and user is None:
        user = make_partner()
    return Lawyer.objects.create(node=node, name=name or f"律师{next(_seq)}", user=user, capacity=capacity,
                                 conflict_usccs=list(conflicts), matters=list(matters), firm=firm, active=active,
                                 licence_no=f"1350120{next(_seq):010d}")


def centre_manager(node) -> User:
    """A manager (legal.decide) at the centre's node."""
    user = StaffFactory(username=f"centre_mgr{next(_seq)}")
    grant(user, node, "manager")
    return user


def centre_handler(node) -> User:
    user = StaffFactory(username=f"centre_h{next(_seq)}")
    grant(user, node, "handler")
    return user


def assigned_case(union, *, lawyer=None, by=None, **fields):
    """A case of a worker of ``union``, approved and assigned (through the transition) to ``lawyer``
    (default: a new lawyer with a partner account on the centre's roster)."""
    from gonghui.workflow.services import perform_transition

    legal_case = make_legal_case(union, state="approved", **fields)
    node = legal_case.case.node
    lawyer = lawyer or make_lawyer(node, account=True)
    by = by or centre_manager(node)
    case = legal_case.case
    case.refresh_from_db()
    perform_transition(case, "assign", by=by, version=case.version, data={"lawyer": lawyer.pk})
    legal_case.refresh_from_db()
    return legal_case


def centre_of(legal_case) -> LegalCentre:
    return LegalCentre.objects.unscoped().get(node=legal_case.case.node)


def add_final_document(legal_case, by):
    from gonghui.legal import services_cases

    return services_cases.add_document(legal_case, by=by, kind="final_document", upload=upload("调解书.png"))
