"""Shared demo-data helpers: what a demo loader returns, and the demo password."""

from __future__ import annotations

from dataclasses import dataclass

DEMO_PASSWORD = "demo-city-2026"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    note: str = ""


def load(stdout) -> list[DemoLogin]:
    """The region's own days off for this year and the next (Tatarstan in the demo city)."""
    from django.conf import settings

    from .services import load_regional_days

    added = load_regional_days(actor=None, region=settings.CALENDAR_REGION)
    stdout.write(f"  business calendar: {added} regional day(s) off ({settings.CALENDAR_REGION})")
    return []
