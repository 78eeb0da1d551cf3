"""Regional days off shipped as data: one JSON file per region (ISO 3166-2 code), loaded into
the business calendar by ``cityhall load_regional_days`` (see ``core.regional_days``)."""
