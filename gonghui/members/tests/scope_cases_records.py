from gonghui.core.tests.scopecases import ScopeCase
from gonghui.members.tests.factories import MembershipFactory


def _member_in_d2(env):
    return MembershipFactory(union=env.tree.g2, worker__name="西城专属会员")


CASES = [
    ScopeCase("members:list", _member_in_d2, kind="list", kwargs=lambda obj: {},
              marker=lambda obj: obj.worker.name),
    ScopeCase("members:detail", _member_in_d2),
    ScopeCase("members:reveal_id", _member_in_d2, owner_statuses=(200,), http_method="POST"),
]
