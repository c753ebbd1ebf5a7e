"""npsthemes: turn NPS survey answers into a prioritised list of what to keep and what to fix.

Public API (everything else is internal)::

    from npsthemes import load_survey, nps, nps_by, compare_nps
"""

from __future__ import annotations

__version__ = "0.1.0"

from typing import TYPE_CHECKING

# Names are imported on first use (PEP 562), so `import npsthemes` and the command line start fast and a
# command that needs only pandas (`npsthemes nps`) never imports scikit-learn or spaCy.
_EXPORTS = {
    "AlertRun": "alerts",
    "Routing": "alerts",
    "load_routing": "alerts",
    "run_alerts": "alerts",
    "Analysis": "analysis",
    "analyze": "analysis",
    "ThemeClassifier": "classifier",
    "AlertConfigError": "errors",
    "AlertStateError": "errors",
    "ColumnNotFoundError": "errors",
    "DeliveryError": "errors",
    "OutputError": "errors",
    "RoutingError": "errors",
    "TaxonomyError": "errors",
    "DataError": "errors",
    "DateParseError": "errors",
    "EmptyInputError": "errors",
    "InputFileNotFoundError": "errors",
    "LabelError": "errors",
    "MissingDependencyError": "errors",
    "ModelError": "errors",
    "ModelIntegrityError": "errors",
    "ModelVersionError": "errors",
    "NoValidRowsError": "errors",
    "NpsThemesError": "errors",
    "UnsupportedFormatError": "errors",
    "LabelledData": "labelled",
    "load_labelled": "labelled",
    "merge_labelled": "labelled",
    "LoadReport": "loading",
    "Survey": "loading",
    "load_survey": "loading",
    "categorize": "stats",
    "compare_nps": "stats",
    "nps": "stats",
    "nps_by": "stats",
    "nps_from_counts": "stats",
    "period_labels": "stats",
    "Model": "persistence",
    "default_model_path": "persistence",
    "inspect_model": "persistence",
    "load_model": "persistence",
    "save_model": "persistence",
    "nps_summary": "summary",
    "TaggedSurvey": "tagging",
    "tag_file": "tagging",
    "tag_survey": "tagging",
    "Taxonomy": "taxonomy",
    "Theme": "taxonomy",
    "default_taxonomy": "taxonomy",
    "load_taxonomy": "taxonomy",
    "cross_validate_model": "training",
    "evaluate_model": "training",
    "train_model": "training",
    "rules_model": "training",
    "compare_models": "adaptation",
    "learning_curve": "adaptation",
    "suggest_for_labeling": "adaptation",
    "find_label_issues": "adaptation",
    "discover_themes": "discovery",
    "candidates_taxonomy": "discovery",
}

if TYPE_CHECKING:  # pragma: no cover
    from .adaptation import compare_models, find_label_issues, learning_curve, suggest_for_labeling
    from .alerts import AlertRun, Routing, load_routing, run_alerts
    from .analysis import Analysis, analyze
    from .classifier import ThemeClassifier
    from .discovery import candidates_taxonomy, discover_themes
    from .errors import (
        AlertConfigError,
        AlertStateError,
        ColumnNotFoundError,
        DataError,
        DateParseError,
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
        OutputError,
        RoutingError,
        TaxonomyError,
        UnsupportedFormatError,
    )
    from .labelled import LabelledData, load_labelled, merge_labelled
    from .loading import LoadReport, Survey, load_survey
    from .persistence import Model, default_model_path, inspect_model, load_model, save_model
    from .stats import categorize, compare_nps, nps, nps_by, nps_from_counts, period_labels
    from .summary import nps_summary
    from .tagging import TaggedSurvey, tag_file, tag_survey
    from .taxonomy import Taxonomy, Theme, default_taxonomy, load_taxonomy
    from .training import cross_validate_model, evaluate_model, rules_model, train_model


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        if name in {
            "insights",
            "report",
            "stats",
            "loading",
            "tagging",
            "analysis",
            "cli",
            "datasets",
            "privacy",
            "alerts",
        }:
            import importlib

            return importlib.import_module(f".{name}", __name__)
        raise AttributeError(f"module 'npsthemes' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


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
    "merge_labelled",
    "ThemeClassifier",
    "Model",
    "load_model",
    "save_model",
    "inspect_model",
    "default_model_path",
    "train_model",
    "rules_model",
    "evaluate_model",
    "cross_validate_model",
    "compare_models",
    "learning_curve",
    "suggest_for_labeling",
    "find_label_issues",
    "discover_themes",
    "candidates_taxonomy",
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
    "DateParseError",
    "LabelError",
    "ModelError",
    "ModelIntegrityError",
    "ModelVersionError",
    "MissingDependencyError",
    "OutputError",
    "TaxonomyError",
    "RoutingError",
    "AlertStateError",
    "AlertConfigError",
    "DeliveryError",
]
