"""The project's layout: data files in the top-level resources/ install as ``nnviz.resources``.

Checked on a real, non-editable install (``pip install --target``), run from a folder outside
the source tree so nothing can be found by accident beside the code.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_every_package_folder_is_listed_in_pyproject():
    """pyproject lists packages by hand (resources/ is mapped): a new subpackage must be added."""
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
                 ["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "nnviz").rglob(
        "__init__.py")}
    assert found | {"nnviz.resources"} == listed
    assert not (ROOT / "nnviz" / "resources").exists()
    assert (ROOT / "resources" / "iris.csv").is_file()


@pytest.mark.skipif(os.environ.get("NNVIZ_SKIP_INSTALL_TEST") == "1",
                    reason="NNVIZ_SKIP_INSTALL_TEST=1")
def test_an_installed_copy_reads_its_resources(tmp_path):
    target = tmp_path / "site"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-compile",
         "--target", str(target), str(ROOT)],
        capture_output=True, text=True, timeout=600)
    assert build.returncode == 0, build.stdout + build.stderr
    assert (target / "nnviz" / "resources" / "iris.csv").is_file()
    code = (
        "import nnviz, nnviz.data\n"
        "from importlib import resources\n"
        f"assert nnviz.__file__.startswith({str(target)!r}), nnviz.__file__\n"
        "text = resources.files('nnviz.resources').joinpath('iris.csv').read_text()\n"
        "assert text.startswith('sepal_length'), text[:40]\n"
        "ds = nnviz.data.make_dataset('iris')\n"
        "print(ds.X.shape)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.strip() == "(150, 4)"
