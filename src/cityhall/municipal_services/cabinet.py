"""The applicant's cabinet section: their latest applications."""

from __future__ import annotations

from django.urls import reverse

from cityhall.core.shell import CabinetItem

from .selectors import applications_of


def my_applications(user) -> list[CabinetItem]:
    return [
        CabinetItem(
            title=f"{a.number or '—'} · {a.service.title()}",
            status=a.get_status_display(),
            url=reverse("municipal_services:application", args=[a.pk]),
            when=a.submitted_at or a.created_at,
        )
        for a in applications_of(user)[:5]
    ]
