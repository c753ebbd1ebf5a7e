"""npsthemes: turn NPS survey answers into a prioritised list of what to keep and what to fix.

Public API (everything else is internal)::

    from npsthemes import load_survey, nps, nps_by, compare_nps
"""

from __future__ import annotations

__version__ = "0.1.0"

from .alerts import AlertRun, Routing, load_routing, run_alerts
from .analysis import Analysis, analyze
from .classifier import ThemeClassifier
from .errors import (
    AlertConfigError,
    AlertStateError,
    ColumnNotFoundError,
    DataError,
    DeliveryError,
    EmptyInputError,
    InputFileNotFoundError,
    LabelError,
    MissingDependencyError,
    ModelError,
    ModelIntegrityError,
    ModelVersionError,
    NoValidRowsError,
    NpsThemesError,
    RoutingError,
    UnsupportedFormatError,
)
from .labelled import LabelledData, load_labelled
from .loading import LoadReport, Survey, load_survey
from .nps import categorize, compare_nps, nps, nps_by, nps_from_counts, period_labels
from .persistence import Model, default_model_path, inspect_model, load_model, save_model
from .summary import nps_summary
from .tagging import TaggedSurvey, tag_file, tag_survey
from .taxonomy import Taxonomy, Theme, default_taxonomy, load_taxonomy
from .training import cross_validate_model, evaluate_model, train_model

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
    # themes and models
    "Taxonomy",
    "Theme",
    "default_taxonomy",
    "load_taxonomy",
    "LabelledData",
    "load_labelled",
    "ThemeClassifier",
    "Model",
    "load_model",
    "save_model",
    "inspect_model",
    "default_model_path",
    "train_model",
    "evaluate_model",
    "cross_validate_model",
    "TaggedSurvey",
    "tag_survey",
    "tag_file",
    # the main job
    "analyze",
    "Analysis",
    # detractor alerts
    "run_alerts",
    "AlertRun",
    "load_routing",
    "Routing",
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
    "RoutingError",
    "AlertStateError",
    "AlertConfigError",
    "DeliveryError",
]
