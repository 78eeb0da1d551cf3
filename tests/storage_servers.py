"""An S3-compatible object store for the suite: moto in server mode on a free loopback port,
started once per session, and the two storage backends every storage test runs against.

The fixtures are registered for every test by ``tests/conftest.py``; ``media_storage`` is
parametrised over the file system and S3, so each test using it runs twice.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest


@dataclass(frozen=True)
class S3Server:
    endpoint: str
    access_key: str = "cityhall-test"
    secret_key: str = "cityhall-test-secret"
    region: str = "us-east-1"

    def options(self, bucket: str) -> dict:
        """``STORAGES["default"]["OPTIONS"]`` as CITYHALL_S3_* would give them."""
        return {
            "endpoint_url": self.endpoint,
            "bucket_name": bucket,
            "access_key": self.access_key,
            "secret_key": self.secret_key,
            "region_name": self.region,
            "connect_timeout": 2,
            "read_timeout": 5,
        }

    def create_bucket(self) -> str:
        import boto3

        bucket = f"cityhall-{uuid.uuid4().hex[:12]}"
        boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            region_name=self.region,
        ).create_bucket(Bucket=bucket)
        return bucket


@pytest.fixture(scope="session")
def s3_server():
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield S3Server(endpoint=f"http://{host}:{port}")
    server.stop()


def use_s3(settings, server: S3Server) -> str:
    """Switch the default storage to a fresh bucket on ``server``; returns the bucket."""
    bucket = server.create_bucket()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "cityhall.core.object_store.S3Storage",
            "OPTIONS": server.options(bucket),
        },
    }
    return bucket


@pytest.fixture(params=["filesystem", "s3"])
def media_storage(request, settings):
    """The default storage, once on the file system and once on the S3-compatible server."""
    from django.core.files.storage import default_storage

    if request.param == "s3":
        use_s3(settings, request.getfixturevalue("s3_server"))
    return default_storage
