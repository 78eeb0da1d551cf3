"""Factories for public discussions: document types, discussions in each state, verified people.

Discussions are made directly in a given state with dates around "now" that fit the state (the
workflow itself is proven in test_discussion_transitions.py through the services).
"""

from __future__ import annotations

import datetime as dt
import hashlib

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from cityhall.accounts.models import Membership, Organisation, VerifiedIdentity
from cityhall.discussions.models import Discussion, DocumentType, Status
from tests.factories import OrganisationFactory, UserFactory


class DocumentTypeFactory(DjangoModelFactory):
    class Meta:
        model = DocumentType
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"type-{n}")
    name = factory.Sequence(lambda n: f"Document type {n}")
    min_notice_days = 7
    max_days_to_conclusion = None
    min_exposition_days = 1
    max_exposition_days = None


def _dates(status: str) -> dict:
    now = timezone.now()
    today = timezone.localdate()
    if status in (Status.DRAFT, Status.ANNOUNCED):
        start = now + dt.timedelta(days=8)
    elif status == Status.EXPOSITION_OPEN:
        start = now - dt.timedelta(days=2)
    else:
        start = now - dt.timedelta(days=20)
    start_day = timezone.localtime(start).date()
    end = start_day + dt.timedelta(days=9)
    deadline = timezone.make_aware(dt.datetime.combine(end, dt.time(18, 0)))
    if status == Status.EXPOSITION_OPEN and deadline <= now:
        deadline = now + dt.timedelta(days=5)
        end = timezone.localtime(deadline).date()
    return {
        "notice_date": min(start_day - dt.timedelta(days=10), today),
        "exposition_start": start,
        "exposition_end": end,
        "proposal_deadline": deadline,
        "conclusion_due": end + dt.timedelta(days=15),
    }


class DiscussionFactory(DjangoModelFactory):
    class Meta:
        model = Discussion
        skip_postgeneration_save = True

    number = factory.Sequence(lambda n: f"T-{n:04d}")
    title = factory.Sequence(lambda n: f"Проект планировки квартала {n}")
    document_type = factory.SubFactory(DocumentTypeFactory)
    organiser = factory.SubFactory(OrganisationFactory, council=True)
    status = Status.EXPOSITION_OPEN
    notice_date = factory.LazyAttribute(lambda o: _dates(o.status)["notice_date"])
    exposition_start = factory.LazyAttribute(lambda o: _dates(o.status)["exposition_start"])
    exposition_end = factory.LazyAttribute(lambda o: _dates(o.status)["exposition_end"])
    proposal_deadline = factory.LazyAttribute(lambda o: _dates(o.status)["proposal_deadline"])
    conclusion_due = factory.LazyAttribute(lambda o: _dates(o.status)["conclusion_due"])

    @factory.post_generation
    def districts(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.districts.set(extracted)


def staff_with_role(role: str, organisation: Organisation, **kwargs):
    user = UserFactory(staff=True, **kwargs)
    Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


def verified_person(
    building=None,
    *,
    birth_date: dt.date = dt.date(1985, 3, 1),
    rights_in=(),
    document: str | None = None,
    **user_kwargs,
):
    """A resident whose identity (and registered address at ``building``) was verified."""
    user = UserFactory(**user_kwargs)
    document = document or f"92{user.pk:02d} {100000 + user.pk}"
    VerifiedIdentity.objects.create(
        user=user,
        method=VerifiedIdentity.Method.SERVICE_CENTRE,
        last_name=user.last_name or "Иванов",
        first_name=user.first_name or "Иван",
        middle_name="Петрович",
        birth_date=birth_date,
        document_hash=hashlib.sha256(document.encode()).hexdigest(),
        document_masked="******" + document[-4:],
        registered_address=building.address if building else "",
        registered_building=building,
        rights=[
            {"kind": "ownership", "cadastral_number": f"16:50:{b.pk}", "building_id": b.pk}
            for b in rights_in
        ],
        verified_at=timezone.now(),
    )
    return user


#: Where the tests' notices are published (announcing requires naming it).
NOTICE_SOURCE = "Официальный вестник города № 48, https://city.example/notices/48"


def confirm_subscriptions() -> None:
    """Confirm every pending subscription, as each address's owner following the e-mailed link
    would (double opt-in is proven in test_subscription_opt_in.py)."""
    from cityhall.discussions import services
    from cityhall.discussions.models import Subscription

    for sub in Subscription.objects.filter(is_active=False, confirmed_at__isnull=True):
        link = services.subscription_link(sub, "confirm")
        services.confirm_subscription(token=link.rstrip("/").rsplit("/", 1)[1])
