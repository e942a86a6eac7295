"""The member record's routes for the shared scope test (pages and /api/v1/members/…)."""

import datetime
import random

from gonghui.core.tests.scopecases import ScopeCase
from gonghui.demo.idnumbers import fake_id_number
from gonghui.members.tests.factories import MembershipFactory
from gonghui.orgs.tests.factories import UnionNodeFactory

MARKER = "西城专属会员"


def _member_in_d2(env):
    membership = MembershipFactory(union=env.tree.g2, worker__name=MARKER, joined_on=datetime.date(2020, 1, 1))
    membership.target = env.tree.g1  # where a transfer of it may go
    return membership


def _transfer_in_d2(env):
    """A transfer inside district 2 (out of g2 into another union of d2)."""
    membership = _member_in_d2(env)
    return _open_transfer(membership, UnionNodeFactory(name="西城印染厂工会", parent=env.tree.d2))


def _open_transfer(membership, to_union):
    from gonghui.members import transfers
    from gonghui.members.models import Transfer
    from gonghui.workflow.services import open_case

    case = open_case(transfers.NAME, node=membership.union, title="转会", by=None,
                     applicant_name=membership.worker.name)
    transfer = Transfer(case=case, membership=membership, from_union=membership.union, to_union=to_union,
                        reason="调动")
    transfer.save()
    return transfer


def _name(obj):
    return obj.worker.name


def _register_json(union):
    return {"union_id": union.pk, "name": "西城新会员", "id_number": fake_id_number(random.Random(4242)),
            "mobile": "13912349876"}


MEMBER_ID = {"kwargs": lambda obj: {"member_id": obj.pk}}
TODAY = datetime.date.today().isoformat()

CASES = [
    ScopeCase("members:list", _member_in_d2, kind="list", kwargs=lambda obj: {}, marker=_name),
    ScopeCase("members:export", _member_in_d2, kind="list", kwargs=lambda obj: {}, marker=_name,
              data=lambda obj: {"format": "csv"}),
    ScopeCase("members:transfers", _transfer_in_d2, kind="list", kwargs=lambda obj: {},
              marker=lambda t: t.membership.worker.name),
    ScopeCase("members:detail", _member_in_d2),
    ScopeCase("members:edit", _member_in_d2, kind="change",
              data=lambda obj: {"name": "改名", "joined_on": "2020-01-01"}),
    ScopeCase("members:status", _member_in_d2, kind="change",
              data=lambda obj: {"kind": "retire", "on": TODAY, "reason": ""}),
    ScopeCase("members:transfer", _member_in_d2, kind="create",
              data=lambda obj: {"to_union": obj.target.pk, "reason": "调动"}),
    ScopeCase("members:reveal_id", _member_in_d2, owner_statuses=(200,), http_method="POST"),
    ScopeCase("GET /api/v1/members/", _member_in_d2, kind="list", kwargs=lambda obj: {}, marker=_name),
    ScopeCase("POST /api/v1/members/", lambda env: env.tree.g2, kind="create", kwargs=lambda obj: {},
              data=_register_json),
    ScopeCase("GET /api/v1/members/transfers", _transfer_in_d2, kind="list", kwargs=lambda obj: {},
              marker=lambda t: t.membership.worker.name),
    ScopeCase("GET /api/v1/members/export", _member_in_d2, kind="list", kwargs=lambda obj: {}, marker=_name,
              data=lambda obj: {"format": "csv"}),
    ScopeCase("GET /api/v1/members/{int:member_id}", _member_in_d2, **MEMBER_ID),
    ScopeCase("PATCH /api/v1/members/{int:member_id}", _member_in_d2, kind="change", **MEMBER_ID,
              data=lambda obj: {"name": "改名", "joined_on": "2020-02-02"}),
    ScopeCase("POST /api/v1/members/{int:member_id}/reveal-id", _member_in_d2, owner_statuses=(200,),
              **MEMBER_ID),
    ScopeCase("POST /api/v1/members/{int:member_id}/status", _member_in_d2, kind="change", **MEMBER_ID,
              data=lambda obj: {"kind": "retire"}),
    ScopeCase("POST /api/v1/members/{int:member_id}/transfer", _member_in_d2, kind="create", **MEMBER_ID,
              data=lambda obj: {"to_union_id": obj.target.pk, "reason": "调动"}),
]

EXEMPT = {
    "members:register": "registers a member only into a union chosen from the caller's own scope (the form lists "
                        "no other and refuses one; the service re-checks members.change there); reads no rows "
                        "(test_views: test_register_form_offers_only_unions_in_scope)",
    "my_union:transfer": "the signed-in worker's own membership only, found from their account (no id in the "
                         "URL); staff get 404 (test_views: test_portal_transfer_page*)",
}
