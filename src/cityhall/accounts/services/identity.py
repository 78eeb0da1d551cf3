"""Verified identity: what an identity provider or a service-centre operator vouched for, and
signing in with an identity provider (finding, linking or creating the account).

What a person *is* (name, address, rights) comes only from here; one document belongs to one
person, and in-person verification is done by a service-centre operator only.
"""

from __future__ import annotations

import hashlib

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cityhall.core import audit
from cityhall.core.errors import Forbidden, InvalidInput

from ..models import User, VerifiedIdentity
from ..selectors import building_for_address, can_verify_in_person
from ..verification import FederatedProfile, VerifiedAttributes, document_hash, mask_document
from .register_import import claim_register_entry
from .registration import unique_username

__all__ = [
    "apply_verification",
    "correct_registered_address",
    "note_identity_read",
    "sign_in_federated",
]

_IDENTITY_FIELDS = [
    "method",
    "last_name",
    "first_name",
    "middle_name",
    "birth_date",
    "document_masked",
    "registered_address",
    "registered_building",
    "rights",
    "subject",
    "verified_by",
]


def _rights_with_buildings(attributes: VerifiedAttributes) -> list[dict]:
    from cityhall.geo.models import Building

    numbers = {r.cadastral_number.strip() for r in attributes.rights if r.cadastral_number}
    by_number = dict(
        Building.objects.filter(cadastral_number__in=numbers)
        .exclude(cadastral_number="")
        .values_list("cadastral_number", "pk")
    )
    return [
        {
            "kind": r.kind,
            "cadastral_number": r.cadastral_number.strip(),
            "building_id": by_number.get(r.cadastral_number.strip()),
        }
        for r in attributes.rights
    ]


def apply_verification(
    *,
    person: User,
    attributes: VerifiedAttributes,
    method: str,
    actor: User | None,
) -> VerifiedIdentity:
    """Store what a verifier vouched for. A new verification replaces the previous one; both
    are kept in the audit trail (``before``/``after``, document only masked).

    The document number is stored as a keyed hash and a masked form. One document belongs to
    one person: a document already verified for another account is refused. In-person
    verification is done by an operator of a service centre only.
    """
    in_person = method == VerifiedIdentity.Method.SERVICE_CENTRE
    if in_person and actor is not None and not can_verify_in_person(actor):
        raise Forbidden(_("Only an operator of a service centre may verify identities."))
    errors: dict[str, list[str]] = {}
    if not attributes.last_name.strip():
        errors["last_name"] = [_("The last name is required.")]
    if not attributes.first_name.strip():
        errors["first_name"] = [_("The first name is required.")]
    today = timezone.localdate()
    if attributes.birth_date > today or attributes.birth_date.year < 1900:
        errors["birth_date"] = [_("Enter a real birth date.")]
    if len(attributes.document_number.strip()) < 4:
        errors["document_number"] = [_("Enter the identity document's number.")]
    digest = document_hash(attributes.document_number)
    if (
        "document_number" not in errors
        and VerifiedIdentity.objects.filter(document_hash=digest)
        .exclude(user_id=person.pk)
        .exists()
    ):
        errors["document_number"] = [
            _("This identity document is already verified for another account.")
        ]
    if errors:
        raise InvalidInput(fields=errors)

    with transaction.atomic():
        identity = VerifiedIdentity.objects.select_for_update().filter(user=person).first()
        before = audit.snapshot(identity, _IDENTITY_FIELDS) if identity else None
        if identity is None:
            identity = VerifiedIdentity(user=person)
        identity.method = method
        identity.last_name = attributes.last_name.strip()
        identity.first_name = attributes.first_name.strip()
        identity.middle_name = attributes.middle_name.strip()
        identity.birth_date = attributes.birth_date
        identity.document_hash = digest
        identity.document_masked = mask_document(attributes.document_number)
        identity.registered_address = attributes.registered_address.strip()
        identity.registered_building = building_for_address(attributes.registered_address)
        identity.rights = _rights_with_buildings(attributes)
        identity.subject = attributes.subject
        identity.verified_at = timezone.now()
        identity.verified_by = actor if actor is not None and actor.pk != person.pk else None
        try:
            with transaction.atomic():
                identity.save()
        except IntegrityError:
            raise InvalidInput(
                _("This identity is already linked to another account."), code="conflict"
            ) from None
        audit.record(
            actor=actor,
            action="accounts.identity_verified",
            target=identity,
            before=before,
            after=audit.snapshot(identity, _IDENTITY_FIELDS),
            message=f"user {person.pk}",
        )
    return identity


