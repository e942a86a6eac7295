"""Factories shared by the hardship parts' tests.

``HardshipFileFactory(union=tree.g1)`` makes a registered deep-hardship file in that union, with the
head as a member of the union (so staff of the subtree see the worker) and as household member.
Pass ``status=``, ``category=``, ``worker=`` to vary; ``membership=False`` to skip the membership.
"""

import datetime
import random

import factory
from django.utils import timezone

from gonghui.demo.idnumbers import fake_id_number
from gonghui.hardship.models import Assessment, HardshipFile, HouseholdMember, PolicyVersion
from gonghui.members.models import Membership
from gonghui.members.tests.factories import WorkerFactory


class HardshipFileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HardshipFile
        skip_postgeneration_save = True

    # Year 1999: never collides with the numbers services_core gives (the current year).
    number = factory.Sequence(lambda n: f"KN1999{n:06d}")
    worker = factory.SubFactory(WorkerFactory)
    status = HardshipFile.Status.REGISTERED
    category = HardshipFile.Category.DEEP
    household_size = 1
    main_cause = "serious_illness"
    registered_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    next_review_due = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=335))

    @factory.post_generation
    def membership(obj, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        if not Membership.objects.unscoped().filter(worker=obj.worker, status="active").exists():
            Membership.objects.create(worker=obj.worker, union=obj.union,
                                      member_number=f"MH{obj.pk:08d}",
                                      joined_on=datetime.date(2020, 1, 1))

    @factory.post_generation
    def head(obj, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        member = HouseholdMember(file=obj, name=obj.worker.name, relation=HouseholdMember.Relation.SELF)
        member.set_id_number(obj.worker.full_id_number())
        member.save()

    @factory.post_generation
    def assessed(obj, create, extracted, **kwargs):
        """An Assessment matching the category (pass assessed=False to skip)."""
        if not create or extracted is False or not obj.category:
            return
        assessment = Assessment.objects.create(
            file=obj, policy_version=None, policy_label="默认（全国通行做法）",
            per_capita_monthly_income="500.00", category=obj.category, excluded_by=[], inputs={},
            assessed_on=obj.registered_on or timezone.localdate())
        obj.assessment = assessment
        obj.save(update_fields=["assessment"])


class HouseholdMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HouseholdMember
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"家属{n}")
    relation = HouseholdMember.Relation.CHILD

    @factory.post_generation
    def id_number(obj, create, extracted, **kwargs):
        obj.set_id_number(extracted or fake_id_number(random.Random()))
        if create:
            obj.save()


class PolicyVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PolicyVersion

    effective_from = datetime.date(2020, 1, 1)
    params = factory.LazyFunction(dict)
