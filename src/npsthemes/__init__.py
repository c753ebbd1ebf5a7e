"""npsthemes: turn NPS survey answers into a prioritised list of what to keep and what to fix.

Public API (everything else is internal)::

    from npsthemes import load_survey, nps, nps_by, compare_nps
"""

from __future__ import annotations

__version__ = "0.1.0"

from .errors import (
    ColumnNotFoundError,
    DataError,
    EmptyInputError,
    InputFileNotFoundError,
    LabelError,
    MissingDependencyError,
    ModelError,
    ModelIntegrityError,
    ModelVersionError,
    NoValidRowsError,
    NpsThemesError,
    UnsupportedFormatError,
)
from .loading import LoadReport, Survey, load_survey
from .nps import categorize, compare_nps, nps, nps_by, nps_from_counts, period_labels
from .summary import nps_summary

__all__ = [
    "__version__",
    # loading
    "load_survey",
    "Survey",
    "LoadReport",
    # statistics
    "categorize",
    "nps",
    "nps_by",
    "nps_from_counts",
    "compare_nps",
    "period_labels",
    "nps_summary",
    # errors
    "NpsThemesError",
    "DataError",
    "InputFileNotFoundError",
    "UnsupportedFormatError",
    "EmptyInputError",
    "ColumnNotFoundError",
    "NoValidRowsError",
    "LabelError",
    "ModelError",
    "ModelIntegrityError",
    "ModelVersionError",
    "MissingDependencyError",
]
