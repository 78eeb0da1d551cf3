"""Business actions on people, organisations, roles, second factors and verified identities.

Every function here changes state, takes keyword-only arguments and an explicit ``actor``
(``None`` means the system: the demo loader, a management command), runs in one transaction and
writes the audit trail.

One module per workflow: ``registration`` (registering, confirming a contact),
``organisations`` (organisations, roles, deactivation), ``sign_in_protection`` (TOTP,
lockouts), ``second_factor_enrolment`` (the administrator-issued code staff need to set up an
authenticator),
``organisation_verification`` (a company's or public authority's register details),
``register_import`` (verification registers imported by administrators),
``identity`` (verified identities, signing in with an identity provider), ``passwords``
(changing and resetting a password). The modules import
each other only by public names; this package re-exports their public surface.
"""

from __future__ import annotations

from .identity import (
    apply_verification,
    correct_registered_address,
    note_identity_read,
    sign_in_federated,
)
from .organisation_verification import PARTICIPANT_ORGANISATION_TYPES, verify_organisation
from .organisations import (
    create_organisation,
    deactivate_user,
    grant_role,
    revoke_role,
    set_parent,
)
from .passwords import (
    RESET_MAX_ATTEMPTS,
    RESET_TTL,
    change_password,
    request_password_reset,
    reset_password,
)
from .register_import import (
    REGISTER_COLUMNS,
    apply_register_import,
    claim_register_entry,
    start_register_import,
)
from .registration import (
    CONFIRMATION_MAX_ATTEMPTS,
    CONFIRMATION_RESEND_COOLDOWN,
    CONFIRMATION_TTL,
    TOO_MANY_SMS,
    Contact,
    confirm_contact,
    parse_contact,
    register_person,
    send_confirmation_code,
)
from .second_factor_enrolment import (
    ENROLMENT_CODE_TTL,
    issue_enrolment_code,
    redeem_enrolment_code,
)
from .sign_in_protection import (
    confirm_totp_enrolment,
    note_failed_sign_in,
    note_lockout,
    note_sign_in,
    provision_totp_device,
    start_totp_enrolment,
)

__all__ = [
    "ENROLMENT_CODE_TTL",
    "issue_enrolment_code",
    "redeem_enrolment_code",
    "RESET_MAX_ATTEMPTS",
    "RESET_TTL",
    "change_password",
    "request_password_reset",
    "reset_password",
    "CONFIRMATION_MAX_ATTEMPTS",
    "CONFIRMATION_RESEND_COOLDOWN",
    "CONFIRMATION_TTL",
    "TOO_MANY_SMS",
    "Contact",
    "apply_verification",
    "REGISTER_COLUMNS",
    "apply_register_import",
    "claim_register_entry",
    "start_register_import",
    "PARTICIPANT_ORGANISATION_TYPES",
    "verify_organisation",
    "correct_registered_address",
    "note_identity_read",
    "confirm_contact",
    "confirm_totp_enrolment",
    "create_organisation",
    "deactivate_user",
    "grant_role",
    "note_failed_sign_in",
    "note_lockout",
    "note_sign_in",
    "parse_contact",
    "provision_totp_device",
    "register_person",
    "revoke_role",
    "send_confirmation_code",
    "set_parent",
    "sign_in_federated",
    "start_totp_enrolment",
]
