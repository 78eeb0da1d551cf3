"""Factories for resident requests: categories with a published version and limits, areas of
responsibility, requests in any state (made through the services, as users make them)."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from cityhall.accounts.models import Organisation
from cityhall.geo.models import Building
from cityhall.service_requests import services
from cityhall.service_requests.models import (
    BuildingManagement,
    Category,
    Channel,
    DispatchCentre,
    ResponsibilityArea,
    ServiceRequest,
)
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.geo.factories import BuildingFactory, City, make_city

ROUTINE_LIMITS = {
    "new": (2, "working_hours"),
    "routed": (1, "working_days"),
    "accepted": (2, "working_days"),
    "in_work": (5, "working_days"),
}
EMERGENCY_LIMITS = {
    "new": (30, "calendar_hours"),
    "routed": (1, "calendar_hours"),
    "accepted": (2, "calendar_hours"),
    "in_work": (24, "calendar_hours"),
}


def make_category(
    code: str,
    *,
    responsible_type: str = Organisation.Type.MANAGING_ORGANISATION,
    emergency: bool = False,
    attributes: list | None = None,
    limits: dict | None = None,
) -> Category:
    category = Category.objects.create(
        code=code,
        name_ru=f"Категория {code}",
        name_en=f"Category {code}",
        is_emergency=emergency,
        responsible_type=responsible_type,
        group="housing",
    )
    services.publish_category_version(
        category=category,
        actor=None,
        attributes=attributes or [],
        limits=limits or (EMERGENCY_LIMITS if emergency else ROUTINE_LIMITS),
    )
    category.refresh_from_db()
    return category


def photo(name: str = "leak.png", size: tuple[int, int] = (40, 30), fmt: str = "PNG"):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


@dataclass
class World:
    city: City
    building: Building
    other_building: Building
    orphan_building: Building
    manager: Organisation
    supplier: Organisation
    committee: Organisation
    leak: Category
    heating: Category
    lift: Category
    executor: object
    dispatcher: object
    second_dispatcher: object
    operator: object
    resident: object


def make_world() -> World:
    city = make_city()
    building = BuildingFactory(street="ул. Баумана", house="5", lat=55.78, lon=49.05)
    other = BuildingFactory(street="ул. Баумана", house="7", lat=55.781, lon=49.052)
    orphan = BuildingFactory(street="ул. Пушкина", house="1", lat=55.76, lon=49.15)
    committee = OrganisationFactory(name="Housing committee")
    DispatchCentre.objects.create(organisation=committee)
    manager = OrganisationFactory(
        name="UK Baumana",
        type=Organisation.Type.MANAGING_ORGANISATION,
        head=UserFactory(staff=True),
    )
    supplier = OrganisationFactory(name="Teploset", type=Organisation.Type.RESOURCE_SUPPLIER)
    BuildingManagement.objects.create(building=building, organisation=manager)
    BuildingManagement.objects.create(building=other, organisation=manager)
    leak = make_category("leak")
    heating = make_category("heating", responsible_type=Organisation.Type.RESOURCE_SUPPLIER)
    lift = make_category(
        "lift",
        emergency=True,
        attributes=[
            {
                "code": "people_inside",
                "datatype": "singlevaluelist",
                "required": True,
                "description": "Is anybody stuck inside?",
                "values": [{"key": "yes", "name": "Yes"}, {"key": "no", "name": "No"}],
            }
        ],
    )
    ResponsibilityArea.objects.create(organisation=supplier, category=heating, district=city.west)
    executor = MembershipFactory(organisation=manager, role="executor").user
    dispatcher = MembershipFactory(organisation=committee, role="dispatcher").user
    second = MembershipFactory(organisation=committee, role="dispatcher").user
    operator = MembershipFactory(organisation=committee, role="operator").user
    resident = UserFactory(phone="+79001234567")
    return World(
        city,
        building,
        other,
        orphan,
        manager,
        supplier,
        committee,
        leak,
        heating,
        lift,
        executor,
        dispatcher,
        second,
        operator,
        resident,
    )


def submit(world: World, **kwargs) -> ServiceRequest:
    params = {
        "category": world.leak,
        "description": "Water drips from the ceiling",
        "channel": Channel.WEB,
        "author": world.resident,
        "building": world.building,
    }
    params.update(kwargs)
    return services.submit_request(**params)
