"""Shading areas by a count ("choropleth"): classes of equal width between the smallest and the
largest value, each with its colour and its range for the legend.

Classes start at the smallest value, not at zero: seven districts with 426 to 484 open requests
get five different shades, not the darkest one each (the scale used to run from zero, so close
counts all fell in the top class).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["SHADES", "ShadeClass", "shade_classes", "shade_of"]

#: Light to dark blue; dark labels and the pins stay readable on the darkest.
SHADES = ("#eef4fa", "#d6e6f5", "#bcd6ef", "#a3c6e8", "#8cb7e2")


@dataclass(frozen=True)
class ShadeClass:
    colour: str
    low: int
    high: int

    @property
    def label(self) -> str:
        return str(self.low) if self.low == self.high else f"{self.low}–{self.high}"


def shade_classes(values: Sequence[int], steps: int = len(SHADES)) -> list[ShadeClass]:
    """At most ``steps`` classes covering every value, lightest for the smallest."""
    if not values:
        return []
    low, high = min(values), max(values)
    count = max(1, min(steps, high - low + 1, len(SHADES)))
    width = math.ceil((high - low + 1) / count)
    count = math.ceil((high - low + 1) / width)
    # Spread the colours over the whole scale, so two classes are light and dark.
    picks = [round(i * (len(SHADES) - 1) / (count - 1)) if count > 1 else 0 for i in range(count)]
    return [
        ShadeClass(SHADES[pick], low + i * width, min(high, low + (i + 1) * width - 1))
        for i, pick in enumerate(picks)
    ]


def shade_of(value: int, classes: Sequence[ShadeClass]) -> str:
    for shade in classes:
        if shade.low <= value <= shade.high:
            return shade.colour
    return classes[-1].colour if classes else SHADES[0]
