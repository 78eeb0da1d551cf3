"""Municipal services: definitions as versioned data, applications (cases), standard
interdepartmental requests, life situations, results, registries and consultations.

A :class:`ServiceVersion` holds the whole definition of one service at one time (form schema, UI
hints, documents, fees, legal term, workflow, status texts, variants and decision rules). Once
published it never changes; an :class:`Application` keeps the version it started on.

One module per part (:mod:`.catalogue`, :mod:`.applications`, :mod:`.signatures`,
:mod:`.results`, :mod:`.standard_requests`, :mod:`.life_situations`, :mod:`.widget`,
:mod:`.consultations`); every model is importable from here, as ``from .models import X``.
"""

from .applications import Application, ApplicationEvent, ApplicationFile, Opinion
from .catalogue import Service, ServiceVersion
from .consultations import Consultation
from .life_situations import (
    LifeSituation,
    LifeSituationCase,
    LifeSituationStep,
    LifeSituationVersion,
)
from .request_type_forms import RequestTypeFormVersion
from .results import Registry, RegistryRecord, ResultDocument, folded
from .signatures import ApplicationSignature, SigningCode
from .standard_requests import StandardRequest, StandardRequestType
from .widget import WidgetHandoff, WidgetSite

__all__ = [
    "Service",
    "ServiceVersion",
    "Application",
    "ApplicationFile",
    "ApplicationEvent",
    "Opinion",
    "ResultDocument",
    "Registry",
    "RegistryRecord",
    "folded",
    "StandardRequestType",
    "StandardRequest",
    "RequestTypeFormVersion",
    "LifeSituation",
    "LifeSituationStep",
    "LifeSituationVersion",
    "LifeSituationCase",
    "WidgetSite",
    "Consultation",
    "SigningCode",
    "ApplicationSignature",
    "WidgetHandoff",
]
