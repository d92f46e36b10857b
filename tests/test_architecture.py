"""The library's shape: layers, private names, the package's front door.

The layers are declared once, in ``pyproject.toml`` (``[tool.importlinter]``),
and drawn in ``docs/ARCHITECTURE.md``. ``lint-imports`` (import-linter)
checks them, direct and indirect imports alike.
"""

from __future__ import annotations

import ast
import importlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import mtss_teach

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "mtss_teach"
LINT = Path(sys.executable).with_name("lint-imports")


def _lint(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT), "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=120,
                          env={"PATH": str(LINT.parent), "PYTHONPATH": str(cwd)})


def test_layers_hold():
    proc = _lint(ROOT)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "0 broken" in proc.stdout


def test_the_layer_check_catches_a_core_module_importing_charts(tmp_path):
    """The contract is not vacuous: a core module that imports charts breaks it."""
    shutil.copytree(PKG, tmp_path / "mtss_teach", ignore=shutil.ignore_patterns("__pycache__", "data"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    core = tmp_path / "mtss_teach" / "screening.py"
    core.write_text(core.read_text() + "\nfrom . import charts  # a layer violation\n")
    proc = _lint(tmp_path)
    assert proc.returncode != 0
    assert "mtss_teach.screening -> mtss_teach.charts" in proc.stdout


def _private_imports(path: Path, pkg: Path = PKG) -> list[str]:
    """``from X import _name`` in ``path`` where X is another unit of the library.

    A unit is a top-level module (``screening.py``) or a subpackage
    (``grading/``): the files of one subpackage may share private helpers,
    but nothing takes a private name from another unit.
    """
    here = path.resolve().parent
    unit = here if here != pkg.resolve() else None  # None: a top-level module is a unit of its own
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.ImportFrom):
            continue
        names = [a.name for a in node.names if a.name.startswith("_") and not a.name.startswith("__")]
        if not names:
            continue
        if node.level >= 1 and unit is not None:
            base = here
            for _ in range(node.level - 1):
                base = base.parent
            target = base.joinpath(*(node.module or "").split(".")) if node.module else base
            if unit in (target, *target.parents):
                continue  # inside the same subpackage
        found.append(f"{path.relative_to(pkg.parent)}:{node.lineno} imports {', '.join(names)} "
                     f"from {'.' * node.level}{node.module or ''}")
    return found


def test_the_private_name_check_sees_one_and_allows_a_subpackage_its_own(tmp_path):
    pkg = tmp_path / "mtss_teach"
    (pkg / "grading").mkdir(parents=True)
    example = (ROOT / "tests" / "data" / "private_import_example.txt").read_text()
    (pkg / "m.py").write_text(example)
    (pkg / "grading" / "a.py").write_text("from .b import _shared\nfrom ..charts import _fmt\n")
    assert [h.split(" imports ")[1] for h in _private_imports(pkg / "m.py", pkg)] == ["_fmt from .charts"]
    assert [h.split(" imports ")[1] for h in _private_imports(pkg / "grading" / "a.py", pkg)] == ["_fmt from ..charts"]


def test_no_module_imports_another_modules_private_names():
    bad = [hit for f in sorted(PKG.rglob("*.py")) for hit in _private_imports(f)]
    assert not bad, "use (or make) a public function instead:\n" + "\n".join(bad)



def test_every_public_module_is_reachable_from_the_package():
    """``import mtss_teach as mt; mt.screening`` works for every public module."""
    public = sorted(p.stem if p.is_file() else p.name for p in PKG.iterdir()
                    if not p.name.startswith("_") and (p.suffix == ".py" or (p / "__init__.py").exists()))
    expected_absent = {"errors", "sphinxext"}  # the exception class is exported; the Sphinx plug-in is loaded by Sphinx
    assert sorted(set(public) - expected_absent) == sorted(mtss_teach.SUBMODULES)
    code = "import mtss_teach as mt; print(mt.screening.__name__, mt.progress.__name__)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.split() == ["mtss_teach.screening", "mtss_teach.progress"]
    with pytest.raises(AttributeError):
        mtss_teach.not_a_module  # noqa: B018


def test_readme_names_every_public_module():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [m for m in mtss_teach.SUBMODULES if f"`{m}`" not in readme]
    assert not missing, f"README's layout table does not name: {missing}"


def test_core_imports_no_plotting_or_widgets():
    """Importing the core pulls in neither Altair nor ipywidgets (a cheap import for a kernel)."""
    code = ("import sys, mtss_teach.screening, mtss_teach.progress, mtss_teach.norms, mtss_teach.equity, "
            "mtss_teach.behavior, mtss_teach.fidelity; "
            "print(sorted(m for m in ('altair', 'ipywidgets') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


def test_package_data_is_read_in_one_place():
    """One package-data reader (mtss_teach/_packagedata.py): nothing else opens mtss_teach/data/."""
    import re

    pkg = Path(__file__).resolve().parents[1] / "mtss_teach"
    found = [f"{p.relative_to(pkg)}:{i}" for p in sorted(pkg.rglob("*.py")) if p.name != "_packagedata.py"
             for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if re.search(r"resources\.files\(|[\"']data/[\w.-]+\.(csv|yml|yaml|json)[\"']", line)]
    assert found == [], found
