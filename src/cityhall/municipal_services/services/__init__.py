"""Business actions of municipal services: the only place that changes their state.

One module per workflow; this package re-exports their public functions, so callers keep
writing ``services.submit_application(...)``. The modules import each other (never this
package) and only downwards: ``workflow`` is the base the case actions build on, and the intake
(:mod:`cityhall.municipal_services.intake`), which registers submitted applications, imports
nothing from here.

- :mod:`.definitions`: :func:`create_service`, :func:`create_draft`, :func:`update_draft`,
  :func:`publish_version`, :func:`retire_version`, :func:`import_service`,
  :func:`choose_variant`.
- :mod:`.applications`: :func:`start_application`, :func:`save_draft`, :func:`save_form`
  (answers and files posted together), :func:`upload_file`, :func:`remove_file`,
  :func:`check_identity` (the service's identity requirement), :func:`submit_application`
  (handed to the intake), :func:`withdraw_application`.
- :mod:`.designer`: :func:`rename_service`, :func:`start_new_version` (the service designer's
  pages; drafts change through :func:`update_draft`).
- :mod:`.draft_versions`: :func:`move_draft_to_published_version` (a resumed draft follows
  the service's new version).
- :mod:`.workflow`: the one :func:`transition` (the ``ALLOWED`` table, stage roles, separation
  of duties, the event row, the audit record and the notification with the definition's
  status text).
- :mod:`.stages`: the staff actions of document check, consideration and decision;
  :mod:`.issuing`: the result document and the registry record of an approved application.
- :mod:`.legal_term`: suspend, resume and extend the legal term.
- :mod:`.standard_requests`: :func:`send_standard_request` … :func:`expire_standard_requests`.
- :mod:`.required_requests`: the requests a case's variant requires before its decision
  (:func:`required_requests`, :func:`check_required_requests`, :func:`waive_required_request`).
- :mod:`.life_situations`: :func:`submit_life_situation`, :func:`waiting_for` (steps that
  depend on others).
- :mod:`.consultations`: :func:`log_consultation`.
"""

from __future__ import annotations

from ..intake import compiled_rules
from ..notices import status_text
from .applications import (
    apply_and_submit,
    check_identity,
    document_rules,
    identity_missing,
    paper_applicant,
    published_version_of,
    receive_application,
    registered_application,
    remove_file,
    save_draft,
    save_form,
    start_application,
    submit_application,
    upload_file,
    withdraw_application,
)
from .consultations import log_consultation
from .definitions import (
    EXPORT_FORMAT,
    choose_variant,
    create_draft,
    create_service,
    import_service,
    publish_version,
    retire_version,
    update_draft,
)
from .designer import rename_service, start_new_version
from .draft_versions import move_draft_to_published_version
from .legal_term import extend_application, resume_application, suspend_application
from .life_situations import prerequisites_of, submit_life_situation, waiting_for
from .required_requests import (
    check_required_requests,
    required_requests,
    waive_required_request,
)
from .stages import (
    accept_application,
    answer_opinion,
    ask_opinion,
    decide,
    forward_to_expert,
    return_application,
    send_to_decision,
)
from .standard_requests import (
    REQUEST_ALLOWED,
    REQUEST_HANDLERS,
    accept_standard_request,
    answer_standard_request,
    expire_standard_requests,
    reject_standard_request,
    send_standard_request,
)
from .workflow import (
    ALLOWED,
    STAGE_OF,
    check_stage_actor,
    role_labels,
    stage_refusal,
    stage_roles,
    transition,
)

__all__ = [
    "create_service",
    "create_draft",
    "update_draft",
    "publish_version",
    "retire_version",
    "import_service",
    "choose_variant",
    "start_application",
    "paper_applicant",
    "save_draft",
    "save_form",
    "upload_file",
    "remove_file",
    "submit_application",
    "receive_application",
    "registered_application",
    "apply_and_submit",
    "transition",
    "accept_application",
    "return_application",
    "forward_to_expert",
    "ask_opinion",
    "answer_opinion",
    "send_to_decision",
    "decide",
    "withdraw_application",
    "suspend_application",
    "resume_application",
    "extend_application",
    "send_standard_request",
    "required_requests",
    "check_required_requests",
    "waive_required_request",
    "accept_standard_request",
    "answer_standard_request",
    "reject_standard_request",
    "expire_standard_requests",
    "submit_life_situation",
    "log_consultation",
    "check_identity",
    "move_draft_to_published_version",
    "rename_service",
    "start_new_version",
    # also used by pages, the API, the admin and selectors
    "ALLOWED",
    "STAGE_OF",
    "EXPORT_FORMAT",
    "REQUEST_ALLOWED",
    "REQUEST_HANDLERS",
    "check_stage_actor",
    "stage_refusal",
    "role_labels",
    "compiled_rules",
    "document_rules",
    "published_version_of",
    "stage_roles",
    "status_text",
    "identity_missing",
    "prerequisites_of",
    "waiting_for",
]
