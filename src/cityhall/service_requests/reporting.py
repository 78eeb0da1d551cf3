"""Who sees which figures of the report constructor, and how fresh the figures are.

The rule (issue 16 item 9; the city's brief: "monitoring and analysis … for all users"):

- **The public** — anyone, signed in or not — sees the city-wide figures at
  ``/requests/reports/`` (and its exports). They are sums over many requests, the same
  figures the public ratings already show; no request or person can be picked out.
- **The city's overseers** — superusers, and the dispatchers, decision makers and
  administrators of the committee that runs the dispatch centre (or of an organisation above
  it; with no dispatch centre configured, of any organisation) — see the city-wide figures
  at ``/requests/staff/reports/`` with every filter, and may refresh today's figures.
- **Every other member of staff** — anyone holding a staff role in an organisation
  (a managing organisation's executors, dispatchers, head, …) — sees at the same staff address
  the figures of the requests their organisations (and the organisations below them) hold,
  never 403; the organisation filter offers only those. They may refresh today's figures too.

Figures come from the roll-ups (``DailyStat``/``MonthlyStat``), so each report says "as of"
the oldest refresh among the days of its period (:func:`figures_as_of`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Min

from cityhall.accounts.models import Organisation, Role, User
from cityhall.accounts.selectors import (
    STAFF_ROLES,
    descendants_of,
    has_role,
    organisations_where,
)

from .models import StatRefresh
from .selectors import committee

__all__ = ["OVERSEER_ROLES", "ReportScope", "figures_as_of", "report_scope"]

#: Roles of the committee whose holders see the whole city's figures in the staff report.
OVERSEER_ROLES = (Role.DISPATCHER, Role.DECISION_MAKER, Role.ADMINISTRATOR)


@dataclass(frozen=True)
class ReportScope:
    """What one viewer's report covers: ``organisation_ids`` None means the whole city."""

    is_staff: bool
    organisation_ids: frozenset[int] | None = None

    @property
    def is_city_wide(self) -> bool:
        return self.organisation_ids is None

    def organisations(self):
        """The organisations the viewer may filter by (all active ones when city-wide)."""
        qs = Organisation.objects.filter(is_active=True)
        if self.organisation_ids is not None:
            qs = Organisation.objects.filter(pk__in=self.organisation_ids)
        return qs.order_by("name")


PUBLIC = ReportScope(is_staff=False)


def report_scope(user: User) -> ReportScope:
    """The viewer's scope by the rule in this module's docstring."""
    if not getattr(user, "is_authenticated", False) or not has_role(user, STAFF_ROLES):
        return PUBLIC
    if user.is_superuser or has_role(user, OVERSEER_ROLES, committee()):
        return ReportScope(is_staff=True)
    own = organisations_where(user, STAFF_ROLES).distinct()
    return ReportScope(is_staff=True, organisation_ids=frozenset(o.pk for o in descendants_of(own)))


def figures_as_of(start: dt.date | None, end: dt.date | None) -> dt.datetime | None:
    """When the figures of the period were computed: the oldest refresh among its days (the
    15-minute job keeps today and yesterday fresh, the nightly rebuild every older day).
    None when no day of the period has been rolled up yet."""
    qs = StatRefresh.objects.all()
    if start:
        qs = qs.filter(day__gte=start)
    if end:
        qs = qs.filter(day__lte=end)
    return qs.aggregate(oldest=Min("refreshed_at"))["oldest"]
