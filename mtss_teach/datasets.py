"""Shipped synthetic datasets, read offline (pingouin style).

The datasets are small committed CSV files under ``datasets/`` at the root of
the repository, one folder per dataset and one CSV per table, plus
``datasets/manifest.json`` (generator version, arguments, seed, row counts
and a SHA-256 of every file) and ``datasets/dictionary.csv`` (the data
dictionary). Every dataset is ``make_cohort(**arguments)`` with the
arguments in ``mtss_teach/data/dataset_specs.yml``, so

- ``python -m mtss_teach.datasets regenerate`` rewrites ``datasets/``
  exactly, and ``python -m mtss_teach.datasets regenerate --check`` exits
  with status 1 when the committed files differ from what the generator
  makes now;
- where there is no ``datasets/`` folder next to the package (a wheel
  install), :func:`load` regenerates the same tables in memory from the
  arguments -- deterministic, so the result is the same.

District-scale cohorts are never committed: call
:func:`mtss_teach.cohorts.make_cohort` with the size you need.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence

import pandas as pd

from .cohorts import GENERATOR_VERSION, TABLES, Cohort, data_dictionary, make_cohort, read_table_csv
from ._packagedata import data_bytes, read_yaml
from ._validate import check_choice
from .errors import DataError

__all__ = [
    "list_datasets",
    "load",
    "manifest",
    "data_dictionary",
    "datasets_folder",
    "regenerate",
    "main",
]

#: The repository's ``datasets/`` folder (exists in a source checkout / editable install).
_REPO_DATASETS = Path(__file__).resolve().parents[1] / "datasets"
_MANAGED = ("manifest.json", "dictionary.csv")


@lru_cache(maxsize=None)
def _specs() -> dict:
    return read_yaml("dataset_specs.yml")["datasets"]


def _names() -> list[str]:
    return list(_specs())


def _check_name(name: Any) -> str:
    names = _names()
    if not isinstance(name, str) or name.strip() not in names:
        raise DataError(f"name: {name!r} is not a shipped dataset; valid names are {', '.join(names)}")
    return name.strip()


def datasets_folder() -> Path | None:
    """The folder the shipped CSV files are read from, or None.

    ``datasets/`` at the repository root when it holds ``manifest.json``
    (source checkout or editable install); None for a wheel install, where
    :func:`load` regenerates the data in memory instead.

    Examples
    --------
    >>> from mtss_teach.datasets import datasets_folder
    >>> folder = datasets_folder()
    >>> folder is None or (folder / "manifest.json").is_file()
    True
    """
    return _REPO_DATASETS if (_REPO_DATASETS / "manifest.json").is_file() else None


def list_datasets() -> pd.DataFrame:
    """The shipped datasets: name, description, size, scenario and seed.

    Examples
    --------
    >>> from mtss_teach.datasets import list_datasets
    >>> d = list_datasets()
    >>> d[["name", "n_students", "n_schools", "scenario"]]
                   name  n_students  n_schools          scenario
    0    district_small        1200          2           healthy
    1           healthy         600          1           healthy
    2        weak_tier1         600          1        weak_tier1
    3  disproportionate         600          1  disproportionate
    4      low_fidelity         600          1      low_fidelity
    """
    rows = []
    for name, spec in _specs().items():
        a = _arguments(name)
        rows.append({
            "name": name,
            "description": " ".join(str(spec["description"]).split()),
            "n_students": a["n_students"],
            "n_schools": a["n_schools"],
            "scenario": a["scenario"],
            "seed": a["seed"],
        })
    return pd.DataFrame(rows)


def _arguments(name: str) -> dict:
    a = dict(_specs()[name]["arguments"])
    a.setdefault("scenario", "healthy")
    if a.get("n_schools") is None:
        a["n_schools"] = max(1, int(round(a["n_students"] / 500)))
    return a


def _generate(name: str) -> Cohort:
    return make_cohort(**_arguments(name))


@lru_cache(maxsize=8)
def _generated(name: str) -> Cohort:
    return _generate(name)


def load(name: str, table: str | None = None) -> Cohort | pd.DataFrame:
    """Load a shipped dataset, offline.

    Parameters
    ----------
    name : str
        One of :func:`list_datasets` ``["name"]``.
    table : str, optional
        Return only this table (e.g. ``"screening"``) as a DataFrame.

    Returns
    -------
    Cohort or pandas.DataFrame
        The whole dataset as a :class:`~mtss_teach.cohorts.Cohort`, or one
        table. Column types follow the data dictionary.

    Notes
    -----
    Read from ``datasets/<name>/`` at the repository root. When that folder
    is absent (a wheel install) the dataset is regenerated in memory from
    its recorded arguments and seed, which gives the same tables.

    Examples
    --------
    >>> from mtss_teach.datasets import load
    >>> scr = load("healthy", "screening")
    >>> scr.columns.tolist()
    ['student_id', 'grade', 'season', 'measure', 'score', 'date']
    >>> load("healthy").students["school"].unique().tolist()
    ['School 01']
    >>> load("no_such_school")
    Traceback (most recent call last):
    ...
    mtss_teach.errors.DataError: name: 'no_such_school' is not a shipped dataset; valid names are district_small, healthy, weak_tier1, disproportionate, low_fidelity
    """
    nm = _check_name(name)
    if table is not None:
        table = check_choice(table, "table", TABLES)
    folder = datasets_folder()
    if folder is not None and (folder / nm / "students.csv").is_file():
        if table is not None:
            if not (folder / nm / f"{table}.csv").is_file():
                raise DataError(f"table: dataset {nm!r} has no {table!r} table")
            return read_table_csv(table, folder / nm / f"{table}.csv")
        a = _arguments(nm)
        return Cohort.from_csv(folder / nm, params=dict(a), manifest=_manifest_entry(folder, nm))
    cohort = _generated(nm)
    if table is not None:
        return cohort.tables()[table].copy()
    return Cohort(**{k: v.copy() for k, v in cohort.tables().items()},
                  params=dict(cohort.params), manifest=dict(cohort.manifest))


def _manifest_entry(folder: Path, name: str) -> dict:
    try:
        return dict(json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["datasets"][name])
    except (OSError, KeyError, ValueError):
        return {}


def manifest() -> dict:
    """The manifest of the shipped datasets (as written to ``datasets/manifest.json``).

    Generator name and version, and per dataset its description, the exact
    ``make_cohort`` arguments (including the seed), and for every file its
    row count and SHA-256. Computed from the generator, so it is available
    in a wheel install too.

    Examples
    --------
    >>> from mtss_teach.datasets import manifest
    >>> m = manifest()
    >>> m["generator"], m["datasets"]["healthy"]["arguments"]["seed"]
    ('mtss_teach.cohorts.make_cohort', 20250802)
    """
    with tempfile.TemporaryDirectory() as d:
        return _write_all(Path(d))


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _write_all(folder: Path) -> dict:
    """Write every dataset, the dictionary and the manifest into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    entries = {}
    for name in _names():
        sub = folder / name
        if sub.exists():
            for old in sub.glob("*.csv"):
                old.unlink()
        cohort = _generate(name)
        files = {}
        for p in cohort.to_csv(sub):
            files[p.name] = {"rows": int(len(cohort.tables()[p.stem])), "sha256": _sha256(p)}
        entries[name] = {
            "description": " ".join(str(_specs()[name]["description"]).split()),
            "arguments": _arguments(name),
            "files": files,
        }
    (folder / "dictionary.csv").write_bytes(data_bytes("cohort_dictionary.csv"))
    man = {
        "generator": "mtss_teach.cohorts.make_cohort",
        "generator_version": GENERATOR_VERSION,
        "note": (
            "Synthetic data: no real student. Regenerate with "
            "`python -m mtss_teach.datasets regenerate`; verify with `--check`."
        ),
        "dictionary": {"file": "dictionary.csv", "sha256": _sha256(folder / "dictionary.csv")},
        "datasets": entries,
    }
    (folder / "manifest.json").write_text(json.dumps(man, indent=2) + "\n", encoding="utf-8")
    return man


