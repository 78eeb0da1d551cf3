"""Resident requests API."""

from ninja import Router

router = Router(tags=["service_requests"])
