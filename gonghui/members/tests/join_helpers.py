"""Helpers for the join tests: applicants, valid form data, unions of the area."""

import random

from gonghui.accounts.tests.factories import WorkerUserFactory
from gonghui.demo.idnumbers import fake_id_number
from gonghui.members import join_services
from gonghui.orgs.models import UnionNode
from gonghui.orgs.tests.factories import UnionNodeFactory

_rng = random.Random(4242)


def new_id(*, female: bool | None = None) -> str:
    return fake_id_number(_rng, born_from=1975, born_to=2000, female=female)


def form_data(**overrides) -> dict:
    data = {
        "name": "李小红", "id_number": new_id(), "mobile": "13912345678", "ethnicity": "汉族",
        "education": "senior", "household_type": "rural", "migrant_worker": True, "employer": "东城机械厂",
    }
    data.update(overrides)
    return data


def applicant(**kwargs):
    return WorkerUserFactory(**kwargs)


def apply(user, union, **overrides):
    """Submit through the service; returns (application, created)."""
    return join_services.submit(by=user, union=union, data=form_data(**overrides))


def area(tree):
    """A town union and a joint grassroots union in district 1, and a joint union in district 2."""
    town = UnionNodeFactory(name="东城区新华街道工会", kind=UnionNode.Kind.TOWN_UNION, parent=tree.d1)
    joint = UnionNodeFactory(name="东城区新就业形态联合工会委员会", kind=UnionNode.Kind.JOINT_GRASSROOTS_UNION,
                             parent=tree.d1)
    town_joint = UnionNodeFactory(name="新华街道小微企业联合工会委员会",
                                  kind=UnionNode.Kind.JOINT_GRASSROOTS_UNION, parent=town)
    joint2 = UnionNodeFactory(name="西城区联合工会委员会", kind=UnionNode.Kind.JOINT_GRASSROOTS_UNION, parent=tree.d2)
    return town, joint, town_joint, joint2
