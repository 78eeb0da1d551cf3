"""Who may take part in a discussion (art. 5.1 p. 2), from verified attributes only.

What a person typed never counts: residence comes from the verified registered address, rights
from the verified rights list, a company's location from its registered building (recorded from
its verified address by staff), age from the verified birth date. A person may act as themself
or for an organisation they represent (a company, a public authority). An ineligible person
gets every reason and what to do about it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import shapely
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cityhall.accounts import selectors as people
from cityhall.accounts.models import Organisation
from cityhall.core.process_cache import ProcessCache
from cityhall.geo.geometry import area_shape

from .models import Discussion, Participant, Status

__all__ = [
    "AS_SELF",
    "OPEN_DISCUSSIONS",
    "Eligibility",
    "Reason",
    "building_in_territory",
    "eligibility_of",
    "open_discussion",
]


def _open_discussions(_fingerprint: tuple) -> dict[int, Discussion]:
    found = {
        d.pk: d
        for d in Discussion.objects.filter(
            status__in=(Status.ANNOUNCED, Status.EXPOSITION_OPEN)
        ).select_related("organiser")
    }
    for discussion in found.values():
        discussion._district_ids = set()
    links = Discussion.districts.through.objects.filter(discussion_id__in=list(found))
    for discussion_id, district_id in links.values_list("discussion_id", "district_id"):
        found[discussion_id]._district_ids.add(district_id)
    return found


#: The discussions announced or open for proposals, with their districts, kept in each process
#: (rules, dates and territory change rarely; see core.process_cache for the freshness rules).
#: Proposal counters in these copies are not kept current: registration re-reads the row.
OPEN_DISCUSSIONS: ProcessCache[dict[int, Discussion]] = ProcessCache(
    name="discussions-open",
    watched=(Discussion,),
    build=_open_discussions,
    recheck_setting="DISCUSSIONS_RULES_RECHECK_SECONDS",
)


def open_discussion(pk: int) -> Discussion | None:
    """This process's copy of an announced or open discussion (None for any other): for the
    checks before a proposal is received, never for writing."""
    return OPEN_DISCUSSIONS.current().get(pk)


@dataclass(frozen=True)
class Reason:
    code: str
    message: str
    what_to_do: str = ""
    url: str = ""


@dataclass
class Eligibility:
    eligible: bool
    reasons: list[Reason] = field(default_factory=list)
    participant_type: str = ""
    from_territory: bool = False
    district: Any = None
    identity: Any = None
    organisation: Any = None
    #: Every capacity (as themself, for an organisation) in which the person may take part.
    options: list[Eligibility] = field(default_factory=list)

    @property
    def on_behalf(self) -> str:
        """The capacity as :func:`eligibility_of` takes it: "self" or the organisation id."""
        return str(self.organisation.pk) if self.organisation is not None else AS_SELF

    @property
    def capacity_label(self) -> str:
        if self.organisation is not None:
            return _("For %(organisation)s") % {"organisation": self.organisation}
        return _("As myself (a private person)")


def _territory(discussion: Discussion) -> Any:
    """The discussion's territory as a prepared shape, parsed once per copy of the discussion
    (the open ones are kept per process: a city-wide plan's polygon is not re-read per call)."""
    shape = getattr(discussion, "_territory_shape", None)
    if shape is None:
        shape = area_shape(discussion.territory, field="territory")
        shapely.prepare(shape)
        discussion._territory_shape = shape
    return shape


def building_in_territory(discussion: Discussion, building: Any, district_ids: set[int]) -> bool:
    """A building counts as in the territory if the polygon contains it; with no polygon, if
    it is in one of the districts; with neither, the whole city is the territory."""
    if building is None:
        return False
    if discussion.territory:
        return bool(shapely.intersects_xy(_territory(discussion), building.lon, building.lat))
    if district_ids:
        return building.district_id in district_ids
    return building.district_id is not None


def _district_ids(discussion: Discussion) -> set[int]:
    cached = getattr(discussion, "_district_ids", None)
    if cached is None:
        cached = set(discussion.districts.values_list("id", flat=True))
        discussion._district_ids = cached
    return cached


#: ``on_behalf`` of :func:`eligibility_of`: the person acts as themself.
AS_SELF = "self"


def eligibility_of(
    discussion: Discussion, user: Any, *, on: dt.date | None = None, on_behalf: str = ""
) -> Eligibility:
    """Whether ``user`` may submit proposals to ``discussion``, and if not, why.

    A person may act as themself (``on_behalf="self"``) or for an organisation they represent
    (``on_behalf`` = its id): a company located in the territory, or a public authority. With
    ``on_behalf=""`` (the default) the person may take part if any of these capacities may:
    a company's representative account acts for its company first, anyone else as themself
    first; ``options`` lists every capacity that may take part, for the proposal form to offer.
    """
    on = on or timezone.localdate()
    if not getattr(user, "is_authenticated", False):
        return Eligibility(
            False,
            [
                Reason(
                    "sign_in",
                    _("Only identified participants may submit proposals."),
                    _("Sign in to take part."),
                    reverse("accounts:login"),
                )
            ],
        )
    identity = people.lean_identity(user)
    if identity is None:
        return Eligibility(
            False,
            [
                Reason(
                    "not_verified",
                    _("Your identity is not verified."),
                    _(
                        "Confirm your identity through the state identity portal or with your "
                        "passport at a service centre."
                    ),
                )
            ],
        )
    district_ids = _district_ids(discussion)
    if on_behalf == AS_SELF:
        return _as_person(discussion, user, identity, on, district_ids)
    # Representatives' accounts are the business kind (registration makes them so); asking
    # only for those keeps a resident's check (every proposal) free of another query.
    organisations = (
        list(people.represented_organisations(user).select_related("building__district"))
        if on_behalf or user.kind == user.Kind.BUSINESS
        else []
    )
    if on_behalf:
        chosen = next((o for o in organisations if str(o.pk) == str(on_behalf)), None)
        if chosen is None:
            return Eligibility(
                False,
                [Reason("not_representative", _("You do not represent this organisation."))],
                identity=identity,
            )
        return _for_organisation(discussion, chosen, identity, district_ids)
    personal = _as_person(discussion, user, identity, on, district_ids)
    for_companies = [
        _for_organisation(discussion, o, identity, district_ids) for o in organisations
    ]
    if user.kind == user.Kind.BUSINESS:
        capacities = [*for_companies, personal]
    else:
        capacities = [personal, *for_companies]
    options = [c for c in capacities if c.eligible]
    if options:
        chosen = options[0]
        chosen.options = options
        return chosen
    reasons = [r for c in capacities for r in c.reasons]
    return Eligibility(False, reasons, identity=identity)


def _for_organisation(
    discussion: Discussion, organisation: Any, identity: Any, district_ids: set[int]
) -> Eligibility:
    """An organisation's capacity. A company (legal entity) takes part when the discussion
    admits legal entities and its location — the building recorded from its verified address
    (the staff screen ``accounts:verify_organisation``), never a typed one — is in the
    territory; elsewhere only when the discussion is open to all verified and staff verified
    the company (its name is published: a self-registered one is not). A public authority
    (issue 20.10: the city's practice lets authorities put proposals forward) may take part in
    every discussion and is listed apart from the territory's participants."""
    building = organisation.building
    district = building.district if building is not None else None
    if organisation.type == Organisation.Type.PUBLIC_AUTHORITY:
        return Eligibility(
            True,
            participant_type=Participant.Type.PUBLIC_AUTHORITY,
            from_territory=False,
            district=district,
            identity=identity,
            organisation=organisation,
        )
    if not discussion.allow_legal_entities:
        return Eligibility(
            False,
            [
                Reason(
                    "legal_entities_not_allowed",
                    _("Legal entities do not take part in this discussion."),
                    _("Take part as a resident or right holder with your personal account."),
                )
            ],
            identity=identity,
        )
    if building_in_territory(discussion, building, district_ids):
        return Eligibility(
            True,
            participant_type=Participant.Type.LEGAL_ENTITY,
            from_territory=True,
            district=district,
            identity=identity,
            organisation=organisation,
        )
    verified = organisation.verified_at is not None or building is not None
    if discussion.open_to_all_verified and verified:
        return Eligibility(
            True,
            participant_type=Participant.Type.OTHER,
            from_territory=False,
            district=district,
            identity=identity,
            organisation=organisation,
        )
    if building is None:
        reason = Reason(
            "company_no_address",
            _("The address of %(company)s is not verified yet.") % {"company": organisation},
            _("Bring the company's register extract to a service centre to have it verified."),
        )
    else:
        reason = Reason(
            "company_outside",
            _("The company you represent is not registered in the territory."),
            _("Ask the administrator to record the company's address if it is wrong."),
        )
    return Eligibility(False, [reason], identity=identity)


def _as_person(
    discussion: Discussion, user: Any, identity: Any, on: dt.date, district_ids: set[int]
) -> Eligibility:
    """The person's own capacity: a resident or right holder of the territory, or another
    verified person where the discussion is open to all, within the age bounds."""
    reasons: list[Reason] = []
    kinds: list[tuple[str, Any]] = []  # (participant type, building)
    age = identity.age_on(on)
    if discussion.min_age is not None and age < discussion.min_age:
        reasons.append(
            Reason(
                "too_young",
                _("Participants must be at least %(age)s years old.") % {"age": discussion.min_age},
            )
        )
    if discussion.max_age is not None and age > discussion.max_age:
        reasons.append(
            Reason(
                "too_old",
                _("This discussion is for participants up to %(age)s years old.")
                % {"age": discussion.max_age},
            )
        )

    # The verified registered address (``lean_identity`` already joined the building); the
    # verified rights are looked up only when residence alone does not decide.
    home = identity.registered_building
    if discussion.allow_residents and building_in_territory(discussion, home, district_ids):
        kinds.append((Participant.Type.RESIDENT, home))
    if discussion.allow_right_holders and not kinds and identity.rights:
        for right in people.rights_of(user):
            building = right.get("building")
            if building_in_territory(discussion, building, district_ids):
                kinds.append((Participant.Type.RIGHT_HOLDER, building))
                break

    if not kinds and not discussion.open_to_all_verified:
        if home is None and identity.registered_address.strip():
            reasons.append(
                Reason(
                    "no_registered_address",
                    _(
                        "Your verified registered address “%(address)s” was not found in the "
                        "city's address register."
                    )
                    % {"address": identity.registered_address},
                    _("Have your registered address corrected at a service centre."),
                )
            )
        elif home is None:
            reasons.append(
                Reason(
                    "no_registered_address",
                    _("Your verified identity has no registered address in the city."),
                    _("Have your registered address confirmed at a service centre."),
                )
            )
        else:
            reasons.append(
                Reason(
                    "outside_territory",
                    _(
                        "Your registered address and the property you hold rights to are "
                        "outside the territory of this discussion."
                    ),
                    _(
                        "If you own land or a building there, have your rights confirmed at a "
                        "service centre."
                    ),
                )
            )
    if reasons:
        return Eligibility(False, reasons, identity=identity)
    if kinds:
        ptype, building = kinds[0]
        return Eligibility(
            True,
            participant_type=ptype,
            from_territory=True,
            district=building.district if building else None,
            identity=identity,
        )
    return Eligibility(
        True,
        participant_type=Participant.Type.OTHER,
        from_territory=False,
        district=home.district if home else None,
        identity=identity,
    )
