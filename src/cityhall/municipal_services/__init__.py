"""Municipal services: services as versioned data, applications (cases) with separated duties,
standard interdepartmental requests, life situations, results and registries.

Public surface for other apps: ``services`` (business actions), ``selectors`` (reads, e.g.
``catalogue()``, ``registry_search()``, ``standard_requests_report()``) and
``statistics.report(Period, departments=None)``. Definitions are data: see ``definition.py``
for their shape and the publish checks, ``demo_catalogue.py`` for nine complete examples, and
``cityhall export_service`` / ``cityhall import_service`` to move them between installations.
"""
