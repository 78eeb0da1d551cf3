"""The demo: a discussion in every stage, an archived one with its protocol and conclusion,
and an open one the demo residents may join. Loading twice changes nothing."""

from __future__ import annotations

import io

import pytest

from cityhall.accounts import demo as accounts_demo
from cityhall.discussions import demo
from cityhall.discussions.eligibility import eligibility_of
from cityhall.discussions.models import (
    Discussion,
    DocumentVersion,
    FinalDocument,
    ProposalAttachment,
    Status,
)
from cityhall.geo import demo as geo_demo
from cityhall.geo.geometry import area_shape

pytestmark = pytest.mark.django_db


def test_demo_has_every_stage_and_an_open_discussion_for_residents(client):
    out = io.StringIO()
    geo_demo.load(out)
    accounts_demo.load(out)
    demo.load(out)
    assert set(Discussion.objects.values_list("status", flat=True)) == set(Status.values)
    archived = Discussion.objects.get(status=Status.ARCHIVED)
    signed = FinalDocument.objects.filter(discussion=archived, state="signed")
    assert set(signed.values_list("kind", flat=True)) == {"protocol", "conclusion"}
    page = client.get(f"/discussions/{archived.pk}/").content.decode()
    assert signed.get(kind="conclusion").pdf_sha256 in page

    open_ = Discussion.objects.get(status=Status.EXPOSITION_OPEN)
    from cityhall.accounts.models import User

    # The open discussion's project and some proposals' schemes are on its page, for anyone.
    page = client.get(f"/discussions/{open_.pk}/").content.decode()
    version = DocumentVersion.objects.filter(document__discussion=open_).get()
    attached = ProposalAttachment.objects.filter(proposal__discussion=open_)
    assert attached.count() >= 3
    for url in [f"/files/{version.stored_id}/", f"/files/{attached[0].stored_id}/"]:
        assert url in page
        assert client.get(url).status_code == 200

    resident = User.objects.get(username="resident01")
    assert eligibility_of(open_, resident).eligible
    client.force_login(resident)
    response = client.post(
        f"/discussions/{open_.pk}/propose/", {"kind": "proposal", "text": "Демо-предложение"}
    )
    assert response.status_code == 302

    # Each discussion has a territory of its own size; only the city-wide documents (the
    # general plan, the land-use rules) cover the whole city.
    wash = Discussion.objects.get(title__contains="автомойка")
    assert wash.territory is not None and wash.districts.count() == 1
    sizes = sorted(
        area_shape(d.territory).area for d in Discussion.objects.exclude(territory__isnull=True)
    )
    assert len(sizes) == 6 and sizes[-1] > 20 * sizes[0]
    assert set(
        Discussion.objects.filter(territory__isnull=True).values_list(
            "document_type__code", flat=True
        )
    ) == {"general_plan", "land_use_rules"}

    count = Discussion.objects.count()
    demo.load(out)
    assert Discussion.objects.count() == count
