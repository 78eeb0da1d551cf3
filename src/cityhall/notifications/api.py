"""Notifications API: a person's messages and channel preferences."""

from ninja import Router

router = Router(tags=["notifications"])
