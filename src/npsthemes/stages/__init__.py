"""The stages of :class:`~npsthemes.classifier.ThemeClassifier`, each a small scikit-learn estimator:

``text`` :class:`TextAnalyzer` -> ``vectorizer`` :class:`FeatureBlocks` (:class:`NgramBlock` word and char,
optional :class:`EmbeddingBlock`) -> ``theme_detector`` :class:`ThemeDetector` within ``threshold_tuner``
:class:`ThresholdTuner` -> ``polarity`` :class:`PolarityModel` -> ``explainer`` :class:`Explainer`.
"""

from .detect import ThemeDetector
from .explain import Explainer
from .polarity import PolarityModel, RulePolarity
from .rules import RuleBlock
from .text import Batch, TextAnalyzer
from .thresholds import ThresholdTuner, tune_thresholds
from .vectorize import EmbeddingBlock, FeatureBlocks, NgramBlock, StaticEmbeddingBlock, default_blocks

__all__ = [
    "Batch",
    "EmbeddingBlock",
    "StaticEmbeddingBlock",
    "Explainer",
    "FeatureBlocks",
    "NgramBlock",
    "PolarityModel",
    "RuleBlock",
    "RulePolarity",
    "TextAnalyzer",
    "ThemeDetector",
    "ThresholdTuner",
    "default_blocks",
    "tune_thresholds",
]
