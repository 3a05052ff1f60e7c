"""factory_boy factories for core's models, shared by every app's tests."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from vcio.core.models import ApiToken, Client, Contact, Department, Membership
from vcio.core.roles import Role

PASSWORD = "test-pass-123"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.test")
    first_name = factory.LazyAttribute(lambda u: u.username.title())
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Client {n}")
    slug = factory.Sequence(lambda n: f"client-{n}")
    industry = "manufacturing"
    employee_count = 50
    fiscal_year_start_month = 1
    currency = "USD"


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    client = factory.SubFactory(ClientFactory)
    name = factory.Sequence(lambda n: f"Department {n}")


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    client = factory.SubFactory(ClientFactory)
    first_name = factory.Sequence(lambda n: f"Person{n}")
    last_name = "Smith"
    email = factory.LazyAttribute(lambda c: f"{c.first_name.lower()}@example.test")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    client = factory.SubFactory(ClientFactory)
    role = Role.CONSULTANT


def make_user(username: str, role: str, client: Client | None = None):
    """A user with one membership (``client`` None for owners and admins)."""
    user = UserFactory(username=username)
    Membership.objects.create(user=user, client=client, role=role)
    return user


def make_token(user, **kwargs) -> tuple[ApiToken, str]:
    return ApiToken.issue(user, kwargs.pop("name", "test token"), **kwargs)
