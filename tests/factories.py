import factory
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.utils import timezone

from accounts.models import Client, User

DEMO_PASSWORD = "P-valid"


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"C{n:03d}")
    name = factory.Sequence(lambda n: f"Client {n}")


class ClientUserFactory(factory.django.DjangoModelFactory):
    """A client user whose password hash is set directly to DEMO_PASSWORD."""

    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Faker("name")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.test")
    client = factory.SubFactory(ClientFactory)
    password = factory.LazyFunction(lambda: make_password(DEMO_PASSWORD))
    password_changed_at = factory.LazyFunction(timezone.now)


class WarehouseAdminFactory(ClientUserFactory):
    class Meta:
        # The permission is a many-to-many row; the user needs no second save.
        skip_postgeneration_save = True

    client = None
    is_staff = True

    @factory.post_generation
    def grant(user, create, extracted, **kwargs):
        if create:
            user.user_permissions.add(
                Permission.objects.get(codename="manage_client_users")
            )
