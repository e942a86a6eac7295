import factory

from gonghui.accounts.models import Grant, User

PASSWORD = "demo-pass-2026"


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    kind = User.Kind.STAFF
    display_name = factory.Sequence(lambda n: f"干部{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class WorkerUserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"w1390000{n:04d}")
    phone = factory.Sequence(lambda n: f"1390000{n:04d}")
    kind = User.Kind.WORKER


def grant(user, node, role):
    return Grant.objects.create(user=user, node=node, role=role)
