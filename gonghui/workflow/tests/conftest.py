import pytest

from gonghui.accounts.tests.factories import WorkerUserFactory
from gonghui.workflow import services
from gonghui.workflow.tests.casetypes import TEST_CASE


@pytest.fixture
def applicant(db):
    return WorkerUserFactory(display_name="王芳")


@pytest.fixture
def make_case(tree, applicant):
    def make(node=None, **kwargs):
        return services.open_case(TEST_CASE.name, node=node or tree.g1, title=kwargs.pop("title", "工资被拖欠三个月"),
                                  by=kwargs.pop("by", applicant), applicant=kwargs.pop("applicant", applicant),
                                  **kwargs)
    return make