def correct_registered_address(
    *, person: User, address: str, actor: User | None
) -> VerifiedIdentity:
    """A service-centre operator corrects the registered address of a verified person (read
    from the passport's registration page, typically after the desk warned that the address
    matched no building); the rest of the verified identity stays. Operators of a service
    centre only (``actor=None`` is the system: a command re-matching addresses); audited."""
    if actor is not None and not can_verify_in_person(actor):
        raise Forbidden(_("Only an operator of a service centre may verify identities."))
    with transaction.atomic():
        identity = VerifiedIdentity.objects.select_for_update().filter(user=person).first()
        if identity is None:
            raise InvalidInput(_("This person's identity is not verified yet."))
        before = audit.snapshot(identity, ["registered_address", "registered_building"])
        identity.registered_address = (address or "").strip()
        identity.registered_building = building_for_address(identity.registered_address)
        identity.save(update_fields=["registered_address", "registered_building", "updated_at"])
        audit.record(
            actor=actor,
            action="accounts.registered_address_corrected",
            target=identity,
            before=before,
            after=audit.snapshot(identity, ["registered_address", "registered_building"]),
            message=f"user {person.pk}",
        )
    return identity


def sign_in_federated(
    *,
    profile: FederatedProfile,
    attributes: VerifiedAttributes | None,
    method: str,
    current: User | None = None,
) -> User:
    """The account for a person an identity provider vouched for, found or created, with the
    verified attributes applied — in one transaction.

    The account is found by the provider's subject, else it is the signed-in person (linking
    their account), else the active account whose e-mail or phone was confirmed and which the
    provider also confirmed; otherwise a new resident account is created.
    """
    with transaction.atomic():
        identity = (
            VerifiedIdentity.objects.select_related("user")
            .filter(method=method, subject=profile.subject)
            .first()
        )
        user: User | None = identity.user if identity else None
        if user is not None and current is not None and user.pk != current.pk:
            raise InvalidInput(
                _(
                    "This identity is already linked to another account. Sign out to use it, "
                    "or contact support."
                ),
                code="conflict",
            )
        if user is None and current is not None:
            user = User.objects.get(pk=current.pk)
        if user is None and profile.email:
            user = User.objects.filter(
                email__iexact=profile.email, email_confirmed_at__isnull=False, is_active=True
            ).first()
        if user is None and profile.phone:
            user = User.objects.filter(
                phone=profile.phone, phone_confirmed_at__isnull=False, is_active=True
            ).first()
        if user is None:
            now = timezone.now()
            email_free = (
                profile.email and not User.objects.filter(email__iexact=profile.email).exists()
            )
            phone_free = profile.phone and not User.objects.filter(phone=profile.phone).exists()
            subject_key = hashlib.sha256(f"{method}:{profile.subject}".encode()).hexdigest()
            user = User(
                username=unique_username(
                    (profile.email if email_free else "")
                    or (profile.phone if phone_free else "")
                    or f"id-{subject_key[:12]}"
                ),
                kind=User.Kind.RESIDENT,
                last_name=profile.last_name,
                first_name=profile.first_name,
                middle_name=profile.middle_name,
                email=profile.email if email_free else None,
                email_confirmed_at=now if email_free else None,
                phone=profile.phone if phone_free else None,
                phone_confirmed_at=now if phone_free else None,
            )
            user.set_unusable_password()
            user.save()
            audit.record(
                actor=user,
                action="accounts.registered",
                target=user,
                after=audit.snapshot(user, ["username", "kind", "is_active"]),
                message=method,
            )
        if not user.is_active:
            raise Forbidden(_("This account has been deactivated."))
        if attributes is not None:
            apply_verification(person=user, attributes=attributes, method=method, actor=user)
        else:
            # The provider shared too little to verify; the city's register may list this
            # identity-portal id (issue 20.9).
            claim_register_entry(user=user, subject=profile.subject)
    return user


def note_identity_read(*, actor: User, person: User, page: str) -> None:
    """A staff member saw ``person``'s verified identity (name, birth date, document, address)
    on ``page``: one audit record per read, so a citizen can learn who looked at their data."""
    audit.record(
        actor=actor,
        action="accounts.identity_viewed",
        target=person,
        after={"page": page},
    )
