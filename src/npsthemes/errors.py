"""All exceptions raised by npsthemes.

Every error derives from :class:`NpsThemesError`; leaves also derive from the matching builtin
(``ValueError``, ``FileNotFoundError``, ``ImportError``) so callers can catch either. Each carries a
stable code (``[E101]``) and a one-line message that names the file, row, column, what was expected
and what was received where that applies. The command line prints the message and exits with code 1.

Library messages name the function's parameter (``param``: ``score_column``, ``by``, ``model``...), never a
command-line flag; the command line maps a ``param`` to its flag (``cli.FLAG_OF``) when it prints the error.
"""

from __future__ import annotations


class NpsThemesError(Exception):
    """Base class of every npsthemes error."""

    code = "E000"

    def __init__(self, message: str, *, param: str | None = None):
        super().__init__(message)
        self.message = message
        self.param = param

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}"


class DataError(NpsThemesError, ValueError):
    """Input data cannot be used as it is (bad file, bad column, bad values)."""

    code = "E100"


class InputFileNotFoundError(NpsThemesError, FileNotFoundError):
    """An input file does not exist."""

    code = "E101"


class UnsupportedFormatError(DataError):
    """The file's format is not one npsthemes reads, or it cannot be parsed."""

    code = "E102"


class EmptyInputError(DataError):
    """The file or table has no rows."""

    code = "E103"


class ColumnNotFoundError(DataError):
    """A required column (the score, the text) could not be found."""

    code = "E104"


class NoValidRowsError(DataError):
    """Every row was rejected."""

    code = "E105"


class DateParseError(DataError):
    """A column named as the date holds no value that can be read as a date."""

    code = "E106"


class LabelError(DataError):
    """Labelled training data has rows that cannot be used (unknown theme, bad polarity, ...)."""

    code = "E110"


class TaxonomyError(DataError):
    """A taxonomy file is malformed."""

    code = "E120"


class RoutingError(DataError):
    """An alert routing file is malformed (unknown key, wrong type, empty owner, unknown theme, ...)."""

    code = "E130"


class AlertStateError(DataError):
    """An alert state file is not a usable npsthemes alerts database (corrupt, another program's, locked)."""

    code = "E131"


class AlertConfigError(DataError):
    """Alert options that cannot work together (a webhook URL that is not http/https, --out = the input, ...)."""

    code = "E132"


class ModelError(NpsThemesError, RuntimeError):
    """A model directory cannot be loaded or saved."""

    code = "E200"


class ModelIntegrityError(ModelError):
    """A model file is missing, truncated or was changed after the manifest was written."""

    code = "E201"


class ModelVersionError(ModelError):
    """The model was written by an incompatible version of npsthemes or of a library."""

    code = "E202"


class ModelVersionWarning(UserWarning):
    """A model was built with another version of a library that changes predictions slightly (spaCy's tokenizer,
    simplemma's lemmas): it still loads; retrain it to be sure of its numbers."""


def _not_fitted_error() -> type:
    """``NotFittedError`` subclasses scikit-learn's (so ``sklearn.utils.validation.check_is_fitted`` users catch
    it too); it is made on first use, because importing scikit-learn takes seconds and ``npsthemes nps`` and
    ``import npsthemes`` do not need it."""
    from sklearn.exceptions import NotFittedError as SklearnNotFittedError

    class NotFittedError(ModelError, SklearnNotFittedError):
        """A classifier was used before ``fit``."""

        code = "E203"

    NotFittedError.__module__ = __name__
    return NotFittedError


def __getattr__(name: str) -> type:
    if name == "NotFittedError":
        cls = globals()["NotFittedError"] = _not_fitted_error()
        return cls
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class MissingDependencyError(NpsThemesError, ImportError):
    """An optional dependency is not installed; the message gives the ``pip install`` line."""

    code = "E300"


class DeliveryError(NpsThemesError, RuntimeError):
    """Alerts could not be delivered to the webhook (kept pending in the state file when there is one)."""

    code = "E500"


class OutputError(NpsThemesError, OSError):
    """An output file could not be written."""

    code = "E400"
