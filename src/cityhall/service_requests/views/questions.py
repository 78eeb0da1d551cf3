"""The chosen category's questions on the request forms (the resident's and the call centre's).

Without JavaScript the form has two steps: the person chooses the category and presses "Show the
questions" (the form comes back with what was typed and that category's questions); with
JavaScript the questions of the category chosen in the list are revealed in place. Questions of
the other categories are never shown: their fieldsets are ``hidden`` and ``disabled`` (a disabled
fieldset sends nothing), so a resident answers only what their category asks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import get_language

__all__ = ["QuestionSet", "chosen_category", "question_sets", "wants_questions_only"]

#: The name of the button of the form's first step ("Show the questions").
STEP_FIELD = "step"


@dataclass
class Question:
    code: str
    description: str
    required: bool
    datatype: str
    values: list[dict]
    answer: object
    errors: list[str]
    html_id: str

    @property
    def answers(self) -> list[str]:
        if isinstance(self.answer, list):
            return [str(a) for a in self.answer]
        return [] if self.answer in (None, "") else [str(self.answer)]


@dataclass
class QuestionSet:
    category: object
    chosen: bool
    questions: list[Question] = field(default_factory=list)


def worded(item: dict, key: str) -> str:
    """A question's wording in the reader's language: ``description_tt``/``description_en``
    (``name_tt``/``name_en`` of a choice) when the catalogue gives them, else the Russian
    ``description``/``name`` (issue 16 item 25: no "ru / en" labels in every language)."""
    language = (get_language() or "ru")[:2]
    return str(item.get(f"{key}_{language}") or item.get(key) or "")


def chosen_category(categories, code: str | None):
    """The category with this code among the offered ones, or None."""
    return next((c for c in categories if code and c.code == code), None)


def wants_questions_only(data) -> bool:
    """The form's first step: the person pressed "Show the questions" (nothing is submitted)."""
    return data is not None and data.get(STEP_FIELD) == "questions"


def question_sets(categories, *, code: str | None, data=None, errors=None) -> list[QuestionSet]:
    """One set of questions per category that has any; only the chosen one is ``chosen``.

    ``data`` is the posted form (answers are kept when it comes back), ``errors`` the domain
    errors keyed ``attribute[code]``.
    """
    errors = errors or {}
    sets = []
    for category in categories:
        version = category.current_version
        if version is None or not version.attributes:
            continue
        chosen = category.code == code
        questions = []
        for q in sorted(version.attributes, key=lambda q: q.get("order", 0)):
            if q.get("variable") is False:
                continue
            key = f"attribute[{q['code']}]"
            answer = None
            if chosen and data is not None:
                given = data.getlist(key)
                answer = given if q.get("datatype") == "multivaluelist" else (given or [""])[0]
            questions.append(
                Question(
                    code=q["code"],
                    description=worded(q, "description") or q["code"],
                    required=bool(q.get("required")),
                    datatype=q.get("datatype", "string"),
                    values=[
                        {**v, "name": worded(v, "name")}
                        for v in q.get("values") or []
                        if str(v.get("key", "")).strip()
                    ],
                    answer=answer,
                    errors=[str(m) for m in errors.get(key, [])] if chosen else [],
                    html_id=f"q-{category.code}-{q['code']}",
                )
            )
        sets.append(QuestionSet(category=category, chosen=chosen, questions=questions))
    return sets
