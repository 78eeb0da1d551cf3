"""Editing the request catalogue on screen: a draft per category, saved by administrators and
published as the category's next version after validation.

Nothing here asks for JSON or a code the administrator was not offered: question and answer
codes are made here (``q1``, ``a1`` …) and kept once published (requests and Open311 clients
refer to them); limits are an amount, a unit (minutes, hours, days) and a kind of time (working
or calendar). Every save carries the draft's ``revision`` as read: a save based on an older
reading is refused with :class:`~cityhall.core.errors.Conflict` naming who saved meanwhile, so
two administrators never overwrite each other silently. Publishing refuses with every problem at
once (field → message) and records the difference in the audit trail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from cityhall.accounts.models import User
from cityhall.core import audit
from cityhall.core.errors import Conflict, InvalidInput, NotFound

from ..models import (
    RESPONSIBLE_TYPES,
    TIMED_STATUSES,
    Category,
    CategoryDraft,
    LimitUnit,
)
from .catalogue import CHOICE_DATATYPES, forget_catalogue, publish_category_version

__all__ = [
    "DETAIL_FIELDS",
    "DIFFERENCE_FIELDS",
    "LANGUAGES",
    "QUESTION_LANGUAGE_KEYS",
    "Change",
    "catalogue_difference",
    "datatype_choices",
    "discard_draft",
    "limit_from_parts",
    "limit_parts",
    "move_question",
    "open_draft",
    "publish_draft",
    "publishing_problems",
    "remove_question",
    "save_draft_details",
    "save_question",
    "time_kind_choices",
    "unit_choices",
]

LANGUAGES = ("ru", "tt", "en")
#: Where each language's wording of a question lives in the published format.
QUESTION_LANGUAGE_KEYS = {"ru": "description", "tt": "description_tt", "en": "description_en"}
OPTION_LANGUAGE_KEYS = {"ru": "name", "tt": "name_tt", "en": "name_en"}

DETAIL_FIELDS = (
    "name_ru",
    "name_tt",
    "name_en",
    "group",
    "is_emergency",
    "responsible_type",
    "guidance_ru",
    "guidance_tt",
    "guidance_en",
    "is_active",
)


def datatype_choices() -> list[tuple[str, str]]:
    """The kinds of question offered, in the reader's language."""
    return [
        ("string", _("Short text")),
        ("text", _("Long text")),
        ("number", _("Number")),
        ("datetime", _("Date and time")),
        ("singlevaluelist", _("One answer from a list")),
        ("multivaluelist", _("Several answers from a list")),
    ]


def unit_choices() -> list[tuple[str, str]]:
    return [("minutes", _("minutes")), ("hours", _("hours")), ("days", _("days"))]


def time_kind_choices() -> list[tuple[str, str]]:
    return [("working", _("working time")), ("calendar", _("calendar time"))]


_UNIT_OF = {
    ("minutes", "calendar"): LimitUnit.CALENDAR_MINUTES,
    ("hours", "calendar"): LimitUnit.CALENDAR_HOURS,
    ("days", "calendar"): LimitUnit.CALENDAR_DAYS,
    ("hours", "working"): LimitUnit.WORKING_HOURS,
    ("days", "working"): LimitUnit.WORKING_DAYS,
}
_PARTS_OF = {unit.value: parts for parts, unit in _UNIT_OF.items()}


def limit_parts(unit: str) -> tuple[str, str]:
    """``working_days`` → (``days``, ``working``): how the screen shows a stored unit."""
    return _PARTS_OF.get(unit, ("days", "working"))


