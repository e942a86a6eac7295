from gonghui.audit.services import record
from gonghui.core.tests.scopecases import ScopeCase


def _entry_in_d2(env):
    return record(None, "change", env.tree.g2, event="test.scope", extra={})


CASES = [
    ScopeCase("audit:list", _entry_in_d2, kind="list", kwargs=lambda obj: {},
              marker=lambda obj: f'data-audit-id="{obj.pk}"'),
]
