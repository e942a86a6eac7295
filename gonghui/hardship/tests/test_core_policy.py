import datetime
from decimal import Decimal

import pytest

from gonghui.hardship import policy
from gonghui.hardship.tests.factories import HardshipFileFactory, PolicyVersionFactory

pytestmark = pytest.mark.django_db


def test_defaults_when_no_version(tree):
    assert policy.policy_for(tree.g1) is None
    assert policy.params_for(tree.g1) == policy.DEFAULTS
    assert Decimal(policy.param(tree.g1, "min_living_standard")) == Decimal("800")


def test_nearest_federation_and_effective_date(tree):
    PolicyVersionFactory(node=tree.city, effective_from=datetime.date(2025, 1, 1),
                         params={"min_living_standard": "900"})
    d1_old = PolicyVersionFactory(node=tree.d1, effective_from=datetime.date(2025, 6, 1),
                                  params={"min_living_standard": "1000", "aid_caps": {"deep": {"living": "12000"}}})
    d1_new = PolicyVersionFactory(node=tree.d1, effective_from=datetime.date(2026, 1, 1),
                                  params={"min_living_standard": "1100"})
    # Before the district's first version: the city's.
    assert policy.policy_for(tree.g1, datetime.date(2025, 3, 1)).node == tree.city
    assert policy.policy_for(tree.g1, datetime.date(2025, 7, 1)) == d1_old
    assert policy.policy_for(tree.g1, datetime.date(2026, 1, 1)) == d1_new
    # The other district falls back to the city.
    assert policy.param(tree.g2, "min_living_standard", datetime.date(2026, 2, 1)) == "900"
    # Nested dicts merge over the defaults.
    caps = policy.params_for(tree.g1, datetime.date(2025, 7, 1))["aid_caps"]
    assert caps["deep"] == {"living": "12000", "medical": "30000", "education": "10000", "other": "5000"}
    assert policy.params_for(tree.g1, datetime.date(2026, 2, 1))["min_living_standard"] == "1100"
    assert policy.DEFAULTS["aid_caps"]["deep"]["living"] == "10000"  # defaults never mutated


def test_factory_makes_registered_file(tree):
    file = HardshipFileFactory(union=tree.g1)
    assert file.status == "registered" and file.node_path == tree.g1.path
    assert file.members.unscoped().count() == 1 and file.assessment.category == "deep"
