"""The service ledger's routes for the shared scope test."""

from gonghui.core.tests.scopecases import ScopeCase
from gonghui.ledger.services import record_service
from gonghui.members.tests.factories import MembershipFactory


def _service_in_d2(env):
    membership = MembershipFactory(union=env.tree.g2, worker__name="西城受助职工")
    # Any saved row can be a source; the union node itself keeps the test free of other apps.
    return record_service(worker=membership.worker, kind="test.aid", app="ledger", source=env.tree.g2,
                          title="西城专属服务：困难帮扶", delivering_union=env.tree.d2)


CASES = [
    ScopeCase("members:services", _service_in_d2, kind="list", kwargs=lambda obj: {}, marker=lambda obj: obj.title),
    ScopeCase("GET /api/v1/services/", _service_in_d2, kind="list", kwargs=lambda obj: {},
              marker=lambda obj: obj.title),
    ScopeCase("GET /api/v1/services/{int:service_id}", _service_in_d2, kwargs=lambda obj: {"service_id": obj.pk}),
]
