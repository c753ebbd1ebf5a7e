import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
# Bugs must fail loudly in tests: the CLI re-raises unexpected exceptions instead of reporting them in one line.
os.environ.setdefault("NPSTHEMES_DEBUG", "1")


@pytest.fixture
def tmp_csv(tmp_path):
    """Write text to a CSV file with the given encoding and return its path."""

    def make(text: str, name: str = "survey.csv", encoding: str = "utf-8") -> os.PathLike:
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return path

    return make


@pytest.fixture(scope="session")
def small_labelled():
    """A seeded 420-comment subset of the shipped training split (fast to train on)."""
    from npsthemes.datasets import load_training_corpus
    from npsthemes.labelled import load_labelled

    df = load_training_corpus("train").sample(420, random_state=0).reset_index(drop=True)
    return load_labelled(df)


@pytest.fixture(scope="session")
def small_model(small_labelled):
    from npsthemes import ThemeClassifier

    return ThemeClassifier.default(threshold_tuner__cv=3).fit(small_labelled.X, small_labelled.y)


@pytest.fixture(scope="session")
def default_model():
    from npsthemes import load_model

    return load_model()


@pytest.fixture(scope="session")
def sample_analysis(default_model):
    """The shipped sample survey analysed with the default model (shared: treat it as read-only)."""
    from npsthemes import analyze
    from npsthemes.datasets import load_sample_survey

    return analyze(load_sample_survey(), default_model, n_boot=500)
