"""Factories for the shared kernel: people and organisations (apps add their own per folder)."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from cityhall.accounts.models import Membership, Organisation, User


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    kind = User.Kind.RESIDENT
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    class Params:
        staff = factory.Trait(kind=User.Kind.STAFF)
        business = factory.Trait(kind=User.Kind.BUSINESS)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    type = Organisation.Type.EXECUTIVE_DEPARTMENT

    class Params:
        managing = factory.Trait(type=Organisation.Type.MANAGING_ORGANISATION)
        council = factory.Trait(type=Organisation.Type.COUNCIL)


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory, staff=True)
    organisation = factory.SubFactory(OrganisationFactory)
    role = "operator"
