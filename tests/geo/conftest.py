from __future__ import annotations

import pytest

from .factories import City, make_city


@pytest.fixture
def city(db) -> City:
    return make_city()


@pytest.fixture
def settled_city(db, django_capture_on_commit_callbacks) -> City:
    """The test city with its on-commit hooks run, as if its transaction had committed."""
    with django_capture_on_commit_callbacks(execute=True):
        return make_city()
