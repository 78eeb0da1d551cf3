"""Data for the cluster test, written through the primary by ``python -m tests.cluster.seed``
(run with a node's environment): the requests world, an Open311 client, a discussion open for
proposals with a verified resident's API token, a dispatcher and an executor of the managing
organisation who sign in with a password. Prints what the test needs as JSON."""

from __future__ import annotations

import json

import django


def main() -> None:
    django.setup()
    from cityhall.accounts.tokens import create_api_token
    from cityhall.service_requests import services
    from tests.discussions.factories import DiscussionFactory, verified_person
    from tests.factories import OrganisationFactory
    from tests.geo.factories import BuildingFactory
    from tests.service_requests.factories import make_world

    world = make_world()
    _client, api_key = services.create_open311_client(name="City app", actor=None)
    home = BuildingFactory(street="ул. Западная", house="1", lat=55.78, lon=49.05)
    discussion = DiscussionFactory(
        organiser=OrganisationFactory(council=True, name="Городская Дума"),
        districts=[world.city.west],
    )
    person = verified_person(home)
    password = "cluster-dispatcher-password"
    for staff in (world.dispatcher, world.executor):
        staff.set_password(password)
        staff.save(update_fields=["password"])
    print(
        json.dumps(
            {
                "api_key": api_key,
                "discussion": discussion.pk,
                "token": create_api_token(user=person, name="cluster"),
                "login": world.dispatcher.email or world.dispatcher.username,
                "password": password,
                "executor": world.executor.email or world.executor.username,
                "executor_id": world.executor.pk,
            }
        )  # fmt: skip
    )


if __name__ == "__main__":
    main()
