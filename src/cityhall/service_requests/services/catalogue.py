"""The request catalogue: categories, their published versions (questions and stage limits)
and the catalogue as files.

A category's questions and limits change only by publishing a new version
(:func:`publish_category_version`); requests keep the version they were filed under. Each
process keeps the active categories (:func:`active_category`, ``CATALOGUE_TTL_SECONDS``) and
the versions' limits (:func:`stage_limits`); :func:`forget_catalogue` drops those copies.
"""

from __future__ import annotations

import time
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from cityhall.accounts.models import User
from cityhall.core import audit
from cityhall.core.errors import InvalidInput

from ..models import (
    TIMED_STATUSES,
    Category,
    CategoryVersion,
    StageLimit,
)
from .api_keys import open311_clients

__all__ = [
    "CATALOGUE_FIELDS",
    "CATALOGUE_TTL_SECONDS",
    "active_category",
    "check_attributes",
    "check_questions",
    "export_catalogue",
    "forget_catalogue",
    "import_catalogue",
    "publish_category_version",
    "stage_limits",
]


#: Each process keeps the catalogue this long; an official's change reaches every worker within
#: it. Versions never change once published, so only the "current version" pointer can lag.
CATALOGUE_TTL_SECONDS = 30
_catalogue_cache: dict[str, tuple[float, Category | None]] = {}


def active_category(category: Category | str) -> Category:
    """The active category with this code (or this category, if still active and published),
    from this process's copy of the catalogue; ``InvalidInput`` on ``category`` otherwise."""
    if isinstance(category, Category):
        found = category
    else:
        code = str(category or "").strip()
        cached = _catalogue_cache.get(code)
        if cached is not None and time.monotonic() - cached[0] < CATALOGUE_TTL_SECONDS:
            found = cached[1]
        else:
            found = (
                Category.objects.select_related("current_version")
                .filter(code=code, is_active=True)
                .first()
            )
            _catalogue_cache[code] = (time.monotonic(), found)
    if found is None or not found.is_active or found.current_version_id is None:
        raise InvalidInput(fields={"category": [_("Choose a category from the list.")]})
    return found


def forget_catalogue() -> None:
    """Drop this process's copies of the catalogue, limits and api_keys (after publishing, so
    the writer sees it at once; and between tests, whose databases reuse ids)."""
    _catalogue_cache.clear()
    _LIMITS.clear()
    open311_clients.forget()


def check_attributes(version: CategoryVersion, answers: dict[str, Any]) -> dict[str, list[str]]:
    """Field errors (``attribute[code]``) for the category's questions."""
    errors: dict[str, list[str]] = {}
    for question in version.attributes or []:
        if question.get("variable") is False:
            continue
        code = question["code"]
        value = answers.get(code)
        key = f"attribute[{code}]"
        if value in (None, "", []):
            if question.get("required"):
                errors[key] = [_("Answer this question.")]
            continue
        datatype = question.get("datatype", "string")
        allowed = {str(v["key"]) for v in question.get("values", [])}
        if datatype == "number":
            try:
                float(value)
            except (TypeError, ValueError):
                errors[key] = [_("Enter a number.")]
        elif datatype == "singlevaluelist" and str(value) not in allowed:
            errors[key] = [_("Choose one of the offered answers.")]
        elif datatype == "multivaluelist":
            values = value if isinstance(value, list) else [value]
            if not {str(v) for v in values} <= allowed:
                errors[key] = [_("Choose among the offered answers.")]
    return errors


#: Question types whose answer is one or several of the offered options.
CHOICE_DATATYPES = ("singlevaluelist", "multivaluelist")


def check_questions(attributes: list[dict]) -> None:
    """A version's questions must be answerable: each has a code, and a choice question offers
    options that all have a value and a label (an empty option is an answer nobody can read).
    ``InvalidInput`` on ``attributes`` otherwise."""
    problems = []
    for position, question in enumerate(attributes or []):
        code = str(question.get("code") or "").strip()
        if not code:
            problems.append(_("Question %(n)s has no code.") % {"n": position + 1})
            continue
        if question.get("datatype") not in CHOICE_DATATYPES:
            continue
        options = question.get("values") or []
        if not options:
            problems.append(_("Question “%(code)s” offers no options.") % {"code": code})
        elif any(
            not str(o.get("key", "")).strip() or not str(o.get("name", "")).strip() for o in options
        ):
            problems.append(
                _("Question “%(code)s” has an option with an empty value or label.")
                % {"code": code}
            )
    if problems:
        raise InvalidInput(_("The questions cannot be published."), fields={"attributes": problems})


_LIMITS: dict[int, dict[str, tuple[int, str]]] = {}


