"""Packaging: licence, one version, environment.yml against pyproject.toml."""

from __future__ import annotations

import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

import yaml

import mtss_teach

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_license_file_is_the_declared_bsd_3_clause():
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert PYPROJECT["project"]["license"] == "BSD-3-Clause"
    assert text.startswith("BSD 3-Clause License")
    assert "Neither the name of the copyright holder" in text  # the third clause
    assert PYPROJECT["project"]["license-files"] == ["LICENSE"]


def test_version_is_written_once():
    project = PYPROJECT["project"]
    assert "version" not in project and "version" in project["dynamic"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "mtss_teach.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+", mtss_teach.__version__)
    # the installed metadata was built from that one place
    assert importlib.metadata.version("mtss-teach") == mtss_teach.__version__
    hits = [p for p in ROOT.rglob("*.py") if ".venv" not in p.parts and "node_modules" not in p.parts
            and re.search(r"__version__\s*=\s*['\"]", p.read_text(encoding="utf-8", errors="replace"))]
    assert [p.relative_to(ROOT).as_posix() for p in hits] == ["mtss_teach/__init__.py"]


def test_supported_python_is_the_tested_python():
    """requires-python and the classifiers name the Python the suite runs on, and no other."""
    project = PYPROJECT["project"]
    tested = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert project["requires-python"] == f">={tested}"
    versions = [c.rsplit(" :: ", 1)[1] for c in project["classifiers"]
                if c.startswith("Programming Language :: Python :: 3.")]
    assert versions == [tested]


def test_environment_yml_takes_every_package_from_pyproject():
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    deps = env["dependencies"]
    conda = [d for d in deps if isinstance(d, str)]
    pip = [d for d in deps if isinstance(d, dict)]
    lower = PYPROJECT["project"]["requires-python"].removeprefix(">=")
    assert conda == [f"python={lower}", "pip"], "conda installs Python and pip only; packages come from pyproject"
    assert pip == [{"pip": ['-e ".[test]"']}]
    assert "conda-forge" in env["channels"]


def test_every_extra_named_by_test_exists():
    extras = PYPROJECT["project"]["optional-dependencies"]
    own = [d for d in extras["test"] if d.startswith("mtss-teach[")]
    assert own, "the test extra installs the others"
    named = re.findall(r"[a-z]+", own[0].split("[", 1)[1])
    assert set(named) <= set(extras) and {"book", "apps", "grading"} <= set(named)


def test_apps_extra_can_draw_charts():
    """`pip install .[apps]` alone must be enough for the apps' charts (vl-convert renders them)."""
    apps = " ".join(PYPROJECT["project"]["optional-dependencies"]["apps"])
    for needed in ("voila", "vl-convert-python", "segno"):
        assert needed in apps
