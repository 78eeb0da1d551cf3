"""An object store that does not answer fails only the uploads: a 503 with a translated "try
again" and Retry-After; requests without photos, pages and reads of the catalogue go on."""

from __future__ import annotations

from django.utils import translation

from cityhall.core.object_store import StorageUnavailable
from cityhall.service_requests import services
from cityhall.service_requests.models import ServiceRequest
from tests.nginx_server import free_port

from .factories import photo


def _s3_down(settings) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "cityhall.core.object_store.S3Storage",
            "OPTIONS": {
                "endpoint_url": f"http://127.0.0.1:{free_port()}",  # nobody listens
                "bucket_name": "cityhall",
                "access_key": "k",
                "secret_key": "s",
                "connect_timeout": 1,
                "read_timeout": 1,
            },
        },
    }


def test_upload_during_an_outage_is_a_503_with_a_retry_hint_and_the_rest_works(
    client, world, settings
):
    _, api_key = services.create_open311_client(name="City app", actor=None)
    _s3_down(settings)
    point = {"api_key": api_key, "service_code": "leak", "lat": "55.78001", "long": "49.05001"}

    refused = client.post(
        "/open311/v2/requests.json", {**point, "description": "Leak", "media": photo()}
    )
    assert refused.status_code == 503
    assert refused["Retry-After"] == "120"
    assert "try again in a few minutes" in refused.json()[0]["description"]
    assert not ServiceRequest.objects.exists()

    accepted = client.post("/open311/v2/requests.json", {**point, "description": "Leak"})
    assert accepted.status_code == 200
    assert client.get("/open311/v2/services.json").status_code == 200
    assert client.get("/requests/").status_code == 200


def test_the_retry_hint_is_translated():
    english = str(StorageUnavailable().message)
    for language in ("ru", "tt"):
        with translation.override(language):
            assert str(StorageUnavailable().message) != english
