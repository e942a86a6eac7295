import random

import factory

from gonghui.demo.idnumbers import fake_id_number
from gonghui.members.models import Membership, Worker


class WorkerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Worker
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"职工{n}")
    mobile = factory.Sequence(lambda n: f"1370000{n:04d}")

    @factory.post_generation
    def id_number(obj, create, extracted, **kwargs):
        obj.set_id_number(extracted or fake_id_number(random.Random()))
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    worker = factory.SubFactory(WorkerFactory)
    member_number = factory.Sequence(lambda n: f"M{n:08d}")
    joined_on = factory.Faker("date_between", start_date="-5y", end_date="today")
