"""The :class:`Cohort` container: one DataFrame per table, written to and read from CSV."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import DataError
from .params import TABLES
from .schema import _folder, _write_csv, read_table_csv


@dataclass(frozen=True, eq=False, repr=False)
class Cohort:
    """A synthetic cohort: one tidy DataFrame per step of the MTSS cycle.

    Every table is keyed by ``student_id`` (``fidelity`` and ``tfi`` by
    interventionist and school). Tables not generated are ``None``. See
    ``data_dictionary()`` (or ``datasets/dictionary.csv``) for every column.

    Attributes
    ----------
    students, screening, outcomes, tiers, progress, interventions, fidelity, behavior, tfi, truth : pandas.DataFrame or None
        ``truth`` is the answer key only a simulation has (true ORF scores
        and true weekly growth), for decision-accuracy lessons.
    params : dict
        The resolved arguments and scenario knobs.
    manifest : dict
        Generator name and version, arguments, seed, row counts and the
        number of normal variates drawn.

    Examples
    --------
    >>> from mtss_teach.cohorts import make_cohort
    >>> c = make_cohort(300, seed=7, tables=("students", "screening"))
    >>> sorted(c.tables())
    ['screening', 'students']
    >>> c.screening.shape
    (2700, 6)
    """

    students: pd.DataFrame
    screening: pd.DataFrame | None = None
    outcomes: pd.DataFrame | None = None
    tiers: pd.DataFrame | None = None
    progress: pd.DataFrame | None = None
    interventions: pd.DataFrame | None = None
    fidelity: pd.DataFrame | None = None
    behavior: pd.DataFrame | None = None
    tfi: pd.DataFrame | None = None
    truth: pd.DataFrame | None = None
    params: dict = field(default_factory=dict)
    manifest: dict = field(default_factory=dict)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The generated tables by name, in :data:`TABLES` order.

        Examples
        --------
        >>> from mtss_teach.cohorts import make_cohort
        >>> list(make_cohort(120, seed=1).tables())[:3]
        ['students', 'screening', 'outcomes']
        """
        return {t: getattr(self, t) for t in TABLES if getattr(self, t) is not None}

    def to_csv(self, folder: str | Path) -> list[Path]:
        """Write one ``<table>.csv`` per table into ``folder`` (created if needed).

        The files are deterministic: fixed column order, rows sorted by key,
        whole-number scores, floats with two decimals, ISO dates, ``\\n`` line
        endings, no timestamps.

        Returns
        -------
        list of pathlib.Path
            The files written, in :data:`TABLES` order.

        Examples
        --------
        >>> import tempfile
        >>> from mtss_teach.cohorts import make_cohort
        >>> c = make_cohort(60, seed=1, tables=("students",))
        >>> with tempfile.TemporaryDirectory() as d:
        ...     [p.name for p in c.to_csv(d)]
        ['students.csv']
        """
        out = _folder(folder)
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DataError(f"folder: cannot create {str(out)!r} ({exc})") from None
        paths = []
        for name, df in self.tables().items():
            p = out / f"{name}.csv"
            _write_csv(df, p)
            paths.append(p)
        return paths

    @classmethod
    def from_csv(cls, folder: str | Path, params: dict | None = None, manifest: dict | None = None) -> "Cohort":
        """Read a folder written by :meth:`to_csv` back into a Cohort.

        Tables without a file are ``None``; ``students.csv`` is required.
        Columns get the dtypes of the data dictionary, so a written and
        re-read cohort equals the generated one.

        Examples
        --------
        >>> import tempfile
        >>> from mtss_teach.cohorts import Cohort, make_cohort
        >>> c = make_cohort(60, seed=1, tables=("students", "screening"))
        >>> with tempfile.TemporaryDirectory() as d:
        ...     _ = c.to_csv(d)
        ...     back = Cohort.from_csv(d)
        >>> back.screening.equals(c.screening)
        True
        """
        folder = _folder(folder)
        if not (folder / "students.csv").is_file():
            raise DataError(f"folder: {str(folder)!r} has no students.csv (not a cohort folder)")
        tables = {t: read_table_csv(t, folder / f"{t}.csv") for t in TABLES if (folder / f"{t}.csv").is_file()}
        return cls(**tables, params=dict(params or {}), manifest=dict(manifest or {}))

    def __repr__(self) -> str:
        parts = [f"{k}={len(v):,}" for k, v in self.tables().items()]
        sc = self.params.get("scenario", "?")
        return f"Cohort(scenario={sc!r}, " + ", ".join(parts) + ")"