def limit_from_parts(*, stage: str, amount: str, unit: str, kind: str) -> tuple[Any, list[str]]:
    """A stage's limit from the screen's three fields: ``(None, [])`` for no limit, the
    ``[amount, unit]`` pair, or ``(None, problems)`` in words the administrator reads."""
    text = str(amount or "").strip()
    if not text:
        return None, []
    if not text.isdigit() or int(text) <= 0 or int(text) > 100_000:
        return None, [_("Enter a whole number greater than zero.")]
    if unit not in dict(unit_choices()) or kind not in dict(time_kind_choices()):
        return None, [_("Choose a unit and a kind of time from the lists.")]
    stored = _UNIT_OF.get((unit, kind))
    if stored is None:
        return None, [
            _("Minutes are counted in calendar time only: choose calendar time or give hours.")
        ]
    return [int(text), stored.value], []


@dataclass(frozen=True)
class Change:
    """One line of the difference between the published category and its draft."""

    field: str
    label: str
    before: str
    after: str


def _draft_for_update(draft: CategoryDraft, revision: int | None) -> CategoryDraft:
    locked = CategoryDraft.objects.select_for_update().filter(pk=draft.pk).first()
    if locked is None:
        raise NotFound(_("This draft was published or discarded meanwhile."))
    if revision is not None and locked.revision != revision:
        who = str(locked.updated_by) if locked.updated_by else _("someone")
        raise Conflict(
            _(
                "%(who)s saved this draft at %(time)s, after you opened it; your changes were not "
                "saved. Compare with the saved draft and save again."
            )
            % {"who": who, "time": date_format(localtime(locked.updated_at), "TIME_FORMAT")}
        )
    return locked


def _bump(draft: CategoryDraft, actor: User, fields: list[str]) -> None:
    draft.updated_by = actor
    draft.save(update_fields=[*fields, "updated_by", "updated_at"])
    CategoryDraft.objects.filter(pk=draft.pk).update(revision=F("revision") + 1)
    draft.refresh_from_db(fields=["revision"])


def open_draft(*, actor: User, category: Category | None) -> CategoryDraft:
    """The category's draft (the one being edited, so two administrators share it), or a new
    one copied from its published version; a new category's draft when ``category`` is None."""
    with transaction.atomic():
        if category is None:
            draft = CategoryDraft.objects.create(
                updated_by=actor,
                limits={stage.value: [1, LimitUnit.WORKING_DAYS.value] for stage in TIMED_STATUSES},
            )
            audit.record(
                actor=actor, action="service_requests.catalogue_draft_started", target=draft
            )
            return draft
        locked = Category.objects.select_for_update().get(pk=category.pk)
        existing = CategoryDraft.objects.filter(category=locked).first()
        if existing is not None:
            return existing
        version = locked.current_version
        draft = CategoryDraft.objects.create(
            category=locked,
            based_on=version,
            code=locked.code,
            is_active=locked.is_active,
            questions=list(version.attributes) if version else [],
            limits=(
                {row.stage: [row.amount, row.unit] for row in version.limits.all()}
                if version
                else {}
            ),
            updated_by=actor,
            **{name: getattr(locked, name) for name in DETAIL_FIELDS if name != "is_active"},
        )
        audit.record(
            actor=actor,
            action="service_requests.catalogue_draft_started",
            target=draft,
            after={"category": locked.code, "version": version.number if version else None},
        )
    return draft


def save_draft_details(
    *,
    draft: CategoryDraft,
    actor: User,
    revision: int,
    details: dict[str, Any],
    limits: dict[str, Any],
    code: str = "",
) -> CategoryDraft:
    """Save the category's texts and limits (``limits``: stage → ``[amount, unit]`` or None).
    What cannot be stored is refused by field; completeness is checked at publishing."""
    errors: dict[str, list[str]] = {}
    if details.get("responsible_type") and details["responsible_type"] not in dict(
        RESPONSIBLE_TYPES
    ):
        errors["responsible_type"] = [_("Choose an organisation type from the list.")]
    for name in ("name_ru", "name_tt", "name_en"):
        if len(str(details.get(name, ""))) > 200:
            errors[name] = [_("Keep the name within 200 characters.")]
    if len(str(details.get("group", ""))) > 100:
        errors["group"] = [_("Keep the group within 100 characters.")]
    for stage in limits:
        if stage not in TIMED_STATUSES:
            errors[f"limit_{stage}"] = [_("Unknown stage.")]
    if errors:
        raise InvalidInput(fields=errors)
    with transaction.atomic():
        locked = _draft_for_update(draft, revision)
        for name in DETAIL_FIELDS:
            if name in details:
                setattr(locked, name, details[name])
        locked.limits = {stage: pair for stage, pair in limits.items() if pair}
        fields = [*DETAIL_FIELDS, "limits"]
        if locked.category_id is None:
            locked.code = code.strip()
            fields.append("code")
        _bump(locked, actor, fields)
    return locked


