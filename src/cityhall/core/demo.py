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
