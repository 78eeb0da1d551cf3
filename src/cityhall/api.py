"""The HTTP API: one NinjaAPI at /api/v1/; each app adds its router here.

Authentication: the browser session (with CSRF) or ``Authorization: Bearer <token>``
(``cityhall create_api_token USERNAME``), from ``accounts.api_auth``. Every error is
``{"detail": ..., "code": ...}`` (``core.api_errors``). This module only assembles: the apps
import what they need from those two modules, never from here, so nothing imports it back.
"""

from __future__ import annotations

from cityhall.accounts.api_auth import AUTH, OptionalAuth
from cityhall.core.api_errors import DocumentedErrorsAPI, add_error_handlers
from cityhall.core.parsing import CleanParser
from cityhall.core.security import api_docs

api = DocumentedErrorsAPI(
    title="cityhall API",
    version="1",
    description=(
        "Public e-discussions, resident requests and municipal services of one city. "
        "Errors are JSON objects with `detail` and `code`."
    ),
    urls_namespace="api",
    auth=AUTH,
    parser=CleanParser(),
    docs_decorator=api_docs,  # X-Frame-Options and the CSP, also on the API lane
)

add_error_handlers(api)


def _mount_routers() -> None:
    from cityhall.accounts.api import router as accounts_router
    from cityhall.core.api import router as receipts_router
    from cityhall.discussions.api import router as discussions_router
    from cityhall.geo.api import router as geo_router
    from cityhall.municipal_services.api import applications_router as applications_router
    from cityhall.municipal_services.api import router as services_router
    from cityhall.notifications.api import router as notifications_router
    from cityhall.opendata.api import router as opendata_router
    from cityhall.portal.api import router as support_router
    from cityhall.service_requests.api import router as requests_router

    api.add_router("/accounts", accounts_router)
    api.add_router("/discussions", discussions_router)
    api.add_router("/requests", requests_router)
    api.add_router("/services", services_router)
    api.add_router("/applications", applications_router)
    api.add_router("/geo", geo_router)
    api.add_router("/notifications", notifications_router)
    api.add_router("/support", support_router)
    api.add_router("/opendata", opendata_router)
    # Receipts are public reads; the auth is given here because core imports no app.
    api.add_router("/receipts", receipts_router, auth=OptionalAuth())


_mount_routers()
