"""Number formatting shared by the terminal, the model card and the report (one rule per format)."""

from __future__ import annotations

import math
from typing import Any

__all__ = ["pct", "is_missing"]


def is_missing(x: Any) -> bool:
    """None, or a float NaN."""
    return x is None or (isinstance(x, float) and math.isnan(x))


def pct(x: Any, digits: int = 1, suffix: str = "", missing: str = "-") -> str:
    """A share (0-1) as a percentage: ``pct(0.1234) == "12.3"``; ``missing`` for None or NaN.

    >>> pct(0.1234), pct(0.5, digits=0, suffix=" %"), pct(None)
    ('12.3', '50 %', '-')
    """
    if is_missing(x):
        return missing
    return f"{100 * float(x):.{digits}f}{suffix}"