def _new_key(existing: set[str], prefix: str) -> str:
    number = 1
    while f"{prefix}{number}" in existing:
        number += 1
    return f"{prefix}{number}"


def save_question(
    *,
    draft: CategoryDraft,
    actor: User,
    revision: int,
    code: str | None,
    wording: dict[str, str],
    datatype: str,
    required: bool,
    options: list[dict[str, str]],
) -> CategoryDraft:
    """Add a question (``code`` None) or change one. ``wording`` and each option are
    ``{language: text}``; the codes of the question and of new answers are made here."""
    errors: dict[str, list[str]] = {}
    if not str(wording.get("ru", "")).strip():
        errors["wording_ru"] = [_("Write the question in Russian.")]
    if datatype not in dict(datatype_choices()):
        errors["datatype"] = [_("Choose the kind of answer from the list.")]
    filled = [o for o in options if any(str(o.get(lang, "")).strip() for lang in LANGUAGES)]
    if datatype in CHOICE_DATATYPES:
        if not filled:
            errors["options"] = [_("Offer at least one answer.")]
        elif any(not str(o.get("ru", "")).strip() for o in filled):
            errors["options"] = [_("Every answer needs its Russian wording.")]
    if errors:
        raise InvalidInput(fields=errors)
    with transaction.atomic():
        locked = _draft_for_update(draft, revision)
        questions = list(locked.questions)
        position = next((i for i, q in enumerate(questions) if q.get("code") == code), None)
        if code is not None and position is None:
            raise NotFound(_("This question was removed meanwhile."))
        question = dict(questions[position]) if position is not None else {}
        if position is None:
            question["code"] = _new_key({str(q.get("code")) for q in questions}, "q")
        for lang, key in QUESTION_LANGUAGE_KEYS.items():
            question[key] = str(wording.get(lang, "")).strip()
        question["datatype"] = datatype
        question["required"] = bool(required)
        if datatype in CHOICE_DATATYPES:
            keys: set[str] = {str(o.get("key")) for o in question.get("values") or []}
            values = []
            for option in filled:
                key = str(option.get("key") or "") or _new_key(keys, "a")
                keys.add(key)
                values.append(
                    {"key": key}
                    | {
                        name: str(option.get(lang, "")).strip()
                        for lang, name in OPTION_LANGUAGE_KEYS.items()
                    }
                )
            question["values"] = values
        else:
            question.pop("values", None)
        if position is None:
            questions.append(question)
        else:
            questions[position] = question
        locked.questions = questions
        _bump(locked, actor, ["questions"])
    return locked


def remove_question(*, draft: CategoryDraft, actor: User, revision: int, code: str) -> None:
    with transaction.atomic():
        locked = _draft_for_update(draft, revision)
        locked.questions = [q for q in locked.questions if q.get("code") != code]
        _bump(locked, actor, ["questions"])


