"""Municipal services API."""

from ninja import Router

router = Router(tags=["municipal_services"])
applications_router = Router(tags=["municipal_services"])