def _files(folder: Path) -> dict[str, Path]:
    out = {}
    for name in _MANAGED:
        if (folder / name).is_file():
            out[name] = folder / name
    for name in _names():
        for p in sorted((folder / name).glob("*.csv")) if (folder / name).is_dir() else []:
            out[f"{name}/{p.name}"] = p
    return out


def regenerate(folder: str | Path | None = None, check: bool = False) -> list[str]:
    """Write the shipped datasets into ``folder``, or check they are reproduced.

    Parameters
    ----------
    folder : path, optional
        Default: ``datasets/`` at the repository root.
    check : bool
        Do not write; compare what the generator makes now with the files
        in ``folder``, byte for byte.

    Returns
    -------
    list of str
        ``check=False``: the files written (relative to ``folder``).
        ``check=True``: the differences found, one line each (empty when
        the folder is reproduced exactly). ``README.md`` is hand-written and
        not managed.

    Examples
    --------
    >>> import tempfile
    >>> from mtss_teach.datasets import regenerate
    >>> with tempfile.TemporaryDirectory() as d:
    ...     written = regenerate(d)
    ...     problems = regenerate(d, check=True)
    >>> "healthy/screening.csv" in written, problems
    (True, [])
    """
    if folder is not None and (isinstance(folder, bool) or not isinstance(folder, (str, os.PathLike))):
        raise DataError(f"folder: expected a folder path (str or pathlib.Path) or None, got {type(folder).__name__} "
                        f"{folder!r}")
    target = Path(folder) if folder is not None else _REPO_DATASETS
    if not check:
        _write_all(target)
        return sorted(_files(target))
    with tempfile.TemporaryDirectory() as d:
        fresh = Path(d)
        _write_all(fresh)
        want, have = _files(fresh), _files(target)
        problems = []
        for rel in sorted(set(want) | set(have)):
            if rel not in have:
                problems.append(f"missing: {rel}")
            elif rel not in want:
                problems.append(f"not made by the generator: {rel}")
            elif want[rel].read_bytes() != have[rel].read_bytes():
                problems.append(f"differs: {rel}")
        return problems


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m mtss_teach.datasets regenerate [--check] [--folder PATH]``."""
    ap = argparse.ArgumentParser(prog="python -m mtss_teach.datasets",
                                 description="Write or check the shipped synthetic datasets.")
    sub = ap.add_subparsers(dest="command", required=True)
    rg = sub.add_parser("regenerate", help="write datasets/ exactly (or --check it)")
    rg.add_argument("--check", action="store_true", help="exit 1 if the committed files differ")
    rg.add_argument("--folder", default=None, help="default: datasets/ at the repository root")
    sub.add_parser("list", help="list the shipped datasets")
    args = ap.parse_args(argv)
    if args.command == "list":
        print(list_datasets()[["name", "n_students", "scenario", "description"]].to_string(index=False))
        return 0
    folder = Path(args.folder) if args.folder else _REPO_DATASETS
    if args.check:
        problems = regenerate(folder, check=True)
        for p in problems:
            print(p)
        if problems:
            print(f"{len(problems)} difference(s): run `python -m mtss_teach.datasets regenerate`", file=sys.stderr)
            return 1
        print(f"{folder}: every dataset file is reproduced exactly")
        return 0
    written = regenerate(folder)
    print(f"wrote {len(written)} files to {folder}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
