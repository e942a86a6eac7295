import factory

from gonghui.orgs import services
from gonghui.orgs.models import UnionNode


class UnionNodeFactory(factory.Factory):
    """Builds nodes through the tree service, so paths are always right."""

    class Meta:
        model = UnionNode

    name = factory.Sequence(lambda n: f"测试工会{n}")
    kind = UnionNode.Kind.GRASSROOTS_UNION
    parent = None

    @classmethod
    def _create(cls, model_class, parent=None, **fields):
        return services.create_node(parent, fields, by=None)

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        return model_class(*args, **kwargs)
