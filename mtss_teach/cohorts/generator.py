"""The generator of one cohort: shared state and the order in which the tables are built.

The table builders are mixins, one file per group of tables: ``gen_students``
(schools, classrooms, students), ``gen_scores`` (reading, math, SRSS,
screening and outcomes), ``gen_supports`` (tiers, interventions, progress
monitoring) and ``gen_records`` (fidelity observations, referrals, TFI,
the answer key).
"""

from __future__ import annotations

import pandas as pd

from .draws import _Draws
from .gen_records import _RecordsBuilder
from .gen_scores import _ScoresBuilder
from .gen_students import _StudentsBuilder
from .gen_supports import _SupportsBuilder
from .params import TABLES, _params
from .schema import _conform
from .school_calendar import _calendar


class _Generator(_StudentsBuilder, _ScoresBuilder, _SupportsBuilder, _RecordsBuilder):
    """One run of make_cohort; state shared between the table builders."""

    def __init__(self, n, seed, grades, n_schools, scenario, knobs, want):
        self.n, self.seed, self.grades, self.n_schools = n, seed, grades, n_schools
        self.scenario, self.k, self.want = scenario, knobs, set(want)
        self.P = _params()
        self.draws = _Draws(seed)
        self.cal = _calendar()

    # which internal pieces each table needs
    def _need(self, *names: str) -> bool:
        deps = {
            "tiers": {"tiers", "interventions", "progress", "fidelity", "truth"},
            "interventions": {"interventions", "progress", "fidelity", "truth"},
            "progress": {"progress", "truth"},
        }
        return any(self.want & deps.get(nm, {nm}) for nm in names)

    def run(self) -> dict[str, pd.DataFrame]:
        self._structure()
        self._reading()
        self._flags()
        tables: dict[str, pd.DataFrame] = {}
        if self.want & {"screening", "outcomes"}:
            self._math()
        if self.want & {"screening", "behavior"}:
            self._srss()
        tables["students"] = self._students_table()
        if "screening" in self.want:
            tables["screening"] = self._screening_table()
        if "outcomes" in self.want:
            tables["outcomes"] = self._outcomes_table()
        if self._need("tiers"):
            self._tiers()
            if "tiers" in self.want:
                tables["tiers"] = self._tiers_table()
        if self._need("interventions"):
            self._staff()
            self._interventions()
            if "interventions" in self.want:
                tables["interventions"] = self._interventions_table()
        if self._need("progress"):
            self._progress()
            if "progress" in self.want:
                tables["progress"] = self._progress_table()
        if "fidelity" in self.want:
            tables["fidelity"] = self._fidelity_table()
        if "behavior" in self.want:
            tables["behavior"] = self._behavior_table()
        if "tfi" in self.want:
            tables["tfi"] = self._tfi_table()
        if "truth" in self.want:
            tables["truth"] = self._truth_table()
        return {t: _conform(t, tables[t]) for t in TABLES if t in tables}
