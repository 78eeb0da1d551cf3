"""cityhall: one platform for a city hall's dealings with residents."""

__version__ = "0.1.0"
