import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture
def tmp_csv(tmp_path):
    """Write text to a CSV file with the given encoding and return its path."""

    def make(text: str, name: str = "survey.csv", encoding: str = "utf-8") -> os.PathLike:
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return path

    return make
