"""The files of a case and who sees them (the purposes this app declares to ``core``).

Application files (identity documents, plans) and results are the applicant's and the
department's: the applicant (or the service centre that registered a paper applicant) and the
staff of the department the application is with; staff reads of application files are audited.
The answer file of an interdepartmental request is the department's and the addressee's: the
applicant follows the case, not the agencies' correspondence.
"""

from __future__ import annotations

from typing import Any

from cityhall.accounts.selectors import has_role
from cityhall.core.file_purposes import Purpose
from cityhall.core.models import StoredFile

from .models import Application, ApplicationFile, ResultDocument, StandardRequest

__all__ = ["ANSWER_FILE", "APPLICATION_FILE", "RESULT", "purposes"]

from .case_files import ANSWER_FILE, APPLICATION_FILE, RESULT

#: the largest file any service's definition may ask for; each document's own limit
#: (``max_size_mb``) is checked first
MAX_APPLICATION_FILE_BYTES = 50 * 2**20


def _of_the_case(user: Any, application: Application | None) -> bool:
    from .selectors import is_staff_of  # selectors import the services, which store files

    if application is None or not getattr(user, "is_authenticated", False):
        return False
    if user.pk in (application.applicant_id, application.registered_by_id):
        return True
    return is_staff_of(user, application)


def can_view_application_file(user: Any, stored_file: StoredFile) -> bool:
    row = (
        ApplicationFile.objects.select_related("application__department")
        .filter(stored_id=stored_file.pk)
        .first()
    )
    return _of_the_case(user, row.application if row else None)


def can_view_result(user: Any, stored_file: StoredFile) -> bool:
    row = (
        ResultDocument.objects.select_related("application__department")
        .filter(stored_id=stored_file.pk)
        .first()
    )
    return _of_the_case(user, row.application if row else None)


def can_view_answer_file(user: Any, stored_file: StoredFile) -> bool:
    row = (
        StandardRequest.objects.select_related("application__department", "addressee")
        .filter(answer_stored_id=stored_file.pk)
        .first()
    )
    if row is None or not getattr(user, "is_authenticated", False):
        return False
    from .selectors import is_staff_of

    return is_staff_of(user, row.application) or has_role(
        user, ["executor", "operator", "administrator"], row.addressee
    )


def purposes() -> list[Purpose]:
    return [
        Purpose(
            code=APPLICATION_FILE,
            kinds=("pdf", "image"),
            max_bytes=MAX_APPLICATION_FILE_BYTES,
            folder="municipal_services/%Y/%m",
            can_view=can_view_application_file,
            audit_reads=True,
        ),
        Purpose(
            code=RESULT,
            kinds=("pdf",),
            max_bytes=MAX_APPLICATION_FILE_BYTES,
            folder="municipal_services/results/%Y",
            can_view=can_view_result,
        ),
        Purpose(
            code=ANSWER_FILE,
            kinds=("pdf", "image"),
            max_bytes=MAX_APPLICATION_FILE_BYTES,
            folder="municipal_services/requests/%Y",
            can_view=can_view_answer_file,
        ),
    ]