def stage_limits(version_id: int) -> dict[str, tuple[int, str]]:
    """A version's limits; versions never change once used, so each process keeps them."""
    limits = _LIMITS.get(version_id)
    if limits is None:
        limits = {
            row.stage: (row.amount, row.unit)
            for row in StageLimit.objects.filter(version_id=version_id)
        }
        _LIMITS[version_id] = limits
    return limits


def publish_category_version(
    *,
    category: Category,
    actor: User | None,
    attributes: list[dict] | None = None,
    limits: dict[str, tuple[int, str]] | None = None,
) -> CategoryVersion:
    """Publish a new edition of a category's questions and limits; open requests keep theirs.
    Questions that cannot be answered (see :func:`check_questions`) are refused."""
    if attributes is not None:
        check_questions(attributes)
    with transaction.atomic():
        locked = Category.objects.select_for_update().get(pk=category.pk)
        last = locked.versions.order_by("-number").first()
        version = CategoryVersion.objects.create(
            category=locked,
            number=(last.number + 1) if last else 1,
            attributes=attributes if attributes is not None else (last.attributes if last else []),
            created_by=actor,
        )
        source = (
            limits
            if limits is not None
            else ({row.stage: (row.amount, row.unit) for row in last.limits.all()} if last else {})
        )
        StageLimit.objects.bulk_create(
            StageLimit(version=version, stage=stage, amount=amount, unit=unit)
            for stage, (amount, unit) in source.items()
        )
        locked.current_version = version
        locked.save(update_fields=["current_version", "updated_at"])
        audit.record(
            actor=actor,
            action="service_requests.category_published",
            target=locked,
            after={"version": version.number, "limits": {k: list(v) for k, v in source.items()}},
        )
    category.current_version = version
    forget_catalogue()
    return version


CATALOGUE_FIELDS = (
    "name_ru",
    "name_tt",
    "name_en",
    "group",
    "is_emergency",
    "responsible_type",
    "guidance_ru",
    "guidance_tt",
    "guidance_en",
)


def export_catalogue() -> list[dict[str, Any]]:
    """The catalogue as data: each category with its current version's questions and limits."""
    result = []
    for category in Category.objects.select_related("current_version").order_by("code"):
        version = category.current_version
        result.append(
            {
                "code": category.code,
                **{name: getattr(category, name) for name in CATALOGUE_FIELDS},
                "is_active": category.is_active,
                "version": version.number if version else None,
                "attributes": version.attributes if version else [],
                "limits": (
                    {row.stage: [row.amount, row.unit] for row in version.limits.all()}
                    if version
                    else {}
                ),
            }
        )
    return result


def import_catalogue(*, data: list[dict[str, Any]], actor: User | None) -> dict[str, int]:
    """Create or update categories from exported data. Questions or limits that differ from the
    current version are published as a new version (open requests keep theirs)."""
    from ..models import LimitUnit

    counts = {"created": 0, "updated": 0, "published": 0, "unchanged": 0}
    errors: dict[str, list[str]] = {}
    for position, item in enumerate(data):
        code = str(item.get("code", "")).strip()
        limits = item.get("limits") or {}
        bad = [
            stage
            for stage, pair in limits.items()
            if stage not in TIMED_STATUSES
            or not isinstance(pair, list | tuple)
            or len(pair) != 2
            or pair[1] not in LimitUnit.values
            or not isinstance(pair[0], int)
            or pair[0] <= 0
        ]
        if not code or not item.get("name_ru") or bad:
            errors[f"[{position}]"] = [_("Needs a code, a Russian name and valid limits.")]
    if errors:
        raise InvalidInput(fields=errors)
    with transaction.atomic():
        for item in data:
            defaults = {name: item[name] for name in CATALOGUE_FIELDS if name in item}
            defaults["is_active"] = item.get("is_active", True)
            category, created = Category.objects.get_or_create(code=item["code"], defaults=defaults)
            changed = False
            if not created:
                for name, value in defaults.items():
                    if getattr(category, name) != value:
                        setattr(category, name, value)
                        changed = True
                if changed:
                    category.save()
                    audit.record(
                        actor=actor,
                        action="service_requests.category_updated",
                        target=category,
                        after=defaults,
                    )
            wanted_limits = {k: (int(v[0]), v[1]) for k, v in (item.get("limits") or {}).items()}
            current = category.current_version
            same = current is not None and (
                current.attributes == (item.get("attributes") or [])
                and {r.stage: (r.amount, r.unit) for r in current.limits.all()} == wanted_limits
            )
            if not same:
                publish_category_version(
                    category=category,
                    actor=actor,
                    attributes=item.get("attributes") or [],
                    limits=wanted_limits,
                )
                counts["published"] += 1
            if created:
                counts["created"] += 1
            elif changed:
                counts["updated"] += 1
            elif same:
                counts["unchanged"] += 1
    forget_catalogue()
    return counts
