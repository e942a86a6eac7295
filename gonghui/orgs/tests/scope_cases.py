from django.core.files.uploadedfile import SimpleUploadedFile

from gonghui.core.tests.scopecases import ScopeCase
from gonghui.orgs.models import UnionNode
from gonghui.orgs.tests.factories import UnionNodeFactory


def _node_in_d2(env):
    return UnionNodeFactory(name="西城区专属测试工会", parent=env.tree.d2)


def _form(name):
    return {"name": name, "kind": UnionNode.Kind.GRASSROOTS_UNION, "short_name": "", "uscc": "", "active": "on"}


def _import_file(obj):
    content = "名称,类别\n导入测试工会,基层工会\n".encode()
    return {"file": SimpleUploadedFile("orgs.csv", content, content_type="text/csv")}


CASES = [
    ScopeCase("orgs:list", _node_in_d2, kind="list", kwargs=lambda obj: {}),
    ScopeCase("orgs:detail", _node_in_d2),
    ScopeCase("orgs:edit", _node_in_d2, kind="change", data=lambda obj: _form("改名后的工会")),
    ScopeCase("orgs:create", lambda env: env.tree.d2, kind="create",
              kwargs=lambda obj: {"parent_id": obj.pk}, data=lambda obj: _form("新增的工会")),
    ScopeCase("orgs:import", lambda env: env.tree.d2, kind="create", data=_import_file),
    ScopeCase("GET /api/v1/orgs/", _node_in_d2, kind="list", kwargs=lambda obj: {}),
    ScopeCase("GET /api/v1/orgs/{int:org_id}", _node_in_d2, kwargs=lambda obj: {"org_id": obj.pk}),
]