def move_question(
    *, draft: CategoryDraft, actor: User, revision: int, code: str, step: int
) -> None:
    """Move a question one place up (``step`` -1) or down (+1) in the resident's form."""
    with transaction.atomic():
        locked = _draft_for_update(draft, revision)
        questions = list(locked.questions)
        index = next((i for i, q in enumerate(questions) if q.get("code") == code), None)
        if index is None:
            raise NotFound(_("This question was removed meanwhile."))
        target = index + (1 if step > 0 else -1)
        if 0 <= target < len(questions):
            questions[index], questions[target] = questions[target], questions[index]
        locked.questions = questions
        _bump(locked, actor, ["questions"])


_CODE = re.compile(r"^[a-z][a-z0-9_]{1,49}$")


def _new_code(draft: CategoryDraft) -> str:
    if draft.code:
        return draft.code
    return slugify(draft.name_en).replace("-", "_")[:50]


def publishing_problems(draft: CategoryDraft) -> dict[str, list[str]]:
    """Everything that keeps the draft from being published, by field (empty: publishable)."""
    problems: dict[str, list[str]] = {}
    if not draft.name_ru.strip():
        problems["name_ru"] = [_("Give the category's name in Russian.")]
    if draft.responsible_type not in dict(RESPONSIBLE_TYPES):
        problems["responsible_type"] = [_("Choose which type of organisation answers for it.")]
    if draft.category_id is None:
        code = _new_code(draft)
        if not _CODE.match(code):
            problems["code"] = [
                _(
                    "Give a code of Latin letters, digits and underscores starting with a "
                    "letter, or an English name to make it from."
                )
            ]
        elif Category.objects.filter(code=code).exists():
            problems["code"] = [_("Another category already has this code.")]
    if draft.is_emergency:
        if not draft.guidance_ru.strip():
            problems["guidance_ru"] = [
                _("An emergency category needs guidance for residents, at least in Russian.")
            ]
        for stage in TIMED_STATUSES:
            pair = draft.limits.get(stage.value)
            if not pair:
                problems[f"limit_{stage.value}"] = [_("An emergency needs a limit at every stage.")]
            elif not str(pair[1]).startswith("calendar_"):
                problems[f"limit_{stage.value}"] = [
                    _("An emergency runs in calendar time: working time would stop at night.")
                ]
    for stage, pair in draft.limits.items():
        readable = (
            stage in TIMED_STATUSES
            and isinstance(pair, list)
            and len(pair) == 2
            and pair[1] in LimitUnit.values
            and isinstance(pair[0], int)
            and pair[0] > 0
        )
        if not readable:
            problems.setdefault(f"limit_{stage}", []).append(_("This limit cannot be read."))
    for position, question in enumerate(draft.questions, start=1):
        field = f"question_{question.get('code') or position}"
        if not str(question.get("description") or "").strip():
            problems.setdefault(field, []).append(
                _("Question %(n)s has no Russian wording.") % {"n": position}
            )
        if question.get("datatype") in CHOICE_DATATYPES and not question.get("values"):
            problems.setdefault(field, []).append(
                _("Question %(n)s offers no answers.") % {"n": position}
            )
    return problems


def _limit_text(pair: Any) -> str:
    if not pair:
        return _("no limit")
    amount, unit = pair
    return f"{amount} {LimitUnit(unit).label}" if unit in LimitUnit.values else str(pair)


def _question_text(question: dict) -> str:
    kinds = dict(datatype_choices())
    text = f"{question.get('description', '')} ({kinds.get(question.get('datatype'), '?')}"
    if question.get("required"):
        text += ", " + _("required")
    text += ")"
    if question.get("values"):
        text += ": " + ", ".join(str(v.get("name", "")) for v in question["values"])
    return text


#: The draft's fields shown in the difference, in the screen's order.
DIFFERENCE_FIELDS = (*DETAIL_FIELDS,)


