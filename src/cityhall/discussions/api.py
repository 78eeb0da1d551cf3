"""Public discussions API."""

from ninja import Router

router = Router(tags=["discussions"])
