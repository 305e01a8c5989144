"""The README's Python examples run as written (with a small CSV for the one that loads a file)."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def needs_torch(block: str) -> bool:
    """The PyTorch examples run only where torch is installed (it is not a dependency)."""
    return re.search(r"^(import .*\btorch\b|from torch\b)", block, re.M) is not None


def test_readme_has_python_examples():
    assert len(BLOCKS) >= 3


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_example_runs(index, tmp_path, monkeypatch):
    iris = resources.files("nnviz.resources").joinpath("iris.csv").read_text(encoding="utf-8")
    (tmp_path / "measurements.csv").write_text(iris, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    if needs_torch(BLOCKS[index]):
        pytest.importorskip("torch")
    namespace: dict = {}
    for earlier in BLOCKS[:index]:  # later examples may use names from earlier ones
        if not needs_torch(earlier):
            exec(compile(earlier, "README.md", "exec"), namespace)
    exec(compile(BLOCKS[index], "README.md", "exec"), namespace)