def catalogue_difference(draft: CategoryDraft) -> list[Change]:
    """What publishing the draft would change, line by line, in the reader's language."""
    category = draft.category
    labels = {f.name: str(f.verbose_name) for f in CategoryDraft._meta.get_fields() if f.concrete}
    changes: list[Change] = []
    yes, no = _("yes"), _("no")
    types = {k: str(v) for k, v in RESPONSIBLE_TYPES}

    def shown(name: str, value: Any) -> str:
        if isinstance(value, bool):
            return yes if value else no
        if name == "responsible_type":
            return types.get(value, value or "—")
        return str(value or "—")

    if category is None:
        changes.append(Change("code", labels["code"], "—", _new_code(draft) or "—"))
    for name in DIFFERENCE_FIELDS:
        before = getattr(category, name) if category else None
        after = getattr(draft, name)
        if category is None or before != after:
            changes.append(Change(name, labels[name], shown(name, before), shown(name, after)))
    version = category.current_version if category else None
    published_limits = (
        {row.stage: [row.amount, row.unit] for row in version.limits.all()} if version else {}
    )
    stage_labels = {s.value: str(s.label) for s in TIMED_STATUSES}
    for stage in TIMED_STATUSES:
        before, after = published_limits.get(stage.value), draft.limits.get(stage.value)
        if before != after:
            changes.append(
                Change(
                    f"limit_{stage.value}",
                    _("Limit: %(stage)s") % {"stage": stage_labels[stage.value]},
                    _limit_text(before),
                    _limit_text(after),
                )
            )
    published = {q.get("code"): q for q in (version.attributes if version else [])}
    drafted = {q.get("code"): q for q in draft.questions}
    for code, question in drafted.items():
        old = published.get(code)
        if old != question:
            changes.append(
                Change(
                    f"question_{code}",
                    _("Question"),
                    _question_text(old) if old else "—",
                    _question_text(question),
                )
            )
    for code, question in published.items():
        if code not in drafted:
            changes.append(Change(f"question_{code}", _("Question"), _question_text(question), "—"))
    if [q.get("code") for q in published.values() if q.get("code") in drafted] != [
        q.get("code") for q in draft.questions if q.get("code") in published
    ]:
        changes.append(Change("questions", _("Order of questions"), _("as before"), _("changed")))
    return changes


def publish_draft(*, draft: CategoryDraft, actor: User, revision: int) -> Category:
    """Validate the draft and publish it: the category's texts change, its questions and limits
    become a new version (requests already filed keep theirs), the audit trail records the
    difference, and the draft is gone. Refused whole, with every problem, if anything is wrong."""
    with transaction.atomic():
        locked = _draft_for_update(draft, revision)
        problems = publishing_problems(locked)
        if problems:
            raise InvalidInput(_("The draft cannot be published yet."), fields=problems)
        changes = catalogue_difference(locked)
        category = locked.category
        if category is None:
            category = Category.objects.create(
                code=_new_code(locked), **{name: getattr(locked, name) for name in DETAIL_FIELDS}
            )
        else:
            category = Category.objects.select_for_update().get(pk=category.pk)
            for name in DETAIL_FIELDS:
                setattr(category, name, getattr(locked, name))
            category.save(update_fields=[*DETAIL_FIELDS, "updated_at"])
        version = publish_category_version(
            category=category,
            actor=actor,
            attributes=locked.questions,
            limits={stage: (pair[0], pair[1]) for stage, pair in locked.limits.items()},
        )
        audit.record(
            actor=actor,
            action="service_requests.catalogue_draft_published",
            target=category,
            before={c.field: c.before for c in changes},
            after={c.field: c.after for c in changes} | {"version": version.number},
        )
        locked.delete()
    forget_catalogue()
    category.refresh_from_db()
    return category


def discard_draft(*, draft: CategoryDraft, actor: User) -> None:
    with transaction.atomic():
        locked = _draft_for_update(draft, None)
        audit.record(
            actor=actor,
            action="service_requests.catalogue_draft_discarded",
            object_type="service_requests.categorydraft",
            object_id=locked.pk,
            before={"category": locked.category.code if locked.category else locked.code},
        )
        locked.delete()
