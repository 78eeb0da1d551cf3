"""Accounts API: who am I."""

from ninja import Router, Schema

router = Router(tags=["accounts"])


class MeOut(Schema):
    id: int
    username: str
    kind: str
    full_name: str
    is_verified: bool
    roles: list[dict]


@router.get("/me", response=MeOut, summary="The signed-in person, their roles and verification")
def me(request):
    user = request.user
    roles = [
        {"organisation_id": m.organisation_id, "organisation": str(m.organisation), "role": m.role}
        for m in user.memberships.select_related("organisation")
    ]
    return {
        "id": user.pk,
        "username": user.username,
        "kind": user.kind,
        "full_name": str(user),
        "is_verified": hasattr(user, "verified_identity"),
        "roles": roles,
    }
