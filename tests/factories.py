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
        superuser = factory.Trait(kind=User.Kind.STAFF, is_superuser=True, is_staff=True)
        unconfirmed = factory.Trait(is_active=False)

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
        service_centre = factory.Trait(type=Organisation.Type.SERVICE_CENTRE)
        contractor = factory.Trait(type=Organisation.Type.CONTRACTOR)
        resource_supplier = factory.Trait(type=Organisation.Type.RESOURCE_SUPPLIER)
        legal_entity = factory.Trait(type=Organisation.Type.LEGAL_ENTITY)
        public_authority = factory.Trait(type=Organisation.Type.PUBLIC_AUTHORITY)


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory, staff=True)
    organisation = factory.SubFactory(OrganisationFactory)
    role = "operator"


def sign_in_with_second_factor(client, user: User):
    """Sign ``client`` in as ``user`` with the second factor passed, as after the TOTP step
    (staff pages and the staff API refuse a session without it). Returns the device."""
    from django_otp import DEVICE_ID_SESSION_KEY

    from cityhall.accounts.models import Authenticator

    device = Authenticator.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = Authenticator.objects.create(user=user, name="authenticator", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device
